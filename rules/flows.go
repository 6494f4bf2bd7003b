package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// flow is one front-end → back-end flow of the shared analysis.
type flow = flows.Flow

// exchangePorts are the ports the rules on "Exchange traffic" judge.
var exchangePorts = flows.ExchangePorts

// encrypts reports whether a match negotiates a method that encrypts.
func encrypts(m model.FilterMatch) bool { return flows.Encrypts(m) }

// frontEndFlows returns the flows on ports as the front-ends' policies
// decide them, after reporting what could not be evaluated: Exchange
// servers whose role is unknown, and front-ends whose flows the analysis
// could not build.
func frontEndFlows(p *Pass, out *Reporter, ports ...uint16) []flow {
	skipUnknownRoles(p.Fleet, out)
	skipGaps(p, out, flows.Outbound)
	return p.Flows.Of(flows.Outbound, ports...)
}

// backEndFlows is frontEndFlows for the back-ends' own policies: each
// front-end's traffic as it arrives at a back-end.
func backEndFlows(p *Pass, out *Reporter, ports ...uint16) []flow {
	skipUnknownRoles(p.Fleet, out)
	skipGaps(p, out, flows.Inbound)
	return p.Flows.Of(flows.Inbound, ports...)
}

// exchangeFlows is frontEndFlows and backEndFlows together: each flow as
// the front-end's policy and as the back-end's policy sees it.
func exchangeFlows(p *Pass, out *Reporter, ports ...uint16) []flow {
	skipUnknownRoles(p.Fleet, out)
	skipGaps(p, out, flows.Outbound)
	skipGaps(p, out, flows.Inbound)
	return p.Flows.All(ports...)
}

// skipGaps reports the hosts whose flows on side could not be evaluated.
func skipGaps(p *Pass, out *Reporter, side flows.Side) {
	for _, g := range p.Flows.GapsOf(side) {
		out.Skip(g.Host, "%s", g.Reason)
	}
}

// packetMatcher answers model.MatchPolicies for one packet after another
// with one PeerMatcher, made again only when the policies, or the packet
// but for its destination, change: the packets of a host's flows on one
// port from one address differ only in their destination. It belongs to
// one rule's run (rules run at once).
type packetMatcher struct {
	m    model.PeerMatcher
	pols []*model.Policy
	pkt  model.Packet
	made bool
}

// match returns what model.MatchPolicies(pols, pkt) returns.
func (pm *packetMatcher) match(pols []*model.Policy, pkt model.Packet) model.FilterMatch {
	if !pm.made || !slices.Equal(pm.pols, pols) || !sameButDst(pm.pkt, pkt) {
		pm.pols = append(pm.pols[:0], pols...)
		pm.m.Reset(pm.pols, pkt, true)
		pm.pkt, pm.made = pkt, true
	}
	return pm.m.Match(pkt.Dst)
}

// matchPolicy returns what p.Match(pkt) returns.
func (pm *packetMatcher) matchPolicy(p *model.Policy, pkt model.Packet) model.FilterMatch {
	if p == nil {
		return p.Match(pkt)
	}
	return pm.match([]*model.Policy{p}, pkt)
}

// sameButDst reports whether two packets differ at most in their
// destination address.
func sameButDst(a, b model.Packet) bool {
	return a.Src == b.Src && a.SrcIsMe == b.SrcIsMe && a.DstIsMe == b.DstIsMe && a.Protocol == b.Protocol &&
		a.SrcPort == b.SrcPort && a.DstPort == b.DstPort && slices.Equal(a.Me, b.Me)
}

// maxPeers is how many peers a message names; the others are counted
// ("and 12 more").
const maxPeers = 5

// decisionSubject names what decides a flow, stable across runs and
// independent of its peers: "tcp/143 permit \"IMAP4 to BE\"", "tcp/110
// no filter", "tcp/110" for a host without any policy applied; the
// deciding rule's policy is named when it is not the assigned one (a
// persistent policy). An uncertain verdict says so ("... (uncertain)"),
// so that it never shares a subject with a certain one.
func decisionSubject(fl flow, uncertain bool) string {
	s := fmt.Sprintf("tcp/%d", fl.Port)
	m := fl.Match
	switch {
	case noPolicy(fl):
	case m.Rule == nil:
		s += " no filter"
	default:
		s += fmt.Sprintf(" %s %q", m.Outcome, m.Rule.Name)
		if m.Policy != nil && m.Policy != fl.Policy {
			s += fmt.Sprintf(" of %q", m.Policy.Name)
		}
	}
	if uncertain {
		s += " (uncertain)"
	}
	return s
}

// noPolicy reports whether no policy at all decides the flow.
func noPolicy(fl flow) bool { return fl.Policy == nil && len(fl.Policies) == 0 }

// judgement is what a rule concludes about one flow.
type judgement int

const (
	flowPasses    judgement = iota // nothing to report
	flowFails                      // a finding
	flowUncertain                  // a finding marked uncertain (a warning at most)
	flowUnknown                    // not evaluated: the evidence cannot tell
)

// flowGroup is the flows of one host and port that one decision
// condemns alike: one finding.
type flowGroup struct {
	flows     []flow
	j         judgement
	why       string
	uncertain bool
	subject   string
}

// reportFlows reports the flows judge condemns: one finding per host,
// port and decision (the subject decisionSubject gives), whose message
// message makes from the group's first flow and its peers in words.
// Flows judge cannot decide are reported as not evaluated with the
// reason, once per host, port and reason.
func reportFlows(fls []flow, out *Reporter, judge func(flow) (judgement, string), message func(fl flow, peer string, uncertain bool) string) {
	type key struct {
		host    *model.Host
		subject string
	}
	groups := map[key]*flowGroup{}
	var order []*flowGroup
	for _, fl := range fls {
		j, why := judge(fl)
		if j == flowPasses {
			continue
		}
		uncertain := j == flowUncertain || len(fl.Match.Uncertain) > 0
		subject := decisionSubject(fl, uncertain)
		if j == flowUnknown {
			subject = fmt.Sprintf("tcp/%d %s", fl.Port, why)
		}
		k := key{fl.Host, subject}
		g := groups[k]
		if g == nil {
			g = &flowGroup{j: j, why: why, uncertain: uncertain, subject: subject}
			groups[k] = g
			order = append(order, g)
		}
		g.flows = append(g.flows, fl)
	}
	for _, g := range order {
		fl := g.flows[0]
		if g.j == flowUnknown {
			out.Skip(fl.Host, "%s (TCP %d) %s: %s", portName(fl.Port), fl.Port, peerWords(g.flows, false), g.why)
			continue
		}
		f := out.Report(fl.Host, g.subject, fl.Location(), "%s", message(fl, peerWords(g.flows, true), g.j == flowUncertain))
		f.Related = groupRelated(g.flows, f.Loc)
		for _, gf := range g.flows {
			switch {
			case len(gf.Match.Uncertain) > 0:
				f.MarkUncertain(gf.Match.Uncertain...)
			case g.j == flowUncertain:
				f.MarkUncertain(g.why)
			}
		}
	}
}

// groupRelated lists the rules, filter actions and filters behind a
// group's verdict but loc, at most maxRelated of them.
func groupRelated(fls []flow, loc model.Location) []model.Location {
	var locs []model.Location
	for _, fl := range fls {
		for _, l := range append(fl.Related(), fl.Location()) {
			if len(locs) < maxRelated && l != loc {
				locs = appendLoc(locs, l)
			}
		}
	}
	return locs
}

// maxRelated bounds the related locations of one finding.
const maxRelated = 10

// judgeEncryption judges whether the front-end's policy encrypts a flow.
// A flow negotiated only with methods that do not encrypt is left to
// IPSEC005 (one fact, one finding).
func judgeEncryption(fl flow) (judgement, string) {
	switch v, why := fl.Verdict(); v {
	case flows.Encrypted:
		if why, doubtful := doubtfulPass(fl); doubtful {
			return flowUnknown, why
		}
		return flowPasses, ""
	case flows.Undetermined:
		return flowUnknown, why
	case flows.Uncertain:
		return flowUncertain, why
	}
	if fl.Match.Outcome == model.MatchNegotiate && fl.TunnelGap() == "" {
		return flowPasses, "" // negotiates, but no method encrypts: IPSEC005
	}
	return flowFails, ""
}

// doubtfulPass says why a flow the exported policy encrypts may not be
// encrypted by what the host applies (the match's PolicyDoubts: a
// domain policy known only from Active Directory's copy, a rule whose
// filter list is not in the file, say; a tie between rules that both
// encrypt is no doubt here): such a flow is not evaluated, never passed.
func doubtfulPass(fl flow) (string, bool) {
	if len(fl.Match.PolicyDoubts) == 0 {
		return "", false
	}
	return "encrypted by the policy as exported, but " + strings.Join(fl.Match.PolicyDoubts, "; "), true
}

// onPorts restricts judge to the flows on ports: a flow on another port
// passes. A rule on some ports judges every flow through it rather than
// a copy of those ports' flows (a flow is large, and a fleet has tens of
// thousands).
func onPorts(judge func(flow) (judgement, string), ports ...uint16) func(flow) (judgement, string) {
	return func(fl flow) (judgement, string) {
		if !slices.Contains(ports, fl.Port) {
			return flowPasses, ""
		}
		return judge(fl)
	}
}

// reportUnprotected reports the flows on ports that are not encrypted,
// once per host, port and decision.
func reportUnprotected(fls []flow, ports []uint16, out *Reporter, why string) {
	reportFlows(fls, out, onPorts(judgeEncryption, ports...), func(fl flow, peer string, uncertain bool) string {
		is := "is not encrypted"
		if uncertain {
			is = "may not be encrypted"
		}
		return fmt.Sprintf("%s (TCP %d) from front-end %s to %s %s: %s; %s",
			portName(fl.Port), fl.Port, fl.Host.Name, peer, is, describeFlow(fl), why)
	})
}

// decision is one rule of a host's assigned policy with the Exchange
// flows it decides by negotiating IPSec.
type decision struct {
	Host   *model.Host
	Policy *model.Policy
	Rule   *model.Rule
	Action *model.FilterAction
	// src are the flows negotiatingRules grouped; the decision's are
	// src[lo:hi] when consecutive there, else those at idx. Flows makes
	// their list when a rule asks for it (most decisions report nothing,
	// and a flow is large).
	src    []flow
	lo, hi int
	idx    []int32
	flows  []flow
	// definite is set when the rule decides one of the flows or ties
	// for it; unread, when it does not, says why it may decide them: its
	// filter list was not completely understood (Match.Unread). A
	// verdict on such a rule alone is not evaluated.
	definite bool
	unread   string
}

// Unread says why the rule only may decide its flows (its filters are
// not all known), or "" when it decides or ties for one of them.
func (d *decision) Unread() string {
	if d.definite {
		return ""
	}
	return d.unread
}

// Flows returns the flows the rule decides, in order.
func (d *decision) Flows() []flow {
	switch {
	case d.flows != nil:
	case d.idx == nil:
		d.flows = d.src[d.lo:d.hi:d.hi]
	default:
		d.flows = make([]flow, len(d.idx))
		for i, j := range d.idx {
			d.flows[i] = d.src[j]
		}
	}
	return d.flows
}

// negotiatingRules groups the flows decided by a negotiate action by host
// and deciding rule, in the order of the flows. A negotiate rule whose
// filter is as specific as the deciding one (a tie, Match.Ties) may
// decide the flow as well, since Windows' order among equally specific
// filters is not documented ("The Cable Guy: IPsec Filter Ordering",
// TechNet, February 2005): its decision holds the flow too, and the
// flow's Match.Uncertain says why. The decisions read fls: it must not
// change afterwards.
func negotiatingRules(fls []flow) []*decision {
	type key struct {
		host *model.Host
		rule *model.Rule
	}
	by := map[key]*decision{}
	var out []*decision
	add := func(i int, pol *model.Policy, r *model.Rule) *decision {
		k := key{fls[i].Host, r}
		d := by[k]
		if d == nil {
			d = &decision{Host: fls[i].Host, Policy: pol, Rule: r, Action: r.FilterAction, src: fls, lo: i, hi: i}
			by[k] = d
			out = append(out, d)
		}
		d.add(i)
		return d
	}
	for i := range fls {
		m := &fls[i].Match
		if m.Outcome == model.MatchNegotiate && m.Rule != nil {
			add(i, m.Policy, m.Rule).definite = true
		}
		for _, t := range m.Ties {
			if negotiates(t) {
				add(i, t.Policy, t.Rule).definite = true
			}
		}
		for _, c := range m.Unread {
			if d := by[key{fls[i].Host, c.Rule}]; negotiates(c) && (d == nil || !d.definite) {
				d = add(i, c.Policy, c.Rule)
				if d.unread == "" {
					d.unread = c.Why
				}
			}
		}
	}
	return out
}

// negotiates reports whether a candidate's rule negotiates.
func negotiates(c model.Candidate) bool {
	return c.Rule != nil && c.Rule.FilterAction != nil && c.Rule.FilterAction.Action == model.ActionNegotiate
}

// add adds flow src[i] to the decision; flows come in order.
func (d *decision) add(i int) {
	switch {
	case d.idx == nil && d.hi == i:
		d.hi++
	default:
		if d.idx == nil {
			for j := d.lo; j < d.hi; j++ {
				d.idx = append(d.idx, int32(j))
			}
		}
		d.idx = append(d.idx, int32(i))
	}
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
	return d.Flows()[0].Location()
}

// Related lists the rule and the filters that decide its flows, but for
// loc.
func (d *decision) Related(loc model.Location) []model.Location {
	locs := appendLoc(nil, d.Rule.Loc)
	for _, fl := range d.Flows() {
		if f := d.filterOf(fl.Match); f != nil && len(locs) <= maxRelated {
			locs = appendLoc(locs, f.Loc)
		}
	}
	return slices.DeleteFunc(locs, func(l model.Location) bool { return l == loc })
}

// filterOf returns the rule's filter that matches in m: the deciding one
// or a tied one.
func (d *decision) filterOf(m model.FilterMatch) *model.Filter {
	if m.Rule == d.Rule {
		return m.Filter
	}
	for _, c := range m.Candidates {
		if c.Rule == d.Rule {
			return c.Filter
		}
	}
	return nil
}

// Uncertain lists why the verdicts on the rule's flows may be wrong.
func (d *decision) Uncertain() []string { return uncertainReasons(d.Flows()) }

// Uncertainties says in words why the verdicts on the rule's flows may
// be wrong (" (uncertain: ...)"), or "".
func (d *decision) Uncertainties() string {
	all := d.Uncertain()
	if len(all) == 0 {
		return ""
	}
	return " (uncertain: " + strings.Join(all, "; ") + ")"
}

// uncertainReasons lists, once each, why the verdicts on flows may be
// wrong.
func uncertainReasons(fls []flow) []string {
	var all []string
	for _, fl := range fls {
		for _, u := range fl.Match.Uncertain {
			if !slices.Contains(all, u) {
				all = append(all, u)
			}
		}
	}
	return all
}

// Traffic says in words which traffic the rule decides.
func (d *decision) Traffic() string { return describeTraffic(d.Flows()) }

// NoMethods says why the rule's quick-mode methods cannot be judged, or "".
func (d *decision) NoMethods() string {
	if d.Action == nil || len(d.Action.Methods) > 0 {
		return ""
	}
	if doubt := d.Action.Doubts.About("qmSecMethods"); doubt != nil {
		return fmt.Sprintf("the quick-mode security methods of filter action %q of rule %q were not understood: %s", actionName(d.Action), d.Rule.Name, doubt.Reason)
	}
	return fmt.Sprintf("filter action %q of rule %q negotiates but lists no quick-mode security method in the export; netsh's defaults then apply, and ipseclint does not know them", actionName(d.Action), d.Rule.Name)
}
