package diff_test

import (
	"slices"
	"testing"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

func fd(rule, host, subject string, sev rules.Severity, msg string, line int) rules.Finding {
	return rules.Finding{RuleID: rule, Host: host, Subject: subject, Severity: sev, Message: msg,
		Loc: model.Location{File: host + "/system.reg", Line: int32(line)}, Fingerprint: rules.Fingerprint(rule, host, subject)}
}

func findingsOnly(old, cur []rules.Finding) *diff.Result {
	return diff.Compute(diff.Side{Outcome: rules.Outcome{Findings: old}}, diff.Side{Outcome: rules.Outcome{Findings: cur}})
}

func states(r *diff.Result) []string {
	var out []string
	for _, f := range r.Findings {
		s := string(f.State) + " " + f.RuleID + " " + f.Subject
		for _, c := range f.Changed {
			s += " " + c
		}
		out = append(out, s)
	}
	return out
}

// TestFindingStates: identity is rule + host + subject; severity, message,
// location and suppression make a finding changed, never new.
func TestFindingStates(t *testing.T) {
	suppressed := fd("IPSEC004", "H", "tcp/80", rules.SeverityWarning, "m", 3)
	suppressed.Suppressed = &rules.Suppression{Reason: "accepted"}
	old := []rules.Finding{
		fd("IPSEC001", "H", "NLBSFlags", rules.SeverityWarning, "m", 10),
		fd("IPSEC002", "H", "tcp/110", rules.SeverityError, "m", 5),
		fd("IPSEC003", "H", "x", rules.SeverityNote, "m", 1),
		fd("IPSEC004", "H", "tcp/80", rules.SeverityWarning, "m", 3),
		fd("IPSEC007", "H", "qm", rules.SeverityWarning, "old words", 8),
	}
	cur := []rules.Finding{
		fd("IPSEC001", "H", "NLBSFlags", rules.SeverityWarning, "m", 12), // moved
		fd("IPSEC003", "H", "x", rules.SeverityError, "m", 1),            // escalated
		suppressed, // accepted since
		fd("IPSEC007", "H", "qm", rules.SeverityWarning, "new words", 8), // reworded
		fd("IPSEC009", "H", "filter", rules.SeverityWarning, "m", 2),     // new
	}
	r := findingsOnly(old, cur)
	want := []string{
		"changed IPSEC001 NLBSFlags location",
		"fixed IPSEC002 tcp/110",
		"changed IPSEC003 x severity",
		"changed IPSEC004 tcp/80 suppressed",
		"changed IPSEC007 qm message",
		"new IPSEC009 filter",
	}
	if got := states(r); !slices.Equal(got, want) {
		t.Errorf("states:\n got %q\nwant %q", got, want)
	}
	var gate []string
	for _, f := range r.Regressions(rules.SeverityWarning) {
		gate = append(gate, f.RuleID)
	}
	// IPSEC003 was a note (below warning) and is an error: it counts; the
	// accepted IPSEC004 does not; the moved and reworded ones do not.
	if want := []string{"IPSEC003", "IPSEC009"}; !slices.Equal(gate, want) {
		t.Errorf("regressions at warning %v, want %v", gate, want)
	}
	if reg := r.Regressions(rules.SeverityNote); len(reg) != 1 || reg[0].RuleID != "IPSEC009" {
		t.Errorf("regressions at note %+v, want IPSEC009 only (IPSEC003 was a note already)", reg)
	}
	if got := r.Findings[1].State.BaselineState(); got != "absent" {
		t.Errorf("a fixed finding's SARIF baselineState is %q, want absent", got)
	}
}

// TestExpiredAcceptance: a finding suppressed in OLD whose acceptance
// lapsed in NEW is a regression.
func TestExpiredAcceptance(t *testing.T) {
	was := fd("IPSEC001", "H", "NLBSFlags", rules.SeverityWarning, "m", 10)
	was.Suppressed = &rules.Suppression{Reason: "until the upgrade"}
	r := findingsOnly([]rules.Finding{was}, []rules.Finding{fd("IPSEC001", "H", "NLBSFlags", rules.SeverityWarning, "m", 10)})
	if reg := r.Regressions(rules.SeverityWarning); len(reg) != 1 {
		t.Errorf("regressions %+v, want the finding whose acceptance lapsed", reg)
	}
}

// TestDuplicateFingerprints: two findings of one identity on a side are
// paired in order, the extra one new or fixed.
func TestDuplicateFingerprints(t *testing.T) {
	a := fd("IPSEC010", "BE", "tcp/110", rules.SeverityWarning, "m", 1)
	r := findingsOnly([]rules.Finding{a, a}, []rules.Finding{a})
	if got, want := states(r), []string{"unchanged IPSEC010 tcp/110", "fixed IPSEC010 tcp/110"}; !slices.Equal(got, want) {
		t.Errorf("states %q, want %q", got, want)
	}
	r = findingsOnly([]rules.Finding{a}, []rules.Finding{a, a})
	if got, want := states(r), []string{"unchanged IPSEC010 tcp/110", "new IPSEC010 tcp/110"}; !slices.Equal(got, want) {
		t.Errorf("states %q, want %q", got, want)
	}
}

// TestNotEvaluated: checks are paired by rule and host; a new reason is a
// change, a check NEW cannot make is new.
func TestNotEvaluated(t *testing.T) {
	old := []rules.NotEvaluated{
		{RuleID: "IPSEC006", Host: "A", Reason: "r1"},
		{RuleID: "IPSEC006", Host: "B", Reason: "r1"},
		{RuleID: "IPSEC011", Host: "A", Reason: "r2"},
	}
	cur := []rules.NotEvaluated{
		{RuleID: "IPSEC006", Host: "B", Reason: "r9"},
		{RuleID: "IPSEC006", Host: "A", Reason: "r1"},
		{RuleID: "IPSEC012", Host: "C", Reason: "r3"},
	}
	r := diff.Compute(diff.Side{Outcome: rules.Outcome{NotEvaluated: old}}, diff.Side{Outcome: rules.Outcome{NotEvaluated: cur}})
	var got []string
	for _, n := range r.NotEvaluated {
		got = append(got, string(n.State)+" "+n.RuleID+" "+n.Host)
	}
	want := []string{"unchanged IPSEC006 A", "fixed IPSEC011 A", "changed IPSEC006 B", "new IPSEC012 C"}
	if !slices.Equal(got, want) {
		t.Errorf("not evaluated:\n got %q\nwant %q", got, want)
	}
	if n := r.NewNotEvaluated(); len(n) != 1 || n[0].RuleID != "IPSEC012" {
		t.Errorf("new not-evaluated %+v", n)
	}
}
