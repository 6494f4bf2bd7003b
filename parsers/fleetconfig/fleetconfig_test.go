package fleetconfig

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

func parseTestFile(t *testing.T, path string) *model.FleetConfig {
	t.Helper()
	cfg, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// at renders a location as line:column, for short comparisons.
func at(l model.Location) string {
	return strings.TrimPrefix(l.String(), l.File+":")
}

// TestParseFull checks every key of testdata/valid/full.yaml, value and
// location.
func TestParseFull(t *testing.T) {
	cfg := parseTestFile(t, "testdata/valid/full.yaml")
	checkFullHosts(t, cfg)
	if !reflect.DeepEqual(cfg.BackendVirtualAddresses, addrs("10.0.0.50", "10.0.0.60")) || at(cfg.BackendVirtualLoc) != "15:22" {
		t.Errorf("virtual addresses: %v at %s", cfg.BackendVirtualAddresses, cfg.BackendVirtualLoc)
	}
	if cfg.CodePage != "cp850" || at(cfg.CodePageLoc) != "16:11" {
		t.Errorf("codepage: %q at %s", cfg.CodePage, cfg.CodePageLoc)
	}
	checkFullSettings(t, cfg)
	checkFullAccepted(t, cfg)
}

func checkFullHosts(t *testing.T, cfg *model.FleetConfig) {
	t.Helper()
	fe := cfg.Hosts["EXFE01"]
	if fe == nil || fe.Role != model.RoleFrontEnd || at(fe.RoleLoc) != "5:11" || at(fe.Loc) != "5:5" {
		t.Fatalf("EXFE01: %+v", fe)
	}
	if !reflect.DeepEqual(fe.Addresses, addrs("10.0.0.11")) || at(fe.AddressesLoc) != "6:16" {
		t.Errorf("EXFE01 addresses: %v at %s", fe.Addresses, fe.AddressesLoc)
	}
	if fe.CodePage != "cp1252" || at(fe.CodePageLoc) != "7:15" {
		t.Errorf("EXFE01 codepage: %q at %s", fe.CodePage, fe.CodePageLoc)
	}
	if fe.ClusterNode != (model.Setting[bool]{Value: false, Set: true, Loc: model.Location{File: cfg.File, Line: 8, Column: 19}}) {
		t.Errorf("EXFE01 cluster_node: %+v", fe.ClusterNode)
	}
	wantNLB := &model.NLBDeclaration{ClusterAddresses: addrs("10.0.0.100"), DedicatedAddress: netip.MustParseAddr("10.0.0.11"), Loc: model.Location{File: cfg.File, Line: 10, Column: 7}}
	if !reflect.DeepEqual(fe.NLB, wantNLB) {
		t.Errorf("EXFE01 nlb: %+v", fe.NLB)
	}
	if be := cfg.Hosts["EXBE01"]; be.Role != model.RoleBackEnd || !be.ClusterNode.Value || !be.ClusterNode.Set || be.NLB != nil {
		t.Errorf("EXBE01 (back-end spelt back-end, a cluster node): %+v", be)
	}
	if dc := cfg.Hosts["EXDC01"]; dc.Role != model.RoleOther || dc.ClusterNode.Set {
		t.Errorf("EXDC01: %+v", dc)
	}
}

func checkFullSettings(t *testing.T, cfg *model.FleetConfig) {
	t.Helper()
	loc := func(line, col int) model.Location {
		return model.Location{File: cfg.File, Line: int32(line), Column: int32(col)}
	}
	wantRules := model.RuleSettings{
		Disable: []model.RuleRef{{Ref: "IPSEC011", Loc: loc(18, 13)}, {Ref: "policy-agent-disabled", Loc: loc(18, 23)}},
		Severity: []model.SeverityOverride{
			{Rule: model.RuleRef{Ref: "IPSEC004", Loc: loc(20, 5)}, Severity: "error", Loc: loc(20, 15)},
			{Rule: model.RuleRef{Ref: "cleartext-fallback", Loc: loc(21, 5)}, Severity: "note", Loc: loc(21, 25)},
		},
	}
	if !reflect.DeepEqual(cfg.Rules, wantRules) {
		t.Errorf("rules:\n got %+v\nwant %+v", cfg.Rules, wantRules)
	}
	if cfg.FailOn != (model.Setting[string]{Value: "warning", Set: true, Loc: loc(22, 10)}) {
		t.Errorf("fail-on (Warning): %+v", cfg.FailOn)
	}
	if cfg.FailOnNotEvaluated != (model.Setting[bool]{Value: true, Set: true, Loc: loc(23, 24)}) {
		t.Errorf("fail-on-not-evaluated: %+v", cfg.FailOnNotEvaluated)
	}
	wantFormats := []model.OutputFormat{
		{Name: "table", Loc: loc(25, 13)},
		{Name: "sarif", File: "out/ipseclint.sarif", Loc: loc(25, 20)},
		{Name: "json", File: "out/ipseclint.json", Loc: loc(25, 47)},
	}
	if !cfg.Formats.Set || !reflect.DeepEqual(cfg.Formats.Value, wantFormats) || at(cfg.Formats.Loc) != "25:12" {
		t.Errorf("output.formats:\n got %+v\nwant %+v", cfg.Formats, wantFormats)
	}
}

func checkFullAccepted(t *testing.T, cfg *model.FleetConfig) {
	t.Helper()
	loc := func(line, col int) model.Location {
		return model.Location{File: cfg.File, Line: int32(line), Column: int32(col)}
	}
	want := []model.AcceptedRisk{
		{
			Rule: model.RuleRef{Ref: "IPSEC001", Loc: loc(27, 11)}, Host: "EXFE01", Subject: "NLBSFlags",
			Reason: "failover tolerance agreed with the service owner", Expires: "2027-06-30", Ticket: "CHG-1234", Loc: loc(27, 5),
		},
		{
			Rule: model.RuleRef{Ref: "weak-crypto", Loc: loc(33, 12)}, Host: "*",
			Reason: "legacy 3DES/MD5 until the 2026 refresh", Ticket: "4711", Loc: loc(33, 5), Index: 1,
		},
	}
	if !reflect.DeepEqual(cfg.Accepted, want) {
		t.Errorf("accepted:\n got %+v\nwant %+v", cfg.Accepted, want)
	}
}

// TestLegacy parses the README's example of before the tool settings, and
// today's role aliases.
func TestLegacy(t *testing.T) {
	cfg := parseTestFile(t, "testdata/valid/legacy.yaml")
	roles := map[string]model.Role{}
	for k, h := range cfg.Hosts {
		roles[k] = h.Role
	}
	want := map[string]model.Role{
		"EXFE01": model.RoleFrontEnd, "EXBE01": model.RoleBackEnd, "EXJP01": model.RoleFrontEnd,
		"EXFE02": model.RoleFrontEnd, "EXBE02": model.RoleBackEnd, "EXDC01": model.RoleOther,
	}
	if !reflect.DeepEqual(roles, want) {
		t.Errorf("roles: %v", roles)
	}
	if cfg.Hosts["EXFE02"].Name != "exfe02" {
		t.Errorf("a host keeps its name as written: %q", cfg.Hosts["EXFE02"].Name)
	}
	if cfg.Hosts["EXJP01"].CodePage != "cp932" || cfg.CodePage != "cp850" || !reflect.DeepEqual(cfg.BackendVirtualAddresses, addrs("10.0.0.50")) {
		t.Errorf("code pages %q %q, virtual addresses %v", cfg.Hosts["EXJP01"].CodePage, cfg.CodePage, cfg.BackendVirtualAddresses)
	}
	if cfg.FailOn.Set || cfg.Formats.Set || cfg.FailOnNotEvaluated.Set || len(cfg.Accepted) != 0 {
		t.Errorf("settings not in the file are not set: %+v", cfg)
	}
}

// TestAliases: anchors under x-templates and .anchors, whole entries as
// aliases, merge keys with keys written beside them winning (in a host and
// in hosts itself), an anchor defined inline in an earlier host.
func TestAliases(t *testing.T) {
	cfg := parseTestFile(t, "testdata/valid/aliases.yaml")
	type host struct {
		role  model.Role
		cp    string
		addrs []netip.Addr
		node  bool
	}
	want := map[string]host{
		"EXFE01": {model.RoleFrontEnd, "cp850", nil, false},
		"EXFE02": {model.RoleFrontEnd, "cp850", addrs("10.0.0.12"), false},
		"EXFE03": {model.RoleFrontEnd, "cp1252", nil, false},
		"EXBE01": {model.RoleBackEnd, "", addrs("10.0.0.21"), true},
		"EXBE02": {model.RoleBackEnd, "", addrs("10.0.0.21"), true},
		"EXDC01": {model.RoleOther, "", nil, false},
	}
	got := map[string]host{}
	for k, h := range cfg.Hosts {
		got[k] = host{h.Role, h.CodePage, h.Addresses, h.ClusterNode.Value}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hosts:\n got %+v\nwant %+v", got, want)
	}
	if h := cfg.Hosts["EXFE01"]; at(h.Loc) != "16:11" || at(h.RoleLoc) != "5:18" {
		t.Errorf("an aliased entry is where the alias is, its values where the anchor is: %s %s", h.Loc, h.RoleLoc)
	}
	if len(cfg.Accepted) != 2 || cfg.Accepted[1].Reason != "failover tolerance agreed with the service owner" {
		t.Errorf("accepted with an aliased reason: %+v", cfg.Accepted)
	}
	if names := cfg.HostNames(); !reflect.DeepEqual(names, []string{"EXDC01", "EXFE01", "EXFE02", "EXFE03", "EXBE01", "EXBE02"}) {
		t.Errorf("hosts in file order (merged ones where their anchor is), x-templates and .anchors are not hosts: %v", names)
	}
}

// mistakes: each case is a file with mistakes, every message it must give
// (exactly, in order), and whether the JSON Schema rejects it too.
var mistakes = []struct {
	name, text string
	want       []string
	schema     bool // the schema rejects the file as well
}{
	{"role", "hosts:\n  FE1: {role: frontdoor}\n",
		[]string{`2:15: hosts.FE1.role: unknown role "frontdoor": expected frontend, backend or other`}, true},
	{"host entry is a role", "hosts:\n  FE1: frontend\n",
		[]string{`2:8: hosts.FE1: expected a mapping, not the text "frontend"; did you mean {role: frontend}?`}, true},
	{"host entry is a list", "hosts:\n  FE1: [frontend]\n",
		[]string{`2:8: hosts.FE1: expected a mapping such as {role: frontend}, not a list`}, true},
	{"hosts is a list", "hosts: [FE1, FE2]\n",
		[]string{`1:8: hosts: expected a mapping of host names to entries, such as {EXFE01: {role: frontend}}, not a list`}, true},
	{"unknown host key, close", "hosts:\n  FE1: {rol: frontend}\n",
		[]string{`2:9: hosts.FE1: unknown key "rol"; did you mean "role"?`}, true},
	{"unknown host key, case", "hosts:\n  FE1: {Role: frontend}\n",
		[]string{`2:9: hosts.FE1: unknown key "Role"; did you mean "role"?`}, true},
	{"unknown host key, far", "hosts:\n  FE1: {role: frontend, colour: red}\n",
		[]string{`2:25: hosts.FE1: unknown key "colour" (known: role, addresses, codepage, cluster_node, nlb)`}, true},
	{"host twice", "hosts:\n  EXFE01: {role: frontend}\n  exfe01: {role: backend}\n",
		[]string{`3:3: hosts: "exfe01" is the same host as "EXFE01" on line 2 (host names are not case-sensitive); the first entry applies`}, false},
	{"key twice", "hosts:\n  FE1: {role: frontend, role: backend}\n",
		[]string{`2:25: hosts.FE1: key "role" is given twice (first on line 2); the first applies`}, false},
	{"addresses not a list", "hosts:\n  BE1: {addresses: 10.0.0.21}\n",
		[]string{`2:20: hosts.BE1.addresses: expected a list of IPv4 addresses, such as [10.0.0.21], not the text "10.0.0.21"`}, true},
	{"bad address", "hosts:\n  BE1: {addresses: [10.0.0.21, 10.0.0.500, fe80::1, 0.0.0.0]}\n",
		[]string{
			`2:32: hosts.BE1.addresses[1]: "10.0.0.500" is not an IPv4 address (such as 10.0.0.21)`,
			`2:44: hosts.BE1.addresses[2]: "fe80::1" is not an IPv4 address (such as 10.0.0.21)`,
			`2:53: hosts.BE1.addresses[3]: 0.0.0.0 is not a host's address`,
		}, true},
	{"virtual address", "backends:\n  virtual_addresses: [10.0.0.500]\n",
		[]string{`2:23: backends.virtual_addresses[0]: "10.0.0.500" is not an IPv4 address (such as 10.0.0.21)`}, true},
	{"backends key", "backends:\n  virtual_address: [10.0.0.50]\n",
		[]string{`2:3: backends: unknown key "virtual_address"; did you mean "virtual_addresses"?`}, true},
	{"code page", "codepage: klingon\n",
		[]string{`1:11: codepage: unknown code page "klingon" (known: cp437, cp850, cp1250-cp1258, cp932, cp936, cp949, cp950, utf-8)`}, false},
	{"host code page", "hosts:\n  JP1: {codepage: [cp932]}\n",
		[]string{`2:19: hosts.JP1.codepage: expected text, not a list`}, true},
	{"cluster_node yes", "hosts:\n  BE1: {cluster_node: yes}\n",
		[]string{`2:23: hosts.BE1.cluster_node: expected true or false, not the text "yes"`}, true},
	{"nlb empty", "hosts:\n  FE1: {nlb: {}}\n",
		[]string{`2:14: hosts.FE1.nlb: declares no address: give cluster_addresses, dedicated_address or both`}, true},
	{"nlb null", "hosts:\n  FE1: {nlb: }\n",
		[]string{`2:14: hosts.FE1.nlb: is empty: give cluster_addresses, dedicated_address or both`}, true},
	{"nlb keys", "hosts:\n  FE1:\n    nlb:\n      cluster_addresses: [10.0.0.300]\n      dedicated: 10.0.0.11\n",
		[]string{
			`4:27: hosts.FE1.nlb.cluster_addresses[0]: "10.0.0.300" is not an IPv4 address (such as 10.0.0.21)`,
			`5:7: hosts.FE1.nlb: unknown key "dedicated"; did you mean "dedicated_address"?`,
		}, true},
	{"unknown top-level key", "frontends: []\nhosts: {FE1: {role: fe}}\n",
		[]string{`1:1: unknown key "frontends" (known: hosts, backends, codepage, rules, fail-on, fail-on-not-evaluated, output, accepted; keys starting with "x-" or "." are ignored, for anchors)`}, true},
	{"fail_on", "fail_on: error\n",
		[]string{`1:1: unknown key "fail_on"; did you mean "fail-on"?`}, true},
	{"fail-on value", "fail-on: sometimes\n",
		[]string{`1:10: fail-on: "sometimes": expected error, warning, note or none`}, true},
	{"fail-on-not-evaluated", "fail-on-not-evaluated: \"true\"\n",
		[]string{`1:24: fail-on-not-evaluated: expected true or false, not the text "true"`}, true},
	{"rules.disable not a list", "rules:\n  disable: IPSEC011\n",
		[]string{`2:12: rules.disable: expected a list of rule IDs or names, such as [IPSEC011], not the text "IPSEC011"`}, true},
	{"rules key", "rules:\n  disabled: [IPSEC011]\n",
		[]string{`2:3: rules: unknown key "disabled"; did you mean "disable"?`}, true},
	{"severity", "rules:\n  severity:\n    IPSEC004: fatal\n    IPSEC002: [error]\n",
		[]string{
			`3:15: rules.severity.IPSEC004: "fatal": expected error, warning or note`,
			`4:15: rules.severity.IPSEC002: expected text, not a list`,
		}, true},
	{"output.formats empty", "output:\n  formats: []\n",
		[]string{`2:12: output.formats: is empty: remove it for the default output (table), or name a format`}, true},
	{"output.formats", "output:\n  formats: [table, json, \"sarif=\", x y, sarif=a.sarif, junit=a.sarif]\n",
		[]string{
			`2:20: output.formats[1]: "json" and "table" (line 2) would both write to standard output: give one a file, as in json=ipseclint.json`,
			`2:26: output.formats[2]: "sarif=" names no file after "="`,
			`2:36: output.formats[3]: "x y" is not FORMAT or FORMAT=FILE (such as sarif=ipseclint.sarif)`,
			`2:56: output.formats[5]: "junit" and "sarif" (line 2) would both write to "a.sarif"`,
		}, true},
	{"accepted: missing keys", "accepted:\n  - rule: IPSEC001\n    subject: NLBSFlags\n",
		[]string{
			`2:5: accepted[0]: host is missing: the host's ComputerName or folder name, or "*" for every host`,
			`2:5: accepted[0]: reason is missing: why the risk is accepted`,
		}, true},
	{"accepted: empty reason", "accepted:\n  - {rule: IPSEC001, host: FE1, reason: \"  \"}\n",
		[]string{`2:41: accepted[0].reason: is empty`}, true},
	{"accepted: the placeholder reason --write-accepted writes", "accepted:\n  - {rule: IPSEC001, host: FE1, reason: TODO}\n",
		[]string{`2:5: accepted[0]: reason is "TODO": write why the risk is accepted (ipseclint audit --write-accepted writes TODO for review); until then the entry does not apply`}, true},
	{"accepted: dates", "accepted:\n  - {rule: IPSEC001, host: FE1, reason: r, expires: 2027-02-30}\n  - {rule: IPSEC002, host: FE1, reason: r, expires: 30.06.2027}\n",
		[]string{
			`2:53: accepted[0].expires: "2027-02-30" is not a date: expected YYYY-MM-DD, such as 2027-06-30`,
			`3:53: accepted[1].expires: "30.06.2027" is not a date: expected YYYY-MM-DD, such as 2027-06-30`,
		}, true},
	{"accepted: same identity", "accepted:\n  - {rule: IPSEC001, host: FE1, reason: a}\n  - {rule: ipsec001, host: fe1, reason: b}\n",
		[]string{`3:5: accepted[1]: accepts the same rule, host and subject as the entry on line 2; the first applies`}, false},
	{"accepted: kinds", "accepted:\n  - 5\n  -\n  - {rule: [x], host: true, reason: r, colour: red}\n",
		[]string{
			`2:5: accepted[0]: expected a mapping with rule, host and reason, not the number 5`,
			`3:4: accepted[1]: is empty: give rule, host and reason`,
			`4:12: accepted[2].rule: expected text, not a list`,
			`4:23: accepted[2].host: expected text, not the value true`,
			`4:40: accepted[2]: unknown key "colour" (known: rule, host, subject, reason, expires, ticket)`,
		}, true},
	{"accepted not a list", "accepted:\n  rule: IPSEC001\n",
		[]string{`2:3: accepted: expected a list of entries, such as - {rule: IPSEC001, host: EXFE01, reason: …}, not a mapping (key: value lines or {…})`}, true},
	{"top level is a list", "- hosts\n",
		[]string{`1:1: the configuration must be a mapping of keys (hosts:, rules:, accepted: …), not a list`}, true},
	{"merge of a scalar", "x-a: &a frontend\nhosts:\n  FE1: {<<: *a}\n",
		[]string{`3:13: hosts.FE1: "<<" merges mappings: give an alias of one (<<: *name) or a list of them, not the text "frontend"`}, false}, // the test's YAML-to-JSON conversion ignores such a merge
	{"control characters", "hosts:\n  \"FE\\e[31m1\": {\"rol\\ae\": x}\n",
		[]string{`2:17: hosts."FE\x1b[31m1": unknown key "rol\ae"; did you mean "role"?`}, true},
	{"second document", "hosts:\n  FE1: {role: fe}\n---\nhosts:\n  FE2: {role: fe}\n",
		[]string{`4:1: a second YAML document (after "---") is not read: ipseclint reads only the first; merge them into one`}, false},
	{"syntax", "hosts: [\n", []string{`1: not valid YAML: did not find expected node content; nothing in the file applies`}, true},
}

func TestMistakes(t *testing.T) {
	for _, c := range mistakes {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.text), "ipseclint.yaml")
			if err == nil {
				t.Fatalf("no error for %q", c.text)
			}
			var got []string
			for _, e := range unjoin(err) {
				var pe *model.ParseError
				if !errors.As(e, &pe) || pe.File != "ipseclint.yaml" {
					t.Errorf("%v is not a *model.ParseError of the file", e)
				}
				got = append(got, strings.TrimPrefix(e.Error(), "ipseclint.yaml:"))
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("messages:\n got %q\nwant %q", got, c.want)
			}
			for _, m := range got {
				if strings.Contains(m, "!!") || strings.Contains(m, "unmarshal") || strings.Contains(m, "[]string") {
					t.Errorf("a Go or YAML type name in %q", m)
				}
			}
		})
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestRestApplies: a mistake voids only the value it is in.
func TestRestApplies(t *testing.T) {
	cfg, err := Parse([]byte(`hosts:
  FE1: {role: frontdoor, addresses: [10.0.0.11]}
  FE2: frontend
  FE3: {role: frontend}
bogus: 1
backends:
  virtual_addresses: [10.0.0.500, 10.0.0.50]
rules:
  disable: [IPSEC011, [x]]
  severity: {IPSEC004: fatal, IPSEC002: note}
fail-on: error
accepted:
  - {rule: IPSEC001, host: FE1, reason: r, expires: soon}
  - {rule: IPSEC002, host: FE1, reason: r}
`), "ipseclint.yaml")
	if n := len(unjoin(err)); n != 7 {
		t.Errorf("%d mistakes, want 7: %v", n, err)
	}
	if fe1 := cfg.Hosts["FE1"]; fe1.Role != model.RoleUnknown || len(fe1.Addresses) != 1 {
		t.Errorf("FE1 keeps its addresses without its bad role: %+v", fe1)
	}
	if cfg.Hosts["FE2"] == nil || cfg.Hosts["FE3"].Role != model.RoleFrontEnd {
		t.Errorf("the other hosts apply: %v", cfg.HostNames())
	}
	if !reflect.DeepEqual(cfg.BackendVirtualAddresses, addrs("10.0.0.50")) {
		t.Errorf("virtual addresses: %v", cfg.BackendVirtualAddresses)
	}
	if len(cfg.Rules.Disable) != 1 || len(cfg.Rules.Severity) != 1 || cfg.Rules.Severity[0].Rule.Ref != "IPSEC002" || cfg.FailOn.Value != "error" {
		t.Errorf("rules: %+v, fail-on %+v", cfg.Rules, cfg.FailOn)
	}
	if len(cfg.Accepted) != 1 || cfg.Accepted[0].Rule.Ref != "IPSEC002" || cfg.Accepted[0].Index != 1 {
		t.Errorf("an accepted entry with a bad date is left out, not kept without expiry: %+v", cfg.Accepted)
	}
}

// TestOnceThroughAliases: a mistake in an anchor used by several hosts is
// reported once, where it is written; an accepted entry used twice is not
// kept without its bad date the second time.
func TestOnceThroughAliases(t *testing.T) {
	cfg, err := Parse([]byte(`x-templates:
  fe: &fe {role: frontdoor, colour: red}
  ok: &ok {rule: IPSEC001, host: FE1, reason: r, expires: never}
hosts:
  FE1: *fe
  FE2: {<<: *fe, addresses: [10.0.0.12]}
  FE3: *fe
accepted:
  - *ok
  - *ok
`), "ipseclint.yaml")
	want := []string{
		`ipseclint.yaml:2:18: hosts.FE1.role: unknown role "frontdoor": expected frontend, backend or other`,
		`ipseclint.yaml:2:29: hosts.FE1: unknown key "colour" (known: role, addresses, codepage, cluster_node, nlb)`,
		`ipseclint.yaml:3:59: accepted[0].expires: "never" is not a date: expected YYYY-MM-DD, such as 2027-06-30`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
	if len(cfg.Hosts) != 3 || len(cfg.Hosts["FE2"].Addresses) != 1 || len(cfg.Accepted) != 0 {
		t.Errorf("hosts %v, accepted %+v", cfg.HostNames(), cfg.Accepted)
	}
}

// TestDeterministic parses a file with mistakes in many hosts (a Go map
// once decided their order) 50 times.
func TestDeterministic(t *testing.T) {
	var b strings.Builder
	b.WriteString("hosts:\n")
	for _, n := range []string{"ZULU", "ALPHA", "MIKE", "BRAVO", "YANKEE", "CHARLIE", "XRAY", "DELTA"} {
		b.WriteString("  " + n + ": {role: nope, addresses: [1.2.3], colour: x}\n")
	}
	b.WriteString("accepted:\n  - {rule: IPSEC001}\n")
	_, first := Parse([]byte(b.String()), "ipseclint.yaml")
	lines := strings.Split(first.Error(), "\n")
	if len(lines) != 8*3+2 || !strings.Contains(lines[0], "hosts.ZULU.role") || !strings.Contains(lines[3], "hosts.ALPHA.role") {
		t.Fatalf("errors in file order, each once:\n%v", first)
	}
	for i := 0; i < 50; i++ {
		if _, err := Parse([]byte(b.String()), "ipseclint.yaml"); err.Error() != first.Error() {
			t.Fatalf("run %d differs:\n%v\nfirst:\n%v", i, err, first)
		}
	}
}

func TestEmpty(t *testing.T) {
	for _, text := range []string{"", "# nothing\n", "---\n", "~\n", "hosts:\nrules:\naccepted: []\n"} {
		cfg, err := Parse([]byte(text), "ipseclint.yaml")
		if err != nil || cfg == nil || len(cfg.Hosts) != 0 {
			t.Errorf("%q is a valid, empty configuration: %+v %v", text, cfg, err)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	atLimit := []byte(strings.Repeat("#", MaxSize-1) + "\n")
	if _, err := Parse(atLimit, "big.yaml"); err != nil {
		t.Errorf("a file of MaxSize bytes is read: %v", err)
	}
	over := []byte(strings.Repeat("#", MaxSize) + "\n")
	cfg, err := Parse(over, "big.yaml")
	want := "big.yaml: the file is larger than 1024 KiB (1048577 bytes or more): not an ipseclint configuration"
	if cfg != nil || err == nil || err.Error() != want {
		t.Errorf("Parse over MaxSize: %v, %v", cfg, err)
	}
	path := filepath.Join(t.TempDir(), "ipseclint.yaml")
	if err := os.WriteFile(path, over, 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, err := ParseFile(path); cfg != nil || err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") {
		t.Errorf("ParseFile over MaxSize: %v, %v", cfg, err)
	}
}

func TestParseFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	cfg, err := ParseFile(dir)
	if cfg != nil || err == nil || err.Error() != dir+": not a regular file (a folder); the configuration must be a YAML file" {
		t.Errorf("a folder: %v, %v", cfg, err)
	}
	_, err = ParseFile(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) || err.Error() != filepath.Join(dir, "missing.yaml")+": no such file or directory" {
		t.Errorf("a missing file: %v", err)
	}
}

// TestAliasBomb: merge keys that merge each other, and a large anchor
// used by many hosts, stop at the visit budget with one message.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-a:\n  a0: &a0 {role: fe")
	for i := 0; i < 200; i++ {
		b.WriteString(", k" + strconv.Itoa(i) + ": 1")
	}
	b.WriteString("}\n")
	for i := 1; i <= 30; i++ {
		b.WriteString("  a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " {<<: [*a" + strconv.Itoa(i-1) + ", *a" + strconv.Itoa(i-1) + "]}\n")
	}
	b.WriteString("hosts:\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("  H" + strconv.Itoa(i) + ": *a30\n")
	}
	_, err := Parse([]byte(b.String()), "ipseclint.yaml")
	if err == nil || !strings.Contains(err.Error(), "aliases repeat parts of the configuration more than ") {
		t.Fatalf("no budget message: %.300v", err)
	}
	if n := len(unjoin(err)); n > 210 {
		t.Errorf("%d messages: each mistake of the anchor is reported once", n)
	}
}

// BenchmarkParse reads a configuration of 500 hosts and 500 accepted
// entries (about 50 KB, a large real fleet).
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("x-t:\n  fe: &fe {role: frontend, codepage: cp850}\nhosts:\n")
	for i := 0; i < 500; i++ {
		sb.WriteString("  EXFE" + strconv.Itoa(i) + ": {<<: *fe, addresses: [10.0.1." + strconv.Itoa(i%250+1) + "]}\n")
	}
	sb.WriteString("accepted:\n")
	for i := 0; i < 500; i++ {
		sb.WriteString("  - {rule: IPSEC001, host: EXFE" + strconv.Itoa(i) + ", subject: NLBSFlags, reason: agreed, expires: 2027-06-30}\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "ipseclint.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
