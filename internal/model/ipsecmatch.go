package model

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Packet is one packet as the host whose policy is evaluated sees it.
// Every packet the rules build is LAN traffic (front-end to back-end), so
// rules that apply to dial-up connections only never match it.
type Packet struct {
	// Src and Dst are the packet's addresses. An invalid (zero) address
	// with SrcIsMe (DstIsMe) set means "this host, address unknown".
	Src, Dst netip.Addr
	// SrcIsMe and DstIsMe say that the address is one of the host's own.
	SrcIsMe bool
	DstIsMe bool
	// Me are the host's own addresses, for filters on "me"; empty when
	// unknown.
	Me []netip.Addr
	// Protocol is the IP protocol number (6 TCP, 17 UDP).
	Protocol uint8
	// SrcPort and DstPort are the ports; 0 = unknown or ephemeral, so a
	// filter with a specific port on that side does not match.
	SrcPort, DstPort uint16
}

// MatchOutcome is what Windows does with a packet.
type MatchOutcome string

// The outcomes of matching a packet against a policy.
const (
	MatchNone      MatchOutcome = "none"      // no filter matches: the packet is sent in clear
	MatchPermit    MatchOutcome = "permit"    // a permit filter matches: sent in clear
	MatchBlock     MatchOutcome = "block"     // a block filter matches: dropped
	MatchNegotiate MatchOutcome = "negotiate" // IPSec is negotiated with the offered methods
)

// Candidate is one filter that matched a packet (or may match it).
type Candidate struct {
	Policy *Policy
	Rule   *Rule
	Filter *Filter
	// Mirror is set when the packet matched the filter's mirror image.
	Mirror bool
	// Spec is the filter's specificity as it matched.
	Spec Specificity
	// Why says why a candidate only may match (its address is unknown
	// offline); "" for a filter that matches.
	Why string
}

// FilterMatch is the answer of Match.
type FilterMatch struct {
	Outcome MatchOutcome
	// Policy, Rule, Filter and Mirror name the filter that decides; nil
	// when none matches.
	Policy *Policy
	Rule   *Rule
	Filter *Filter
	Mirror bool
	Action *FilterAction
	// Methods are the quick-mode methods offered (negotiate only).
	Methods []QMMethod
	// Soft (fall back to clear) and InPass (accept clear inbound) are the
	// action's weakening flags (negotiate only).
	Soft, InPass bool
	// Ties are the other matching filters that are neither more nor less
	// specific than the deciding one and do something else with the
	// packet: Windows' choice between them is not documented, so the
	// outcome is uncertain.
	Ties []Candidate
	// Maybe are filters that may match (their addresses are unknown
	// offline) and would decide the packet otherwise if they did: the
	// outcome cannot be told offline.
	Maybe []Candidate
	// Uncertain says why the answer may be wrong, in words: ties, filters
	// whose addresses are unknown, tunnel rules, rules whose connection
	// type, filter list or action is not known.
	Uncertain []string
	// PolicyDoubts are the uncertainties that hold whatever the packet
	// (the first of Uncertain, before ties and filters that may match):
	// a rule or policy whose contents are not all known, a domain policy
	// known only from Active Directory's copy. A packet the policies as
	// read encrypt may then be treated otherwise by the host.
	PolicyDoubts []string
	// Candidates are the other filters that matched, most specific first.
	Candidates []Candidate
	// Unread are rules that may decide the packet otherwise but whose
	// filters are not all known: their filter list was not completely
	// understood (a damaged registry blob). Their Filter is nil; Why says
	// what was not understood.
	Unread []Candidate
}

// Decided reports whether the outcome can be told: no tie and no filter
// that may match would change it.
func (m FilterMatch) Decided() bool {
	return len(m.Ties) == 0 && len(m.Maybe) == 0 && len(m.Unread) == 0
}

// Match finds what Windows does with pkt under policy p (see
// MatchPolicies).
func (p *Policy) Match(pkt Packet) FilterMatch {
	if p == nil {
		return FilterMatch{Outcome: MatchNone, Uncertain: []string{"no policy"}}
	}
	return MatchPolicies([]*Policy{p}, pkt)
}

// MatchPolicies finds what Windows does with pkt under the policies a
// host applies together (the persistent policies of Windows Server 2003
// and the assigned local or domain policy): the most specific filter of
// their active rules decides ("The Cable Guy: IPsec Filter Ordering",
// Microsoft TechNet, February 2005).
//
// Only active rules that apply to LAN connections count; the default
// response rule never matches data traffic (it only answers negotiation
// requests). A mirrored filter also matches with source and destination
// (addresses and ports) swapped. "me" matches the host's own addresses
// (Packet.SrcIsMe, DstIsMe, Me). The addresses of dns, wins, dhcp and
// gateway filters, of DNS names and of addresses whose encoding is not
// known are unknown offline: such filters may match, and when one of them
// could decide the packet otherwise, the answer says so (Maybe).
//
// Which filter is the most specific is ordered only where the documented
// principle decides it (see Specificity.Compare); where it does not, and
// the filters do different things with the packet, the answer lists them
// as Ties and says so in Uncertain.
func MatchPolicies(pols []*Policy, pkt Packet) FilterMatch {
	return NewPeerMatcher(pols, pkt, true).Match(pkt.Dst)
}

// ruleApplies reports whether r's filters take part in matching LAN
// traffic, adding to *why what is uncertain about it. doubt is set when
// the rule may not apply at all, or may do otherwise than its action
// says: whether it is active or what connections it applies to was not
// understood, or what its filter action does (see actionDoubt). Its
// filters then only may match.
func ruleApplies(r *Rule, why *[]string) (doubt string, ok bool) {
	if r.Default {
		return "", false
	}
	if d := r.Doubts.About("active"); d != nil {
		doubt = fmt.Sprintf("whether rule %q is active was not understood (%s)", r.Name, d.Reason)
	} else if !r.Active {
		return "", false
	}
	lan, known := r.ConnType.CoversLAN()
	if known && !lan {
		return "", false // a dial-up rule does not apply to LAN traffic
	}
	if !known {
		*why = append(*why, fmt.Sprintf("the connection type of rule %q is not known: taken to apply to LAN traffic", r.Name))
		if doubt == "" {
			doubt = fmt.Sprintf("whether rule %q applies to LAN traffic is not known", r.Name)
			if d := r.Doubts.About("connType"); d != nil {
				doubt = fmt.Sprintf("whether rule %q applies to LAN traffic is not known (%s)", r.Name, d.Reason)
			}
		}
	}
	if d := r.Doubts.About("object"); d != nil {
		*why = append(*why, fmt.Sprintf("rule %q was not understood (%s)", r.Name, d.Reason))
	}
	if d := r.Doubts.About("appliedCopy"); d != nil {
		*why = append(*why, d.Reason)
	}
	if r.FilterList == nil {
		*why = append(*why, fmt.Sprintf("rule %q names filter list %q, which is not in the file", r.Name, r.FilterListName))
		return "", false
	}
	if r.FilterAction == nil {
		*why = append(*why, fmt.Sprintf("rule %q names filter action %q, which is not in the file", r.Name, r.FilterActionName))
		return "", false
	}
	if doubt == "" {
		doubt = actionDoubt(r)
	}
	if doubt == "" {
		doubt = modeDoubt(r)
	}
	return doubt, true
}

// modeDoubt says why whether r negotiates in transport mode, or tunnels
// to which end-point, is not established (a registry-stored rule whose
// Is-Tunnel-Specifier is not understood, GPIPSEC.md §3.3.1); "" when it
// is, or when r does not negotiate (permit and block do not depend on
// the mode). A rule tunnelling elsewhere leaves the traffic in clear
// beyond the tunnel's end, so what it does for the traffic it selects
// is then unknown.
func modeDoubt(r *Rule) string {
	if r.FilterAction.Action != ActionNegotiate {
		return ""
	}
	if d := r.Doubts.About("tunnelEndpoint"); d != nil {
		return fmt.Sprintf("whether rule %q negotiates in transport mode or tunnels to another end-point is not established (%s)", r.Name, d.Reason)
	}
	return ""
}

// verdictActionFields are the filter action fields whose doubt makes what a
// rule does with a packet unknown: whether it permits, blocks or
// negotiates, and whether it accepts clear traffic. (soft is not among
// them: how the registry stores it is never established, and the rules
// read its doubt themselves; qmSecMethods is judged by the methods.)
var verdictActionFields = []string{"action", "inpass"}

// actionDoubt says why what r's filter action does is not established;
// "" when it is.
func actionDoubt(r *Rule) string {
	for _, field := range verdictActionFields {
		if d := r.FilterAction.Doubts.About(field); d != nil {
			return fmt.Sprintf("what filter action %q of rule %q does is not established (%s: %s)", r.FilterAction.Name, r.Name, field, d.Reason)
		}
	}
	return ""
}

// matchFields are the filter fields that decide which packets it matches.
var matchFields = []string{"object", "src", "dst", "protocol", "srcport", "dstport", "mirrored"}

// filterDoubt says why what f matches is not established; "" when it is.
func filterDoubt(f *Filter) string {
	for _, field := range matchFields {
		if d := f.Doubts.About(field); d != nil {
			return fmt.Sprintf("filter %s was not understood (%s: %s)", f, field, d.Reason)
		}
	}
	return ""
}

func (m *FilterMatch) setWinner(win Candidate) {
	m.Policy, m.Rule, m.Filter, m.Mirror = win.Policy, win.Rule, win.Filter, win.Mirror
	a := win.Rule.FilterAction
	m.Action = a
	switch a.Action {
	case ActionPermit:
		m.Outcome = MatchPermit
	case ActionBlock:
		m.Outcome = MatchBlock
	default:
		m.Outcome = MatchNegotiate
		m.Methods = a.Methods
		m.Soft, m.InPass = a.Soft, a.InPass
	}
}

// sortCandidates orders candidates deterministically, most specific
// first by a total order (mask lengths, then the parts named), block
// before negotiate before permit, then in policy, rule and filter order;
// decide then takes the first that no other is more specific than.
func sortCandidates(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i].Spec, cs[j].Spec
		if x, y := a.SrcBits+a.DstBits, b.SrcBits+b.DstBits; x != y {
			return x > y
		}
		if x, y := a.parts(), b.parts(); x != y {
			return x > y
		}
		return actionRank(cs[i].Rule.FilterAction.Action) < actionRank(cs[j].Rule.FilterAction.Action)
	})
}

func (s Specificity) parts() int { return b2i(s.Protocol) + b2i(s.SrcPort) + b2i(s.DstPort) }

// decide returns the deciding candidate, the first that no other is more
// specific than, and the others.
func decide(cs []Candidate) (*Candidate, []Candidate) {
	for i := range cs {
		beaten := false
		for j := range cs {
			if i != j && cs[j].Spec.Compare(cs[i].Spec) == MoreSpecific {
				beaten = true
				break
			}
		}
		if !beaten {
			rest := append(append([]Candidate(nil), cs[:i]...), cs[i+1:]...)
			return &cs[i], rest
		}
	}
	return nil, nil
}

// ties returns the candidates that win is not more specific than and that
// treat the packet differently.
func ties(win Candidate, rest []Candidate) []Candidate {
	var out []Candidate
	for _, c := range rest {
		if win.Spec.Compare(c.Spec) != MoreSpecific && !sameTreatment(win.Rule, c.Rule) {
			out = append(out, c)
		}
	}
	return out
}

// relevantMaybes returns the filters that may match and, if they did,
// could decide the packet otherwise than win: they are not less specific
// than it and treat the packet differently (or nothing else matches).
func relevantMaybes(win *Candidate, maybe []Candidate) []Candidate {
	var out []Candidate
	for _, c := range maybe {
		switch {
		case win == nil:
			if c.Rule.FilterAction.Action != ActionPermit { // no match and permit both send in clear
				out = append(out, c)
			}
		case win.Spec.Compare(c.Spec) != MoreSpecific && !sameTreatment(win.Rule, c.Rule):
			out = append(out, c)
		}
	}
	return out
}

// sameTreatment reports whether two rules treat a packet alike: the same
// filter action, and, when they negotiate, the same authentication (a
// pre-shared key instead of Kerberos is another security association).
func sameTreatment(a, b *Rule) bool {
	if !sameEffect(a.FilterAction, b.FilterAction) {
		return false
	}
	if a.FilterAction.Action != ActionNegotiate || len(a.Auth) != len(b.Auth) {
		return a.FilterAction.Action != ActionNegotiate
	}
	for i := range a.Auth {
		if a.Auth[i].Kind != b.Auth[i].Kind || a.Auth[i].CA != b.Auth[i].CA {
			return false
		}
	}
	return true
}

// sameEffect reports whether two filter actions treat a packet alike.
func sameEffect(a, b *FilterAction) bool {
	if a == b {
		return true
	}
	if a.Action != b.Action {
		return false
	}
	if a.Action != ActionNegotiate {
		return true
	}
	if a.Soft != b.Soft || a.InPass != b.InPass || len(a.Methods) != len(b.Methods) {
		return false
	}
	for i := range a.Methods {
		if a.Methods[i].Text != b.Methods[i].Text {
			return false
		}
	}
	return true
}

func actionWord(a *FilterAction) string {
	if a == nil {
		return "?"
	}
	return string(a.Action)
}

// selfMirror reports whether a filter is its own mirror image.
func selfMirror(f *Filter) bool { return f.Src == f.Dst && f.SrcPort == f.DstPort }

// actionRank orders actions for filters whose order is not known: block
// first, so that the deciding filter reported is the strictest.
func actionRank(a ActionKind) int {
	switch a {
	case ActionBlock:
		return 0
	case ActionNegotiate:
		return 1
	}
	return 2
}

// matchAddr matches one end of a filter against one end of a packet;
// unsure says why a match is only possible.
func matchAddr(a Address, ip netip.Addr, isMe bool, me []netip.Addr, side string) (ok bool, unsure string) {
	switch a.Kind {
	case AddrAny:
		return true, ""
	case AddrMe:
		if isMe {
			return true, ""
		}
		for _, m := range me {
			if ip.IsValid() && m == ip {
				return true, ""
			}
		}
		return false, ""
	case AddrIP:
		return matchNet(a.Net, ip, isMe, me, side)
	case AddrDNSName:
		if a.Net.IsValid() {
			return matchNet(a.Net, ip, isMe, me, side)
		}
		return true, fmt.Sprintf("a filter's %s is the DNS name %q, which Windows resolves when it applies the policy: its addresses are unknown offline", side, a.Name)
	case AddrUnknown:
		return true, fmt.Sprintf("a filter's %s address is stored in a form no public source explains (%s): whether it matches is unknown", side, a.Name)
	default: // dns, wins, dhcp, gateway
		if isMe {
			return false, ""
		}
		return true, fmt.Sprintf("a filter's %s is the host's %s servers, whose addresses are unknown offline", side, strings.ToUpper(a.Kind.String()))
	}
}

func matchNet(n netip.Prefix, ip netip.Addr, isMe bool, me []netip.Addr, side string) (bool, string) {
	if !n.IsValid() {
		return false, ""
	}
	if ip.IsValid() {
		return n.Contains(ip), ""
	}
	if isMe {
		for _, m := range me {
			if n.Contains(m) {
				return true, ""
			}
		}
		if len(me) > 0 {
			return false, ""
		}
	}
	return true, fmt.Sprintf("the packet's %s address is unknown, so whether a filter on %s matches it is unknown", side, n)
}

// Specificity is how specific a filter is, part by part, as it matches a
// packet (its mirror image has source and destination swapped).
type Specificity struct {
	// SrcBits and DstBits are the mask lengths: 32 for one address ("me",
	// DNS names and server types expand to single addresses), 0 for any.
	SrcBits, DstBits int
	// Protocol, SrcPort and DstPort say whether the filter names one.
	Protocol, SrcPort, DstPort bool
}

// Order is the answer of Specificity.Compare.
type Order int

// The orders of two filters.
const (
	// Unordered: the documented principle does not order the two.
	Unordered Order = iota
	MoreSpecific
	LessSpecific
	// SameSpecificity: the two are equally specific in every part.
	SameSpecificity
)

// Compare orders two filters by specificity as far as Microsoft's
// documentation establishes it: the most specific filter decides, by
// address first ("The Cable Guy: IPsec Filter Ordering"). The weights
// Windows gives each part are not published, so a filter is taken to be
// more specific than another only when it is at least as specific in
// each part and more specific in one: by source and destination mask
// first; at equal masks, by protocol and ports. Any other pair (one more
// specific by source, the other by destination; equal masks with one
// naming the protocol and the other a port; equal in every part) is not
// ordered: Unordered or SameSpecificity.
func (s Specificity) Compare(o Specificity) Order {
	switch dominance([]int{s.SrcBits, s.DstBits}, []int{o.SrcBits, o.DstBits}) {
	case MoreSpecific:
		return MoreSpecific
	case LessSpecific:
		return LessSpecific
	case Unordered:
		return Unordered
	}
	return dominance([]int{b2i(s.Protocol), b2i(s.SrcPort), b2i(s.DstPort)}, []int{b2i(o.Protocol), b2i(o.SrcPort), b2i(o.DstPort)})
}

// dominance compares two vectors part by part.
func dominance(a, b []int) Order {
	more, less := false, false
	for i := range a {
		switch {
		case a[i] > b[i]:
			more = true
		case a[i] < b[i]:
			less = true
		}
	}
	switch {
	case more && less:
		return Unordered
	case more:
		return MoreSpecific
	case less:
		return LessSpecific
	}
	return SameSpecificity
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func specificityOf(f *Filter, mirror bool) Specificity {
	src, dst := f.Src, f.Dst
	srcPort, dstPort := f.SrcPort, f.DstPort
	if mirror {
		src, dst = dst, src
		srcPort, dstPort = dstPort, srcPort
	}
	return Specificity{SrcBits: addrBits(src), DstBits: addrBits(dst), Protocol: f.Protocol != 0, SrcPort: srcPort != 0, DstPort: dstPort != 0}
}

// addrBits is the mask length an address expands to.
func addrBits(a Address) int {
	switch a.Kind {
	case AddrAny:
		return 0
	case AddrIP, AddrDNSName:
		if a.Net.IsValid() {
			return a.Net.Bits()
		}
	}
	return 32
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		dup := false
		for _, have := range list {
			if have == it {
				dup = true
				break
			}
		}
		if !dup && it != "" {
			list = append(list, it)
		}
	}
	return list
}
