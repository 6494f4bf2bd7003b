package flows

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// failoverHost is a host with just the facts the estimate reads.
func failoverHost(name string, role model.Role, family model.OSFamily, nlbs *bool) *model.Host {
	h := &model.Host{Name: name, Role: model.RoleFact{Role: role, Basis: model.RoleDeclared}, Registry: model.NewRegistry(nil)}
	if family != model.OSUnknown {
		h.Facts.OS = model.Known(model.OSInfo{Family: family}, model.Location{File: name + "/software.reg", Line: 8}, "CurrentVersion")
	} else {
		h.Facts.OS = model.Unknown[model.OSInfo]("no SOFTWARE export")
	}
	switch {
	case nlbs == nil:
		h.Facts.NLBSFlags = model.Unknown[model.NLBSFlagsInfo]("no SYSTEM export")
	case *nlbs:
		h.Facts.NLBSFlags = model.Known(model.NLBSFlagsInfo{Set: true}, model.Location{File: name + "/system.reg", Line: 57}, "set")
	default:
		h.Facts.NLBSFlags = model.Known(model.NLBSFlagsInfo{Found: "is absent"}, model.Location{File: name + "/system.reg"}, "absent")
	}
	return h
}

func TestFailoverEstimates(t *testing.T) {
	yes, no := true, false
	vip := model.Target{IP: netip.MustParseAddr("10.0.0.50"), Backend: "BE1", Origin: "cluster hive"}
	negotiate := model.FilterMatch{Outcome: model.MatchNegotiate}
	// A rule that negotiates ESP 3DES but whose mode is not understood
	// only may decide: whether IPSec is negotiated is not established.
	esp := &model.FilterAction{Name: "Require ESP", Action: model.ActionNegotiate, Methods: []model.QMMethod{{ESP: &model.ESPTransform{Cipher: "3DES", Integrity: "SHA1"}}}}
	maybeRule := &model.Rule{Name: "Mail to BE", FilterAction: esp}
	maybe := model.FilterMatch{Outcome: model.MatchNone, Maybe: []model.Candidate{{Rule: maybeRule, Filter: &model.Filter{FilterSpec: &model.FilterSpec{}}, Why: "the rule's mode is not understood"}}}
	for _, c := range []struct {
		name     string
		fe       *model.Host
		beOS     model.OSFamily
		match    model.FilterMatch
		gap      string
		off      string
		estimate string
		why      string
	}{
		{"2003 with NLBSFlags = 1", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &yes), model.OSWin2003, negotiate, "", "", FailoverFast, "NLBSFlags = 1"},
		{"2003 without NLBSFlags", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &no), model.OSWin2003, negotiate, "", "", FailoverSlow, "is absent"},
		{"Windows 2000 front-end", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2000, nil), model.OSWin2003, negotiate, "", "", FailoverSlow, "Windows 2000"},
		{"unknown Windows version, NLBSFlags absent: 6 either way", failoverHost("FE1", model.RoleFrontEnd, model.OSUnknown, &no), model.OSWin2003, negotiate, "", "", FailoverSlow, "is absent"},
		{"unknown Windows version, NLBSFlags set", failoverHost("FE1", model.RoleFrontEnd, model.OSUnknown, &yes), model.OSWin2003, negotiate, "", "", FailoverUnknown, "Windows version is unknown"},
		{"NLBSFlags not exported", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, nil), model.OSWin2003, negotiate, "", "", FailoverUnknown, "no SYSTEM export"},
		{"IPSec between them not established", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &yes), model.OSWin2003, maybe, "", "", FailoverUnknown, "not established: the rule's mode is not understood"},
		{"no IPSec between them", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &yes), model.OSWin2003, model.FilterMatch{Outcome: model.MatchPermit}, "", "", FailoverNotApplicable, "none of its Exchange traffic"},
		{"IPSec service disabled", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &yes), model.OSWin2003, negotiate, "", "PolicyAgent is disabled", FailoverNotApplicable, "disabled"},
		{"front-end's flows not evaluated", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &yes), model.OSWin2003, negotiate, "policy contents missing", "", FailoverUnknown, "policy contents missing"},
		{"Windows 2000 back-end sends no NLBS_PRESENT", failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &yes), model.OSWin2000, negotiate, "", "", FailoverSlow, "NLBS_PRESENT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			be := failoverHost("BE1", model.RoleBackEnd, c.beOS, nil)
			a := &Analysis{Fleet: &model.Fleet{Hosts: []*model.Host{c.fe, be}, Config: &model.FleetConfig{BackendVirtualAddresses: nil}}, targets: []model.Target{vip}}
			if c.gap != "" {
				a.gap(Outbound, c.fe, c.gap)
			} else {
				a.add(Flow{Side: Outbound, Host: c.fe, Targets: a.targets, Port: 110, Match: c.match, NotApplied: c.off, lo: 0, hi: 1})
			}
			fos := a.Failovers()
			if len(fos) != 1 || len(fos[0].Targets) != 1 || fos[0].Target != vip || fos[0].FrontEnd != c.fe {
				t.Fatalf("got %+v, want one estimate for %s", fos, vip.IP)
			}
			got := fos[0]
			if got.Estimate != c.estimate || !strings.Contains(got.Why, c.why) {
				t.Errorf("got %q (%s), want %q with %q", got.Estimate, got.Why, c.estimate, c.why)
			}
			if (got.Minutes != 0) != (c.estimate == FailoverFast || c.estimate == FailoverSlow) {
				t.Errorf("minutes %d for %q", got.Minutes, got.Estimate)
			}
		})
	}
}

// TestFailoversGrouped: a front-end has one estimate per outcome, each
// listing its addresses, not one per address; the addresses of a
// back-end's own (not clustered) address have none.
func TestFailoversGrouped(t *testing.T) {
	yes := true
	fe := failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &yes)
	be := failoverHost("BE1", model.RoleBackEnd, model.OSWin2003, nil)
	var targets []model.Target
	for _, s := range []string{"172.16.0.5", "172.16.0.50", "172.16.1.50", "172.16.2.50"} {
		targets = append(targets, model.Target{IP: netip.MustParseAddr(s), Backend: "BE1", Origin: "cluster hive"})
	}
	targets[0].Origin = "back-end's own address"
	a := &Analysis{Fleet: &model.Fleet{Hosts: []*model.Host{fe, be}}, targets: targets}
	negotiate := model.FilterMatch{Outcome: model.MatchNegotiate}
	a.add(Flow{Side: Outbound, Host: fe, Targets: targets[0:2], Port: 110, Match: negotiate, lo: 0, hi: 2})
	a.add(Flow{Side: Outbound, Host: fe, Targets: targets[2:3], Port: 110, Match: model.FilterMatch{Outcome: model.MatchPermit}, lo: 2, hi: 3})
	a.add(Flow{Side: Outbound, Host: fe, Targets: targets[3:4], Port: 110, Match: negotiate, lo: 3, hi: 4})
	fos := a.Failovers()
	if len(fos) != 2 {
		t.Fatalf("got %d estimates, want 2: %+v", len(fos), fos)
	}
	if fos[0].Estimate != FailoverFast || len(fos[0].Targets) != 2 || fos[0].Targets[0] != targets[1] || fos[0].Targets[1] != targets[3] {
		t.Errorf("first estimate %+v, want about 2 minutes for %s and %s", fos[0], targets[1].IP, targets[3].IP)
	}
	if fos[1].Estimate != FailoverNotApplicable || len(fos[1].Targets) != 1 || fos[1].Target != targets[2] {
		t.Errorf("second estimate %+v, want not applicable for %s", fos[1], targets[2].IP)
	}
}

// TestFailoverUncertainWhenBackEndSetsNLBSFlags: a Windows Server 2003
// front-end without NLBSFlags takes 6 minutes by KB 821839, but when the
// back-end sets the value itself the estimate is marked uncertain
// (DOMAIN.md §1: which side's value matters is not settled).
func TestFailoverUncertainWhenBackEndSetsNLBSFlags(t *testing.T) {
	yes, no := true, false
	vip := model.Target{IP: netip.MustParseAddr("10.0.0.50"), Backend: "BE1", Origin: "cluster hive"}
	for _, beSets := range []bool{false, true} {
		fe := failoverHost("FE1", model.RoleFrontEnd, model.OSWin2003, &no)
		flag := &no
		if beSets {
			flag = &yes
		}
		be := failoverHost("BE1", model.RoleBackEnd, model.OSWin2003, flag)
		a := &Analysis{Fleet: &model.Fleet{Hosts: []*model.Host{fe, be}}, targets: []model.Target{vip}}
		a.add(Flow{Side: Outbound, Host: fe, Targets: a.targets, Port: 110, Match: model.FilterMatch{Outcome: model.MatchNegotiate}, lo: 0, hi: 1})
		fos := a.Failovers()
		if len(fos) != 1 || fos[0].Estimate != FailoverSlow {
			t.Fatalf("back-end sets NLBSFlags %v: %+v, want about 6 minutes", beSets, fos)
		}
		if got := fos[0].Uncertain != ""; got != beSets || beSets && !strings.Contains(fos[0].Uncertain, "sets Oakley") {
			t.Errorf("back-end sets NLBSFlags %v: uncertain %q", beSets, fos[0].Uncertain)
		}
	}
}
