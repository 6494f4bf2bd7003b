package rules

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Protocol numbers.
const protoTCP = 6

// exchangePorts are the TCP ports of front-end → back-end Exchange
// traffic that the rules on "Exchange traffic" judge: POP3 and IMAP4
// (user passwords), HTTP (the message stream, OWA), SMTP and the Exchange
// link state port (DOMAIN.md §1). The traffic of design 3 of KB 821839
// (LDAP, Kerberos, RPC to domain controllers) goes to other hosts and is
// not among them.
var exchangePorts = []uint16{110, 143, 80, 25, 691}

// flow is one front-end → back-end TCP flow and what one host's assigned
// IPSec policy does with it: the front-end's for an outbound flow, the
// back-end's for an inbound one.
type flow struct {
	Host   *model.Host   // the host whose policy decides
	Policy *model.Policy // nil when the host has no policy assigned
	Target model.Target  // the back-end address
	// Inbound flows are seen from the back-end (Host): a packet from the
	// front-end FrontEnd's address From to Target.
	Inbound  bool
	FrontEnd *model.Host
	From     netip.Addr
	Port     uint16
	// Packet is the packet matched against Policy; Match is the answer.
	Packet model.Packet
	Match  model.FilterMatch
}

// Protected reports whether the flow is encrypted: the deciding filter
// negotiates, and at least one offered method is ESP with a cipher.
func (fl flow) Protected() bool { return encrypts(fl.Match) }

// encrypts reports whether a match negotiates and offers at least one
// method that encrypts.
func encrypts(m model.FilterMatch) bool {
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

// frontEndFlows evaluates, for every front-end, the TCP flows to every
// back-end address on each port. Front-ends whose policy cannot be judged
// are reported as not evaluated; a front-end with no policy assigned
// yields flows with a nil Policy and MatchNone.
func frontEndFlows(f *model.Fleet, out *Reporter, ports ...uint16) []flow {
	skipUnknownRoles(f, out)
	return outboundFlows(f, out, ports)
}

// backEndFlows evaluates, for every back-end, the TCP flows from every
// front-end address to the back-end on each port, with the back-end's
// own policy (see inboundFlows).
func backEndFlows(f *model.Fleet, out *Reporter, ports ...uint16) []flow {
	skipUnknownRoles(f, out)
	return inboundFlows(f, out, ports)
}

// exchangeFlows is frontEndFlows and backEndFlows together: each flow as
// the front-end's policy and as the back-end's policy sees it.
func exchangeFlows(f *model.Fleet, out *Reporter, ports ...uint16) []flow {
	skipUnknownRoles(f, out)
	return append(outboundFlows(f, out, ports), inboundFlows(f, out, ports)...)
}

func outboundFlows(f *model.Fleet, out *Reporter, ports []uint16) []flow {
	frontends := f.WithRole(model.RoleFrontEnd)
	if len(frontends) == 0 {
		return nil
	}
	targets, gaps := f.BackendTargets()
	if len(targets) == 0 {
		why := "no back-end is among the exports and no backends.virtual_addresses is declared in ipseclint.yaml"
		if len(gaps) > 0 {
			why = "the back-end's addresses are unknown: " + strings.Join(gaps, "; ")
		}
		for _, h := range frontends {
			out.Skip(h, "%s", why)
		}
		return nil
	}
	var flows []flow
	for _, h := range frontends {
		pol, ok := policyToJudge(h, out)
		if !ok {
			continue
		}
		for _, port := range ports {
			for _, t := range targets {
				fl := flow{Host: h, Policy: pol, Target: t, Port: port,
					Packet: model.Packet{SrcIsMe: true, Me: h.Facts.Addresses.Value, Dst: t.IP, Protocol: protoTCP, DstPort: port}}
				fl.Match = matchPolicy(pol, fl.Packet)
				flows = append(flows, fl)
			}
		}
	}
	return flows
}

// source is one address a front-end sends Exchange traffic from.
type source struct {
	Host *model.Host
	IP   netip.Addr
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

// inboundFlows evaluates, for every back-end, a TCP packet from every
// front-end address to each of the back-end's addresses on each port,
// with the back-end's assigned policy ("me" is the back-end, virtual
// addresses included). Back-ends whose policy cannot be judged, or whose
// peers' addresses are unknown, are reported as not evaluated.
func inboundFlows(f *model.Fleet, out *Reporter, ports []uint16) []flow {
	backends := f.WithRole(model.RoleBackEnd)
	if len(backends) == 0 {
		return nil
	}
	srcs, gaps := frontEndSources(f)
	all, _ := f.BackendTargets()
	var flows []flow
	for _, h := range backends {
		if len(srcs) == 0 {
			why := "no front-end is among the exports, so the addresses the back-end receives Exchange traffic from are unknown"
			if len(gaps) > 0 {
				why = "the front-ends' addresses are unknown: " + strings.Join(gaps, "; ")
			}
			out.Skip(h, "%s", why)
			continue
		}
		dsts := backEndTargets(h, all)
		if len(dsts) == 0 {
			out.Skip(h, "the back-end's own and virtual addresses are unknown: %s", h.Facts.Addresses.Via)
			continue
		}
		pol, ok := policyToJudge(h, out)
		if !ok {
			continue
		}
		if len(gaps) > 0 {
			out.Skip(h, "not evaluated for front-ends whose addresses are unknown: %s", strings.Join(gaps, "; "))
		}
		me := append([]netip.Addr(nil), h.Facts.Addresses.Value...)
		for _, t := range dsts {
			if !slices.Contains(me, t.IP) {
				me = append(me, t.IP)
			}
		}
		for _, port := range ports {
			for _, s := range srcs {
				for _, t := range dsts {
					fl := flow{Host: h, Policy: pol, Target: t, Inbound: true, FrontEnd: s.Host, From: s.IP, Port: port,
						Packet: model.Packet{Src: s.IP, Dst: t.IP, DstIsMe: true, Me: me, Protocol: protoTCP, DstPort: port}}
					fl.Match = matchPolicy(pol, fl.Packet)
					flows = append(flows, fl)
				}
			}
		}
	}
	return flows
}

// matchPolicy is pol.Match, with no policy meaning no filter.
func matchPolicy(pol *model.Policy, pkt model.Packet) model.FilterMatch {
	if pol == nil {
		return model.FilterMatch{Outcome: model.MatchNone}
	}
	return pol.Match(pkt)
}

// reversePacket is the reply to a flow's packet: addresses and ports
// swapped.
func reversePacket(p model.Packet) model.Packet {
	return model.Packet{Src: p.Dst, Dst: p.Src, SrcIsMe: p.DstIsMe, DstIsMe: p.SrcIsMe, Me: p.Me,
		Protocol: p.Protocol, SrcPort: p.DstPort, DstPort: p.SrcPort}
}

// flowsOf returns the flows whose policy is h's.
func flowsOf(flows []flow, h *model.Host) []flow {
	var out []flow
	for _, fl := range flows {
		if fl.Host == h {
			out = append(out, fl)
		}
	}
	return out
}

// policyToJudge returns the host's assigned policy (nil when none is
// assigned), or ok=false after reporting why it cannot be judged.
func policyToJudge(h *model.Host, out *Reporter) (*model.Policy, bool) {
	pf := h.Facts.Policy
	switch {
	case !pf.Known:
		out.Skip(h, "whether an IPSec policy is assigned is unknown: %s", pf.Via)
		return nil, false
	case pf.Value.State == model.PolicyNone:
		return nil, true
	case pf.Value.Policy == nil:
		how := "add the output of `netsh ipsec static dump` from this host"
		if os := h.Facts.OS; os.Known && os.Value.Family == model.OSWin2000 {
			how = "Windows 2000 has no netsh ipsec context; add the ipsecpol commands that made the policy, if they were kept"
		}
		out.Skip(h, "IPSec policy %q is assigned (%s) but its contents are not in the exports: %s", pf.Value.Name, pf.Via, how)
		return nil, false
	}
	return pf.Value.Policy, true
}

// flowLocation points at what decides the flow: the filter, else the
// rule, else the assigning line or the file that shows no policy.
func flowLocation(fl flow) model.Location {
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
	if sf := fl.Host.SoftwareFile(); sf != nil {
		return sf.Location("")
	}
	return model.Location{}
}

// flowRelated lists the rule and filter action behind a flow's verdict.
func flowRelated(fl flow) []model.Location {
	var locs []model.Location
	if fl.Match.Rule != nil && fl.Match.Filter != nil && !fl.Match.Rule.Loc.IsZero() {
		locs = append(locs, fl.Match.Rule.Loc)
	}
	if fl.Match.Action != nil && !fl.Match.Action.Loc.IsZero() {
		locs = append(locs, fl.Match.Action.Loc)
	}
	return locs
}

// describeFlow says in words what the policy does with an unprotected
// flow.
func describeFlow(fl flow) string {
	m := fl.Match
	var s string
	switch {
	case fl.Policy == nil:
		s = "no IPSec policy is assigned (" + fl.Host.Facts.Policy.Via + "), so it is sent in clear"
	case m.Outcome == model.MatchNone:
		s = fmt.Sprintf("no filter of the assigned policy %q matches it, so it is sent in clear", fl.Policy.Name)
	case m.Outcome == model.MatchPermit:
		s = fmt.Sprintf("rule %q permits it in clear (filter action %q)", ruleName(m.Rule), actionName(m.Action))
	case m.Outcome == model.MatchBlock:
		s = fmt.Sprintf("rule %q blocks it (filter action %q) instead of encrypting it", ruleName(m.Rule), actionName(m.Action))
	case m.Outcome == model.MatchNegotiate:
		s = fmt.Sprintf("rule %q negotiates only %s, which does not encrypt", ruleName(m.Rule), methodList(m.Methods))
	}
	if len(m.Uncertain) > 0 {
		s += " (uncertain: " + strings.Join(m.Uncertain, "; ") + ")"
	}
	return s
}

func ruleName(r *model.Rule) string {
	if r == nil {
		return "?"
	}
	return r.Name
}

func actionName(a *model.FilterAction) string {
	if a == nil {
		return "?"
	}
	return a.Name
}

func methodList(ms []model.QMMethod) string {
	if len(ms) == 0 {
		return "no security method"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.Text
	}
	return strings.Join(parts, " ")
}

// targetName names a back-end address for messages.
func targetName(t model.Target) string {
	s := t.IP.String()
	if t.Backend != "" {
		s += " (" + t.Backend + ", " + t.Origin + ")"
	} else {
		s += " (" + t.Origin + ")"
	}
	return s
}

func flowSubject(fl flow) string {
	switch {
	case fl.Policy == nil:
		return fmt.Sprintf("tcp/%d", fl.Port)
	case fl.Inbound:
		return fmt.Sprintf("tcp/%d %s -> %s", fl.Port, fl.From, fl.Target.IP)
	}
	return fmt.Sprintf("tcp/%d -> %s", fl.Port, fl.Target.IP)
}

// peerName names the other end of a flow for messages: the back-end
// address of an outbound flow, the front-end of an inbound one.
func peerName(fl flow) string {
	if fl.Inbound {
		return fmt.Sprintf("front-end %s (%s) to %s", fl.FrontEnd.Name, fl.From, fl.Target.IP)
	}
	return targetName(fl.Target)
}

// peersName names the other ends of the flows of a host without policy.
func peersName(fls []flow) string {
	var parts []string
	for _, fl := range fls {
		p := fl.Target.IP.String()
		if fl.Inbound {
			p = fl.FrontEnd.Name + " " + fl.From.String()
		}
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(fls) > 0 && fls[0].Inbound {
		return "the front-ends (" + strings.Join(parts, ", ") + ")"
	}
	return "the back-end (" + strings.Join(parts, ", ") + ")"
}

// reportFlows reports every flow that bad flags, with the message that
// message makes from the flow and its peer in words. The flows of a host
// without any policy are reported once per port, naming every peer.
func reportFlows(flows []flow, out *Reporter, bad func(flow) bool, message func(fl flow, peer string) string) {
	type key struct {
		host string
		port uint16
	}
	noPolicy := map[key][]flow{}
	var order []flow
	for _, fl := range flows {
		if !bad(fl) {
			continue
		}
		if fl.Policy == nil {
			k := key{fl.Host.Name, fl.Port}
			if _, ok := noPolicy[k]; !ok {
				order = append(order, fl)
			}
			noPolicy[k] = append(noPolicy[k], fl)
			continue
		}
		order = append(order, fl)
	}
	for _, fl := range order {
		peer := peerName(fl)
		if fl.Policy == nil {
			peer = peersName(noPolicy[key{fl.Host.Name, fl.Port}])
		}
		f := out.Report(fl.Host, flowSubject(fl), flowLocation(fl), "%s", message(fl, peer))
		f.Related = flowRelated(fl)
	}
}

// reportUnprotected reports every flow that is not encrypted. Flows of a
// host without any policy are reported once per port, listing every
// address.
func reportUnprotected(flows []flow, out *Reporter, why string) {
	reportFlows(flows, out, func(fl flow) bool { return !fl.Protected() }, func(fl flow, peer string) string {
		return fmt.Sprintf("%s (TCP %d) from front-end %s to %s is not encrypted: %s; %s",
			portName(fl.Port), fl.Port, fl.Host.Name, peer, describeFlow(fl), why)
	})
}

// decision is one rule of a host's assigned policy with the Exchange
// flows it decides by negotiating IPSec.
type decision struct {
	Host   *model.Host
	Policy *model.Policy
	Rule   *model.Rule
	Action *model.FilterAction
	Flows  []flow
}

// negotiatingRules groups the flows decided by a negotiate action by host
// and deciding rule, in the order of the flows.
func negotiatingRules(flows []flow) []*decision {
	type key struct {
		host *model.Host
		rule *model.Rule
	}
	by := map[key]*decision{}
	var out []*decision
	for _, fl := range flows {
		if fl.Match.Outcome != model.MatchNegotiate || fl.Match.Rule == nil {
			continue
		}
		k := key{fl.Host, fl.Match.Rule}
		d := by[k]
		if d == nil {
			d = &decision{Host: fl.Host, Policy: fl.Policy, Rule: fl.Match.Rule, Action: fl.Match.Action}
			by[k] = d
			out = append(out, d)
		}
		d.Flows = append(d.Flows, fl)
	}
	return out
}

// Subject names the rule, stable across runs.
func (d *decision) Subject() string { return fmt.Sprintf("rule %q", d.Rule.Name) }

// ActionLoc is where the rule's filter action is written, else the rule.
func (d *decision) ActionLoc() model.Location {
	switch {
	case d.Action != nil && !d.Action.Loc.IsZero():
		return d.Action.Loc
	case !d.Rule.Loc.IsZero():
		return d.Rule.Loc
	}
	return flowLocation(d.Flows[0])
}

// Related lists the rule and the filters that decide its flows, but for
// loc.
func (d *decision) Related(loc model.Location) []model.Location {
	locs := appendLoc(nil, d.Rule.Loc)
	for _, fl := range d.Flows {
		if fl.Match.Filter != nil {
			locs = appendLoc(locs, fl.Match.Filter.Loc)
		}
	}
	return slices.DeleteFunc(locs, func(l model.Location) bool { return l == loc })
}

// Traffic says in words which traffic the rule decides.
func (d *decision) Traffic() string { return describeTraffic(d.Flows) }

// NoMethods says why the rule's quick-mode methods cannot be judged, or "".
func (d *decision) NoMethods() string {
	if d.Action == nil || len(d.Action.Methods) > 0 {
		return ""
	}
	return fmt.Sprintf("filter action %q of rule %q negotiates but lists no quick-mode security method in the export; netsh's defaults then apply, and ipseclint does not know them", actionName(d.Action), d.Rule.Name)
}

// describeTraffic says which ports and peers flows are about: "POP3 (TCP
// 110) and IMAP4 (TCP 143) to 10.0.0.50", "... from 10.0.0.11 (EXFE01)".
func describeTraffic(flows []flow) string {
	var ports, peers []string
	dir := "to"
	for _, fl := range flows {
		p := fmt.Sprintf("%s (TCP %d)", portName(fl.Port), fl.Port)
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
		peer := fl.Target.IP.String()
		if fl.Inbound {
			dir = "from"
			peer = fmt.Sprintf("%s (%s)", fl.From, fl.FrontEnd.Name)
		}
		if !slices.Contains(peers, peer) {
			peers = append(peers, peer)
		}
	}
	return joinAnd(ports) + " " + dir + " " + joinAnd(peers)
}

// uncertainties says, for a message, why the verdict on flows may be
// wrong; "" when it is certain.
func uncertainties(flows []flow) string {
	var all []string
	for _, fl := range flows {
		for _, u := range fl.Match.Uncertain {
			if !slices.Contains(all, u) {
				all = append(all, u)
			}
		}
	}
	if len(all) == 0 {
		return ""
	}
	return " (uncertain: " + strings.Join(all, "; ") + ")"
}

// joinAnd joins words as English does: "a", "a and b", "a, b and c".
func joinAnd(ss []string) string {
	switch len(ss) {
	case 0:
		return ""
	case 1:
		return ss[0]
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " and " + ss[len(ss)-1]
}

// filterText writes a filter as "me:any -> 10.0.0.50:110 tcp", for
// subjects and messages.
func filterText(f *model.Filter) string {
	proto := fmt.Sprint(f.Protocol)
	switch f.Protocol {
	case 0:
		proto = "any protocol"
	case protoTCP:
		proto = "tcp"
	case 17:
		proto = "udp"
	case 1:
		proto = "icmp"
	}
	return fmt.Sprintf("%s:%s -> %s:%s %s", addrText(f.Src), portText(f.SrcPort), addrText(f.Dst), portText(f.DstPort), proto)
}

func addrText(a model.Address) string {
	switch a.Kind {
	case model.AddrIP:
		if a.Net.IsValid() && a.Net.IsSingleIP() {
			return a.Net.Addr().String()
		}
		if a.Net.IsValid() {
			return a.Net.String()
		}
		return a.Name
	case model.AddrDNSName:
		return a.Name
	}
	return string(a.Kind)
}

func portText(p uint16) string {
	if p == 0 {
		return "any"
	}
	return fmt.Sprint(p)
}
