// Package flows computes, once per audit, the front-end → back-end
// Exchange traffic of a fleet and what each host's IPSec policy does with
// it: for every front-end, a TCP packet to every back-end address on every
// Exchange port, as the front-end's policy decides it (outbound), and the
// same traffic as each back-end's policy decides it (inbound). The rules
// read the flows and the gaps (hosts whose flows could not be evaluated,
// and why) instead of each rebuilding them: the idea of staticcheck's
// analyzers that Require a shared analysis.
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
type Side int

// The sides of a flow.
const (
	// Outbound flows are decided by the front-end's policy: the packet
	// leaves the front-end for the back-end.
	Outbound Side = iota
	// Inbound flows are decided by the back-end's policy: the packet
	// from the front-end arrives at the back-end.
	Inbound
)

// Flow is one front-end → back-end TCP flow on one port, and what one
// host's policy does with it.
type Flow struct {
	Side Side
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
	// FrontEnd and From are the front-end and the address it sends from
	// (From is invalid when the front-end's addresses are unknown).
	FrontEnd *model.Host
	From     netip.Addr
	// Sources is how many addresses the front-end sends from; subjects
	// name From only when there are several.
	Sources int
	// Target is the back-end address.
	Target model.Target
	Port   uint16
	// Packet is the packet matched against Policy; Match is the answer.
	Packet model.Packet
	Match  model.FilterMatch
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
	return v, ""
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
	if ep := c.Rule.TunnelEndpoint; ep != "" && fl.Side == Outbound && ep != fl.Target.IP.String() {
		return NotEncrypted, ""
	}
	return Encrypted, ""
}

// TunnelGap says why a flow decided by a tunnel rule is not protected to
// the back-end: the tunnel ends at another address, so the last hop is
// in clear; "" when the flow is not tunnelled, or tunnelled to the
// back-end itself.
func (fl Flow) TunnelGap() string {
	r := fl.Match.Rule
	if r == nil || r.TunnelEndpoint == "" || fl.Side != Outbound || r.TunnelEndpoint == fl.Target.IP.String() {
		return ""
	}
	return "rule \"" + r.Name + "\" tunnels it to " + r.TunnelEndpoint + ", not to the back-end " + fl.Target.IP.String() + ": from the tunnel's end to the back-end it crosses the network in clear (KB 821839 protects this traffic in transport mode)"
}

// Reply is the packet that answers the flow's packet: addresses and
// ports swapped.
func (fl Flow) Reply() model.Packet {
	p := fl.Packet
	return model.Packet{Src: p.Dst, Dst: p.Src, SrcIsMe: p.DstIsMe, DstIsMe: p.SrcIsMe, Me: p.Me,
		Protocol: p.Protocol, SrcPort: p.DstPort, DstPort: p.SrcPort}
}

// Gap is a host whose flows on one side could not be evaluated, and why.
type Gap struct {
	Side   Side
	Host   *model.Host
	Reason string
}

// Analysis is the flows of a fleet and the gaps, in a fixed order:
// front-ends (outbound) before back-ends (inbound), hosts in fleet order,
// then port (in ExchangePorts order), then address.
type Analysis struct {
	Fleet *model.Fleet
	Flows []Flow
	Gaps  []Gap
}

// Analyze computes the flows of fleet f.
func Analyze(f *model.Fleet) *Analysis {
	a := &Analysis{Fleet: f}
	a.outbound()
	a.inbound()
	return a
}

// Of returns the flows on side whose port is one of ports (all ports
// when none is given), in the analysis' order.
func (a *Analysis) Of(side Side, ports ...uint16) []Flow {
	var out []Flow
	for _, fl := range a.Flows {
		if fl.Side == side && (len(ports) == 0 || slices.Contains(ports, fl.Port)) {
			out = append(out, fl)
		}
	}
	return out
}

// OfHost returns the flows host h's policy decides, on either side.
func (a *Analysis) OfHost(h *model.Host) []Flow {
	var out []Flow
	for _, fl := range a.Flows {
		if fl.Host == h {
			out = append(out, fl)
		}
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
	for _, g := range a.Gaps {
		if g.Host == h {
			out = append(out, g.Reason)
		}
	}
	return out
}

func (a *Analysis) gap(side Side, h *model.Host, reason string) {
	a.Gaps = append(a.Gaps, Gap{Side: side, Host: h, Reason: reason})
}

func (a *Analysis) outbound() {
	f := a.Fleet
	frontends := f.WithRole(model.RoleFrontEnd)
	if len(frontends) == 0 {
		return
	}
	targets, gaps := f.BackendTargets()
	if len(targets) == 0 {
		why := "no back-end is among the exports and no backends.virtual_addresses is declared in ipseclint.yaml"
		if len(gaps) > 0 {
			why = "the back-end's addresses are unknown: " + strings.Join(gaps, "; ")
		}
		for _, h := range frontends {
			a.gap(Outbound, h, why)
		}
		return
	}
	for _, h := range frontends {
		pol, pols, notApplied, caveat, why := policiesOf(h)
		if why != "" {
			a.gap(Outbound, h, why)
			continue
		}
		froms := sendsFrom(h)
		for _, port := range ExchangePorts {
			for _, from := range froms {
				for _, t := range targets {
					fl := Flow{Side: Outbound, Host: h, Policy: pol, Policies: pols, FrontEnd: h, From: from, Sources: len(froms), Target: t, Port: port,
						Packet: model.Packet{Src: from, SrcIsMe: true, Me: h.Facts.Addresses.Value, Dst: t.IP, Protocol: TCP, DstPort: port}}
					fl.Match = model.MatchPolicies(pols, fl.Packet)
					fl.applyService(notApplied, caveat)
					a.Flows = append(a.Flows, fl)
				}
			}
		}
	}
}

// policiesOf returns the policies that decide the host's flows, or
// notApplied when its IPSec service is disabled (then nothing does,
// whatever the policy holds), or why they cannot be judged.
func policiesOf(h *model.Host) (pol *model.Policy, pols []*model.Policy, notApplied, caveat, why string) {
	notApplied, caveat = serviceState(h)
	if notApplied != "" {
		return nil, nil, notApplied, "", ""
	}
	pol, pols, why = PolicyToJudge(h)
	return pol, pols, "", caveat, why
}

// serviceState says whether the IPSec Policy Agent applies the host's
// policy: notApplied when the service is disabled (no filter is loaded,
// GPIPSEC.md §1.5), caveat when it is set to start manually (whether it
// runs is not known offline).
func serviceState(h *model.Host) (notApplied, caveat string) {
	pf := h.Facts.Policy
	if !pf.Known || (pf.Value.State != model.PolicyAssigned && len(pf.Value.Persistent) == 0) {
		return "", ""
	}
	switch st := h.Service("PolicyAgent"); {
	case st == nil:
	case st.Start == 4:
		return "the IPSec service (PolicyAgent) is disabled, so no filter of its policy is applied", ""
	case st.Start == 3:
		return "", "the IPSec service (PolicyAgent) starts manually: whether it runs, and so whether its policy is applied, is not known offline"
	}
	return "", ""
}

// applyService records the IPSec service's state on the flow.
func (fl *Flow) applyService(notApplied, caveat string) {
	fl.NotApplied = notApplied
	if caveat != "" {
		fl.Match.Uncertain = append(fl.Match.Uncertain, caveat)
	}
}

// sendsFrom returns the addresses a front-end opens connections to the
// back-end from: its own addresses but its NLB cluster (virtual)
// addresses, since an NLB host opens connections from its dedicated
// address (DOMAIN.md §2, NLB). One invalid address when its addresses
// are unknown: "this host", matching "me" filters only.
func sendsFrom(h *model.Host) []netip.Addr {
	var out []netip.Addr
	for _, ip := range h.Facts.Addresses.Value {
		if !slices.Contains(h.Facts.NLB.Value.ClusterIPs, ip) {
			out = append(out, ip)
		}
	}
	if len(out) == 0 {
		return []netip.Addr{{}}
	}
	return out
}

// source is one address a front-end sends Exchange traffic from.
type source struct {
	host *model.Host
	ip   netip.Addr
}

// frontEndSources returns the addresses front-ends send from (see
// sendsFrom). gaps lists front-ends whose addresses are unknown.
func frontEndSources(f *model.Fleet) (srcs []source, gaps []string) {
	for _, h := range f.WithRole(model.RoleFrontEnd) {
		if !h.Facts.Addresses.Known {
			gaps = append(gaps, h.Name+": "+h.Facts.Addresses.Via)
			continue
		}
		for _, ip := range sendsFrom(h) {
			if ip.IsValid() {
				srcs = append(srcs, source{h, ip})
			}
		}
	}
	return srcs, gaps
}

// backEndTargets returns the addresses front-ends reach back-end h on:
// its own targets among all, else the declared virtual addresses that no
// back-end of the exports claims, else its own addresses.
func backEndTargets(h *model.Host, all []model.Target) []model.Target {
	var own, declared []model.Target
	for _, t := range all {
		switch t.Backend {
		case h.Name:
			own = append(own, t)
		case "":
			declared = append(declared, t)
		}
	}
	if len(own) == 0 {
		own = declared
	}
	if len(own) == 0 {
		for _, ip := range h.Facts.Addresses.Value {
			own = append(own, model.Target{IP: ip, Backend: h.Name, Origin: "back-end's own address", Loc: h.Facts.Addresses.Source})
		}
	}
	return own
}

// inbound evaluates, for every back-end, a TCP packet from every
// front-end address to each of the back-end's addresses on each port,
// with the back-end's assigned policy ("me" is the back-end, virtual
// addresses included).
func (a *Analysis) inbound() {
	f := a.Fleet
	backends := f.WithRole(model.RoleBackEnd)
	if len(backends) == 0 {
		return
	}
	srcs, gaps := frontEndSources(f)
	all, _ := f.BackendTargets()
	for _, h := range backends {
		if len(srcs) == 0 {
			why := "no front-end is among the exports, so the addresses the back-end receives Exchange traffic from are unknown"
			if len(gaps) > 0 {
				why = "the front-ends' addresses are unknown: " + strings.Join(gaps, "; ")
			}
			a.gap(Inbound, h, why)
			continue
		}
		dsts := backEndTargets(h, all)
		if len(dsts) == 0 {
			a.gap(Inbound, h, "the back-end's own and virtual addresses are unknown: "+h.Facts.Addresses.Via)
			continue
		}
		pol, pols, notApplied, caveat, why := policiesOf(h)
		if why != "" {
			a.gap(Inbound, h, why)
			continue
		}
		if len(gaps) > 0 {
			a.gap(Inbound, h, "not evaluated for front-ends whose addresses are unknown: "+strings.Join(gaps, "; "))
		}
		a.inboundOf(h, pol, pols, srcs, dsts, notApplied, caveat)
	}
}

func (a *Analysis) inboundOf(h *model.Host, pol *model.Policy, pols []*model.Policy, srcs []source, dsts []model.Target, notApplied, caveat string) {
	me := append([]netip.Addr(nil), h.Facts.Addresses.Value...)
	for _, t := range dsts {
		if !slices.Contains(me, t.IP) {
			me = append(me, t.IP)
		}
	}
	for _, port := range ExchangePorts {
		for _, s := range srcs {
			for _, t := range dsts {
				fl := Flow{Side: Inbound, Host: h, Policy: pol, Policies: pols, Target: t, FrontEnd: s.host, From: s.ip, Port: port,
					Packet: model.Packet{Src: s.ip, Dst: t.IP, DstIsMe: true, Me: me, Protocol: TCP, DstPort: port}}
				fl.Match = model.MatchPolicies(pols, fl.Packet)
				fl.applyService(notApplied, caveat)
				a.Flows = append(a.Flows, fl)
			}
		}
	}
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
