package model

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
)

// PeerMatcher answers MatchPolicies for packets that differ only in one
// address, the peer's: a front-end's packets to every back-end address,
// or every front-end's packets as one back-end receives them. It is made
// once per host and own address, and set to each port (SetPorts);
// everything that does not depend on
// the peer's address (protocol, ports, the host's own end, the rules'
// connection types) is decided then, so that Match only tests the peer's
// end of the filters that are left, and Runs only evaluates one peer per
// class of peers that no filter tells apart.
//
// MatchPolicies itself is a PeerMatcher used once: there is one
// implementation of the matching semantics.
type PeerMatcher struct {
	pkt Packet
	// peerIsDst says which end of pkt is the peer's.
	peerIsDst bool
	// why are the uncertainties of the policies that do not depend on the
	// packet (partial policies, unknown connection types, missing filter
	// lists), in MatchPolicies' order.
	why []string
	// cands are the filters (and mirror images) that match pkt but for
	// the peer's address, in MatchPolicies' order: policy, rule, filter,
	// then the filter before its mirror image: indexes into all, the
	// filters that match whatever the ports (SetPorts picks cands among
	// them).
	cands []int32
	all   []peerCand
	// pols are the policies; onlyPorts says that all holds only the
	// filters that match pkt's ports (NewPeerMatcher's).
	pols      []*Policy
	onlyPorts bool
	// unread are the rules whose filters are not all known (their filter
	// list was not completely understood), in policy and rule order.
	unread []Candidate
	// evs are the sweep's events, sw the sweep, memo the answers of Runs
	// by class and key and last class keys: buffers Reset keeps.
	evs       []peerEvent
	sw        sweep
	memo      map[string]FilterMatch
	key, last []byte
}

// peerCand is one filter, or its mirror image, that the peer's address
// alone decides.
type peerCand struct {
	c Candidate
	// peer is the filter's address on the peer's end (after mirroring).
	peer Address
	// fixedWhy is why the host's own end only may match ("" when it
	// matches).
	fixedWhy string
	// ruleDoubt is why the filter's rule may not apply at all (whether it
	// is active was not understood); "" when it applies.
	ruleDoubt string
	// always is why the filter may match any packet (what it matches was
	// not understood): then the peer's address does not matter.
	always string
	// srcPort and dstPort are the filter's ports at the packet's source
	// and destination (after mirroring); 0 matches any.
	srcPort, dstPort uint16
}

// NewPeerMatcher prepares matching pkt under pols for any address in
// place of pkt's destination (peerIsDst) or source. pkt's flags for that
// end (DstIsMe, SrcIsMe) still apply.
func NewPeerMatcher(pols []*Policy, pkt Packet, peerIsDst bool) *PeerMatcher {
	// Made for pkt's ports only (as MatchPolicies uses it, once): SetPorts
	// then makes it again for every port.
	return new(PeerMatcher).reset(pols, pkt, peerIsDst, true)
}

// Reset makes m what NewPeerMatcher(pols, pkt, peerIsDst) returns, in the
// memory m already holds: a caller making one matcher after another (per
// host, per own address) allocates little. Nothing Match or Runs returned
// refers to that memory.
func (m *PeerMatcher) Reset(pols []*Policy, pkt Packet, peerIsDst bool) *PeerMatcher {
	return m.reset(pols, pkt, peerIsDst, false)
}

// reset is Reset; onlyPorts keeps only the filters that match pkt's
// ports.
func (m *PeerMatcher) reset(pols []*Policy, pkt Packet, peerIsDst, onlyPorts bool) *PeerMatcher {
	*m = PeerMatcher{pkt: pkt, peerIsDst: peerIsDst, pols: pols, onlyPorts: onlyPorts, why: m.why[:0], cands: m.cands[:0], all: m.all[:0], unread: m.unread[:0], evs: m.evs[:0],
		sw: sweep{active: m.sw.active[:0], ids: m.sw.ids[:0]}, memo: m.memo, key: m.key[:0], last: m.last[:0]}
	for _, p := range pols {
		if p == nil {
			continue
		}
		if p.Partial {
			m.why = appendUnique(m.why, fmt.Sprintf("the contents of policy %q are not in the file", p.Name))
		}
		m.why = appendUnique(m.why, m.addPolicy(p)...)
	}
	m.selectPorts()
	return m
}

// SetPorts makes m what Reset returns for its policies and packet with
// srcPort and dstPort as the packet's ports, in less time than Reset
// takes: a caller matching one packet per port only sets the ports.
func (m *PeerMatcher) SetPorts(srcPort, dstPort uint16) *PeerMatcher {
	pkt := m.pkt
	pkt.SrcPort, pkt.DstPort = srcPort, dstPort
	if m.onlyPorts { // made by NewPeerMatcher for its packet's ports only
		return m.reset(m.pols, pkt, m.peerIsDst, false)
	}
	m.pkt = pkt
	m.selectPorts()
	return m
}

// selectPorts picks the candidates that match the packet's ports.
func (m *PeerMatcher) selectPorts() {
	m.cands = m.cands[:0]
	for k := range m.all {
		if pc := &m.all[k]; pc.always != "" || (portMatches(pc.srcPort, m.pkt.SrcPort) && portMatches(pc.dstPort, m.pkt.DstPort)) {
			m.cands = append(m.cands, int32(k))
		}
	}
}

// portMatches reports whether a filter's port (0: any) matches a
// packet's.
func portMatches(filter, packet uint16) bool { return filter == 0 || filter == packet }

// addPolicy adds the filters of p's applicable rules that may match the
// packet, and returns why the answer may be wrong whatever the packet.
func (m *PeerMatcher) addPolicy(p *Policy) (why []string) {
	for _, r := range p.Rules {
		doubt, ok := ruleApplies(r, &why)
		if !ok {
			continue
		}
		if d := r.FilterList.Doubts.About("filters"); d != nil {
			m.unread = append(m.unread, Candidate{Policy: p, Rule: r,
				Why: fmt.Sprintf("filter list %q of rule %q was not completely understood (%s)", r.FilterList.Name, r.Name, d.Reason)})
		}
		for _, f := range r.FilterList.Filters {
			for _, mirror := range []bool{false, true} {
				if mirror && (!f.Mirrored || selfMirror(f)) {
					continue
				}
				m.addFilter(p, r, f, mirror, doubt)
			}
		}
	}
	return why
}

// addFilter adds filter f of rule r of policy p (its mirror image when
// mirror is set) to all when everything but the peer's address and the
// ports matches, or when what the filter matches was not understood (it
// then may match any packet). doubt is why its rule may not apply. The
// protocol is tested first: many filters of a host's policies are for
// other traffic.
func (m *PeerMatcher) addFilter(p *Policy, r *Rule, f *Filter, mirror bool, doubt string) {
	cand := func() Candidate {
		return Candidate{Policy: p, Rule: r, Filter: f, Mirror: mirror, Spec: specificityOf(f, mirror)}
	}
	if why := filterDoubt(f); why != "" {
		m.all = append(m.all, peerCand{c: cand(), always: why})
		return
	}
	src, dst := &f.Src, &f.Dst
	srcPort, dstPort := f.SrcPort, f.DstPort
	if mirror {
		src, dst = dst, src
		srcPort, dstPort = dstPort, srcPort
	}
	pkt := &m.pkt
	if (f.Protocol != 0 && f.Protocol != pkt.Protocol) || (m.onlyPorts && !(portMatches(srcPort, pkt.SrcPort) && portMatches(dstPort, pkt.DstPort))) {
		return
	}
	var ok bool
	var why string
	peer := dst
	if m.peerIsDst {
		ok, why = matchAddr(*src, pkt.Src, pkt.SrcIsMe, pkt.Me, "source")
	} else {
		peer = src
		ok, why = matchAddr(*dst, pkt.Dst, pkt.DstIsMe, pkt.Me, "destination")
	}
	if !ok {
		return
	}
	m.all = append(m.all, peerCand{c: cand(), peer: *peer, fixedWhy: why, ruleDoubt: doubt, srcPort: srcPort, dstPort: dstPort})
}

// peerIsMe is the packet's flag for the peer's end.
func (m *PeerMatcher) peerIsMe() bool {
	if m.peerIsDst {
		return m.pkt.DstIsMe
	}
	return m.pkt.SrcIsMe
}

// Packet returns the packet with ip at the peer's end.
func (m *PeerMatcher) Packet(ip netip.Addr) Packet {
	p := m.pkt
	if m.peerIsDst {
		p.Dst = ip
	} else {
		p.Src = ip
	}
	return p
}

// Match finds what Windows does with the packet whose peer's address is
// ip (see MatchPolicies).
func (m *PeerMatcher) Match(ip netip.Addr) FilterMatch {
	var sure, maybe []Candidate
	side := "destination"
	if !m.peerIsDst {
		side = "source"
	}
	isMe := m.peerIsMe()
	for _, k := range m.cands {
		pc := &m.all[k]
		why := pc.always
		if why == "" {
			ok, peerWhy := matchAddr(pc.peer, ip, isMe, m.pkt.Me, side)
			if !ok {
				continue
			}
			why = peerWhy
			// The source's doubt is told before the destination's.
			if (m.peerIsDst && pc.fixedWhy != "") || (!m.peerIsDst && why == "") {
				why = pc.fixedWhy
			}
			if why == "" {
				why = pc.ruleDoubt
			}
		}
		c := pc.c
		if why == "" {
			sure = append(sure, c)
			continue
		}
		c.Why = why
		maybe = append(maybe, c)
	}
	return decideMatch(append([]string(nil), m.why...), sure, maybe, m.unread)
}

// decideMatch makes the answer from the uncertainties that hold whatever
// the packet, the filters that match, those that may match and the rules
// whose filters are not all known, each in MatchPolicies' order.
func decideMatch(uncertain []string, sure, maybe, unread []Candidate) FilterMatch {
	m := FilterMatch{Uncertain: uncertain, PolicyDoubts: uncertain[:len(uncertain):len(uncertain)]}
	sortCandidates(sure)
	win, rest := decide(sure)
	if win == nil {
		m.Outcome = MatchNone
	} else {
		m.setWinner(*win)
		m.Candidates = rest
		m.Ties = ties(*win, rest)
		for _, t := range m.Ties {
			m.Uncertain = appendUnique(m.Uncertain, fmt.Sprintf("filter %s of rule %q (%s) and filter %s of rule %q (%s) both match and neither is more specific than the other; which one Windows applies is not documented",
				win.Filter, win.Rule.Name, actionWord(win.Rule.FilterAction), t.Filter, t.Rule.Name, actionWord(t.Rule.FilterAction)))
		}
	}
	m.Maybe = relevantMaybes(win, maybe)
	m.Unread = relevantMaybes(win, unread)
	for _, c := range append(append([]Candidate(nil), m.Maybe...), m.Unread...) {
		m.Uncertain = appendUnique(m.Uncertain, c.Why)
	}
	return m
}

// PeerRun is a run of consecutive peers (in address order) that get the
// same answer: peers [Start, End) of the PeerSet given to Runs.
type PeerRun struct {
	Start, End int
	Match      FilterMatch
}

// PeerSet is a list of peer addresses for Runs.
type PeerSet struct {
	addrs []netip.Addr
	// plain is set when the addresses are sorted, valid and without
	// zones, so that classes of addresses can be answered at once.
	plain bool
}

// NewPeerSet returns the peers addrs, in the order given (sort them by
// netip.Addr.Compare for Runs to answer whole classes at once).
func NewPeerSet(addrs []netip.Addr) PeerSet {
	plain := true
	for i, a := range addrs {
		if !a.IsValid() || a.Zone() != "" || i > 0 && a.Less(addrs[i-1]) {
			plain = false
			break
		}
	}
	return PeerSet{addrs: addrs, plain: plain}
}

// Len returns the number of peers.
func (ps PeerSet) Len() int { return len(ps.addrs) }

// Runs splits the peers into runs of consecutive peers that get the same
// answer, and returns them in order. The answer is computed once per
// class of addresses that no filter's address (nor a "me" address, nor a
// range of splits, which may be nil) separates: every address of such a
// class matches exactly the same filters, so it gets the same answer.
// Peers that are not
// sorted, not valid or have a zone are answered one by one, as Match
// answers them.
func (m *PeerMatcher) Runs(ps PeerSet, splits *Splits) []PeerRun {
	return m.AppendRuns(nil, ps, splits)
}

// AppendRuns appends the runs Runs returns to runs and returns the
// result: a caller answering one matcher after another can give the same
// memory again once it has read the runs.
func (m *PeerMatcher) AppendRuns(runs []PeerRun, ps PeerSet, splits *Splits) []PeerRun {
	n := ps.Len()
	if !ps.plain {
		for i, a := range ps.addrs {
			runs = append(runs, PeerRun{Start: i, End: i + 1, Match: m.Match(a)})
		}
		return runs
	}
	sw := m.newSweep(splits)
	first := len(runs)
	if m.memo == nil {
		m.memo = map[string]FilterMatch{}
	}
	clear(m.memo)
	m.last = m.last[:0]
	for lo := 0; lo < n; {
		var hi int
		m.key, hi = sw.classAt(ps.addrs, lo, m.key[:0])
		if len(runs) > first && string(m.key) == string(m.last) {
			runs[len(runs)-1].End = hi
			lo = hi
			continue
		}
		fm, ok := m.memo[string(m.key)]
		if !ok {
			fm = m.Match(ps.addrs[lo])
			m.memo[string(m.key)] = fm
		}
		runs = append(runs, PeerRun{Start: lo, End: hi, Match: fm})
		m.last, lo = append(m.last[:0], m.key...), hi
	}
	clear(m.memo) // let the answers go
	return runs
}

// sweep walks the peer address space from low to high: at each boundary
// some candidate's peer-side address starts or stops matching.
type sweep struct {
	events []peerEvent // sorted by address
	next   int         // the first event not yet applied
	// splits are the Splits' events (sorted), their candidates numbered
	// from offset on, past the real ones; nextSplit is the first not yet
	// applied.
	splits    []peerEvent
	offset    int
	nextSplit int
	active    []int // candidates whose range holds the current address
	ids       []int // scratch for classAt
}

// peerEvent is where candidate cand's range starts (on) or ends. It
// holds no pointer (an address is an addrKey), so that sorting events
// costs no write barrier.
type peerEvent struct {
	at   addrKey
	cand int
	on   bool
}

// addrKey is a zone-less address as numbers, ordered as
// netip.Addr.Compare orders such addresses: IPv4 before IPv6, then by
// value.
type addrKey struct {
	v6     bool
	hi, lo uint64
}

// keyOf returns a's addrKey; a's zone, if any, is dropped.
func keyOf(a netip.Addr) addrKey {
	if a.Is4() {
		b := a.As4()
		return addrKey{lo: uint64(binary.BigEndian.Uint32(b[:]))}
	}
	b := a.As16()
	return addrKey{v6: true, hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

// addr returns the address k is the key of.
func (k addrKey) addr() netip.Addr {
	if !k.v6 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(k.lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	return netip.AddrFrom16(b)
}

// compare orders keys as netip.Addr.Compare orders their addresses.
func (k addrKey) compare(o addrKey) int {
	switch {
	case k.v6 != o.v6:
		return boolRank(k.v6) - boolRank(o.v6)
	case k.hi != o.hi:
		return cmpUint(k.hi, o.hi)
	}
	return cmpUint(k.lo, o.lo)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Splits are address ranges that no run of Runs may straddle, whatever
// else tells their addresses apart (a tunnel end-point, the filters of
// another policy of the host). Made once per host, they serve every
// PeerMatcher of it.
type Splits struct {
	events []peerEvent // sorted; cand numbers from 0
	n      int
}

// NewSplits returns the ranges ps as Splits.
func NewSplits(ps []netip.Prefix) *Splits { return new(Splits).Reset(ps) }

// Reset makes s what NewSplits(ps) returns, in the memory s already
// holds: a caller making the splits of one host after another allocates
// little. A Splits must not be Reset while a Runs call reads it.
func (s *Splits) Reset(ps []netip.Prefix) *Splits {
	s.events, s.n = slices.Grow(s.events[:0], 2*len(ps)), 0
	for _, p := range ps {
		if p.IsValid() {
			s.events = appendRange(s.events, s.n, p)
			s.n++
		}
	}
	sortEvents(s.events)
	return s
}

// appendRange adds the events of candidate cand's range p.
func appendRange(evs []peerEvent, cand int, p netip.Prefix) []peerEvent {
	p = p.Masked()
	evs = append(evs, peerEvent{at: keyOf(p.Addr()), cand: cand, on: true})
	if end, ok := afterPrefix(p); ok {
		evs = append(evs, peerEvent{at: keyOf(end), cand: cand})
	}
	return evs
}

// sortEvents orders events by address, ends before starts at one
// address (the order does not matter: all events at an address are
// applied before a peer there is classed).
func sortEvents(evs []peerEvent) {
	slices.SortStableFunc(evs, func(x, y peerEvent) int {
		if c := x.at.compare(y.at); c != 0 {
			return c
		}
		return boolRank(x.on) - boolRank(y.on)
	})
}

// newSweep lists the ranges of the candidates whose peer-side answer
// depends on the address (a subnet's, a "me" address's) and walks the
// splits beside them, as candidates past the real ones. Every other
// candidate answers the same for every valid address without a zone.
func (m *PeerMatcher) newSweep(splits *Splits) *sweep {
	evs := m.evs[:0]
	isMe := m.peerIsMe()
	for i, k := range m.cands {
		pc := &m.all[k]
		if pc.always != "" {
			continue // matches whatever the address
		}
		switch a := pc.peer; {
		case a.Kind == AddrMe && !isMe:
			for _, me := range uniqueAddrs(m.pkt.Me) {
				if me.IsValid() && me.Zone() == "" { // a zoned address equals no plain peer
					evs = appendRange(evs, i, netip.PrefixFrom(me, me.BitLen()))
				}
			}
		case (a.Kind == AddrIP || a.Kind == AddrDNSName) && a.Net.IsValid():
			evs = appendRange(evs, i, a.Net)
		}
	}
	sortEvents(evs)
	m.evs = evs
	m.sw = sweep{events: evs, active: m.sw.active[:0], ids: m.sw.ids[:0], offset: len(m.cands)}
	if splits != nil {
		m.sw.splits = splits.events
	}
	return &m.sw
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// classAt applies the events up to peer lo's address and returns the
// key of its class (the candidates whose range holds it), appended to
// key, and the index of the first peer past the class.
func (s *sweep) classAt(peers []netip.Addr, lo int, key []byte) ([]byte, int) {
	ak := keyOf(peers[lo])
	s.next = s.apply(s.events, s.next, ak, 0)
	s.nextSplit = s.apply(s.splits, s.nextSplit, ak, s.offset)
	hi := len(peers)
	var bound addrKey
	switch more, moreSplits := s.next < len(s.events), s.nextSplit < len(s.splits); {
	case more && moreSplits:
		bound = s.events[s.next].at
		if b := s.splits[s.nextSplit].at; b.compare(bound) < 0 {
			bound = b
		}
	case more:
		bound = s.events[s.next].at
	case moreSplits:
		bound = s.splits[s.nextSplit].at
	default:
		return s.appendKey(key), hi
	}
	return s.appendKey(key), lo + searchAddr(peers[lo:], bound.addr())
}

// apply applies the events of evs from next on that are at or before ak,
// numbering their candidates from offset on, and returns the first event
// not applied.
func (s *sweep) apply(evs []peerEvent, next int, ak addrKey, offset int) int {
	for ; next < len(evs) && evs[next].at.compare(ak) <= 0; next++ {
		e := evs[next]
		if e.on {
			s.active = append(s.active, e.cand+offset)
		} else if i := slices.Index(s.active, e.cand+offset); i >= 0 {
			s.active = slices.Delete(s.active, i, i+1)
		}
	}
	return next
}

// appendKey appends the key of the current class to key: the active
// candidates in order.
func (s *sweep) appendKey(key []byte) []byte {
	s.ids = append(s.ids[:0], s.active...)
	slices.Sort(s.ids)
	for _, id := range s.ids {
		key = strconv.AppendInt(key, int64(id), 10)
		key = append(key, ',')
	}
	return key
}

// searchAddr returns the index of the first of the sorted peers at or
// past bound.
func searchAddr(peers []netip.Addr, bound netip.Addr) int {
	i, _ := slices.BinarySearchFunc(peers, bound, netip.Addr.Compare)
	return i
}

// afterPrefix returns the first address past p's range in the order of
// netip.Addr.Compare: the next address, or past the last IPv4 address the
// first IPv6 one; ok is false past the last IPv6 address.
func afterPrefix(p netip.Prefix) (netip.Addr, bool) {
	b := p.Addr().As16() // an IPv4 address in the last 4 bytes
	bits, skip := p.Bits(), 0
	if p.Addr().Is4() {
		skip = 12
	}
	for i := range b[skip:] {
		lo := i * 8
		switch {
		case lo+8 <= bits:
		case lo >= bits:
			b[skip+i] = 0xff
		default:
			b[skip+i] |= byte(0xff >> uint(bits-lo))
		}
	}
	last := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		last = netip.AddrFrom4([4]byte(b[12:]))
	}
	next := last.Next()
	if !next.IsValid() && last.Is4() {
		return netip.IPv6Unspecified(), true
	}
	return next, next.IsValid()
}

func uniqueAddrs(as []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range as {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
