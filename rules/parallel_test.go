package rules_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/fleetgen"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/rules"
)

// TestParallelRunIsSequentialRun: the rules and the flow analysis run on
// several goroutines report exactly what they report on one: the JSON
// and SARIF reports are byte-identical, on a generated fleet of several
// sites (every fault the generator plants) and on the example fleet
// (hosts whose flows cannot be evaluated, unknown roles).
func TestParallelRunIsSequentialRun(t *testing.T) {
	gen := t.TempDir()
	st, err := fleetgen.Write(gen, fleetgen.Options{Hosts: 150, Seed: 3, HostsPerSite: 30})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sites < 2 {
		t.Fatalf("the generated fleet has %d site(s), want several", st.Sites)
	}
	for _, dir := range []string{gen, filepath.Join("..", "testdata", "fleet")} {
		all := rules.All()
		fleet, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all), Retain: rules.RetainFilter(all)})
		if err != nil {
			t.Fatal(err)
		}
		want := reports(t, fleet, all, rules.RunWith(fleet, all, rules.Options{Workers: 1}))
		if !bytes.Contains(want["json"], []byte(`"ruleId"`)) {
			t.Fatalf("%s: the sequential run reports no finding", dir)
		}
		for _, workers := range []int{2, 7, 0} {
			got := reports(t, fleet, all, rules.RunWith(fleet, all, rules.Options{Workers: workers}))
			for format, w := range want {
				if !bytes.Equal(got[format], w) {
					t.Errorf("%s, %d workers: the %s report differs from the sequential run's at byte %d", dir, workers, format, firstDiff(got[format], w))
				}
			}
		}
	}
}

// reports renders the outcome as JSON and SARIF.
func reports(t *testing.T, fleet *model.Fleet, all []*rules.Rule, out rules.Outcome) map[string][]byte {
	t.Helper()
	a := &report.Audit{Tool: report.Tool{Name: "ipseclint", Version: "test"}, Fleet: fleet, Rules: all, Outcome: out}
	got := map[string][]byte{}
	for _, name := range []string{"json", "sarif"} {
		f, ok := report.FormatByName(name)
		if !ok {
			t.Fatalf("no %s format", name)
		}
		var b bytes.Buffer
		if err := f.Printer.Print(&b, a); err != nil {
			t.Fatal(err)
		}
		got[name] = b.Bytes()
	}
	return got
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestParallelRunReportsPanickingRule: a rule that panics while the
// others run beside it is reported as not evaluated, and the others'
// findings are all there.
func TestParallelRunReportsPanickingRule(t *testing.T) {
	all := rules.All()
	fleet, err := audit.Collect([]string{filepath.Join("..", "testdata", "fleet")}, audit.Options{Filter: rules.KeyFilter(all)})
	if err != nil {
		t.Fatal(err)
	}
	want := rules.RunWith(fleet, all, rules.Options{Workers: 1})
	bad := &rules.Rule{ID: "IPSEC999", Name: "panics", Severity: rules.SeverityError, Check: func(*rules.Pass, *rules.Reporter) { panic("boom") }}
	got := rules.RunWith(fleet, append(append([]*rules.Rule{bad}, all...), bad), rules.Options{Workers: 3})
	if len(got.Findings) != len(want.Findings) {
		t.Errorf("%d findings beside the panicking rule, want %d", len(got.Findings), len(want.Findings))
	}
	n := 0
	for _, ne := range got.NotEvaluated {
		if ne.RuleID == "IPSEC999" {
			n++
			if !strings.Contains(ne.Reason, "internal error in the rule: boom") {
				t.Errorf("reason %q", ne.Reason)
			}
		}
	}
	if n != 2 || len(got.NotEvaluated) != len(want.NotEvaluated)+2 {
		t.Errorf("%d not evaluated for the panicking rule (want 2), %d in all (want %d)", n, len(got.NotEvaluated), len(want.NotEvaluated)+2)
	}
}
