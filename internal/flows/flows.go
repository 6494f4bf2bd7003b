// Package flows computes, once per audit, the front-end → back-end
// Exchange traffic of a fleet and what each host's IPSec policy does with
// it: for every front-end, a TCP packet to every back-end address on every
// Exchange port, as the front-end's policy decides it (outbound), and the
// same traffic as each back-end's policy decides it (inbound). The rules
// read the flows and the gaps (hosts whose flows could not be evaluated,
// and why) instead of each rebuilding them: the idea of staticcheck's
// analyzers that Require a shared analysis.
//
// The analysis is near-linear in the fleet: a Flow is not one packet but
// every packet of one host, port and own address whose peers (back-end
// addresses for a front-end, front-end addresses for a back-end) no
// address of the host's filters tells apart (model.PeerMatcher.Runs), so
// one match answers them all. A front-end whose policy names the
// back-ends' subnet has one flow per port, however many back-ends the
// fleet has.
package flows

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// TCP is the IP protocol number of TCP.
const TCP = 6

// ExchangePorts are the TCP ports of front-end → back-end Exchange
// traffic: POP3 and IMAP4 (user passwords), HTTP (the message stream,
// OWA), SMTP and the Exchange link state port (DOMAIN.md §1). The traffic
// of design 3 of KB 821839 (LDAP, Kerberos, RPC to domain controllers)
// goes to other hosts and is not among them.
var ExchangePorts = []uint16{110, 143, 80, 25, 691}

// Side says whose policy decides a flow.
type Side uint8

// The sides of a flow.
const (
	// Outbound flows are decided by the front-end's policy: the packet
	// leaves the front-end for the back-end.
	Outbound Side = iota
	// Inbound flows are decided by the back-end's policy: the packet
	// from the front-end arrives at the back-end.
	Inbound
)

// Flow is front-end → back-end TCP traffic on one port between one
// address of the deciding host and every peer address of a class the
// host's filters do not tell apart, and what the host's policy does with
// it: the same for each of them.
type Flow struct {
	Side Side
	Port uint16
	// lo and hi are the peers' indexes in the analysis' address lists.
	lo, hi int32
	// Host is the host whose policy decides: the front-end of an
	// outbound flow, the back-end of an inbound one.
	Host *model.Host
	// Policy is the host's assigned policy; nil when none is assigned.
	Policy *model.Policy
	// Policies are the policies whose filters decide the flow together:
	// the persistent ones and the assigned one.
	Policies []*model.Policy
	// NotApplied says why the host's assigned policies are not applied
	// (its IPSec service is disabled); "" when they are. The flow is then
	// decided by no filter at all.
	NotApplied string
	// From is the address an outbound flow leaves the front-end from
	// (invalid when the front-end's addresses are unknown); Sources is
	// how many addresses the front-end sends from. Targets are the
	// back-end addresses it goes to, in address order (at least one).
	From    netip.Addr
	Sources int
	Targets []model.Target
	// target is the back-end address an inbound flow arrives at (see
	// Target), one of its host's; Froms are the front-end addresses it
	// comes from, in address order (at least one).
	target *model.Target
	Froms  []Source
	// me are the deciding host's own addresses, for "me" filters (see
	// Packet).
	me []netip.Addr
	// Match is what Policies do with the packet of the first peer (see
	// Packet), the same for every peer of the flow.
	Match model.FilterMatch
}

// Target is the back-end address an inbound flow arrives at; the zero
// Target for an outbound flow.
func (fl Flow) Target() model.Target {
	if fl.target == nil {
		return model.Target{}
	}
	return *fl.target
}

// Packet is the packet of the flow's first peer, as it was matched
// against Policies.
func (fl Flow) Packet() model.Packet {
	p := model.Packet{Me: fl.me, Protocol: TCP, DstPort: fl.Port}
	if fl.Side == Inbound {
		p.Dst, p.DstIsMe = fl.Target().IP, true
		if len(fl.Froms) > 0 {
			p.Src = fl.Froms[0].IP
		}
		return p
	}
	p.Src, p.SrcIsMe = fl.From, true
	if len(fl.Targets) > 0 {
		p.Dst = fl.Targets[0].IP
	}
	return p
}

// Source is an address a front-end sends Exchange traffic from.
type Source struct {
	FrontEnd *model.Host
	IP       netip.Addr
}

// Peers is how many peer addresses the flow covers.
func (fl Flow) Peers() int {
	if fl.Side == Inbound {
		return len(fl.Froms)
	}
	return len(fl.Targets)
}

// PeerIP returns the i-th peer's address: a back-end address (outbound),
// a front-end address (inbound).
func (fl Flow) PeerIP(i int) netip.Addr {
	if fl.Side == Inbound {
		return fl.Froms[i].IP
	}
	return fl.Targets[i].IP
}

// Encrypted reports whether the flow is certainly encrypted (see Verdict).
func (fl Flow) Encrypted() bool { v, _ := fl.Verdict(); return v == Encrypted }

// Encrypts reports whether a match negotiates and offers at least one
// method known to encrypt.
func Encrypts(m model.FilterMatch) bool {
	if m.Outcome != model.MatchNegotiate {
		return false
	}
	for _, q := range m.Methods {
		if q.Confidential() && q.Doubt == "" {
			return true
		}
	}
	return false
}

// Verdict is whether a flow is encrypted, as far as the evidence tells.
type Verdict int

// The verdicts on a flow.
const (
	// NotEncrypted: the deciding filter permits, blocks, or negotiates
	// only methods that do not encrypt; or nothing matches.
	NotEncrypted Verdict = iota
	// Encrypted: the deciding filter negotiates a method that encrypts.
	Encrypted
	// Uncertain: filters whose order is not documented disagree, and one
	// would encrypt where another would not.
	Uncertain
	// Undetermined: the evidence cannot tell (the action lists no
	// methods, or a filter whose addresses are unknown could decide).
	Undetermined
)

// Verdict says whether the flow is encrypted, and why when that is not
// certain.
func (fl Flow) Verdict() (Verdict, string) {
	m := fl.Match
	v, why := encryption(m, fl)
	if v == Undetermined {
		return v, why
	}
	for _, c := range m.Maybe {
		if cv, _ := candidateEncryption(c, fl); cv != v {
			return Undetermined, c.Why + "; that filter (" + c.Filter.String() + ", rule \"" + c.Rule.Name + "\") would decide it otherwise"
		}
	}
	for _, c := range m.Unread {
		if cv, _ := candidateEncryption(c, fl); cv != v {
			return Undetermined, c.Why + ": rule \"" + c.Rule.Name + "\" may hold a filter that decides it otherwise"
		}
	}
	for _, c := range m.Ties {
		if cv, _ := candidateEncryption(c, fl); cv != v {
			return Uncertain, "filter " + m.Filter.String() + " of rule \"" + m.Rule.Name + "\" and filter " + c.Filter.String() + " of rule \"" + c.Rule.Name + "\" both match and neither is more specific than the other; Windows' choice between them is not documented"
		}
	}
	if why := persistentDoubt(m, v, fl); why != "" {
		return Uncertain, why
	}
	return v, ""
}

// persistentDoubt says why verdict v, decided by a filter of the local or
// domain policy, may be wrong because a less specific filter of the
// persistent store matches too and would decide otherwise: the
// persistent policy "adds to or overrides" the other ("Assigning IPSec
// Policies Locally"), and whether it overrides where they conflict is not
// documented. "" when both readings agree.
func persistentDoubt(m model.FilterMatch, v Verdict, fl Flow) string {
	if m.Policy == nil || m.Policy.Store == model.StorePersistent {
		return ""
	}
	for _, c := range m.Candidates { // most specific first
		if c.Policy == nil || c.Policy.Store != model.StorePersistent {
			continue
		}
		if cv, _ := candidateEncryption(c, fl); cv != v {
			return "filter " + c.Filter.String() + " of rule \"" + c.Rule.Name + "\" of the persistent policy \"" + c.Policy.Name + "\" matches too and would decide it otherwise: the persistent policy adds to or overrides the local or domain policy (Microsoft, \"Assigning IPSec Policies Locally\"), and which one wins where their filters conflict is not documented"
		}
		return "" // under either reading, this filter or the deciding one decides alike
	}
	return ""
}

// MayNegotiate says why the flow, which no filter surely negotiates IPSec
// for, may be negotiated all the same (its verdict is undetermined: a
// filter whose action, mode or addresses are not established could decide
// it); "" when it is negotiated for sure, or surely not.
func (fl Flow) MayNegotiate() string {
	if fl.Match.Outcome == model.MatchNegotiate {
		return ""
	}
	if v, why := fl.Verdict(); v == Undetermined {
		return why
	}
	return ""
}

// encryption judges the deciding filter of a match.
func encryption(m model.FilterMatch, fl Flow) (Verdict, string) {
	if m.Rule == nil {
		return NotEncrypted, ""
	}
	return candidateEncryption(model.Candidate{Rule: m.Rule, Filter: m.Filter}, fl)
}

// candidateEncryption judges what one filter's rule does with the flow.
func candidateEncryption(c model.Candidate, fl Flow) (Verdict, string) {
	a := c.Rule.FilterAction
	if a != nil {
		if d := a.Doubts.About("action"); d != nil {
			// It may negotiate as well as permit or block.
			return Undetermined, "what filter action \"" + a.Name + "\" does is not established: " + d.Reason
		}
	}
	if a == nil || a.Action != model.ActionNegotiate {
		return NotEncrypted, ""
	}
	if d := a.Doubts.About("qmSecMethods"); d != nil && len(a.Methods) == 0 {
		return Undetermined, "the security methods of filter action \"" + a.Name + "\" were not understood: " + d.Reason
	}
	if len(a.Methods) == 0 {
		return Undetermined, "filter action \"" + a.Name + "\" negotiates but lists no quick-mode security method in the export; netsh's defaults then apply, and ipseclint does not know them"
	}
	known, doubt := false, ""
	for _, q := range a.Methods {
		switch {
		case q.Doubt != "":
			doubt = q.Doubt
		case q.Confidential():
			known = true
		}
	}
	if !known && doubt != "" {
		return Undetermined, "whether filter action \"" + a.Name + "\" encrypts is not established: " + doubt
	}
	if !known {
		return NotEncrypted, ""
	}
	if ep := c.Rule.TunnelEndpoint; ep != "" && fl.Side == Outbound && ep != fl.Targets[0].IP.String() {
		if _, err := netip.ParseAddr(ep); err != nil {
			return Undetermined, "rule \"" + c.Rule.Name + "\" tunnels it to " + ep + ", a name whose address is not known offline: whether the tunnel ends at the back-end is not established"
		}
		return NotEncrypted, ""
	}
	return Encrypted, ""
}

// TunnelGap says why a flow decided by a tunnel rule is not protected to
// the back-end: the tunnel ends at another address, so the last hop is
// in clear; "" when the flow is not tunnelled, or tunnelled to the
// back-end itself. (A tunnel end-point is a class of its own, so either
// every target of the flow is the end-point or none is.)
func (fl Flow) TunnelGap() string {
	r := fl.Match.Rule
	if r == nil || r.TunnelEndpoint == "" || fl.Side != Outbound || r.TunnelEndpoint == fl.Targets[0].IP.String() {
		return ""
	}
	to := "the back-end " + fl.Targets[0].IP.String()
	if len(fl.Targets) > 1 {
		to = "the back-ends"
	}
	return "rule \"" + r.Name + "\" tunnels it to " + r.TunnelEndpoint + ", not to " + to + ": from the tunnel's end to the back-end it crosses the network in clear (KB 821839 protects this traffic in transport mode)"
}

// Reply is the packet that answers the flow's packet: addresses and
// ports swapped.
func (fl Flow) Reply() model.Packet {
	p := fl.Packet()
	return model.Packet{Src: p.Dst, Dst: p.Src, SrcIsMe: p.DstIsMe, DstIsMe: p.SrcIsMe, Me: p.Me,
		Protocol: p.Protocol, SrcPort: p.DstPort, DstPort: p.SrcPort}
}

// Gap is a host whose flows on one side could not be evaluated, and why.
type Gap struct {
	Side   Side
	Host   *model.Host
	Reason string
	// Backends are the back-ends whose addresses are unknown, when the
	// gap is a front-end's flows to them only (its flows to the other
	// back-ends are evaluated); nil when none of the host's flows on the
	// side could be evaluated.
	Backends []*model.Host
}

// Whole reports whether the gap is every flow of its host on its side.
func (g Gap) Whole() bool { return len(g.Backends) == 0 }

// UnknownBackend is a back-end whose addresses are unknown (the model's
// BackendGap).
type UnknownBackend = model.BackendGap

// unknownGap is the gap of front-end h's flows to the back-ends whose
// addresses are unknown.
func unknownGap(h *model.Host, unknown []UnknownBackend) Gap {
	whys := make([]string, len(unknown))
	var hosts []*model.Host
	for i, u := range unknown {
		whys[i] = u.Why
		if u.Host != nil {
			hosts = append(hosts, u.Host)
		}
	}
	return Gap{Side: Outbound, Host: h, Reason: "the back-end's addresses are unknown: " + strings.Join(whys, "; "), Backends: hosts}
}

// Analysis is the flows of a fleet and the gaps, in a fixed order:
// front-ends (outbound) before back-ends (inbound), hosts in fleet order,
// then port (in ExchangePorts order), then the host's own address, then
// the peers' addresses.
type Analysis struct {
	Fleet *model.Fleet
	Flows []Flow
	Gaps  []Gap
	// targets are the back-end addresses, sorted; sources the front-end
	// addresses, sorted. Flows' Targets and Froms are slices of them.
	// unknown are the back-ends whose addresses are unknown; known says
	// targets and unknown were computed (an analysis built by hand may
	// set targets only).
	targets []model.Target
	unknown []UnknownBackend
	known   bool
	sources []Source
	// byHost indexes Flows by deciding host (each host's flows are one
	// span of them, unless added out of order), gapByHost Gaps.
	byHost    map[*model.Host][]span
	gapByHost map[*model.Host][]int
	// outbound is how many of Flows are outbound; they come first unless
	// mixed is set (an outbound flow added after an inbound one).
	outbound int
	mixed    bool
}

// span is the flows [lo, hi) of Analysis.Flows.
type span struct{ lo, hi int }

// Analyze computes the flows of fleet f, on GOMAXPROCS goroutines (see
// AnalyzeWorkers).
func Analyze(f *model.Fleet) *Analysis { return AnalyzeWorkers(f, 0) }

// AnalyzeWorkers computes the flows of fleet f, each host's on one of at
// most Workers(workers) goroutines: each host's flows depend on the fleet
// (read, never changed) and that host only, and are put together in the
// analysis' order, so the analysis is the same whatever the number of
// workers.
func AnalyzeWorkers(f *model.Fleet, workers int) *Analysis {
	a := &Analysis{Fleet: f}
	jobs := append(a.outboundJobs(), a.inboundJobs()...)
	results := make([]hostFlows, len(jobs))
	scratch := make([]worker, Workers(workers))
	Parallel(len(jobs), workers, func(w, i int) { results[i] = jobs[i](&scratch[w]) })
	a.assemble(results)
	return a
}

// hostFlows is what the analysis of one host on one side found: its
// gaps, then its flows.
type hostFlows struct {
	gaps  []Gap
	flows []Flow
}

// job analyses one host on one side with a worker's scratch memory.
type job func(w *worker) hostFlows

// worker is the scratch memory of one goroutine of the analysis, used
// again for host after host: nothing of it outlives a host's job but
// what the job copies out.
type worker struct {
	ms     []model.PeerMatcher
	splits model.Splits
	bounds []netip.Prefix
	runs   []model.PeerRun
	// slab holds hosts' flows one after another (one allocation for many
	// hosts, not one each); the flows of the host at hand are
	// slab[start:].
	slab  []Flow
	start int
}

// slabFlows is how many flows a worker's slab holds at least.
const slabFlows = 1024

// matchers returns n matchers of w's (one per own address of a host),
// to Reset: their memory is used again host after host.
func (w *worker) matchers(n int) []model.PeerMatcher {
	if len(w.ms) < n {
		w.ms = append(w.ms, make([]model.PeerMatcher, n-len(w.ms))...)
	}
	return w.ms[:n]
}

// hostSplits returns the boundaries of host h as Splits, in w's memory.
func (w *worker) hostSplits(h *model.Host) *model.Splits {
	w.bounds = appendBoundaries(w.bounds[:0], h)
	return w.splits.Reset(w.bounds)
}

// push adds a flow of the host at hand. When the slab is full, the
// host's flows so far move to a new one; the earlier hosts' stay where
// they are.
func (w *worker) push(fl Flow) {
	if len(w.slab) == cap(w.slab) {
		own := w.slab[w.start:]
		w.slab = append(make([]Flow, 0, max(slabFlows, 2*len(own))), own...)
		w.start = 0
	}
	w.slab = append(w.slab, fl)
}

// done returns the flows pushed for the host at hand (none of another
// host's flows overlaps them) and starts the next host's.
func (w *worker) done(gaps []Gap) hostFlows {
	hf := hostFlows{gaps: gaps, flows: w.slab[w.start:len(w.slab):len(w.slab)]}
	w.start = len(w.slab)
	clear(w.runs) // let the answers' pointers go
	return hf
}

// assemble puts the hosts' gaps and flows together, in order.
func (a *Analysis) assemble(results []hostFlows) {
	nf, ng := 0, 0
	for _, r := range results {
		nf, ng = nf+len(r.flows), ng+len(r.gaps)
	}
	a.Flows, a.Gaps = make([]Flow, 0, nf), make([]Gap, 0, ng)
	a.byHost, a.gapByHost = make(map[*model.Host][]span, len(results)), map[*model.Host][]int{}
	for _, r := range results {
		for _, g := range r.gaps {
			a.addGap(g)
		}
		a.addAll(r.flows)
	}
}

// Of returns the flows on side whose port is one of ports (all ports
// when none is given), in the analysis' order. The flows of every port
// are a slice of Flows (without room to append into it): read them, do
// not change them.
func (a *Analysis) Of(side Side, ports ...uint16) []Flow {
	lo, hi := a.sideRange(side)
	if a.mixed {
		lo, hi = 0, len(a.Flows)
	}
	return a.filter(lo, hi, func(fl *Flow) bool { return fl.Side == side }, ports)
}

// All returns the flows on either side whose port is one of ports (all
// ports when none is given): Of(Outbound, ports...) followed by
// Of(Inbound, ports...), a slice of Flows when that is what they are.
func (a *Analysis) All(ports ...uint16) []Flow {
	if a.mixed {
		return append(a.Of(Outbound, ports...), a.Of(Inbound, ports...)...)
	}
	return a.filter(0, len(a.Flows), func(*Flow) bool { return true }, ports)
}

// filter returns the flows of Flows[lo:hi] that keep holds on one of
// ports: the slice itself when that is every flow of it.
func (a *Analysis) filter(lo, hi int, keep func(*Flow) bool, ports []uint16) []Flow {
	if len(ports) == 0 || allPorts(ports) {
		if !a.mixed {
			return a.Flows[lo:hi:hi]
		}
		ports = ExchangePorts
	}
	n := 0
	for i := lo; i < hi; i++ {
		if fl := &a.Flows[i]; keep(fl) && slices.Contains(ports, fl.Port) {
			n++
		}
	}
	out := make([]Flow, 0, n)
	for i := lo; i < hi; i++ {
		if fl := &a.Flows[i]; keep(fl) && slices.Contains(ports, fl.Port) {
			out = append(out, *fl)
		}
	}
	return out
}

// allPorts reports whether ports holds every Exchange port.
func allPorts(ports []uint16) bool {
	for _, p := range ExchangePorts {
		if !slices.Contains(ports, p) {
			return false
		}
	}
	return true
}

// sideRange is where the flows of side are in Flows: the outbound ones
// come first, then the inbound ones.
func (a *Analysis) sideRange(side Side) (lo, hi int) {
	if side == Outbound {
		return 0, a.outbound
	}
	return a.outbound, len(a.Flows)
}

// OfHost returns the flows host h's policy decides, on either side: a
// slice of Flows (without room to append into it) when they are
// consecutive there, as the analysis makes them. Read them, do not
// change them.
func (a *Analysis) OfHost(h *model.Host) []Flow {
	spans := a.byHost[h]
	if len(spans) == 1 {
		s := spans[0]
		return a.Flows[s.lo:s.hi:s.hi]
	}
	var out []Flow
	for _, s := range spans {
		out = append(out, a.Flows[s.lo:s.hi]...)
	}
	return out
}

// GapsOf returns the gaps on side, in order.
func (a *Analysis) GapsOf(side Side) []Gap {
	var out []Gap
	for _, g := range a.Gaps {
		if g.Side == side {
			out = append(out, g)
		}
	}
	return out
}

// HostGaps returns the reasons host h's flows could not be evaluated, on
// either side.
func (a *Analysis) HostGaps(h *model.Host) []string {
	var out []string
	for _, j := range a.gapByHost[h] {
		out = append(out, a.Gaps[j].Reason)
	}
	return out
}

func (a *Analysis) gap(side Side, h *model.Host, reason string) {
	a.addGap(Gap{Side: side, Host: h, Reason: reason})
}

// addGap appends g to Gaps and indexes it by host.
func (a *Analysis) addGap(g Gap) {
	if a.gapByHost == nil {
		a.gapByHost = map[*model.Host][]int{}
	}
	a.gapByHost[g.Host] = append(a.gapByHost[g.Host], len(a.Gaps))
	a.Gaps = append(a.Gaps, g)
}

func (a *Analysis) add(fl Flow) { a.addAll([]Flow{fl}) }

// addAll appends fls to Flows and indexes them: a run of flows of one
// host costs one look-up of its spans, not one per flow.
func (a *Analysis) addAll(fls []Flow) {
	if a.byHost == nil {
		a.byHost = map[*model.Host][]span{}
	}
	for len(fls) > 0 {
		h, n := fls[0].Host, 1
		for n < len(fls) && fls[n].Host == h {
			n++
		}
		lo := len(a.Flows)
		for i := range fls[:n] {
			if fls[i].Side == Outbound {
				a.mixed = a.mixed || a.outbound != lo+i
				a.outbound++
			}
		}
		a.Flows = append(a.Flows, fls[:n]...)
		switch spans := a.byHost[h]; {
		case len(spans) > 0 && spans[len(spans)-1].hi == lo:
			spans[len(spans)-1].hi = lo + n
		default:
			a.byHost[h] = append(spans, span{lo, lo + n})
		}
		fls = fls[n:]
	}
}

// outboundJobs returns the jobs that analyse each front-end's outbound
// flows: to every back-end address, on every port, from each of its own
// addresses.
func (a *Analysis) outboundJobs() []job {
	f := a.Fleet
	frontends := f.WithRole(model.RoleFrontEnd)
	if len(frontends) == 0 {
		return nil
	}
	targets, unknown := f.BackendTargets()
	a.targets, a.unknown, a.known = targets, unknown, true
	jobs := make([]job, len(frontends))
	if len(targets) == 0 {
		for i, h := range frontends {
			g := Gap{Side: Outbound, Host: h, Reason: "no back-end is among the exports and no backends.virtual_addresses is declared in ipseclint.yaml"}
			if len(unknown) > 0 {
				g = unknownGap(h, unknown)
			}
			jobs[i] = func(*worker) hostFlows { return hostFlows{gaps: []Gap{g}} }
		}
		return jobs
	}
	ips := make([]netip.Addr, len(targets))
	for i, t := range targets {
		ips[i] = t.IP
	}
	peers := model.NewPeerSet(ips)
	for i, h := range frontends {
		jobs[i] = func(w *worker) hostFlows {
			hf := outboundOf(h, targets, peers, w)
			if len(unknown) > 0 {
				// The flows to the known back-ends are evaluated; those
				// to the others are not, and must not pass unseen.
				hf.gaps = append(hf.gaps, unknownGap(h, unknown))
			}
			return hf
		}
	}
	return jobs
}

// outboundOf analyses front-end h's flows to targets (peers are their
// addresses).
func outboundOf(h *model.Host, targets []model.Target, peers model.PeerSet, w *worker) hostFlows {
	pol, pols, notApplied, caveat, why := policiesOf(h)
	if why != "" {
		return hostFlows{gaps: []Gap{{Side: Outbound, Host: h, Reason: why}}}
	}
	froms, splits := sendsFrom(h), w.hostSplits(h)
	ms := w.matchers(len(froms))
	for i, from := range froms {
		ms[i].Reset(pols, model.Packet{Src: from, SrcIsMe: true, Me: h.Facts.Addresses.Value, Protocol: TCP, DstPort: ExchangePorts[0]}, true)
	}
	for _, port := range ExchangePorts {
		for i, from := range froms {
			m := ms[i].SetPorts(0, port)
			w.runs = m.AppendRuns(w.runs[:0], peers, splits)
			for _, run := range w.runs {
				fl := Flow{Side: Outbound, Host: h, Policy: pol, Policies: pols, From: from, Sources: len(froms), Port: port,
					Targets: targets[run.Start:run.End:run.End], me: h.Facts.Addresses.Value, Match: run.Match, lo: int32(run.Start), hi: int32(run.End)}
				fl.applyService(notApplied, caveat)
				w.push(fl)
			}
		}
	}
	return w.done(nil)
}

// Boundaries returns the address ranges that the flows of host h must not
// straddle, beyond the filters that decide them: every address that any
// filter of any of its policies names (at either end: so that a reply,
// another policy of its store, or a rule made active, answers a whole
// flow alike), its own addresses ("me") and its tunnel end-points (a
// tunnel to the back-end itself is not one to elsewhere). Each range is
// given once, in address order.
func Boundaries(h *model.Host) []netip.Prefix { return appendBoundaries(nil, h) }

// appendBoundaries appends the Boundaries of h to out (emptied first
// would be the caller's choice) and returns it.
func appendBoundaries(out []netip.Prefix, h *model.Host) []netip.Prefix {
	from := len(out)
	add := func(p netip.Prefix) {
		if p.IsValid() {
			out = append(out, p)
		}
	}
	for _, ip := range h.Facts.Addresses.Value {
		if ip.IsValid() && ip.Zone() == "" {
			add(netip.PrefixFrom(ip, ip.BitLen()))
		}
	}
	for _, p := range hostPolicies(h) {
		policyBoundaries(p, add)
	}
	own := out[from:]
	slices.SortFunc(own, comparePrefix)
	return out[:from+len(slices.Compact(own))]
}

// policyBoundaries calls add with each address p names: its rules'
// tunnel endpoints and its filters' IP addresses and DNS names.
func policyBoundaries(p *model.Policy, add func(netip.Prefix)) {
	addAddr := func(a model.Address) {
		if (a.Kind == model.AddrIP || a.Kind == model.AddrDNSName) && a.Net.IsValid() {
			add(a.Net)
		}
	}
	for _, r := range p.Rules {
		if ep, err := netip.ParseAddr(r.TunnelEndpoint); err == nil && ep.Zone() == "" {
			add(netip.PrefixFrom(ep, ep.BitLen()))
		}
		if r.FilterList == nil {
			continue
		}
		for _, fl := range r.FilterList.Filters {
			addAddr(fl.Src)
			addAddr(fl.Dst)
		}
	}
}

// NamesAddresses reports whether the analysis splits the address space
// at something p names (a tunnel endpoint, a filter's IP address or DNS
// name): a policy that names none changes no flow of its host unless it
// is applied.
func NamesAddresses(p *model.Policy) bool {
	names := false
	policyBoundaries(p, func(netip.Prefix) { names = true })
	return names
}

// comparePrefix orders prefixes by address, then length.
func comparePrefix(p, q netip.Prefix) int {
	if c := p.Addr().Compare(q.Addr()); c != 0 {
		return c
	}
	return p.Bits() - q.Bits()
}

// hostPolicies returns every policy of host h: those of its stores and
// those its policy fact names.
func hostPolicies(h *model.Host) []*model.Policy {
	var out []*model.Policy
	for _, s := range h.IPSec {
		out = append(out, s.Policies...)
	}
	for _, p := range h.Facts.Policy.Value.Policies() {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// PolicyToJudge returns the host's assigned policy (nil when none is
// assigned) and every policy whose filters apply with it (the persistent
// ones), or why they cannot be judged.
func PolicyToJudge(h *model.Host) (*model.Policy, []*model.Policy, string) {
	pf := h.Facts.Policy
	switch {
	case !pf.Known:
		return nil, nil, "whether an IPSec policy is assigned is unknown: " + pf.Via
	case pf.Value.State == model.PolicyAssigned && pf.Value.Policy == nil:
		return nil, nil, "IPSec policy \"" + pf.Value.Name + "\" is assigned (" + pf.Via + ") but its contents are not in the exports: " + pf.Value.Missing
	}
	return pf.Value.Policy, pf.Value.Policies(), ""
}

// Location points at what decides the flow: the filter, else the rule,
// else the assigning line or the file that shows no policy.
func (fl Flow) Location() model.Location {
	switch {
	case fl.Match.Filter != nil && !fl.Match.Filter.Loc.IsZero():
		return fl.Match.Filter.Loc
	case fl.Match.Rule != nil && !fl.Match.Rule.Loc.IsZero():
		return fl.Match.Rule.Loc
	case fl.Policy != nil && !fl.Policy.AssignLoc.IsZero():
		return fl.Policy.AssignLoc
	case fl.Policy != nil:
		return fl.Policy.Loc
	}
	if src := fl.Host.Facts.Policy.Source; !src.IsZero() {
		return src
	}
	if nf := fl.Host.NetshFile(); nf != nil {
		return nf.Location("")
	}
	return fl.Host.SoftwareFile().Location("")
}

// Related lists the rule and filter action behind the flow's verdict.
func (fl Flow) Related() []model.Location {
	var locs []model.Location
	if fl.Match.Rule != nil && fl.Match.Filter != nil && !fl.Match.Rule.Loc.IsZero() {
		locs = append(locs, fl.Match.Rule.Loc)
	}
	if fl.Match.Action != nil && !fl.Match.Action.Loc.IsZero() {
		locs = append(locs, fl.Match.Action.Loc)
	}
	return locs
}

// Peer is one peer of a flow: a back-end address (Target, outbound) or a
// front-end address (Source, inbound).
type Peer struct {
	Side   Side
	Target model.Target
	Source Source
}

// IP returns the peer's address.
func (p Peer) IP() netip.Addr {
	if p.Side == Inbound {
		return p.Source.IP
	}
	return p.Target.IP
}

// DistinctPeers returns the peers of fls, each once (flows on several
// ports or from several own addresses share them), outbound ones first,
// each side in address order: the first limit of them (all when limit <
// 0), and how many there are in all. Unless limit < 0 it costs the
// number of flows and limit, not the number of peers.
func DistinctPeers(fls []Flow, limit int) (first []Peer, total int) {
	if limit > 0 {
		first = make([]Peer, 0, limit) // not grown by doubling: a Peer is large
	}
	for _, side := range []Side{Outbound, Inbound} {
		type span struct {
			lo, hi int
			fl     *Flow
		}
		var spans []span
		for i := range fls {
			if fl := &fls[i]; fl.Side == side && fl.hi > fl.lo {
				spans = append(spans, span{int(fl.lo), int(fl.hi), fl})
			}
		}
		slices.SortStableFunc(spans, func(a, b span) int { return a.lo - b.lo })
		next := -1 // the first index not yet counted
		for _, s := range spans {
			from := max(s.lo, next)
			for i := from; i < s.hi && (limit < 0 || len(first) < limit); i++ {
				first = append(first, s.fl.peer(i-s.lo))
			}
			if s.hi > from {
				total += s.hi - from
			}
			next = max(next, s.hi)
		}
	}
	return first, total
}

// peer returns the flow's i-th peer.
func (fl *Flow) peer(i int) Peer {
	if fl.Side == Inbound {
		return Peer{Side: Inbound, Source: fl.Froms[i]}
	}
	return Peer{Side: Outbound, Target: fl.Targets[i]}
}
