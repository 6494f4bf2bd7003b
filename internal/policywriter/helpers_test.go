package policywriter

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/gpipsec"
	"github.com/ipseclint/ipseclint/parsers/hive"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/regfile"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

// parseScript reads a netsh script of testdata; it must parse cleanly.
func parseScript(t *testing.T, name string) *model.PolicyStore {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseText(t, name, data)
}

func parseText(t *testing.T, name string, data []byte) *model.PolicyStore {
	t.Helper()
	res, err := netsh.Parse(data, name, netsh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("%s: netsh errors: %v", name, res.Errors)
	}
	return res.Store
}

// readBack is one way of reading a written tree back: the tree itself,
// its .reg export through the regfile parser, its hive through the hive
// parser.
type readBack struct {
	name string
	tree *model.RegTree
}

// readBacks serializes tree as a regedit export and as a SOFTWARE hive,
// reads both back, and checks that they hold the tree exactly. It must
// run before anything decodes tree (Decode blanks pre-shared keys in it).
func readBacks(t *testing.T, tree *model.RegTree) []readBack {
	t.Helper()
	var reg bytes.Buffer
	if err := WriteReg(&reg, tree); err != nil {
		t.Fatal(err)
	}
	rr, err := regfile.Parse(bytes.NewReader(reg.Bytes()), "policy.reg", regfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rr.Errors) > 0 || len(rr.Warnings) > 0 {
		t.Fatalf(".reg read back with errors %v, warnings %v", rr.Errors, rr.Warnings)
	}
	h, err := hivewriter.Write(tree, "SOFTWARE", hivewriter.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "SOFTWARE")
	if err := os.WriteFile(path, h.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	hr, err := hive.Open(path, hive.Options{Name: "SOFTWARE"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hr.Damage) > 0 || hr.Mount != "SOFTWARE" {
		t.Fatalf("hive read back mounted at %q with damage %v", hr.Mount, hr.Damage)
	}
	out := []readBack{{"tree", tree}, {".reg", rr.Tree}, {"hive", hr.Tree}}
	for _, rb := range out[1:] {
		if d := regtest.Diff(tree, rb.tree); len(d) > 0 {
			t.Fatalf("%s read back differs from the written tree:\n%s", rb.name, strings.Join(d, "\n"))
		}
	}
	return out
}

// storeOf returns the decoded store of kind s.
func storeOf(t *testing.T, res *gpipsec.Result, s model.Store) *model.PolicyStore {
	t.Helper()
	for _, ps := range res.Stores {
		if ps.Store == s {
			return ps
		}
	}
	t.Fatalf("no %s store among %d", s, len(res.Stores))
	return nil
}

// facts flattens a policy into every field the writer carries, as
// "object field" → value; it is stricter than model.DiffPolicies, which
// leaves out descriptions, lifetimes and intervals, the default response
// rule, filter order and key lengths. Doubted fields are kept (the
// doubts are checked apart).
func facts(p *model.Policy) map[string]string {
	out := map[string]string{}
	set := func(obj, field string, v any) { out[obj+" "+field] = fmt.Sprint(v) }
	po := fmt.Sprintf("policy %q", p.Name)
	set(po, "description", p.Description)
	set(po, "mmpfs", p.MMPFS)
	set(po, "mmLifetimeMinutes", p.MMLifetimeMin)
	set(po, "qmPerMM", p.QMPerMM)
	set(po, "pollingIntervalMinutes", p.PollingIntervalMin)
	set(po, "activateDefaultRule", p.ActivateDefaultRule)
	var mm, rules []string
	for _, m := range p.MMSecMethods {
		mm = append(mm, fmt.Sprintf("%s-%s-%d", m.Cipher, m.Integrity, m.DHGroup))
	}
	set(po, "mmSecMethods", mm)
	for _, r := range p.Rules {
		ro := fmt.Sprintf("rule %q", r.Name)
		if !r.Default {
			rules = append(rules, r.Name)
		}
		ruleFacts(set, ro, r)
		if r.FilterList != nil {
			listFacts(set, r.FilterList)
		}
		if a := r.FilterAction; a != nil {
			ao := fmt.Sprintf("filter action %q", a.Name)
			if r.Default {
				ao = ro + " response"
			}
			actionFacts(set, ao, a)
		}
	}
	set(po, "rules", rules)
	return out
}

func ruleFacts(set func(string, string, any), ro string, r *model.Rule) {
	var auth []string
	for _, m := range r.Auth {
		auth = append(auth, fmt.Sprintf("%s(%s,%d)", m.Kind, m.CA, m.KeyLength))
	}
	set(ro, "auth", auth)
	set(ro, "default", r.Default)
	set(ro, "description", r.Description)
	set(ro, "active", r.Active)
	set(ro, "connType", r.ConnType)
	set(ro, "tunnel", r.TunnelEndpoint)
	set(ro, "filterList", r.FilterListName)
	if !r.Default {
		set(ro, "filterAction", r.FilterActionName)
	}
}

func listFacts(set func(string, string, any), l *model.FilterList) {
	lo := fmt.Sprintf("filter list %q", l.Name)
	set(lo, "description", l.Description)
	set(lo, "count", len(l.Filters))
	for i, f := range l.Filters {
		set(lo, fmt.Sprintf("filter[%d]", i), fmt.Sprintf("%s %s|%s mirrored=%v %q", f, f.Src.Kind, f.Dst.Kind, f.Mirrored, f.Description))
	}
}

func actionFacts(set func(string, string, any), ao string, a *model.FilterAction) {
	set(ao, "description", a.Description)
	set(ao, "action", a.Action)
	set(ao, "inpass", a.InPass)
	set(ao, "soft", a.Soft)
	set(ao, "qmpfs", a.QMPFS)
	var ms []string
	for _, m := range a.Methods {
		esp := "-"
		if m.ESP != nil {
			esp = m.ESP.Cipher + "," + m.ESP.Integrity
		}
		ms = append(ms, fmt.Sprintf("AH[%s]ESP[%s]:%dk/%ds", m.AH, esp, m.LifetimeKB, m.LifetimeSec))
	}
	set(ao, "methods", ms)
}

// factDiff lists the facts that differ, sorted.
func factDiff(want, got map[string]string) []string {
	var out []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			out = append(out, fmt.Sprintf("%s: %s, decoded: absent", k, w))
		} else if g != w {
			out = append(out, fmt.Sprintf("%s: %s, decoded: %s", k, w, g))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("%s: absent, decoded: %s", k, g))
		}
	}
	sort.Strings(out)
	return out
}

// unexpectedDoubts lists the doubts of a decoded policy other than those
// the decoder always emits: "soft" on every filter action (its encoding
// is not public), "qmpfs" where PFS is on (its polarity is uncertain),
// and a main-mode method's doubt for DH group 2048 (its storage is
// uncertain).
func unexpectedDoubts(p *model.Policy) []string {
	var out []string
	bad := func(obj string, ds model.Doubts, allowed func(model.Doubt) bool) {
		for _, d := range ds {
			if !allowed(d) {
				out = append(out, fmt.Sprintf("%s: %s: %s", obj, d.Field, d.Reason))
			}
		}
	}
	none := func(model.Doubt) bool { return false }
	bad("policy "+p.Name, p.Doubts, none)
	for _, m := range p.MMSecMethods {
		if m.Doubt != "" && (m.DHGroup != 3 || !strings.Contains(m.Doubt, "2048")) {
			out = append(out, "main-mode method "+m.Text+": "+m.Doubt)
		}
	}
	for _, r := range p.Rules {
		bad("rule "+r.Name, r.Doubts, none)
		if l := r.FilterList; l != nil {
			bad("filter list "+l.Name, l.Doubts, none)
			for _, f := range l.Filters {
				bad("filter "+f.String(), f.Doubts, none)
			}
		}
		if a := r.FilterAction; a != nil {
			bad("filter action "+a.Name, a.Doubts, func(d model.Doubt) bool {
				return d.Field == "soft" || (d.Field == "qmpfs" && a.QMPFS)
			})
			for _, m := range a.Methods {
				if m.Doubt != "" {
					out = append(out, "method "+m.Text+": "+m.Doubt)
				}
			}
		}
	}
	return out
}
