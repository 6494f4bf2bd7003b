package rules_test

import (
	"path/filepath"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/rules"
)

// TestExampleFleet holds the example fleet to what testdata/README.md
// promises: every rule fires at least once, and EXFE02 passes every rule
// (no finding, nothing left unevaluated).
func TestExampleFleet(t *testing.T) {
	all := rules.All()
	fleet, err := audit.Collect([]string{filepath.Join("..", "testdata", "fleet")}, audit.Options{Filter: rules.KeyFilter(all)})
	if err != nil {
		t.Fatal(err)
	}
	if fleet.Host("EXFE02") == nil {
		t.Fatal("the example fleet has no host EXFE02")
	}
	out := rules.Run(fleet, all)
	fired := map[string]bool{}
	for _, f := range out.Findings {
		fired[f.RuleID] = true
		if f.Host == "EXFE02" {
			t.Errorf("EXFE02 should pass every rule: %s %s: %s", f.RuleID, f.Loc, f.Message)
		}
	}
	for _, n := range out.NotEvaluated {
		if n.Host == "EXFE02" || n.Host == "" {
			t.Errorf("%s not evaluated on %q: %s", n.RuleID, n.Host, n.Reason)
		}
	}
	for _, r := range all {
		if !fired[r.ID] {
			t.Errorf("rule %s %s fires nowhere in the example fleet", r.ID, r.Name)
		}
	}
}
