package rules_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

var update = flag.Bool("update", false, "rewrite each case's expected.json from what the rule reports (review the diff!)")

// expectation is a case's expected.json: what the rule must report on the
// case's fleet, and nothing more.
type expectation struct {
	// Findings are compared as a set on host, subject and location
	// ("HOST/file:line", or "HOST/file [HKLM\key] value" for hives).
	Findings []expectedFinding `json:"findings"`
	// NotEvaluated are compared as a set on host; Reason must be a
	// substring of the reason given.
	NotEvaluated []expectedSkip `json:"notEvaluated"`
}

type expectedFinding struct {
	Host     string `json:"host"`
	Subject  string `json:"subject"`
	Location string `json:"location"`
	// Severity is set when it is not the rule's: a note, or a warning
	// for an uncertain verdict.
	Severity string `json:"severity,omitempty"`
	// Uncertain is set for a verdict marked uncertain.
	Uncertain bool `json:"uncertain,omitempty"`
	// Message lists substrings the message must contain.
	Message []string `json:"message,omitempty"`
}

type expectedSkip struct {
	Host   string `json:"host"`
	Reason string `json:"reason"`
}

// TestRules runs every rule over each of its fixture fleets in
// testdata/<RULE ID>/<case>/ and compares what it reports with the case's
// expected.json. Every rule must have fixtures, and at least one case
// where it fires and one where it does not.
func TestRules(t *testing.T) {
	for _, rule := range rules.All() {
		t.Run(rule.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", rule.ID)
			cases, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("rule %s has no fixtures: %v", rule.ID, err)
			}
			fired, quiet := false, false
			for _, c := range cases {
				if !c.IsDir() {
					continue
				}
				t.Run(c.Name(), func(t *testing.T) {
					n := runCase(t, rule, filepath.Join(dir, c.Name()))
					fired = fired || n > 0
					quiet = quiet || n == 0
				})
			}
			if !fired || !quiet {
				t.Errorf("rule %s needs a case where it fires and one where it does not (fires: %v, quiet: %v)", rule.ID, fired, quiet)
			}
		})
	}
}

func runCase(t *testing.T, rule *rules.Rule, dir string) int {
	t.Helper()
	fleet, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(rules.All())})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fleet.Files {
		if f.Status.Incomplete() {
			t.Fatalf("fixture file %s was not read completely: %s %v", f.Name, f.Reason, f.Problems)
		}
	}
	out := rules.Run(fleet, []*rules.Rule{rule})
	got := expectation{Findings: []expectedFinding{}, NotEvaluated: []expectedSkip{}}
	for _, f := range out.Findings {
		if f.RuleID != rule.ID || f.Severity.Rank() > rule.Severity.Rank() || (len(f.Uncertain) > 0 && f.Severity.Rank() > rules.SeverityWarning.Rank()) {
			t.Errorf("finding %+v: wrong rule, or a severity above the rule's or an uncertain error", f)
		}
		ef := expectedFinding{Host: f.Host, Subject: f.Subject, Location: location(fleet, f.Loc), Message: []string{f.Message}, Uncertain: len(f.Uncertain) > 0}
		if f.Severity != rule.Severity {
			ef.Severity = string(f.Severity)
		}
		got.Findings = append(got.Findings, ef)
	}
	for _, n := range out.NotEvaluated {
		got.NotEvaluated = append(got.NotEvaluated, expectedSkip{Host: n.Host, Reason: n.Reason})
	}
	path := filepath.Join(dir, "expected.json")
	if *update {
		writeExpected(t, path, got)
		return len(got.Findings)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./rules -run TestRules -update` and review the file)", err)
	}
	var want expectation
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	compareFindings(t, want.Findings, got.Findings)
	compareSkips(t, want.NotEvaluated, got.NotEvaluated)
	return len(got.Findings)
}

func location(fleet *model.Fleet, l model.Location) string {
	if rel, err := filepath.Rel(fleet.Root, l.File); err == nil {
		l.File = filepath.ToSlash(rel)
	}
	l.Column = 0
	if l.Line > 0 {
		l.Key, l.Value = "", ""
	}
	return l.String()
}

func findingKey(f expectedFinding) string { return f.Host + " | " + f.Subject + " | " + f.Location }

func compareFindings(t *testing.T, want, got []expectedFinding) {
	t.Helper()
	gotBy := map[string]expectedFinding{}
	for _, g := range got {
		gotBy[findingKey(g)] = g
	}
	wantBy := map[string]bool{}
	for _, w := range want {
		k := findingKey(w)
		wantBy[k] = true
		g, ok := gotBy[k]
		if !ok {
			t.Errorf("missing finding: %s", k)
			continue
		}
		if g.Severity != w.Severity || g.Uncertain != w.Uncertain {
			t.Errorf("finding %s: severity %q uncertain %v, want %q %v", k, g.Severity, g.Uncertain, w.Severity, w.Uncertain)
		}
		for _, sub := range w.Message {
			if !strings.Contains(g.Message[0], sub) {
				t.Errorf("finding %s: message %q does not contain %q", k, g.Message[0], sub)
			}
		}
	}
	for k, g := range gotBy {
		if !wantBy[k] {
			t.Errorf("unexpected finding: %s: %s", k, g.Message[0])
		}
	}
}

func compareSkips(t *testing.T, want, got []expectedSkip) {
	t.Helper()
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && g.Host == w.Host && strings.Contains(g.Reason, w.Reason) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing not-evaluated on %q with reason containing %q", w.Host, w.Reason)
		}
	}
	for i, g := range got {
		if !used[i] {
			t.Errorf("unexpected not-evaluated on %q: %s", g.Host, g.Reason)
		}
	}
}

func writeExpected(t *testing.T, path string, e expectation) {
	t.Helper()
	sort.Slice(e.Findings, func(i, j int) bool { return findingKey(e.Findings[i]) < findingKey(e.Findings[j]) })
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
