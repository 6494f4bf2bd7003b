package report_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// The JUnit document as a CI tool reads it, declared here independently
// of the printer's types.
type jCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
}

type jDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	jCounts
	Suites []jSuite `xml:"testsuite"`
}

type jSuite struct {
	Name string `xml:"name,attr"`
	jCounts
	Properties []jProperty `xml:"properties>property"`
	Cases      []jCase     `xml:"testcase"`
}

type jProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type jCase struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	File      string    `xml:"file,attr"`
	Line      int       `xml:"line,attr"`
	Failures  []jResult `xml:"failure"`
	Errors    []jResult `xml:"error"`
	Skipped   []jResult `xml:"skipped"`
}

type jResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// xmlShown is s as the junit output shows it: as safetext.Text shows it,
// with the noncharacters XML forbids escaped the same way.
func xmlShown(s string) string {
	return strings.NewReplacer("\ufffe", `\ufffe`, "\uffff", `\uffff`).Replace(safetext.Text(s))
}

func (c jCase) results() int { return len(c.Failures) + len(c.Errors) + len(c.Skipped) }

// junitDoc prints the audit as JUnit XML, reads every token with a
// strict decoder, and decodes the document.
func junitDoc(t *testing.T, p report.Printer, a *report.Audit) (jDoc, []byte) {
	t.Helper()
	out := render(t, p, a)
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("the output is not well-formed XML: %v\n%s", err, out)
		}
	}
	var doc jDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("the output does not decode: %v", err)
	}
	return doc, out
}

// checkJUnitCounts: every suite counts its test cases and their results,
// <testsuites> the sums, and no test case has more than one result.
func checkJUnitCounts(t *testing.T, doc jDoc) {
	t.Helper()
	var total jCounts
	for _, s := range doc.Suites {
		var c jCounts
		for _, tc := range s.Cases {
			c.Tests++
			c.Failures += len(tc.Failures)
			c.Errors += len(tc.Errors)
			c.Skipped += len(tc.Skipped)
			if tc.results() > 1 {
				t.Errorf("suite %q, test case %q: %d result elements, want at most 1", s.Name, tc.Name, tc.results())
			}
		}
		if c != s.jCounts {
			t.Errorf("suite %q says %+v, its test cases add up to %+v", s.Name, s.jCounts, c)
		}
		total.Tests += c.Tests
		total.Failures += c.Failures
		total.Errors += c.Errors
		total.Skipped += c.Skipped
	}
	if total != doc.jCounts {
		t.Errorf("<testsuites> says %+v, its suites add up to %+v", doc.jCounts, total)
	}
}

func suiteNamed(t *testing.T, doc jDoc, name string) jSuite {
	t.Helper()
	for _, s := range doc.Suites {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no suite %q", name)
	return jSuite{}
}

func caseNamed(t *testing.T, s jSuite, name string) jCase {
	t.Helper()
	for _, c := range s.Cases {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("suite %q has no test case %q", s.Name, name)
	return jCase{}
}

// checkJUnitAgainstOutcome: one suite per host, in fleet order, with one
// test case per rule; a host × rule with active findings fails, with the
// highest severity as type; one whose findings are all suppressed is
// skipped as suppressed; one that could not be evaluated is skipped
// with the reason; the inputs suite has one test case per file, with an
// error for each that was not read completely.
func checkJUnitAgainstOutcome(t *testing.T, a *report.Audit, doc jDoc) {
	t.Helper()
	type key struct{ host, rule string }
	sev := map[key]rules.Severity{}
	for _, f := range a.Outcome.Active() {
		if k := (key{f.Host, f.RuleID}); f.Severity.Rank() > sev[k].Rank() {
			sev[k] = f.Severity
		}
	}
	suppressed := map[key]bool{}
	for _, f := range a.Outcome.Findings {
		if f.Suppressed != nil {
			suppressed[key{f.Host, f.RuleID}] = true
		}
	}
	notEval := map[key]bool{}
	for _, ne := range a.Outcome.NotEvaluated {
		notEval[key{ne.Host, ne.RuleID}] = true
	}
	if len(doc.Suites) < len(a.Fleet.Hosts)+1 {
		t.Fatalf("%d suites for %d hosts and the inputs", len(doc.Suites), len(a.Fleet.Hosts))
	}
	for i, h := range a.Fleet.Hosts {
		s := doc.Suites[i]
		if s.Name != xmlShown(h.Name) || len(s.Cases) != len(a.Rules) {
			t.Errorf("suite %d: %q with %d test cases, want %q with %d", i, s.Name, len(s.Cases), h.Name, len(a.Rules))
			continue
		}
		for j, r := range a.Rules {
			c, k := s.Cases[j], key{h.Name, r.ID}
			if c.Name != r.ID+" "+r.Name || c.Classname != s.Name {
				t.Errorf("%s: test case %d is %q of class %q, want %q", h.Name, j, c.Name, c.Classname, r.ID+" "+r.Name)
			}
			switch {
			case sev[k] != "":
				if len(c.Failures) != 1 || c.Failures[0].Type != string(sev[k]) {
					t.Errorf("%s %s: %+v, want one failure of type %s", h.Name, r.ID, c, sev[k])
				}
			case suppressed[k]:
				if len(c.Skipped) != 1 || !strings.HasPrefix(c.Skipped[0].Message, "suppressed: ") {
					t.Errorf("%s %s: %+v, want skipped as suppressed", h.Name, r.ID, c)
				}
			case notEval[k]:
				if len(c.Skipped) != 1 || c.Skipped[0].Message == "" {
					t.Errorf("%s %s: %+v, want skipped with the reason", h.Name, r.ID, c)
				}
			case c.results() != 0:
				t.Errorf("%s %s: %+v, want a pass", h.Name, r.ID, c)
			}
		}
	}
	inputs := doc.Suites[len(doc.Suites)-1]
	if inputs.Name != "inputs" || len(inputs.Cases) != len(a.Fleet.Files) {
		t.Fatalf("last suite %q with %d test cases, want inputs with %d", inputs.Name, len(inputs.Cases), len(a.Fleet.Files))
	}
	for i, f := range a.Fleet.Files {
		c := inputs.Cases[i]
		if c.Name != xmlShown(f.Name) || (len(c.Errors) == 1) != f.Status.Incomplete() {
			t.Errorf("inputs: test case %q (%d errors) for %s (%s)", c.Name, len(c.Errors), f.Name, f.Status)
		}
		if len(c.Errors) == 1 && (c.Errors[0].Type != string(f.Status) || !strings.Contains(c.Errors[0].Message, f.Reason)) {
			t.Errorf("inputs: %s: error %+v, want type %s and the reason %q", f.Name, c.Errors[0], f.Status, f.Reason)
		}
	}
}

// TestJUnitFixture checks the fixture fleet's document as a CI tool reads it.
func TestJUnitFixture(t *testing.T) {
	a := runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
	doc, _ := junitDoc(t, report.JUnit{}, a)
	checkJUnitCounts(t, doc)
	checkJUnitAgainstOutcome(t, a, doc)
	if doc.jCounts != (jCounts{Tests: 19, Failures: 3, Errors: 2, Skipped: 3}) {
		t.Errorf("totals %+v, want 3 hosts × 3 rules + 10 files, 3 failures, 2 unreadable files, 3 skipped", doc.jCounts)
	}
	fe1 := caseNamed(t, suiteNamed(t, doc, "FE1"), "IPSEC002 pop3-imap4-unencrypted")
	if fe1.File != "FE1/ipsec.txt" || fe1.Line != 12 || !strings.HasPrefix(fe1.Failures[0].Message, "FE1/ipsec.txt:12: IMAP4 (TCP 143)") ||
		!strings.Contains(fe1.Failures[0].Text, "error at FE1/ipsec.txt:12 (subject: tcp/143 permit \"IMAP4 in clear\")\nIMAP4") {
		t.Errorf("FE1 IPSEC002: %+v", fe1)
	}
	fe2 := caseNamed(t, suiteNamed(t, doc, "FE2"), "IPSEC002 pop3-imap4-unencrypted")
	if !strings.HasPrefix(fe2.Skipped[0].Message, `IPSec policy "FE-BE" is assigned`) {
		t.Errorf("FE2 IPSEC002 skipped %q, want the reason", fe2.Skipped[0].Message)
	}
	props := map[string]string{}
	for _, p := range suiteNamed(t, doc, "FE1").Properties {
		props[p.Name] = p.Value
	}
	if props["role"] != "frontend (declared): declared in ipseclint.yaml" || props["failover 10.0.0.50"] != "about 6 minutes" {
		t.Errorf("FE1 properties %v", props)
	}
}

// TestJUnitExampleFleet: the README's example fleet, with every rule,
// gives a document whose counts add up and match the outcome.
func TestJUnitExampleFleet(t *testing.T) {
	a := exampleFleet(t)
	doc, _ := junitDoc(t, report.JUnit{}, a)
	checkJUnitCounts(t, doc)
	checkJUnitAgainstOutcome(t, a, doc)
	if doc.Tests < len(a.Fleet.Hosts)*len(a.Rules) || doc.Failures == 0 {
		t.Errorf("totals %+v for %d hosts × %d rules", doc.jCounts, len(a.Fleet.Hosts), len(a.Rules))
	}
}

// TestJUnitHostileNames: hostile host folder and file names still give a
// document that parses, whose counts add up, that holds no raw control
// character, and that names them as safetext.Text shows them.
func TestJUnitHostileNames(t *testing.T) {
	a := hostileFleet(t)
	doc, out := junitDoc(t, report.JUnit{}, a)
	checkJUnitCounts(t, doc)
	checkJUnitAgainstOutcome(t, a, doc)
	assertNoControls(t, "junit output", string(out), "\n")
	if bytes.ContainsRune(out, '\uffff') {
		t.Error("the output holds U+FFFF, which XML 1.0 forbids")
	}
	shown := xmlShown(hostile)
	suite := suiteNamed(t, doc, shown+"BE1")
	if c := caseNamed(t, suite, "IPSEC003 win2000-clustered-ipsec"); c.Classname != shown+"BE1" || len(c.Skipped) != 1 {
		t.Errorf("hostile host's IPSEC003: %+v", c)
	}
	fe1 := caseNamed(t, suiteNamed(t, doc, "FE1"), "IPSEC002 pop3-imap4-unencrypted")
	if fe1.File != "FE1/"+shown+"ipsec.txt" || !strings.Contains(fe1.Failures[0].Text, "error at FE1/"+shown+"ipsec.txt:12") {
		t.Errorf("FE1 IPSEC002 at a hostile file name: file %q, text %q", fe1.File, fe1.Failures[0].Text)
	}
}

// TestJUnitSuppressedAndUncertain: a check whose only finding is
// suppressed is skipped "suppressed: <reason>"; with an unsuppressed
// finding beside it, it fails, and the text lists both; several findings
// of one rule on one host are one failure that lists them all; an
// uncertain finding says so.
func TestJUnitSuppressedAndUncertain(t *testing.T) {
	a := acceptFixture(t)
	doc, _ := junitDoc(t, report.JUnit{}, a)
	checkJUnitCounts(t, doc)
	checkJUnitAgainstOutcome(t, a, doc)
	fe1 := suiteNamed(t, doc, "FE1")
	sup := caseNamed(t, fe1, "IPSEC002 pop3-imap4-unencrypted")
	if len(sup.Skipped) != 1 || sup.Skipped[0].Message != "suppressed: IMAP4 is retired next month (ticket CHG-1234, expires 2099-12-31, accepted at ipseclint.yaml:8:5)" {
		t.Errorf("suppressed finding: %+v", sup)
	}
	unc := caseNamed(t, fe1, "IPSEC001 nlbsflags-missing")
	if len(unc.Failures) != 1 || unc.Failures[0].Type != "warning" || !strings.HasPrefix(unc.Failures[0].Message, "FE1/system.reg:30: (uncertain) front-end FE1") ||
		!strings.Contains(unc.Failures[0].Text, "\nuncertain: the order of these filters is not documented") {
		t.Errorf("uncertain finding: %+v", unc)
	}

	// A second, unsuppressed IPSEC002 finding on FE1, elsewhere.
	var extra rules.Finding
	for _, f := range a.Outcome.Findings {
		if f.RuleID == "IPSEC002" && f.Host == "FE1" {
			extra = f
		}
	}
	extra.Suppressed, extra.Subject, extra.Loc = nil, "tcp/110 -> 10.0.0.50", model.Location{File: "FE1/ipsec.txt", Line: 14, Column: 1}
	extra.Message = "POP3 (TCP 110) is not encrypted"
	a.Outcome.Findings = append(a.Outcome.Findings, extra)
	doc, _ = junitDoc(t, report.JUnit{}, a)
	checkJUnitCounts(t, doc)
	both := caseNamed(t, suiteNamed(t, doc, "FE1"), "IPSEC002 pop3-imap4-unencrypted")
	if len(both.Failures) != 1 || both.Failures[0].Message != "FE1/ipsec.txt:14: POP3 (TCP 110) is not encrypted" ||
		!strings.Contains(both.Failures[0].Text, "suppressed: IMAP4 is retired next month") || both.Line != 14 {
		t.Errorf("suppressed and unsuppressed findings: %+v", both)
	}

	// Both unsuppressed: one failure naming both, no line (they have two).
	for i := range a.Outcome.Findings {
		a.Outcome.Findings[i].Suppressed = nil
	}
	doc, _ = junitDoc(t, report.JUnit{}, a)
	two := caseNamed(t, suiteNamed(t, doc, "FE1"), "IPSEC002 pop3-imap4-unencrypted")
	if len(two.Failures) != 1 || !strings.HasPrefix(two.Failures[0].Message, "2 findings: (1) FE1/ipsec.txt:12: IMAP4") ||
		!strings.Contains(two.Failures[0].Message, "(2) FE1/ipsec.txt:14: POP3") || two.File != "FE1/ipsec.txt" || two.Line != 0 {
		t.Errorf("two findings: %+v", two)
	}
}

// TestJUnitFleetWide: fleet-wide findings and checks, and rules switched
// off, go to a "(fleet)" suite; without them there is none.
func TestJUnitFleetWide(t *testing.T) {
	a := runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
	doc, _ := junitDoc(t, report.JUnit{}, a)
	for _, s := range doc.Suites {
		if s.Name == "(fleet)" {
			t.Error("a (fleet) suite without fleet-wide entries")
		}
	}
	a.Outcome.Findings = append(a.Outcome.Findings, rules.Finding{RuleID: "IPSEC002", RuleName: "pop3-imap4-unencrypted", Severity: rules.SeverityNote, Message: "fleet-wide"})
	a.Outcome.NotEvaluated = append(a.Outcome.NotEvaluated, rules.NotEvaluated{RuleID: "IPSEC003", Reason: "internal error in the rule"})
	a.Outcome.Disabled = []rules.DisabledRule{{ID: "IPSEC004", By: "--disable"}}
	doc, _ = junitDoc(t, report.JUnit{}, a)
	checkJUnitCounts(t, doc)
	fleet := suiteNamed(t, doc, "(fleet)")
	if fleet.jCounts != (jCounts{Tests: 3, Failures: 1, Skipped: 2}) {
		t.Errorf("(fleet) suite counts %+v, want 3 tests, 1 failure, 2 skipped", fleet.jCounts)
	}
	if c := caseNamed(t, fleet, "IPSEC002 pop3-imap4-unencrypted"); len(c.Failures) != 1 || c.Failures[0].Type != "note" || c.Classname != "(fleet)" {
		t.Errorf("fleet-wide finding: %+v", c)
	}
	if c := caseNamed(t, fleet, "IPSEC003 win2000-clustered-ipsec"); len(c.Skipped) != 1 || c.Skipped[0].Message != "internal error in the rule" {
		t.Errorf("fleet-wide not evaluated: %+v", c)
	}
	if r := rules.ByID("IPSEC004"); r != nil {
		if c := caseNamed(t, fleet, "IPSEC004 "+r.Name); len(c.Skipped) != 1 || c.Skipped[0].Message != "disabled by --disable" {
			t.Errorf("disabled rule: %+v", c)
		}
	}
	if last := doc.Suites[len(doc.Suites)-1]; last.Name != "inputs" {
		t.Errorf("last suite %q, want inputs", last.Name)
	}
}
