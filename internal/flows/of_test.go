package flows_test

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// TestOfEveryPortIsEachPortsFlows: the flows of every port (a slice of
// Flows, not a copy) are the flows of each port merged in the analysis'
// order, and appending to them changes no flow of the analysis.
func TestOfEveryPortIsEachPortsFlows(t *testing.T) {
	fleet, err := audit.Collect([]string{filepath.Join(testutil.RepoRoot(t), "testdata", "fleet")}, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := flows.Analyze(fleet)
	for _, side := range []flows.Side{flows.Outbound, flows.Inbound} {
		var want []flows.Flow
		for i, fl := range a.Flows {
			if fl.Side == side && slices.Contains(flows.ExchangePorts, fl.Port) {
				want = append(want, a.Flows[i])
			}
		}
		if len(want) == 0 {
			t.Fatalf("side %v: no flow in the example fleet", side)
		}
		reversed := slices.Clone(flows.ExchangePorts)
		slices.Reverse(reversed)
		for _, ports := range [][]uint16{nil, flows.ExchangePorts, reversed, append(slices.Clone(flows.ExchangePorts), 443)} {
			got := a.Of(side, ports...)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("side %v, ports %v: %d flows, want %d", side, ports, len(got), len(want))
			}
			before := slices.Clone(a.Flows)
			_ = append(got, flows.Flow{Port: 1})
			if !reflect.DeepEqual(a.Flows, before) {
				t.Fatalf("side %v: appending to Of's flows changed the analysis", side)
			}
		}
		if one := a.Of(side, 143); len(one) == 0 || len(one) >= len(want) {
			t.Errorf("side %v: %d flows on port 143 of %d", side, len(one), len(want))
		}
	}
}
