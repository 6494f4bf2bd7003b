package gpipsec

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/hive"
	"github.com/ipseclint/ipseclint/parsers/regfile"
)

// The real Windows 2000 sample (../shared/samples/SOURCES.md,
// "registry-policy/"), and what it holds.
const (
	w2kSample  = "registry-policy/w2k-l2tp-psk.vpnease.reg"
	w2kKey     = "example-psk"
	w2kPolicy  = "{A1A1A1A1-0001-4000-8000-000000000001}"
	w2kPSKRule = "{A1A1A1A1-0007-4000-8000-000000000007}"
	w2kDefRule = "{A1A1A1A1-0006-4000-8000-000000000006}"
)

func readSampleTree(t *testing.T) *model.RegTree {
	t.Helper()
	res, err := regfile.ParseFile(testutil.Sample(t, w2kSample), regfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("the sample has syntax errors: %v", res.Errors)
	}
	return res.Tree
}

// TestW2KSample checks the real sample field for field against SOURCES.md's
// "What the policy contains".
func TestW2KSample(t *testing.T) {
	res := Decode(model.NewRegistry(readSampleTree(t)))
	if !res.Covered || len(res.Stores) != 1 || len(res.Problems) != 0 {
		t.Fatalf("covered %v, %d stores, problems %v; want one local store and no problem", res.Covered, len(res.Stores), res.Problems)
	}
	ps := storeOf(t, res, model.StoreLocal)
	if len(ps.Problems) != 0 {
		t.Errorf("store problems: %v", ps.Problems)
	}
	if ps.Source != model.SourceRegistry || ps.Form != model.FormRegistry || len(ps.Policies) != 1 || len(ps.FilterLists) != 1 || len(ps.FilterActions) != 1 {
		t.Fatalf("store %s/%s: %d policies, %d lists, %d actions; want 1, 1, 1 (the default response action belongs to its rule)", ps.Source, ps.Form, len(ps.Policies), len(ps.FilterLists), len(ps.FilterActions))
	}
	// Assignment.
	if res.Local == nil || res.Local.Policy == nil || res.Local.Policy.GUID != w2kPolicy || res.Local.RefLoc.Line != 7 || res.Domain != nil {
		t.Fatalf("local assignment %+v, domain %+v", res.Local, res.Domain)
	}
	p := res.Local.Policy
	checkW2KPolicy(t, p)
	checkW2KPSKRule(t, ruleOf(t, p, w2kPSKRule))
	checkW2KFilterList(t, ruleOf(t, p, w2kPSKRule).FilterList)
	checkW2KAction(t, ruleOf(t, p, w2kPSKRule).FilterAction)
	checkW2KDefaultRule(t, p, ruleOf(t, p, w2kDefRule))
}

// checkW2KPolicy: the policy and its main-mode (ISAKMP) settings.
func checkW2KPolicy(t *testing.T, p *model.Policy) {
	t.Helper()
	if !p.Assigned || p.AssignLoc.Value != "ActivePolicy" || p.Store != model.StoreLocal || len(p.Doubts) != 0 {
		t.Errorf("policy assigned %v at %v, store %s, doubts %v", p.Assigned, p.AssignLoc, p.Store, p.Doubts)
	}
	if p.Name != "VPNease Policy 192.0.2.10" || p.PollingIntervalMin != 180 || len(p.Rules) != 2 {
		t.Errorf("policy %q, polling %d min, %d rules", p.Name, p.PollingIntervalMin, len(p.Rules))
	}
	if p.MMPFS || p.QMPerMM != 0 || p.MMLifetimeMin != 480 {
		t.Errorf("main mode: pfs %v, qmpermm %d, lifetime %d min; want off, 0, 480 (28,800 s per method)", p.MMPFS, p.QMPerMM, p.MMLifetimeMin)
	}
	var mm []string
	for _, m := range p.MMSecMethods {
		mm = append(mm, m.Text)
		if m.Doubt != "" {
			t.Errorf("method %s: doubt %q (the garbage in PFS-Identity-Required is reserved, not a doubt)", m.Text, m.Doubt)
		}
	}
	if want := []string{"3DES-SHA1-2", "3DES-MD5-2", "DES-SHA1-1", "DES-MD5-1"}; !reflect.DeepEqual(mm, want) {
		t.Errorf("main-mode methods %v, want %v", mm, want)
	}
	if l := p.MMSecMethods[1].Loc; l.Value != "ipsecData" || l.Offset != 148 || !strings.HasSuffix(l.Key, "ipsecISAKMPPolicy{F9F9E6FF-187C-451C-9AF5-180384290492}") {
		t.Errorf("second main-mode method at %+v, want ipsecData +148 of the ISAKMP key", l)
	}
}

func checkW2KPSKRule(t *testing.T, r *model.Rule) {
	t.Helper()
	if !r.Active || r.Default || r.ConnType != model.ConnAll || r.TunnelEndpoint != "" || len(r.Doubts) != 0 {
		t.Errorf("PSK rule: active %v, default %v, conntype %q, tunnel %q, doubts %v", r.Active, r.Default, r.ConnType, r.TunnelEndpoint, r.Doubts)
	}
	if len(r.Auth) != 1 || r.Auth[0].Kind != model.AuthPreshared || r.Auth[0].KeyLength != len(w2kKey) || r.Auth[0].Loc.Offset != 24 {
		t.Errorf("PSK rule auth %+v, want one pre-shared key of %d characters at +24", r.Auth, len(w2kKey))
	}
	// The NFA's ipsecName is a VPNease quirk (a path), so the rule is named after its filter list.
	if r.Name != "VPNease Filter List 192.0.2.10" || r.FilterListName != r.Name || r.FilterList == nil || r.FilterAction == nil {
		t.Fatalf("PSK rule %q: list %q (%v), action %v", r.Name, r.FilterListName, r.FilterList != nil, r.FilterAction != nil)
	}
	if r.FilterActionName != r.FilterAction.Name {
		t.Errorf("action name %q, action %q", r.FilterActionName, r.FilterAction.Name)
	}
}

func checkW2KFilterList(t *testing.T, l *model.FilterList) {
	t.Helper()
	if len(l.Filters) != 1 || len(l.Doubts) != 0 || l.GUID != "{A1A1A1A1-0002-4000-8000-000000000002}" {
		t.Fatalf("filter list %+v", l)
	}
	f := l.Filters[0]
	want := *model.NewFilter(model.FilterSpec{Src: model.Address{Kind: model.AddrAny}, Dst: model.Address{Kind: model.AddrIP, Net: netip.MustParsePrefix("192.0.2.10/32")},
		Protocol: 17, SrcPort: 1701, DstPort: 0, Mirrored: true, GUID: "{2AA93C48-1CE1-463F-AAA1-60D818AB6878}"}, f.Loc)
	if !reflect.DeepEqual(*f, want) || f.Loc.Offset != 24 {
		t.Errorf("filter %+v, want %+v at +24", *f, want)
	}
}

func checkW2KAction(t *testing.T, a *model.FilterAction) {
	t.Helper()
	if a.Name != "VPNease Filter Action 192.0.2.10" || a.Action != model.ActionNegotiate || a.InPass || a.QMPFS {
		t.Errorf("action %q: %s, inpass %v, qmpfs %v", a.Name, a.Action, a.InPass, a.QMPFS)
	}
	if len(a.Methods) != 1 || a.Methods[0].Text != "ESP[3DES,MD5]:300s" || a.Methods[0].LifetimeSec != 300 || a.Methods[0].LifetimeKB != 0 || !a.Methods[0].Confidential() || a.Methods[0].Doubt != "" {
		t.Errorf("action methods %+v, want ESP[3DES,MD5]:300s", a.Methods)
	}
	// Soft is unknown, whatever the sample was made with; nothing else is in doubt.
	if len(a.Doubts) != 1 || a.Doubts.About("soft") == nil {
		t.Errorf("action doubts %v, want only soft", a.Doubts)
	}
}

func checkW2KDefaultRule(t *testing.T, p *model.Policy, r *model.Rule) {
	t.Helper()
	if !r.Default || r.Active || p.ActivateDefaultRule || r.ConnType != model.ConnAll || r.FilterList != nil || r.Name != "Default Response" {
		t.Errorf("default rule %q: default %v, active %v (policy %v), conntype %q, list %v", r.Name, r.Default, r.Active, p.ActivateDefaultRule, r.ConnType, r.FilterList)
	}
	if len(r.Auth) != 1 || r.Auth[0].Kind != model.AuthKerberos {
		t.Errorf("default rule auth %+v, want Kerberos", r.Auth)
	}
	a := r.FilterAction
	var got []string
	for _, m := range a.Methods {
		got = append(got, m.Text)
	}
	want := []string{"ESP[3DES,SHA1]", "ESP[3DES,MD5]", "ESP[DES,SHA1]", "ESP[DES,MD5]", "AH[SHA1]", "AH[MD5]"}
	if a.Action != model.ActionNegotiate || !reflect.DeepEqual(got, want) || a.QMPFS {
		t.Errorf("default response action %s %v (qmpfs %v), want negotiate %v", a.Action, got, a.QMPFS, want)
	}
}

// TestW2KSampleSecret: after decoding, the key is nowhere: not in the
// result, not in any registry value's Display, not in any value's bytes.
func TestW2KSampleSecret(t *testing.T) {
	tree := readSampleTree(t)
	if !treeHolds(tree, w2kKey) {
		t.Fatal("the sample does not hold its key before decoding: the test would prove nothing")
	}
	res := Decode(model.NewRegistry(tree))
	assertNoSecret(t, res, tree, w2kKey)
	// Decoding the scrubbed registry again gives the same result.
	again := Decode(model.NewRegistry(tree))
	if a, b := mustJSON(t, res), mustJSON(t, again); a != b {
		t.Errorf("decoding the scrubbed registry gives another result:\n%s\n%s", a, b)
	}
}

// assertNoSecret looks for key in every form an output could carry it.
func assertNoSecret(t *testing.T, res *Result, tree *model.RegTree, key string) {
	t.Helper()
	var out strings.Builder
	out.WriteString(mustJSON(t, res))
	for _, k := range tree.Keys() {
		for _, v := range k.Values {
			out.WriteString(v.Display() + "\n")
		}
	}
	text := strings.ToLower(out.String())
	u16 := model.UTF16String(key)
	u16 = u16[:len(u16)-2]
	forms := []string{key, hex.EncodeToString([]byte(key)), hex.EncodeToString(u16), commaHex(u16), commaHex([]byte(key))}
	for _, f := range forms {
		if strings.Contains(text, strings.ToLower(f)) {
			t.Errorf("the key appears in the output as %q", f)
		}
	}
	if treeHolds(tree, key) {
		t.Error("the key is still in the registry's value bytes")
	}
}

func treeHolds(tree *model.RegTree, key string) bool {
	u16 := model.UTF16String(key)
	u16 = u16[:len(u16)-2]
	for _, k := range tree.Keys() {
		for _, v := range k.Values {
			if bytes.Contains(v.Data, u16) || bytes.Contains(v.Data, []byte(key)) {
				return true
			}
		}
	}
	return false
}

// commaHex is how Display and .reg files write bytes: 65,00,78,00.
func commaHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return strings.Join(parts, ",")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestW2KSampleThroughHive: the sample's keys written into a binary
// SOFTWARE hive (internal/hivewriter, in a temporary directory) and read
// back with parsers/hive decode to the same model, locations aside.
func TestW2KSampleThroughHive(t *testing.T) {
	tree := readSampleTree(t)
	h, err := hivewriter.Write(tree, "SOFTWARE", hivewriter.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "SOFTWARE")
	if err := os.WriteFile(path, h.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	checkHiveDecode(t, tree, path)
}

// TestW2KSampleThroughHivexregedit: the same, with the hive written by an
// independent producer: hivexregedit (libwin-hivex-perl) merges the
// sample's keys, as a UTF-8 .reg of hex(N) values made here, into an
// empty hive from internal/hivewriter (as internal/cmd/mkhive makes it).
func TestW2KSampleThroughHivexregedit(t *testing.T) {
	tool := testutil.Tool(t, "hivexregedit", "libwin-hivex-perl")
	tree := readSampleTree(t)
	dir := t.TempDir()
	h, err := hivewriter.Empty(hivewriter.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`})
	if err != nil {
		t.Fatal(err)
	}
	path, regPath := filepath.Join(dir, "SOFTWARE"), filepath.Join(dir, "software.reg")
	if err := os.WriteFile(path, h.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(regPath, hexExport(tree, "SOFTWARE"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "--merge", "--prefix", `HKEY_LOCAL_MACHINE\SOFTWARE`, path, regPath).CombinedOutput(); err != nil {
		t.Fatalf("hivexregedit: %v\n%s", err, out)
	}
	checkHiveDecode(t, tree, path)
}

// hexExport writes the keys under root as a UTF-8 .reg file that names
// every parent key in a section of its own and every value as hex(N), so
// that the bytes reach the hive unchanged.
func hexExport(tree *model.RegTree, root string) []byte {
	var b strings.Builder
	b.WriteString("Windows Registry Editor Version 5.00\n")
	seen := map[string]bool{}
	section := func(p string) {
		if !seen[strings.ToLower(p)] {
			seen[strings.ToLower(p)] = true
			b.WriteString("\n[HKEY_LOCAL_MACHINE\\" + p + "]\n")
		}
	}
	for _, k := range tree.Keys() {
		parts := strings.Split(k.Path, `\`)
		if !strings.EqualFold(parts[0], root) || len(parts) < 2 {
			continue
		}
		for i := 2; i < len(parts); i++ {
			section(strings.Join(parts[:i], `\`))
		}
		section(k.Path)
		for _, v := range k.Values {
			fmt.Fprintf(&b, "%q=hex(%x):%s\n", v.Name, uint32(v.Type), commaHex(v.Data))
		}
	}
	return []byte(b.String())
}

// checkHiveDecode reads the hive at path and decodes it to the model the
// .reg tree gives, locations aside; the hive's evidence names the file
// and key, and no key is left in it.
func checkHiveDecode(t *testing.T, tree *model.RegTree, path string) {
	t.Helper()
	hr, err := hive.Open(path, hive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if hr.Hive != hive.HiveSoftware || len(hr.Damage) != 0 {
		t.Fatalf("hive read as %q with damage %v", hr.Hive, hr.Damage)
	}
	if !treeHolds(hr.Tree, w2kKey) {
		t.Fatal("the hive does not hold the key before decoding: the test would prove nothing")
	}
	fromHive := Decode(model.NewRegistry(hr.Tree))
	fromReg := Decode(model.NewRegistry(tree))
	if a, b := withoutLocations(t, fromReg), withoutLocations(t, fromHive); a != b {
		t.Errorf("the hive decodes differently from the .reg export:\nreg:  %s\nhive: %s", a, b)
	}
	rule := ruleOf(t, fromHive.Local.Policy, w2kPSKRule)
	if l := rule.Auth[0].Loc; l.File != path || l.Line != 0 || l.Value != "ipsecData" || l.Offset != 24 || !strings.HasSuffix(l.Key, "ipsecNFA"+w2kPSKRule) {
		t.Errorf("hive evidence %+v, want the file, key, ipsecData +24 and no line", l)
	}
	assertNoSecret(t, fromHive, hr.Tree, w2kKey)
}

// withoutLocations marshals v with every location field removed.
func withoutLocations(t *testing.T, v any) string {
	t.Helper()
	var generic any
	if err := json.Unmarshal([]byte(mustJSON(t, v)), &generic); err != nil {
		t.Fatal(err)
	}
	var strip func(any)
	strip = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				if strings.HasSuffix(strings.ToLower(k), "location") {
					delete(x, k)
					continue
				}
				strip(v)
			}
		case []any:
			for _, v := range x {
				strip(v)
			}
		}
	}
	strip(generic)
	return mustJSON(t, generic)
}
