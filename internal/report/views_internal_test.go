package report

import (
	"net/netip"
	"testing"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// TestFailoverToAnUnknownBackEnd: an estimate toward a clustered
// back-end whose virtual addresses are unknown names the back-end, never
// "invalid IP", and lists no address.
func TestFailoverToAnUnknownBackEnd(t *testing.T) {
	known := model.Target{IP: netip.MustParseAddr("10.0.0.50"), Backend: "BE1"}
	unknown := model.Target{Backend: "HX3"}
	fs := []flows.Failover{
		{Target: known, Targets: []model.Target{known}, Estimate: flows.FailoverSlow, Minutes: 6},
		{Target: unknown, Targets: []model.Target{unknown}, Estimate: flows.FailoverUnknown, Why: "HX3: clustered, but no cluster hive"},
	}
	vs := (&Audit{}).failoverViews(fs, newAddressLists())
	if vs[0].Address != "10.0.0.50" || vs[0].addressText() != "10.0.0.50" {
		t.Errorf("known: %+v, text %q", vs[0], vs[0].addressText())
	}
	if vs[1].Address != "" || len(vs[1].Addresses) != 0 || vs[1].Addresses == nil {
		t.Errorf("unknown: address %q, addresses %#v", vs[1].Address, vs[1].Addresses)
	}
	if got, want := failoverLine(vs[1]), "recovery after a failover of HX3 (its virtual addresses are unknown): unknown (HX3: clustered, but no cluster hive)"; got != want {
		t.Errorf("table line %q, want %q", got, want)
	}
}
