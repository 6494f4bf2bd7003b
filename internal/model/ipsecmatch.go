package model

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Packet is one packet as the host whose policy is evaluated sees it.
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

// Candidate is one filter that matched a packet, with its weight.
type Candidate struct {
	Rule   *Rule
	Filter *Filter
	// Mirror is set when the packet matched the filter's mirror image.
	Mirror bool
	// Weight is the filter's specificity (see FilterWeight).
	Weight uint32
}

// FilterMatch is the answer of Policy.Match.
type FilterMatch struct {
	Outcome MatchOutcome
	// Rule, Filter and Mirror name the filter that decides; nil when none
	// matches.
	Rule   *Rule
	Filter *Filter
	Mirror bool
	Weight uint32
	Action *FilterAction
	// Methods are the quick-mode methods offered (negotiate only).
	Methods []QMMethod
	// Soft (fall back to clear) and InPass (accept clear inbound) are the
	// action's weakening flags (negotiate only).
	Soft, InPass bool
	// Uncertain says why the answer may be wrong: addresses unknown
	// offline, filters of equal weight that disagree, tunnel rules, rules
	// whose filter list or action is not in the file.
	Uncertain []string
	// Candidates are the other filters that matched, most specific first.
	Candidates []Candidate
}

// Match finds what Windows does with pkt under policy p: the most specific
// filter of the policy's active rules decides.
//
// Only active rules count; the default response rule never matches data
// traffic (it only answers negotiation requests). A mirrored filter also
// matches with source and destination (addresses and ports) swapped. "me"
// matches the host's own addresses (Packet.SrcIsMe, DstIsMe, Me). The
// addresses of dns, wins, dhcp and gateway filters and of unresolved DNS
// names are unknown offline: such filters are taken not to match, and the
// answer says so in Uncertain.
//
// When several filters match, the one of highest FilterWeight wins. Among
// filters of equal weight the order Windows uses is not documented: Match
// takes block before negotiate before permit, and says so in Uncertain
// when they disagree.
func (p *Policy) Match(pkt Packet) FilterMatch {
	var m FilterMatch
	if p == nil {
		m.Outcome = MatchNone
		m.Uncertain = append(m.Uncertain, "no policy")
		return m
	}
	if p.Partial {
		m.Uncertain = append(m.Uncertain, fmt.Sprintf("the contents of policy %q are not in the file", p.Name))
	}
	var hits []Candidate
	for _, r := range p.Rules {
		if r.Default || !r.Active {
			continue
		}
		if r.FilterList == nil {
			m.Uncertain = append(m.Uncertain, fmt.Sprintf("rule %q names filter list %q, which is not in the file", r.Name, r.FilterListName))
			continue
		}
		if r.FilterAction == nil {
			m.Uncertain = append(m.Uncertain, fmt.Sprintf("rule %q names filter action %q, which is not in the file", r.Name, r.FilterActionName))
			continue
		}
		for _, f := range r.FilterList.Filters {
			for _, mirror := range []bool{false, true} {
				if mirror && (!f.Mirrored || selfMirror(f)) {
					continue
				}
				ok, why := matchFilter(f, mirror, pkt)
				m.Uncertain = appendUnique(m.Uncertain, why...)
				if ok {
					hits = append(hits, Candidate{Rule: r, Filter: f, Mirror: mirror, Weight: filterWeight(f, mirror)})
				}
			}
		}
	}
	if len(hits) == 0 {
		m.Outcome = MatchNone
		return m
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Weight != hits[j].Weight {
			return hits[i].Weight > hits[j].Weight
		}
		return actionRank(hits[i].Rule.FilterAction.Action) < actionRank(hits[j].Rule.FilterAction.Action)
	})
	win := hits[0]
	for _, h := range hits[1:] {
		if h.Weight == win.Weight && h.Rule.FilterAction.Action != win.Rule.FilterAction.Action {
			m.Uncertain = appendUnique(m.Uncertain, fmt.Sprintf("filters of equal weight in rules %q (%s) and %q (%s) disagree; Windows' order between them is not documented (block is taken first)",
				win.Rule.Name, win.Rule.FilterAction.Action, h.Rule.Name, h.Rule.FilterAction.Action))
		}
	}
	m.Rule, m.Filter, m.Mirror, m.Weight = win.Rule, win.Filter, win.Mirror, win.Weight
	m.Candidates = hits[1:]
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
	if win.Rule.TunnelEndpoint != "" {
		m.Uncertain = appendUnique(m.Uncertain, fmt.Sprintf("rule %q is a tunnel rule (end-point %s): the packet is tunnelled, not protected end to end", win.Rule.Name, win.Rule.TunnelEndpoint))
	}
	if win.Rule.ConnType == ConnDialup {
		m.Uncertain = appendUnique(m.Uncertain, fmt.Sprintf("rule %q applies to dial-up (remote access) connections only: it may not apply to this traffic", win.Rule.Name))
	}
	return m
}

// selfMirror reports whether a filter is its own mirror image.
func selfMirror(f *Filter) bool { return f.Src == f.Dst && f.SrcPort == f.DstPort }

// actionRank orders actions for filters of equal weight: block first.
func actionRank(a ActionKind) int {
	switch a {
	case ActionBlock:
		return 0
	case ActionNegotiate:
		return 1
	}
	return 2
}

// matchFilter reports whether pkt matches f (or its mirror image), and
// why the answer may be wrong.
func matchFilter(f *Filter, mirror bool, pkt Packet) (bool, []string) {
	src, dst := f.Src, f.Dst
	srcPort, dstPort := f.SrcPort, f.DstPort
	if mirror {
		src, dst = dst, src
		srcPort, dstPort = dstPort, srcPort
	}
	if f.Protocol != 0 && f.Protocol != pkt.Protocol {
		return false, nil
	}
	if srcPort != 0 && srcPort != pkt.SrcPort {
		return false, nil
	}
	if dstPort != 0 && dstPort != pkt.DstPort {
		return false, nil
	}
	okSrc, whySrc := matchAddr(src, pkt.Src, pkt.SrcIsMe, pkt.Me, "source")
	if !okSrc {
		return false, whySrc
	}
	okDst, whyDst := matchAddr(dst, pkt.Dst, pkt.DstIsMe, pkt.Me, "destination")
	if !okDst {
		return false, whyDst
	}
	return true, append(whySrc, whyDst...)
}

// matchAddr matches one end of a filter against one end of a packet.
func matchAddr(a Address, ip netip.Addr, isMe bool, me []netip.Addr, side string) (bool, []string) {
	switch a.Kind {
	case AddrAny:
		return true, nil
	case AddrMe:
		if isMe {
			return true, nil
		}
		for _, m := range me {
			if ip.IsValid() && m == ip {
				return true, nil
			}
		}
		return false, nil
	case AddrIP, AddrDNSName:
		if !a.Net.IsValid() {
			return false, []string{fmt.Sprintf("a filter's %s is the DNS name %q, whose addresses are unknown offline: taken not to match", side, a.Name)}
		}
		if ip.IsValid() {
			return a.Net.Contains(ip), nil
		}
		if isMe {
			for _, m := range me {
				if a.Net.Contains(m) {
					return true, nil
				}
			}
			if len(me) > 0 {
				return false, nil
			}
		}
		return true, []string{fmt.Sprintf("the packet's %s address is unknown; a filter on %s is taken to match it", side, a.Net)}
	default: // dns, wins, dhcp, gateway
		if isMe {
			return false, nil
		}
		return false, []string{fmt.Sprintf("a filter's %s is the host's %s servers, whose addresses are unknown offline: taken not to match", side, strings.ToUpper(string(a.Kind)))}
	}
}

// Weights of the parts of a filter (see FilterWeight).
const (
	weightAddressTieBreaker uint32 = 0x1
	weightSourcePort        uint32 = 0x2
	weightDestinationPort   uint32 = 0x4
	weightProtocol          uint32 = 0x100
	weightMaskShift                = 16
)

// FilterWeight is the specificity of a filter as Windows Server 2003
// orders filters (most specific first), for the filter as written; its
// mirror image has the same weight but for the tie-breaker bit.
//
// Windows XP and Server 2003 expand every filter into specific filters
// (mirrors made separate, "me" and server types turned into the host's
// addresses) and sort them by a 32-bit weight, so that the most specific
// filter that matches decides, whatever rule it belongs to (The Cable Guy,
// "IPsec Filter Ordering", Microsoft TechNet, February 2005). The weight
// implemented here has, from most to least significant:
//
//  1. address specificity, bits 16-31: for the source and the destination
//     mask, the sum of the 1-based positions of its set bits (a /32 mask
//     weighs 1+2+...+32 = 528, /24 weighs 9+...+32 = 492, /0 weighs 0),
//     both sums added. "me", DNS/WINS/DHCP/gateway servers and DNS names
//     count as /32 (they expand to single addresses); "any" as /0;
//  2. a specific protocol, 0x100;
//  3. a specific destination port, 0x4;
//  4. a specific source port, 0x2;
//  5. a tie-breaker, 0x1, when the destination mask weighs at least as
//     much as the source mask.
//
// The ordering (address, then protocol, then ports) is the documented one;
// the exact bit layout and the tie-breaker follow the Windows XP/2003
// IPSec policy service's weight computation as seen in public source
// mirrors (AssignTxFilterWeight), not a published specification:
// uncertain in detail, but it only matters between filters of equal
// address specificity.
func FilterWeight(f *Filter) uint32 { return filterWeight(f, false) }

func filterWeight(f *Filter, mirror bool) uint32 {
	src, dst := f.Src, f.Dst
	srcPort, dstPort := f.SrcPort, f.DstPort
	if mirror {
		src, dst = dst, src
		srcPort, dstPort = dstPort, srcPort
	}
	var w uint32
	if f.Protocol != 0 {
		w |= weightProtocol
	}
	if srcPort != 0 {
		w |= weightSourcePort
	}
	if dstPort != 0 {
		w |= weightDestinationPort
	}
	sw, dw := maskWeight(addrBits(src)), maskWeight(addrBits(dst))
	if dw >= sw {
		w |= weightAddressTieBreaker
	}
	return w + (sw+dw)<<weightMaskShift
}

// addrBits is the mask length an address expands to.
func addrBits(a Address) int {
	switch a.Kind {
	case AddrAny:
		return 0
	case AddrIP:
		if a.Net.IsValid() {
			return a.Net.Bits()
		}
	}
	return 32
}

// maskWeight sums the 1-based bit positions (from the least significant)
// of the set bits of an IPv4 mask of that length.
func maskWeight(bits int) uint32 {
	var w uint32
	for pos := 33 - bits; pos <= 32; pos++ {
		w += uint32(pos)
	}
	return w
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
		if !dup {
			list = append(list, it)
		}
	}
	return list
}
