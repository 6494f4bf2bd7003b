package flows

import (
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The failover estimates (KB 821839).
const (
	// FailoverFast: a Windows Server 2003 front-end with NLBSFlags = 1
	// (1 minute of idle time, then about 1 minute of IKE).
	FailoverFast = "about 2 minutes"
	// FailoverSlow: without NLBSFlags, or on Windows 2000 (5 minutes of
	// idle time, then about 1 minute of IKE).
	FailoverSlow = "about 6 minutes"
	// FailoverNotApplicable: no IPSec between the two, so nothing waits
	// for a security association to time out.
	FailoverNotApplicable = "not applicable"
	// FailoverUnknown: the evidence does not tell; Why says what is missing.
	FailoverUnknown = "unknown"
)

// Failover is the IPSec recovery a front-end will see after a clustered
// back-end fails over: it keeps its security association to the virtual
// address until the IPSec idle timer expires, then renegotiates IKE
// (KB 821839).
type Failover struct {
	FrontEnd *model.Host
	// Target is the back-end's virtual (cluster or NLB) address.
	Target model.Target
	// Estimate is FailoverFast, FailoverSlow, FailoverNotApplicable or
	// FailoverUnknown; Minutes is 2 or 6, 0 for the others.
	Estimate string
	Minutes  int
	// Why says what the estimate rests on, or what is missing.
	Why string
	// Loc is the deciding evidence: the NLBSFlags value, the Windows
	// version.
	Loc model.Location
	// Uncertain says why the estimate may be wrong; "" when the KB's
	// figures apply as they stand.
	Uncertain string
}

// Failovers estimates the recovery of every front-end → clustered
// back-end pair, in front-end and address order.
func (a *Analysis) Failovers() []Failover {
	targets, _ := a.Fleet.BackendTargets()
	var out []Failover
	for _, h := range a.Fleet.WithRole(model.RoleFrontEnd) {
		for _, t := range targets {
			if !clusteredTarget(t) {
				continue
			}
			out = append(out, a.failover(h, t))
		}
	}
	return out
}

// clusteredTarget reports whether an address fails over: a server
// cluster's or NLB cluster's virtual address, or one declared as such.
func clusteredTarget(t model.Target) bool {
	return t.Origin != "back-end's own address"
}

func (a *Analysis) failover(h *model.Host, t model.Target) Failover {
	f := Failover{FrontEnd: h, Target: t, Estimate: FailoverUnknown}
	for _, g := range a.Gaps {
		if g.Host == h && g.Side == Outbound {
			f.Why = g.Reason
			return f
		}
	}
	negotiated, notApplied := false, ""
	for _, fl := range a.Flows {
		if fl.Host == h && fl.Side == Outbound && fl.Target.IP == t.IP {
			notApplied = fl.NotApplied
			if fl.Match.Outcome == model.MatchNegotiate {
				negotiated = true
			}
		}
	}
	switch {
	case notApplied != "":
		f.Estimate, f.Why = FailoverNotApplicable, notApplied
		return f
	case !negotiated:
		f.Estimate, f.Why = FailoverNotApplicable, "the front-end's policy negotiates IPSec for none of its Exchange traffic to this address"
		return f
	}
	f = timerEstimate(h, f)
	if be := a.Fleet.Host(t.Backend); be != nil && f.Minutes == 2 {
		if os := be.Facts.OS; os.Known && os.Value.Family == model.OSWin2000 {
			f.Estimate, f.Minutes = FailoverSlow, 6
			f.Why = "the back-end " + be.Name + " runs Windows 2000, which does not send the NLBS_PRESENT vendor ID ([MS-IKEE] <22>) that shortens the front-end's idle timer to 1 minute (§3.5.1): 5 minutes of idle time, then about 1 minute of IKE"
			f.Uncertain = "how NLBSFlags on the front-end relates to the vendor ID is not settled by public sources"
		}
	}
	return f
}

// timerEstimate applies KB 821839 to a front-end that negotiates IPSec
// with the back-end.
func timerEstimate(h *model.Host, f Failover) Failover {
	os, nf := h.Facts.OS, h.Facts.NLBSFlags
	switch {
	case os.Known && os.Value.Family == model.OSWin2000:
		f.Estimate, f.Minutes, f.Loc = FailoverSlow, 6, os.Source
		f.Why = "Windows 2000: the IPSec idle time cannot be set below 5 minutes, then about 1 minute of IKE"
	case os.Known && os.Value.Family != model.OSWin2003:
		f.Why = "the front-end runs " + string(os.Value.Family) + ", for which KB 821839 gives no figure"
	case !nf.Known:
		f.Why = nf.Via
	case !nf.Value.Set:
		f.Estimate, f.Minutes, f.Loc = FailoverSlow, 6, nf.Source
		f.Why = "Oakley\\NLBSFlags " + nf.Value.Found + ": 5 minutes of IPSec idle time, then about 1 minute of IKE"
	case !os.Known:
		f.Loc = nf.Source
		f.Why = "Oakley\\NLBSFlags = 1 gives about 2 minutes on Windows Server 2003, but the Windows version is unknown (" + strings.TrimSuffix(os.Via, ".") + ")"
	default:
		f.Estimate, f.Minutes, f.Loc = FailoverFast, 2, nf.Source
		f.Why = "Windows Server 2003 with Oakley\\NLBSFlags = 1: 1 minute of IPSec idle time, then about 1 minute of IKE"
	}
	return f
}
