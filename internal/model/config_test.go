package model

import (
	"reflect"
	"testing"
	"time"
)

func TestCloseMatches(t *testing.T) {
	keys := []string{"hosts", "backends", "codepage", "rules", "fail-on", "fail-on-not-evaluated", "output", "accepted"}
	ids := []string{"IPSEC001", "IPSEC002", "IPSEC010", "IPSEC011", "nlbsflags-missing", "http-unencrypted"}
	cases := []struct {
		name       string
		candidates []string
		max        int
		want       []string
	}{
		{"host", keys, 3, []string{"hosts"}},
		{"fail_on", keys, 3, []string{"fail-on"}},
		{"Accepted", keys, 3, []string{"accepted"}},                 // case only: closest
		{"acepted", keys, 3, []string{"accepted"}},                  // deletion
		{"fail-on-not", keys, 3, []string{"fail-on-not-evaluated"}}, // prefix
		{"frontends", keys, 3, nil},
		{"IPSEC0011", ids, 3, []string{"IPSEC001", "IPSEC011"}},
		{"IPSEC0011", ids, 1, []string{"IPSEC001"}},
		{"IPSEC100", ids, 3, []string{"IPSEC010"}}, // a swap is 1 edit; those 2 edits away are left out
		{"nlbsflag-missing", ids, 3, []string{"nlbsflags-missing"}},
		{"IPSEC001", ids, 3, []string{"IPSEC002", "IPSEC010", "IPSEC011"}}, // itself is not a match
		{"", ids, 3, nil},
		{"IPSEC001", ids, 0, nil},
	}
	for _, c := range cases {
		if got := CloseMatches(c.name, c.candidates, c.max); !reflect.DeepEqual(got, c.want) {
			t.Errorf("CloseMatches(%q, max %d) = %q, want %q", c.name, c.max, got, c.want)
		}
	}
	long := string(make([]byte, 1000))
	if got := CloseMatches(long, []string{long + "x"}, 3); got != nil {
		t.Errorf("names over %d characters are not compared: %q", maxMatchLen, got)
	}
}

var testRules = []RuleName{
	{"IPSEC001", "nlbsflags-missing"}, {"IPSEC002", "pop3-imap4-unencrypted"},
	{"IPSEC004", "http-unencrypted"}, {"IPSEC011", "default-exemptions"},
}

func loc(line, col int) Location {
	return Location{File: "ipseclint.yaml", Line: int32(line), Column: int32(col)}
}

func TestCheckRules(t *testing.T) {
	c := &FleetConfig{
		Rules: RuleSettings{
			Disable: []RuleRef{{Ref: "ipsec011", Loc: loc(3, 13)}, {Ref: "IPSEC0011", Loc: loc(3, 23)}},
			Severity: []SeverityOverride{
				{Rule: RuleRef{Ref: "IPSEC004", Loc: loc(5, 5)}, Severity: "error", Loc: loc(5, 15)},
				{Rule: RuleRef{Ref: "HTTP-Unencrypted", Loc: loc(6, 5)}, Severity: "note", Loc: loc(6, 23)},
				{Rule: RuleRef{Ref: "nlbsflag-missing", Loc: loc(7, 5)}, Severity: "note", Loc: loc(7, 23)},
			},
		},
		Accepted: []AcceptedRisk{
			{Rule: RuleRef{Ref: "pop3-imap4-unencrypted", Loc: loc(9, 11)}, Host: "*", Reason: "r", Loc: loc(9, 5)},
			{Rule: RuleRef{Ref: "frontend-on-cluster", Loc: loc(10, 11)}, Host: "*", Reason: "r", Loc: loc(10, 5), Index: 2},
			{Rule: RuleRef{Ref: "IPSEC002", Loc: loc(11, 11)}, Host: "*", Reason: "again", Loc: loc(11, 5), Index: 3},
			{Rule: RuleRef{Ref: "IPSEC002", Loc: loc(12, 11)}, Host: "EXFE01", Reason: "another host", Loc: loc(12, 5), Index: 4},
		},
	}
	got := c.CheckRules(testRules)
	want := []Problem{
		{Loc: loc(3, 23), Message: `rules.disable: no rule "IPSEC0011"; did you mean "IPSEC001" or "IPSEC011"?`},
		{Loc: loc(6, 5), Message: `rules.severity: IPSEC004 is given a severity twice (first as "IPSEC004" on line 5); the first applies`},
		{Loc: loc(7, 5), Message: `rules.severity: no rule "nlbsflag-missing"; did you mean "nlbsflags-missing"?`},
		{Loc: loc(10, 11), Message: `accepted[2].rule: no rule "frontend-on-cluster"`},
		{Loc: loc(11, 5), Message: `accepted[3]: accepts the same rule, host and subject as the entry on line 9; the first applies`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %+v\nwant %+v", got, want)
	}
	if c.Rules.Disable[0].ID != "IPSEC011" || c.Rules.Disable[1].ID != "" || c.Accepted[0].Rule.ID != "IPSEC002" || len(c.Accepted) != 3 || c.Accepted[2].Reason != "another host" {
		t.Errorf("resolved: %+v %+v", c.Rules.Disable, c.Accepted)
	}
	if sev, l, ok := c.SeverityFor("IPSEC004"); !ok || sev != "error" || l != loc(5, 15) {
		t.Errorf("SeverityFor(IPSEC004) = %q %v %v: the first override applies", sev, l, ok)
	}
	if _, _, ok := c.SeverityFor("IPSEC001"); ok {
		t.Error("an unresolved override sets nothing")
	}
	if r, ok := c.Disabled("IPSEC011"); !ok || r.Ref != "ipsec011" {
		t.Errorf("Disabled(IPSEC011) = %+v %v", r, ok)
	}
	if _, ok := c.Disabled(""); ok {
		t.Error(`Disabled("") matched an unresolved reference`)
	}
}

func TestCheckRulesAcceptedIndex(t *testing.T) {
	// Messages name an entry by its place in the file, not in Accepted
	// (entries with a mistake are not there).
	c := &FleetConfig{Accepted: []AcceptedRisk{{Rule: RuleRef{Ref: "IPSEC009", Loc: loc(5, 11)}, Index: 3}}}
	if got := c.CheckRules(testRules); len(got) != 1 || got[0].Message != `accepted[3].rule: no rule "IPSEC009"; did you mean "IPSEC001", "IPSEC002" or "IPSEC004"?` {
		t.Errorf("%+v", got)
	}
}

func TestCheckHosts(t *testing.T) {
	c := &FleetConfig{Hosts: map[string]*HostConfig{
		"EXFE1":     {Name: "EXFE1", Loc: loc(4, 10)},
		"EXFE01":    {Name: "exfe01", Loc: loc(3, 10)},
		"ZZZ":       {Name: "ZZZ", Loc: loc(2, 7)},
		"2005-03":   {Name: "2005-03", Loc: loc(5, 12)},
		"EX\x1b[2J": {Name: "EX\x1b[2J", Loc: loc(6, 3)},
	}}
	got := c.CheckHosts([]string{"EXFE01", "EXFE02", "2005-03", "EXBE01"})
	if c.allDeclared([]string{"EXFE02"}) {
		t.Error("EXFE02 has no entry")
	}
	want := []Problem{
		{Loc: loc(2, 7), Message: "hosts.ZZZ: no audited host has that ComputerName or folder name"},
		{Loc: loc(4, 10), Message: `hosts.EXFE1: no audited host has that ComputerName or folder name; did you mean "EXFE01"? (it has an entry of its own: if this host was left out of the audit on purpose, ignore this)`},
		{Loc: loc(6, 3), Message: `hosts."EX\x1b[2J": no audited host has that ComputerName or folder name`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %+v\nwant %+v", got, want)
	}
	if names := c.HostNames(); !reflect.DeepEqual(names, []string{"ZZZ", "exfe01", "EXFE1", "2005-03", "EX\x1b[2J"}) {
		t.Errorf("HostNames in file order: %q", names)
	}
}

func TestCheckFormats(t *testing.T) {
	c := &FleetConfig{Formats: Setting[[]OutputFormat]{Set: true, Value: []OutputFormat{
		{Name: "table", Loc: loc(2, 13)}, {Name: "sarf", File: "a.sarif", Loc: loc(2, 20)},
	}}}
	got := c.CheckFormats([]string{"table", "json", "sarif", "dump"})
	want := []Problem{{Loc: loc(2, 20), Message: `output.formats: no output format "sarf" (known: table, json, sarif, dump); did you mean "sarif"?`}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %+v\nwant %+v", got, want)
	}
	if s := c.Formats.Value[1].String(); s != "sarf=a.sarif" {
		t.Errorf("String() = %q", s)
	}
}

func TestAcceptedMatches(t *testing.T) {
	a := AcceptedRisk{Rule: RuleRef{Ref: "nlbsflags-missing", ID: "IPSEC001"}, Host: "exfe01", Subject: "NLBSFlags"}
	cases := []struct {
		rule, subject string
		hosts         []string
		want          bool
	}{
		{"IPSEC001", "NLBSFlags", []string{"EXFE01"}, true},
		{"IPSEC001", "NLBSFlags", []string{"EXFE01 (2005-03)", "exfe01"}, true}, // by folder name
		{"IPSEC001", "nlbsflags", []string{"EXFE01"}, false},                    // subjects compare exactly
		{"IPSEC002", "NLBSFlags", []string{"EXFE01"}, false},
		{"IPSEC001", "NLBSFlags", []string{"EXFE02"}, false},
		{"IPSEC001", "NLBSFlags", nil, false},
	}
	for _, c := range cases {
		if got := a.Matches(c.rule, c.subject, c.hosts...); got != c.want {
			t.Errorf("Matches(%s, %s, %v) = %v", c.rule, c.subject, c.hosts, got)
		}
	}
	any := AcceptedRisk{Rule: RuleRef{ID: "IPSEC001"}, Host: "*"}
	if !any.Matches("IPSEC001", "whatever", "EXBE01") {
		t.Error(`host "*" without subject matches every host and subject`)
	}
	unresolved := AcceptedRisk{Rule: RuleRef{Ref: "IPSEC001"}, Host: "*"}
	if unresolved.Matches("IPSEC001", "x", "EXFE01") || unresolved.Matches("", "x", "EXFE01") {
		t.Error("an entry whose rule is unresolved matches nothing")
	}
}

func TestAcceptedExpired(t *testing.T) {
	a := AcceptedRisk{Expires: "2027-06-30"}
	berlin := time.FixedZone("CEST", 2*3600)
	cases := []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2027, 6, 29, 23, 59, 0, 0, time.UTC), false},
		{time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), true}, // from that day on
		{time.Date(2027, 6, 29, 23, 30, 0, 0, time.UTC).In(berlin), true},
		{time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, c := range cases {
		if got := a.Expired(c.now); got != c.want {
			t.Errorf("Expired(%v) = %v", c.now, got)
		}
	}
	if (&AcceptedRisk{}).Expired(time.Now()) {
		t.Error("an entry without expires never expires")
	}
}
