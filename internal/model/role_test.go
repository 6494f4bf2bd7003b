package model

import (
	"strings"
	"testing"
)

// TestRoleOfClusterNodeInNLB: an Exchange server that is both a
// server-cluster node (back-end evidence) and an NLB member (front-end
// evidence) gets no inferred role, and the reason names both; either
// alone infers its role.
func TestRoleOfClusterNodeInNLB(t *testing.T) {
	exchange := Known([]ServiceState{{Name: "MSExchangeIS", Start: 2}, {Name: "MSExchangeSA", Start: 2}}, Location{}, "services")
	host := func(node, nlb bool) *Host {
		h := &Host{Name: "X"}
		h.Facts.Exchange = exchange
		h.Facts.ClusterNode = Known(node, Location{}, "cluster hive")
		h.Facts.NLB = Known(NLBInfo{Member: nlb}, Location{}, "WLBS ClusterIPAddress")
		return h
	}
	f := &Fleet{}
	if r := roleOf(f, host(true, true)); r.Role != RoleUnknown || !strings.Contains(r.Why, "cluster hive") || !strings.Contains(r.Why, "WLBS") {
		t.Errorf("node and NLB member: %+v", r)
	}
	if r := roleOf(f, host(true, false)); r.Role != RoleBackEnd {
		t.Errorf("node only: %+v", r)
	}
	if r := roleOf(f, host(false, true)); r.Role != RoleFrontEnd {
		t.Errorf("NLB member only: %+v", r)
	}
}
