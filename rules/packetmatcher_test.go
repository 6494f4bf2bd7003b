package rules

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// TestPacketMatcherIsMatchPolicies: the matcher IPSEC008 and IPSEC009
// use again from packet to packet answers every flow's packet (on each
// port) and reply of the example fleet, under the flow's policies and under each policy
// alone, exactly as model.MatchPolicies does.
func TestPacketMatcherIsMatchPolicies(t *testing.T) {
	fleet, err := audit.Collect([]string{filepath.Join("..", "testdata", "fleet")}, audit.Options{Filter: KeyFilter(All())})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPass(fleet)
	var pm packetMatcher
	n := 0
	for _, fl := range p.Flows.Flows {
		var pkts []model.Packet
		for _, port := range flows.ExchangePorts { // packets that differ in one port only, one after another
			q := fl.Packet()
			q.DstPort = port
			pkts = append(pkts, q)
		}
		for _, pkt := range append(pkts, fl.Packet(), fl.Reply()) {
			sets := [][]*model.Policy{fl.Policies}
			for _, pol := range fl.Policies {
				sets = append(sets, []*model.Policy{pol})
			}
			for _, pols := range sets {
				if got, want := pm.match(pols, pkt), model.MatchPolicies(pols, pkt); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s port %d: %+v, want %+v", fl.Host.Name, fl.Port, got, want)
				}
				n++
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d packets matched", n)
	}
	if m := pm.matchPolicy(nil, model.Packet{}); !reflect.DeepEqual(m, (*model.Policy)(nil).Match(model.Packet{})) {
		t.Errorf("no policy: %+v", m)
	}
}
