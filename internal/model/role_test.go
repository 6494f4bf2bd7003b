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

// TestRoleWhenExchangeUnknown: a host whose exports do not say whether it
// runs Exchange has no role, unless its cluster hive runs an Exchange
// virtual server (a back-end) or it is a workstation (not an Exchange
// server); one whose SYSTEM export shows no Exchange service is not an
// Exchange server, unless its cluster hive runs one.
func TestRoleWhenExchangeUnknown(t *testing.T) {
	host := func(cluster *ClusterConfig, productType string) *Host {
		tree := NewRegTree()
		if productType != "" {
			tree.EnsureKey(KeyProductOptions, Location{}).SetValue(&Value{Name: "ProductType", Type: RegSZ, Data: UTF16String(productType)})
		}
		h := &Host{Name: "X", Registry: NewRegistry(tree)}
		h.Facts.Exchange = Unknown[[]ServiceState]("not covered")
		h.Facts.Cluster = cluster
		h.Facts.ClusterNode = Known(cluster != nil, Location{}, "cluster hive")
		h.Facts.NLB = Known(NLBInfo{}, Location{}, "no WLBS")
		return h
	}
	exchangeCluster := &ClusterConfig{Resources: []ClusterResource{{Name: "Exchange System Attendant", Type: "Microsoft Exchange System Attendant"}}}
	otherCluster := &ClusterConfig{Resources: []ClusterResource{{Name: "File Share", Type: "File Share"}}}
	f := &Fleet{}
	for _, c := range []struct {
		name string
		h    *Host
		want Role
	}{
		{"nothing known", host(nil, ""), RoleUnknown},
		{"a node of an Exchange cluster", host(exchangeCluster, ""), RoleBackEnd},
		{"a node of another cluster", host(otherCluster, ""), RoleUnknown},
		{"a workstation", host(nil, "WinNT"), RoleOther},
		{"a server", host(nil, "ServerNT"), RoleUnknown},
	} {
		if r := roleOf(f, c.h); r.Role != c.want {
			t.Errorf("%s: %+v, want %q", c.name, r, c.want)
		}
	}
	// A SYSTEM export without the services (an abridged one): no
	// Exchange, unless its cluster hive runs an Exchange virtual server.
	for _, c := range []struct {
		cluster *ClusterConfig
		want    Role
	}{{nil, RoleOther}, {exchangeCluster, RoleBackEnd}, {otherCluster, RoleOther}} {
		h := host(c.cluster, "")
		h.Facts.Exchange = Known([]ServiceState(nil), Location{}, "no Exchange service in Services")
		if r := roleOf(f, h); r.Role != c.want {
			t.Errorf("no services, cluster %v: %+v, want %q", c.cluster != nil, r, c.want)
		}
	}
}
