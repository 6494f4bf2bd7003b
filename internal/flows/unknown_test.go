package flows

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// espTo is an assigned policy whose one rule negotiates ESP 3DES for all
// traffic from "me" to ip (mirrored), as `netsh ipsec static` would make
// it.
func espTo(ip string) *model.Policy {
	dst := netip.MustParseAddr(ip)
	fl := &model.FilterList{Name: "to BE", Filters: []*model.Filter{model.NewFilter(model.FilterSpec{
		Src: model.Address{Kind: model.AddrMe}, Dst: model.Address{Kind: model.AddrIP, Net: netip.PrefixFrom(dst, 32)}, Mirrored: true}, model.Location{})}}
	act := &model.FilterAction{Name: "ESP 3DES", Action: model.ActionNegotiate,
		Methods: []model.QMMethod{{ESP: &model.ESPTransform{Cipher: model.Alg3DES, Integrity: "SHA1"}, Text: "ESP[SHA1,3DES]"}}}
	return &model.Policy{Name: "FE-BE", Assigned: true, Rules: []*model.Rule{{Name: "FE to BE", PolicyName: "FE-BE", Active: true, ConnType: model.ConnAll, FilterList: fl, FilterAction: act}}}
}

// unknownFleet is the fleet of the review's repro: front-end HX2
// (Windows Server 2003, NLBSFlags absent) whose policy encrypts to
// 10.0.0.50 only; HX3, a back-end on a server-cluster node whose cluster
// hive is not among the exports (its virtual addresses are unknown; no
// IPSec policy assigned); and,
// with withBE1, BE1, a clustered back-end (no IPSec policy assigned)
// whose cluster hive gives the virtual address 10.0.0.50.
func unknownFleet(withBE1 bool) (f *model.Fleet, fe, hx3, be1 *model.Host) {
	no := false
	loc := func(h, file string) model.Location { return model.Location{File: h + "/" + file} }
	fe = failoverHost("HX2", model.RoleFrontEnd, model.OSWin2003, &no)
	fe.Facts.Addresses = model.Known([]netip.Addr{netip.MustParseAddr("10.0.0.2")}, loc("HX2", "system.reg"), "Tcpip interfaces")
	fe.Facts.Policy = model.Known(model.AssignedPolicy{State: model.PolicyAssigned, Name: "FE-BE", Policy: espTo("10.0.0.50")}, loc("HX2", "ipsec.txt"), "ipsec.txt")
	hx3 = failoverHost("HX3", model.RoleBackEnd, model.OSWin2003, nil)
	hx3.Facts.ClusterNode = model.Known(true, loc("HX3", "system.reg"), `ClusSvc\Parameters\ClusterName = "EXCL"`)
	hx3.Facts.Addresses = model.Known([]netip.Addr{netip.MustParseAddr("10.0.0.3")}, loc("HX3", "system.reg"), "Tcpip interfaces")
	hx3.Facts.Policy = model.Known(model.AssignedPolicy{State: model.PolicyNone}, loc("HX3", "ipsec.txt"), "ipsec.txt assigns no policy")
	f = &model.Fleet{Hosts: []*model.Host{fe, hx3}}
	if withBE1 {
		be1 = failoverHost("BE1", model.RoleBackEnd, model.OSWin2003, nil)
		be1.Facts.ClusterNode = model.Known(true, loc("BE1", "cluster.reg"), "cluster hive")
		be1.Facts.Addresses = model.Known([]netip.Addr{netip.MustParseAddr("10.0.0.11")}, loc("BE1", "system.reg"), "Tcpip interfaces")
		be1.Facts.Policy = model.Known(model.AssignedPolicy{State: model.PolicyNone}, loc("BE1", "ipsec.txt"), "ipsec.txt assigns no policy")
		be1.Facts.Virtual = []model.VirtualAddress{{IP: netip.MustParseAddr("10.0.0.50"), Exchange: true, Origin: "cluster hive", Loc: loc("BE1", "cluster.reg")}}
		f.Hosts = append(f.Hosts, be1)
	}
	return f, fe, hx3, be1
}

// TestUnknownBackendNotEvaluated: a clustered back-end without its
// cluster hive leaves each front-end's traffic to it not evaluated (a
// gap naming it), whether or not another back-end's addresses are known;
// the traffic to the known one is evaluated as before, and each
// front-end has an "unknown" failover estimate to the unknown back-end
// next to its estimates to the known addresses.
func TestUnknownBackendNotEvaluated(t *testing.T) {
	for _, withBE1 := range []bool{false, true} {
		for _, workers := range []int{1, 2} {
			f, fe, hx3, be1 := unknownFleet(withBE1)
			a := AnalyzeWorkers(f, workers)
			checkUnknownGap(t, a, fe, hx3)
			checkUnknownInbound(t, a, hx3, be1)
			out, fos := a.Of(Outbound), a.Failovers()
			if !withBE1 {
				if len(out) != 0 || len(fos) != 1 {
					t.Fatalf("HX3 alone: %d outbound flows, failovers %+v; want none, and one estimate", len(out), fos)
				}
			} else {
				checkKnownBackend(t, out, fos, be1)
			}
			last := fos[len(fos)-1]
			if last.FrontEnd != fe || last.Target.Backend != "HX3" || last.Target.IP.IsValid() || len(last.Targets) != 1 ||
				last.Estimate != FailoverUnknown || last.Minutes != 0 || !strings.Contains(last.Why, hx3Why) {
				t.Errorf("BE1 %v: last failover %+v, want unknown to HX3 (no address) naming the missing cluster hive", withBE1, last)
			}
		}
	}
}

// hx3Why is what HX3 misses.
const hx3Why = "HX3: clustered, but no cluster hive among its files"

// checkUnknownGap checks that front-end fe has one outbound gap, for its
// flows to hx3 only.
func checkUnknownGap(t *testing.T, a *Analysis, fe, hx3 *model.Host) {
	t.Helper()
	var gaps []Gap
	for _, g := range a.GapsOf(Outbound) {
		if g.Host == fe {
			gaps = append(gaps, g)
		}
	}
	if len(gaps) != 1 || !strings.Contains(gaps[0].Reason, "the back-end's addresses are unknown: "+hx3Why) || !slices.Equal(gaps[0].Backends, []*model.Host{hx3}) || gaps[0].Whole() {
		t.Fatalf("front-end's outbound gaps %+v, want one for HX3 only", gaps)
	}
}

// checkUnknownInbound checks that back-end hx3's own policy is not
// judged on its node's address (the front-ends reach its unknown virtual
// addresses), while be1's is judged on its virtual address.
func checkUnknownInbound(t *testing.T, a *Analysis, hx3, be1 *model.Host) {
	t.Helper()
	if fls := a.OfHost(hx3); len(fls) != 0 {
		t.Errorf("HX3: %d inbound flows (to %s), want none: its virtual addresses are unknown", len(fls), fls[0].Target().IP)
	}
	if gaps := a.HostGaps(hx3); len(gaps) != 1 || !strings.Contains(gaps[0], "virtual addresses, which are unknown: "+hx3Why) {
		t.Errorf("HX3: gaps %q, want one naming its unknown virtual addresses", gaps)
	}
	if be1 == nil {
		return
	}
	fls := a.OfHost(be1)
	if len(fls) == 0 || fls[0].Side != Inbound || fls[0].Target().IP != netip.MustParseAddr("10.0.0.50") {
		t.Errorf("BE1: %d inbound flows, want flows to 10.0.0.50", len(fls))
	}
}

// checkKnownBackend checks that the outbound flows go to BE1's virtual
// address only, encrypted, and that the first failover estimate is BE1's.
func checkKnownBackend(t *testing.T, out []Flow, fos []Failover, be1 *model.Host) {
	t.Helper()
	peers, _ := DistinctPeers(out, -1)
	if len(out) == 0 || len(peers) != 1 || peers[0].Target.IP != netip.MustParseAddr("10.0.0.50") || peers[0].Target.Backend != be1.Name {
		t.Fatalf("with BE1: %d outbound flows to %+v, want flows to 10.0.0.50 (BE1) only", len(out), peers)
	}
	for _, fl := range out {
		if !fl.Encrypted() {
			t.Errorf("with BE1: flow on port %d to 10.0.0.50 not encrypted", fl.Port)
		}
	}
	if len(fos) != 2 || fos[0].Target.Backend != "BE1" || fos[0].Estimate != FailoverSlow {
		t.Fatalf("with BE1: failovers %+v, want about 6 minutes to BE1, then unknown to HX3", fos)
	}
}

// TestUnknownBackendWithFrontEndGap: a front-end whose own flows cannot
// be evaluated keeps that reason for the known addresses' estimate, and
// the unknown back-end's estimate names what the back-end misses.
func TestUnknownBackendWithFrontEndGap(t *testing.T) {
	f, fe, _, _ := unknownFleet(true)
	fe.Facts.Policy = model.Unknown[model.AssignedPolicy]("no IPSec export")
	a := Analyze(f)
	var reasons []string
	for _, g := range a.GapsOf(Outbound) {
		reasons = append(reasons, g.Reason)
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], "no IPSec export") || !strings.Contains(reasons[1], "HX3: clustered") {
		t.Fatalf("gaps %q, want the front-end's policy, then HX3's addresses", reasons)
	}
	fos := a.Failovers()
	if len(fos) != 2 || fos[0].Target.Backend != "BE1" || fos[0].Estimate != FailoverUnknown || !strings.Contains(fos[0].Why, "no IPSec export") ||
		fos[1].Target.Backend != "HX3" || !strings.Contains(fos[1].Why, "no cluster hive") {
		t.Errorf("failovers %+v, want unknown to BE1 (policy) and to HX3 (cluster hive)", fos)
	}
}
