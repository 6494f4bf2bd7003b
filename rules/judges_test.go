package rules_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// TestJudgesCoversWhatRulesReport holds each rule's Judges (the roles the
// HTML matrix shows "passed" or "n/a" from) to what the rule does: on the
// example fleets and every fixture fleet, no rule reports a finding or a
// not-evaluated check on a host of a role it says it does not judge
// (hosts of unknown role aside: roles unknown are reported as such).
func TestJudgesCoversWhatRulesReport(t *testing.T) {
	all := rules.All()
	fleets := []string{filepath.Join("..", "testdata", "fleet"), filepath.Join("..", "testdata", "fleet-drift")}
	for _, r := range all {
		cases, err := os.ReadDir(filepath.Join("testdata", r.ID))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if c.IsDir() {
				fleets = append(fleets, filepath.Join("testdata", r.ID, c.Name()))
			}
		}
	}
	byRule := map[string]*rules.Rule{}
	for _, r := range all {
		byRule[r.ID] = r
	}
	checked := 0
	for _, dir := range fleets {
		fleet, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all)})
		if err != nil {
			t.Fatal(err)
		}
		out := rules.Run(fleet, all)
		check := func(rule, host, what string) {
			h := fleet.Host(host)
			if h == nil || h.Role.Role == model.RoleUnknown {
				return
			}
			checked++
			if !byRule[rule].JudgesRole(h.Role.Role) {
				t.Errorf("%s: %s reports %s on %s, a %s, which its Judges %v leave out", dir, rule, what, host, h.Role.Role, byRule[rule].Judges)
			}
		}
		for _, f := range out.Findings {
			check(f.RuleID, f.Host, "a finding")
		}
		for _, n := range out.NotEvaluated {
			check(n.RuleID, n.Host, "a not-evaluated check")
		}
	}
	if checked < 100 {
		t.Errorf("only %d findings and checks on hosts of known role: the test proves little", checked)
	}
}
