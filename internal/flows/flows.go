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
	// FrontEnd and From are the front-end and the address it sends from
	// (From is invalid when the front-end's addresses are unknown).
	FrontEnd *model.Host
	From     netip.Addr
	// Target is the back-end address.
	Target model.Target
	Port   uint16
	// Packet is the packet matched against Policy; Match is the answer.
	Packet model.Packet
	Match  model.FilterMatch
}

// Encrypted reports whether the flow is encrypted: the deciding filter
// negotiates, and at least one offered method is ESP with a cipher.
func (fl Flow) Encrypted() bool { return Encrypts(fl.Match) }

// Encrypts reports whether a match negotiates and offers at least one
// method that encrypts.
func Encrypts(m model.FilterMatch) bool {
	if m.Outcome != model.MatchNegotiate {
		return false
	}
	for _, q := range m.Methods {
		if q.Confidential() {
			return true
		}
	}
	return false
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
		pol, why := PolicyToJudge(h)
		if why != "" {
			a.gap(Outbound, h, why)
			continue
		}
		for _, port := range ExchangePorts {
			for _, t := range targets {
				fl := Flow{Side: Outbound, Host: h, Policy: pol, FrontEnd: h, Target: t, Port: port,
					Packet: model.Packet{SrcIsMe: true, Me: h.Facts.Addresses.Value, Dst: t.IP, Protocol: TCP, DstPort: port}}
				fl.Match = match(pol, fl.Packet)
				a.Flows = append(a.Flows, fl)
			}
		}
	}
}

// source is one address a front-end sends Exchange traffic from.
type source struct {
	host *model.Host
	ip   netip.Addr
}

// frontEndSources returns the addresses front-ends send from: their own
// addresses but for NLB cluster addresses (connections to the back-end
// leave from the dedicated address, which NLB wants first on the
// adapter). gaps lists front-ends whose addresses are unknown.
func frontEndSources(f *model.Fleet) (srcs []source, gaps []string) {
	for _, h := range f.WithRole(model.RoleFrontEnd) {
		if !h.Facts.Addresses.Known {
			gaps = append(gaps, h.Name+": "+h.Facts.Addresses.Via)
			continue
		}
		var own []source
		for _, ip := range h.Facts.Addresses.Value {
			if !slices.Contains(h.Facts.NLB.Value.ClusterIPs, ip) {
				own = append(own, source{h, ip})
			}
		}
		if len(own) == 0 { // only cluster addresses: keep them
			for _, ip := range h.Facts.Addresses.Value {
				own = append(own, source{h, ip})
			}
		}
		srcs = append(srcs, own...)
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
		pol, why := PolicyToJudge(h)
		if why != "" {
			a.gap(Inbound, h, why)
			continue
		}
		if len(gaps) > 0 {
			a.gap(Inbound, h, "not evaluated for front-ends whose addresses are unknown: "+strings.Join(gaps, "; "))
		}
		a.inboundOf(h, pol, srcs, dsts)
	}
}

func (a *Analysis) inboundOf(h *model.Host, pol *model.Policy, srcs []source, dsts []model.Target) {
	me := append([]netip.Addr(nil), h.Facts.Addresses.Value...)
	for _, t := range dsts {
		if !slices.Contains(me, t.IP) {
			me = append(me, t.IP)
		}
	}
	for _, port := range ExchangePorts {
		for _, s := range srcs {
			for _, t := range dsts {
				fl := Flow{Side: Inbound, Host: h, Policy: pol, Target: t, FrontEnd: s.host, From: s.ip, Port: port,
					Packet: model.Packet{Src: s.ip, Dst: t.IP, DstIsMe: true, Me: me, Protocol: TCP, DstPort: port}}
				fl.Match = match(pol, fl.Packet)
				a.Flows = append(a.Flows, fl)
			}
		}
	}
}

// match is pol.Match, with no policy meaning no filter.
func match(pol *model.Policy, pkt model.Packet) model.FilterMatch {
	if pol == nil {
		return model.FilterMatch{Outcome: model.MatchNone}
	}
	return pol.Match(pkt)
}

// PolicyToJudge returns the host's assigned policy (nil when none is
// assigned), or why it cannot be judged.
func PolicyToJudge(h *model.Host) (*model.Policy, string) {
	pf := h.Facts.Policy
	switch {
	case !pf.Known:
		return nil, "whether an IPSec policy is assigned is unknown: " + pf.Via
	case pf.Value.State == model.PolicyNone:
		return nil, ""
	case pf.Value.Policy == nil:
		how := "add the output of `netsh ipsec static dump` from this host"
		if os := h.Facts.OS; os.Known && os.Value.Family == model.OSWin2000 {
			how = "Windows 2000 has no netsh ipsec context; add the ipsecpol commands that made the policy, if they were kept"
		}
		return nil, "IPSec policy \"" + pf.Value.Name + "\" is assigned (" + pf.Via + ") but its contents are not in the exports: " + how
	}
	return pf.Value.Policy, ""
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
