package flows

import (
	"slices"
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
// (KB 821839). One Failover holds for every virtual address in Targets.
type Failover struct {
	FrontEnd *model.Host
	// Target is the first of Targets.
	Target model.Target
	// Targets are the back-ends' virtual (cluster or NLB) addresses the
	// estimate holds for, in address order: one estimate per front-end
	// and outcome, not per address, so that a fleet's estimates grow with
	// its front-ends, not with front-ends × back-ends. The estimate to a
	// clustered back-end whose addresses are unknown has one target that
	// names the back-end and has no (an invalid) IP.
	Targets []model.Target
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

// sameEstimate reports whether two estimates say the same.
func (f Failover) sameEstimate(g Failover) bool {
	return f.Estimate == g.Estimate && f.Minutes == g.Minutes && f.Why == g.Why && f.Loc == g.Loc && f.Uncertain == g.Uncertain
}

// Failovers estimates the recovery of every front-end → clustered
// back-end pair: for each front-end in fleet order, one Failover per
// estimate, each with its addresses, in the order of their first address;
// then one FailoverUnknown per clustered back-end whose addresses are
// unknown (its Target names the back-end, with no address).
func (a *Analysis) Failovers() []Failover {
	targets, unknown := a.targets, a.unknown
	if !a.known {
		t, u := a.Fleet.BackendTargets()
		if targets == nil {
			targets = t
		}
		unknown = u
	}
	fs := failoverSet{win2000: make([]bool, len(targets)), beSetsNLBS: make([]bool, len(targets)), negotiated: make([]negotiation, len(targets)), shared: map[uint64][]sharedTargets{}}
	for _, u := range unknown {
		if u.Clustered() {
			fs.unknown = append(fs.unknown, u)
		}
	}
	for i, t := range targets {
		if !clusteredTarget(t) {
			continue
		}
		fs.clustered = append(fs.clustered, i)
		fs.all = append(fs.all, t)
		if be := a.Fleet.Host(t.Backend); be != nil {
			fs.win2000[i] = be.Facts.OS.Known && be.Facts.OS.Value.Family == model.OSWin2000
			fs.beSetsNLBS[i] = be.Facts.NLBSFlags.Known && be.Facts.NLBSFlags.Value.Set
		}
	}
	if len(fs.clustered) == 0 && len(fs.unknown) == 0 {
		return nil
	}
	frontends := a.Fleet.WithRole(model.RoleFrontEnd)
	out := make([]Failover, 0, 2*len(frontends)) // most front-ends have one or two estimates
	for _, h := range frontends {
		out = a.appendFailovers(out, h, &fs)
	}
	return out
}

// failoverSet is what the estimates of every front-end share: the
// clustered targets (their indexes in the analysis' targets, and the
// targets in order: all), which of the targets are a Windows 2000
// back-end's, the slices of targets made so far (see targetsAt), and
// scratch memory used again for each front-end.
type failoverSet struct {
	clustered []int
	all       []model.Target
	win2000   []bool
	// beSetsNLBS says which targets are a back-end's whose own
	// Oakley\NLBSFlags is 1.
	beSetsNLBS []bool
	shared     map[uint64][]sharedTargets
	// negotiated says, for the front-end at hand, which targets its
	// policy negotiates IPSec with (maybeWhy why it is not established
	// for those it may); members are its groups' positions in all.
	negotiated []negotiation
	maybeWhy   string
	members    [12][]int
	// unknown are the clustered back-ends whose addresses are unknown.
	unknown []UnknownBackend
}

// negotiation is whether a front-end's policy negotiates IPSec with a
// back-end address.
type negotiation uint8

const (
	negotiatesNone  negotiation = iota
	negotiatesMaybe             // the evidence cannot tell (Flow.Verdict is Undetermined)
	negotiatesYes
)

// sharedTargets are the targets at positions ks of all.
type sharedTargets struct {
	ks []int
	ts []model.Target
}

// appendFailovers appends the estimates of front-end h to the clustered
// targets to out, one per estimate. Groups of the same addresses share
// one slice of them (targetsAt), so that front-ends that see the fleet
// alike cost one slice, not one each.
func (a *Analysis) appendFailovers(out []Failover, h *model.Host, fs *failoverSet) []Failover {
	switch gaps := a.gapsOn(h, Outbound); {
	case len(fs.all) == 0:
	case len(gaps) > 0:
		out = append(out, Failover{FrontEnd: h, Target: fs.all[0], Targets: fs.all, Estimate: FailoverUnknown, Why: gaps[0]})
	default:
		out = a.appendKnownFailovers(out, h, fs)
	}
	for _, u := range fs.unknown {
		t := model.Target{Backend: u.Host.Name}
		out = append(out, Failover{FrontEnd: h, Target: t, Targets: []model.Target{t}, Estimate: FailoverUnknown, Why: u.Why})
	}
	return out
}

// appendKnownFailovers appends the estimates of front-end h, whose flows
// were evaluated, to the clustered targets whose addresses are known.
func (a *Analysis) appendKnownFailovers(out []Failover, h *model.Host, fs *failoverSet) []Failover {
	negotiated := fs.negotiated
	clear(negotiated)
	fs.maybeWhy = ""
	notApplied := ""
	for _, s := range a.byHost[h] {
		for j := s.lo; j < s.hi; j++ {
			notApplied = a.outboundNegotiated(j, fs, notApplied)
		}
	}
	first := len(out)   // h's groups are out[first:]
	var groupOf [12]int // by negotiation, Windows 2000 back-end, back-end setting NLBSFlags; -1 for none yet
	for c := range groupOf {
		groupOf[c] = -1
	}
	for k, i := range fs.clustered {
		c := 4*int(negotiated[i]) + 2*b2i(fs.win2000[i]) + b2i(fs.beSetsNLBS[i])
		g := groupOf[c]
		if g < 0 {
			est := estimate(h, negotiated[i], fs.maybeWhy, notApplied, fs.win2000[i])
			if fs.beSetsNLBS[i] && est.Minutes == 6 && est.Uncertain == "" && h.Facts.OS.Value.Family == model.OSWin2003 {
				est.Uncertain = BackEndSetsNLBSFlags(fs.all[k].Backend)
			}
			if g = slices.IndexFunc(out[first:], est.sameEstimate); g < 0 {
				g = len(out) - first
				out = append(out, est)
				fs.members[g] = fs.members[g][:0]
			}
			groupOf[c] = g
		}
		fs.members[g] = append(fs.members[g], k)
	}
	for g := range out[first:] {
		f := &out[first+g]
		f.Targets = fs.targetsAt(fs.members[g])
		f.FrontEnd, f.Target = h, f.Targets[0]
	}
	return out
}

// targetsAt returns the targets at positions ks of all, as the same
// slice for the same positions.
func (fs *failoverSet) targetsAt(ks []int) []model.Target {
	if len(ks) == len(fs.all) {
		return fs.all
	}
	key := uint64(14695981039346656037) // FNV-1a of the positions
	for _, k := range ks {
		key = (key ^ uint64(k)) * 1099511628211
	}
	for _, st := range fs.shared[key] {
		if slices.Equal(st.ks, ks) {
			return st.ts
		}
	}
	ts := make([]model.Target, len(ks))
	for i, k := range ks {
		ts[i] = fs.all[k]
	}
	fs.shared[key] = append(fs.shared[key], sharedTargets{ks: slices.Clone(ks), ts: ts})
	return ts
}

// outboundNegotiated marks in fs the targets flow j negotiates IPSec for,
// or may (its verdict is undetermined: a filter whose action, mode or
// addresses are not established could decide it), when it is outbound,
// and returns why its host's policy is not applied (notApplied when the
// flow is inbound).
func (a *Analysis) outboundNegotiated(j int, fs *failoverSet, notApplied string) string {
	fl := &a.Flows[j]
	if fl.Side != Outbound {
		return notApplied
	}
	state := negotiatesYes
	if fl.Match.Outcome != model.MatchNegotiate {
		why := fl.MayNegotiate()
		if why == "" {
			return fl.NotApplied
		}
		state = negotiatesMaybe
		if fs.maybeWhy == "" {
			fs.maybeWhy = why
		}
	}
	for i := fl.lo; i < fl.hi; i++ {
		fs.negotiated[i] = max(fs.negotiated[i], state)
	}
	return fl.NotApplied
}

// gapsOn returns why none of host h's flows on side could be evaluated
// (the gaps of its flows to back-ends whose addresses are unknown are not
// among them).
func (a *Analysis) gapsOn(h *model.Host, side Side) []string {
	var out []string
	for _, j := range a.gapByHost[h] {
		if g := a.Gaps[j]; g.Side == side && g.Whole() {
			out = append(out, g.Reason)
		}
	}
	return out
}

// clusteredTarget reports whether an address fails over: a server
// cluster's or NLB cluster's virtual address, or one declared as such.
func clusteredTarget(t model.Target) bool {
	return t.Origin != "back-end's own address"
}

// BackEndSetsNLBSFlags is why a Windows Server 2003 front-end without
// NLBSFlags may recover sooner than KB 821839's 6 minutes: the back-ends
// named (a name, or several joined in words) set the value themselves,
// and which side's value matters is not settled (DOMAIN.md §1).
func BackEndSetsNLBSFlags(backends string) string {
	return "the back-end " + backends + " sets Oakley\\NLBSFlags = 1 itself: [MS-IKEE] §3.5 has the cluster side advertise the NLBS_PRESENT vendor ID and its peer shorten the idle timer to 1 minute, which would make it about 2 minutes; KB 821839 names the front-end's value, and public sources do not settle which side's value matters"
}

// estimate is the failover estimate of front-end h to a virtual address
// of a back-end: negotiated says whether h's policy negotiates IPSec for
// any of its Exchange traffic to the address (maybeWhy why that is not
// established, where it may), notApplied why its policy is not applied,
// beWin2000 whether the back-end runs Windows 2000 (each target names its
// back-end).
func estimate(h *model.Host, negotiated negotiation, maybeWhy, notApplied string, beWin2000 bool) Failover {
	f := Failover{Estimate: FailoverUnknown}
	switch {
	case notApplied != "":
		f.Estimate, f.Why = FailoverNotApplicable, notApplied
		return f
	case negotiated == negotiatesMaybe:
		f.Why = "whether the front-end's policy negotiates IPSec with this address is not established: " + maybeWhy
		return f
	case negotiated == negotiatesNone:
		f.Estimate, f.Why = FailoverNotApplicable, "the front-end's policy negotiates IPSec for none of its Exchange traffic to this address"
		return f
	}
	f = timerEstimate(h, f)
	if beWin2000 && f.Minutes == 2 {
		f.Estimate, f.Minutes = FailoverSlow, 6
		f.Why = "the back-end runs Windows 2000, which does not send the NLBS_PRESENT vendor ID ([MS-IKEE] <22>) that shortens the front-end's idle timer to 1 minute (§3.5.1): 5 minutes of idle time, then about 1 minute of IKE"
		f.Uncertain = "how NLBSFlags on the front-end relates to the vendor ID is not settled by public sources"
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

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
