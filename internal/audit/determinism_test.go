package audit_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/fleetgen"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/rules"
)

// TestParallelOutputIsSequentialOutput audits a generated fleet (front-
// ends and clustered back-ends in several sites, hives, UTF-16 dumps,
// faults of every kind) with one worker and with several, with and
// without the registry cut down after the facts, and requires every
// output format (JSON, SARIF, the table, JUnit, GitHub) to be byte for
// byte the same: the hosts' order, the findings, the failover estimates
// and the reports cannot depend on which worker read what first.
func TestParallelOutputIsSequentialOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fleet")
	st, err := fleetgen.Write(dir, fleetgen.Options{Hosts: 90, Seed: 3, HostsPerSite: 30})
	if err != nil {
		t.Fatal(err)
	}
	all := rules.All()
	render := func(opts audit.Options) map[string][]byte {
		opts.Filter = rules.KeyFilter(all)
		fleet, err := audit.Collect([]string{dir}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(fleet.Hosts) != st.Hosts {
			t.Fatalf("%d hosts read, %d written", len(fleet.Hosts), st.Hosts)
		}
		a := &report.Audit{Tool: report.Tool{Name: "ipseclint", Version: "test"}, Fleet: fleet, Rules: all, Outcome: rules.Run(fleet, all)}
		if len(a.Outcome.Findings) == 0 || len(a.Outcome.Failover) == 0 {
			t.Fatalf("the generated fleet gave %d findings and %d failover estimates: nothing to compare", len(a.Outcome.Findings), len(a.Outcome.Failover))
		}
		out := map[string][]byte{}
		for _, f := range report.Formats() {
			var b bytes.Buffer
			if err := f.Printer.Print(&b, a); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			out[f.Name] = b.Bytes()
		}
		return out
	}
	want := render(audit.Options{Workers: 1})
	for _, name := range []string{"json", "sarif"} {
		if len(want[name]) == 0 {
			t.Fatalf("no %s output", name)
		}
	}
	for _, c := range []struct {
		name string
		opts audit.Options
	}{
		{"4 workers", audit.Options{Workers: 4}},
		{"GOMAXPROCS workers, registry cut down", audit.Options{Retain: rules.RetainFilter(all)}},
		{"1 worker, registry cut down", audit.Options{Workers: 1, Retain: rules.RetainFilter(all)}},
	} {
		got := render(c.opts)
		for name, w := range want {
			if !bytes.Equal(got[name], w) {
				t.Errorf("%s: the %s output differs from one worker's (%d bytes against %d)", c.name, name, len(got[name]), len(w))
			}
		}
	}
}
