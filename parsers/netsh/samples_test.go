package netsh

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// want is what a real sample holds. Filters are written compactly as
// "src>dst proto sport-dport m|o" (m = mirrored, o = one-way), with
// addresses as kinds or prefixes.
type want struct {
	notIPSec bool
	form     string
	noData   bool
	policies []wantPolicy
	lists    map[string][]string
	actions  map[string]string // name → "action pfs inpass soft methods"
	errors   int
	warnings []string // substrings that must appear among the warnings
}

type wantPolicy struct {
	name     string
	assigned bool
	partial  bool
	rules    []string // "name:list:action:active:auth" for non-default rules
	defRule  string   // "active" | "inactive" | "" (none)
}

func filterString(f *model.Filter) string {
	addr := func(a model.Address) string {
		switch a.Kind {
		case model.AddrIP:
			return a.Net.String()
		case model.AddrDNSName:
			return a.Name
		}
		return a.Kind.String()
	}
	m := "o"
	if f.Mirrored {
		m = "m"
	}
	return fmt.Sprintf("%s>%s %d %d-%d %s", addr(f.Src), addr(f.Dst), f.Protocol, f.SrcPort, f.DstPort, m)
}

func actionString(a *model.FilterAction) string {
	var ms []string
	for _, m := range a.Methods {
		ms = append(ms, m.Text)
	}
	return fmt.Sprintf("%s %v %v %v %s", a.Action, a.QMPFS, a.InPass, a.Soft, strings.Join(ms, " "))
}

var sampleWants = map[string]want{
	"01_show-all_filterlist_en_IPSecDotNet5.txt": {
		form:  "show-all",
		lists: map[string][]string{"exampleFilterData": {"any>any 6 0-135 o", "any>any 6 0-8080 o"}},
	},
	"02_netdiag_test-ipsec_debug_KB813878.txt": {
		form:     "netdiag",
		policies: []wantPolicy{{name: "Block UDP 1434 Filter", assigned: true, partial: true}},
		warnings: []string{"contents are unknown", "filters of netdiag /debug output are not read"},
	},
	"03_netdiag_short-forms_KB813878.txt": {
		form:     "netdiag",
		policies: []wantPolicy{{name: "Block UDP 1434 Filter", assigned: true, partial: true}},
		warnings: []string{"no policy is assigned"},
	},
	"04_show-all_zh-CN_label-inventory_selboo-ipsecset.txt": {notIPSec: true},
	"10_netsh-static-script_SEC505_NetShell_Make_Static_IPSec_Policy.cmd": {
		form: "script",
		policies: []wantPolicy{{name: "IIS_Server_Policy", defRule: "inactive", rules: []string{
			"Allow HTTP:HTTP_Traffic:Allow:true:kerberos",
			"Block All:All_Traffic:Block:true:kerberos",
			"AH for LAN:Internal_Traffic:AH_Only:true:psk",
		}}},
		lists: map[string][]string{
			"HTTP_Traffic":     {"any>me 6 0-80 m", "any>me 6 0-443 m"},
			"All_Traffic":      {"any>me 0 0-0 m"},
			"Internal_Traffic": {"10.0.0.0/8>me 0 0-0 m"},
		},
		actions: map[string]string{
			"Allow":   "permit false false false ",
			"Block":   "block false false false ",
			"AH_Only": "negotiate true true false AH[MD5]:100000k/1000s AH[SHA1]:100000k/1000s",
		},
	},
	"11_netsh-dynamic-script_SEC505_NetShell_Demo_Dynamic_IPSec.cmd": {
		form:     "script",
		warnings: []string{"6 netsh ipsec dynamic command(s) skipped"},
	},
	"13_netsh-static-cmds_crusader21_AD-trust-PSK.txt": {
		form: "script",
		policies: []wantPolicy{{name: "AD Trusts", defRule: "inactive", rules: []string{
			"My Forest - Their Forest:Domain Controllers:ESP-3DES-SHA1-0-3600:true:psk",
		}}},
		lists: map[string][]string{"Domain Controllers": {
			"192.168.0.10/32>172.16.10.20/32 0 0-0 m",
			"192.168.0.11/32>172.16.10.21/32 0 0-0 m",
			"192.168.0.12/32>172.16.10.22/32 0 0-0 m",
		}},
		actions: map[string]string{"ESP-3DES-SHA1-0-3600": "negotiate false false false ESP[3DES,SHA1]:3600s"},
	},
	"15_netsh-bat_zh-CN_spaces-around-equals_caret.bat": {
		form: "script",
		// assign = y on line 17, then assign = n on the caret-continued
		// line 20-21: file order keeps the last, with a warning.
		policies: []wantPolicy{{name: "SECCPP", defRule: "active", rules: []string{"SECCPR:wanna:Blocked:true:kerberos"}}},
		lists: map[string][]string{"wanna": {
			"any>me 6 0-135 m", "any>me 6 0-137 m", "any>me 6 0-138 m", "any>me 6 0-139 m",
			"any>me 6 0-445 m", "any>me 17 0-137 m", "any>me 17 0-138 m",
		}},
		actions:  map[string]string{"Permitted": "permit false false false ", "Blocked": "block false false false "},
		warnings: []string{"assigned, then unassigned, on lines 17 (assign), 21 (unassign)"},
	},
	"17_netsh-cmdlog_velociraptor-quarantine_socfortress-CoPilot.txt": {
		form: "script",
		policies: []wantPolicy{{name: "VelociraptorQuarantine", defRule: "active", rules: []string{
			"VelociraptorQuarantine PermitRule:VelociraptorQuarantine PermitFilterList:VelociraptorQuarantine PermitAction:true:kerberos",
			"VelociraptorQuarantine BlockRule:VelociraptorQuarantine BlockFilterList:VelociraptorQuarantine BlockAction:true:kerberos",
		}}},
		lists: map[string][]string{
			"VelociraptorQuarantine PermitFilterList": {"me>velo.socfortress.co 6 0-8000 m", "me>any 17 0-53 m", "me>any 6 0-53 m", "me>any 17 68-67 m"},
			"VelociraptorQuarantine BlockFilterList":  {"any>any 0 0-0 m"},
		},
		actions: map[string]string{
			"VelociraptorQuarantine PermitAction": "permit false false false ",
			"VelociraptorQuarantine BlockAction":  "block false false false ",
		},
		warnings: []string{`description="All other traffic" taken as one value`, `policy "VelociraptorQuarantine" was not made earlier`},
	},
	"19_ipsecpol-win2000_SEC505.bat": {
		form: "ipsecpol",
		policies: []wantPolicy{{name: "MyPol", assigned: true, defRule: "active", rules: []string{
			"Blocker:Blocker:Blocker:true:kerberos", "GoHTTP:GoHTTP:GoHTTP:true:kerberos", "GoHTTPS:GoHTTPS:GoHTTPS:true:kerberos",
		}}},
		lists:    map[string][]string{"Blocker": {"me>any 0 0-0 o"}, "GoHTTP": {"me>any 6 80-0 o"}, "GoHTTPS": {"me>any 6 443-0 o"}},
		actions:  map[string]string{"Blocker": "block false false false ", "GoHTTP": "permit false false false ", "GoHTTPS": "permit false false false "},
		warnings: []string{"Windows 2000", "4 ipsecpol/ipseccmd command(s) in dynamic mode"},
	},
	"20_ipsecpol-ipseccmd_KB813878_commands.txt": {
		// The UDP 1434 policy is made, then deleted (-o), then made again
		// by the ipseccmd lines and deleted again; the TCP 80 policy stays
		// assigned.
		form: "ipsecpol",
		policies: []wantPolicy{{name: "Block TCP 80 Filter", assigned: true, defRule: "active", rules: []string{
			"Block Inbound TCP 80 Rule:Block Inbound TCP 80 Rule:Block Inbound TCP 80 Rule:true:kerberos",
		}}},
		lists:    map[string][]string{"Block Inbound TCP 80 Rule": {"any>me 6 0-80 m"}},
		actions:  map[string]string{"Block Inbound TCP 80 Rule": "block false false false "},
		warnings: []string{"4 ipsecpol/ipseccmd command(s) in dynamic mode"},
	},
	"21_netsh-help-examples_official.txt": {
		form:    "script",
		actions: map[string]string{"FilterA": "negotiate true false true AH[MD5]:204800k/300s ESP[DES,SHA1]:30000k/480s"},
		// The last example is `ipsec dynamic set rule` syntax given without
		// its context: every parameter is unknown to `static set rule`.
		errors:   11,
		warnings: []string{`no filter action "test"`, "no filter action with GUID {11E6E97E-0031-49f5-AC7D-5F2FE99BABAF}"},
	},
	"23_netsh-help_localized_de-fr-ru_excerpts.txt": {notIPSec: true},
}

func TestRealSamples(t *testing.T) {
	dir := filepath.Join(testutil.SamplesDir(t), "netsh")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range files {
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			w, ok := sampleWants[name]
			if !ok {
				t.Fatalf("new sample %s: add what it holds to sampleWants", name)
			}
			seen++
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Parse(data, name, Options{})
			if w.notIPSec {
				if !errors.Is(err, ErrNotIPSec) {
					t.Fatalf("err = %v, want ErrNotIPSec", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkStore(t, res, w)
		})
	}
	if seen != len(sampleWants) {
		t.Errorf("%d samples checked, %d expected: a sample is missing", seen, len(sampleWants))
	}
}

func checkStore(t *testing.T, res *Result, w want) {
	t.Helper()
	s := res.Store
	if s.Form != w.form || s.NoData != w.noData {
		t.Errorf("form %q noData %v, want %q %v", s.Form, s.NoData, w.form, w.noData)
	}
	if len(res.Errors) != w.errors {
		t.Errorf("%d errors, want %d: %v", len(res.Errors), w.errors, res.Errors)
	}
	var warns []string
	for _, p := range res.Warnings {
		warns = append(warns, p.Message)
	}
	for _, sub := range w.warnings {
		if !strings.Contains(strings.Join(warns, "\n"), sub) {
			t.Errorf("no warning says %q: %q", sub, warns)
		}
	}
	if len(s.Policies) != len(w.policies) {
		t.Fatalf("%d policies, want %d", len(s.Policies), len(w.policies))
	}
	for i, wp := range w.policies {
		p := s.Policies[i]
		if p.Name != wp.name || p.Assigned != wp.assigned || p.Partial != wp.partial {
			t.Errorf("policy %q assigned %v partial %v, want %+v", p.Name, p.Assigned, p.Partial, wp)
		}
		var rules []string
		def := ""
		for _, r := range p.Rules {
			if r.Default {
				def = map[bool]string{true: "active", false: "inactive"}[r.Active]
				continue
			}
			if r.FilterList == nil || r.FilterAction == nil {
				t.Errorf("rule %q is not resolved", r.Name)
			}
			rules = append(rules, fmt.Sprintf("%s:%s:%s:%v:%s", r.Name, r.FilterListName, r.FilterActionName, r.Active, authKinds(r.Auth)))
		}
		if fmt.Sprint(rules) != fmt.Sprint(wp.rules) || def != wp.defRule {
			t.Errorf("policy %q rules %q default %q, want %q default %q", p.Name, rules, def, wp.rules, wp.defRule)
		}
	}
	if len(s.FilterLists) != len(w.lists) {
		t.Errorf("%d filter lists, want %d", len(s.FilterLists), len(w.lists))
	}
	for name, filters := range w.lists {
		l := s.FilterList(name)
		if l == nil {
			t.Errorf("no filter list %q", name)
			continue
		}
		var got []string
		for _, f := range l.Filters {
			got = append(got, filterString(f))
		}
		if fmt.Sprint(got) != fmt.Sprint(filters) {
			t.Errorf("filter list %q:\n got %q\nwant %q", name, got, filters)
		}
	}
	if len(s.FilterActions) != len(w.actions) {
		t.Errorf("%d filter actions, want %d", len(s.FilterActions), len(w.actions))
	}
	for name, desc := range w.actions {
		a := s.FilterAction(name)
		if a == nil {
			t.Errorf("no filter action %q", name)
			continue
		}
		if got := actionString(a); got != desc {
			t.Errorf("filter action %q = %q, want %q", name, got, desc)
		}
	}
}

// TestSampleDetails checks values the compact form above leaves out.
func TestSampleDetails(t *testing.T) {
	read := func(name string) *Result {
		data, err := os.ReadFile(testutil.Sample(t, "netsh/"+name))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Parse(data, name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	s := read("13_netsh-static-cmds_crusader21_AD-trust-PSK.txt").Store
	p := s.Policy("AD Trusts")
	if p.Description != "AD Forest Trust traffic" || p.MMPFS || p.MMLifetimeMin != 10 || p.PollingIntervalMin != 5 || p.ActivateDefaultRule ||
		len(p.MMSecMethods) != 1 || p.MMSecMethods[0].Cipher != "3DES" || p.MMSecMethods[0].DHGroup != 2 {
		t.Errorf("AD Trusts = %+v", p)
	}
	if m := s.FilterAction("ESP-3DES-SHA1-0-3600").Methods[0]; m.ESP.Cipher != "3DES" || m.ESP.Integrity != "SHA1" || m.LifetimeSec != 3600 || !m.Confidential() {
		t.Errorf("qmsec = %+v", m)
	}
	if d := s.FilterList("Domain Controllers").Filters[0]; d.Description != "MyDC1 - TheirDC1" || d.Loc.Line != 5 {
		t.Errorf("first filter = %+v", d)
	}
	s = read("01_show-all_filterlist_en_IPSecDotNet5.txt").Store
	if l := s.FilterList("exampleFilterData"); l.Description != "ExampleDescription" || l.GUID != "{C4CC8FE0-8DDB-48C5-A285-F56C21ABA666}" || s.Store != model.StoreLocal {
		t.Errorf("sample 01 list = %+v, store %q", l, s.Store)
	}
	s = read("15_netsh-bat_zh-CN_spaces-around-equals_caret.bat").Store
	if p := s.Policy("SECCPP"); p.Description != "安全策略201705" || p.Loc.Line != 4 {
		t.Errorf("SECCPP = %q at line %d (add is on line 4, continued from line 3)", p.Description, p.Loc.Line)
	}
	if d := s.FilterList("wanna").Filters[4]; d.Description != "ban" {
		t.Errorf("filter 5 description %q", d.Description)
	}
	s = read("02_netdiag_test-ipsec_debug_KB813878.txt").Store
	if p := s.Policies[0]; p.GUID != "{D239C599-F945-47A3-A4E3-B37BC12826B9}" || len(p.Rules) != 0 {
		t.Errorf("netdiag policy = %+v", p)
	}
}

// authKinds lists a rule's authentication methods as "kerberos,psk".
func authKinds(ms []model.AuthMethod) string {
	kinds := make([]string, len(ms))
	for i, m := range ms {
		kinds[i] = string(m.Kind)
	}
	return strings.Join(kinds, ",")
}
