package model

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"
)

// randomPolicies makes policies whose filters name addresses of a small
// universe (so that filters overlap, nest and touch, and peers fall on
// their edges), every kind of address, ports among a few, mirrored or
// not, and rules that are inactive, dial-up, of unknown connection type,
// without filter list, tunnelled.
type policyGen struct{ r *rand.Rand }

var genAddrs = []string{"10.0.0.0", "10.0.0.1", "10.0.0.9", "10.0.0.10", "10.0.0.11", "10.0.0.50", "10.0.0.51", "10.0.0.255", "10.0.1.0", "172.16.0.5", "255.255.255.255", "0.0.0.0", "fe80::1", "::ffff:10.0.0.10"}

func (g policyGen) addr() Address {
	switch g.r.IntN(10) {
	case 0:
		return Address{Kind: AddrAny}
	case 1:
		return Address{Kind: AddrMe}
	case 2:
		return Address{Kind: []AddrKind{AddrDNS, AddrWINS, AddrDHCP, AddrGateway, AddrUnknown}[g.r.IntN(5)]}
	case 3:
		if g.r.IntN(2) == 0 {
			return Address{Kind: AddrDNSName, Name: "be.example"}
		}
		return Address{Kind: AddrDNSName, Name: "be.example", Net: g.prefix()}
	case 4:
		return Address{Kind: AddrIP} // an address whose prefix is not known
	}
	return Address{Kind: AddrIP, Net: g.prefix()}
}

func (g policyGen) prefix() netip.Prefix {
	a := netip.MustParseAddr(genAddrs[g.r.IntN(len(genAddrs))])
	bits := []int{0, 8, 24, 31, 32, 32, 32}[g.r.IntN(7)]
	if a.Is6() {
		bits = []int{0, 64, 127, 128, 128}[g.r.IntN(5)]
	}
	return netip.PrefixFrom(a, bits)
}

func (g policyGen) port() uint16 { return []uint16{0, 0, 110, 143, 80}[g.r.IntN(5)] }

func (g policyGen) action() *FilterAction {
	a := &FilterAction{Name: "A", Action: []ActionKind{ActionPermit, ActionBlock, ActionNegotiate}[g.r.IntN(3)]}
	if a.Action == ActionNegotiate {
		a.Methods = []QMMethod{{ESP: &ESPTransform{Cipher: []string{Alg3DES, AlgNone}[g.r.IntN(2)], Integrity: AlgSHA1}, Text: "ESP"}}
		a.Soft = g.r.IntN(3) == 0
	}
	return a
}

func (g policyGen) policy(name string) *Policy {
	p := &Policy{Name: name, Partial: g.r.IntN(10) == 0}
	for i := range 1 + g.r.IntN(5) {
		r := &Rule{Name: name + "-r" + string(rune('a'+i)), Active: g.r.IntN(6) != 0, Default: g.r.IntN(12) == 0,
			ConnType: []ConnType{ConnAll, ConnLAN, ConnDialup, ""}[g.r.IntN(4)], FilterListName: "L", FilterActionName: "A"}
		if g.r.IntN(8) != 0 {
			r.FilterList = &FilterList{Name: "L"}
			for range 1 + g.r.IntN(5) {
				f := NewFilter(FilterSpec{Src: g.addr(), Dst: g.addr(),
					Protocol: []uint8{0, 6, 6, 17}[g.r.IntN(4)], SrcPort: g.port(), DstPort: g.port(), Mirrored: g.r.IntN(3) != 0}, Location{})
				if g.r.IntN(15) == 0 {
					f.Doubts = Doubts{{Field: []string{"src", "dstport", "mirrored", "description"}[g.r.IntN(4)], Reason: "damaged"}}
				}
				r.FilterList.Filters = append(r.FilterList.Filters, f)
			}
			if g.r.IntN(15) == 0 {
				r.FilterList.Doubts = Doubts{{Field: "filters", Reason: "cut short"}}
			}
		}
		switch g.r.IntN(15) {
		case 0:
			r.Active, r.Doubts = false, Doubts{{Field: "active", Reason: "flag not understood"}}
		case 1:
			r.Doubts = Doubts{{Field: "object", Reason: "blob damaged"}}
		}
		if g.r.IntN(10) != 0 {
			r.FilterAction = g.action()
		}
		p.Rules = append(p.Rules, r)
	}
	return p
}

// peerUniverse is every address of genAddrs and its neighbours.
func peerUniverse() []netip.Addr {
	var out []netip.Addr
	for _, s := range genAddrs {
		a := netip.MustParseAddr(s)
		for _, b := range []netip.Addr{a.Prev(), a, a.Next()} {
			if b.IsValid() && !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// TestPeerRunsAgreeWithMatch checks the classes of Runs against Match on
// each peer alone, over random policies: every peer of a run must get
// exactly the run's answer, for peers at the destination and at the
// source, with and without "me" flags.
func TestPeerRunsAgreeWithMatch(t *testing.T) {
	g := policyGen{rand.New(rand.NewPCG(1, 2))}
	peers := peerUniverse()
	ps := NewPeerSet(peers)
	split := netip.MustParseAddr("10.0.0.50")
	splits := NewSplits([]netip.Prefix{netip.PrefixFrom(split, 32)})
	for i := range 3000 {
		pols := []*Policy{g.policy("P")}
		if i%3 == 0 {
			pols = append(pols, g.policy("Q"))
		}
		me := []netip.Addr{netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("10.0.0.11")}[:g.r.IntN(3)]
		fixed := netip.MustParseAddr("10.0.0.10")
		if g.r.IntN(4) == 0 {
			fixed = netip.Addr{}
		}
		peerIsDst := i%2 == 0
		pkt := Packet{Me: me, Protocol: 6, DstPort: g.port(), SrcPort: g.port()}
		if peerIsDst {
			pkt.Src, pkt.SrcIsMe = fixed, true
		} else {
			pkt.Dst, pkt.DstIsMe = fixed, true
		}
		m := NewPeerMatcher(pols, pkt, peerIsDst)
		runs := m.Runs(ps, splits)
		next := 0
		for _, run := range runs {
			if run.Start != next || run.End <= run.Start {
				t.Fatalf("case %d: runs do not cover the peers in order: %+v", i, runs)
			}
			next = run.End
			for j := run.Start; j < run.End; j++ {
				want := MatchPolicies(pols, m.Packet(peers[j]))
				if !reflect.DeepEqual(run.Match, want) {
					t.Fatalf("case %d, peer %s (run %d-%d): the run's answer\n%+v\ndiffers from Match's\n%+v", i, peers[j], run.Start, run.End, run.Match, want)
				}
			}
			if peers[run.Start] == split && run.End-run.Start != 1 && peers[run.End-1] != peers[run.Start] {
				t.Fatalf("case %d: split address %s shares run %d-%d", i, peers[run.Start], run.Start, run.End)
			}
		}
		if next != len(peers) {
			t.Fatalf("case %d: runs end at %d of %d peers", i, next, len(peers))
		}
	}
}

// TestPeerRunsUnsorted answers peers that are not sorted one by one.
func TestPeerRunsUnsorted(t *testing.T) {
	pol := newPolicy().rule("R", true, ActionPermit, flt(kind(AddrMe), ip("10.0.0.0/24"), 6, 0, 0, true)).p
	peers := []netip.Addr{netip.MustParseAddr("10.0.0.50"), netip.MustParseAddr("10.0.0.1"), {}}
	m := NewPeerMatcher([]*Policy{pol}, outbound(6, 110), true)
	runs := m.Runs(NewPeerSet(peers), nil)
	if len(runs) != 3 {
		t.Fatalf("got %d runs for 3 unsorted peers, want 3", len(runs))
	}
	for i, r := range runs {
		if want := MatchPolicies([]*Policy{pol}, m.Packet(peers[i])); !reflect.DeepEqual(r.Match, want) {
			t.Errorf("peer %d: %+v, want %+v", i, r.Match, want)
		}
	}
}

// TestPeerRunsMergeClasses: a host whose filters single out addresses no
// peer has still answers the peers around them as one run.
func TestPeerRunsMergeClasses(t *testing.T) {
	b := newPolicy().rule("BE", true, ActionNegotiate, flt(kind(AddrMe), ip("172.16.0.0/12"), 6, 0, 110, true))
	for _, dc := range []string{"172.16.0.2/32", "172.16.1.2/32", "172.16.2.2/32"} {
		b.rule("DC "+dc, true, ActionPermit, flt(kind(AddrMe), ip(dc), 0, 0, 0, true))
	}
	var peers []netip.Addr
	for _, s := range []string{"172.16.0.10", "172.16.0.11", "172.16.1.10", "172.16.2.10", "172.16.3.10"} {
		peers = append(peers, netip.MustParseAddr(s))
	}
	runs := NewPeerMatcher([]*Policy{b.p}, outbound(6, 110), true).Runs(NewPeerSet(peers), nil)
	if len(runs) != 1 || runs[0].End != len(peers) || runs[0].Match.Rule.Name != "BE" {
		t.Fatalf("runs = %+v, want one run of every peer decided by rule BE", runs)
	}
}

func TestAfterPrefix(t *testing.T) {
	cases := []struct {
		p    string
		want string
	}{
		{"10.0.0.0/8", "11.0.0.0"},
		{"10.0.0.5/32", "10.0.0.6"},
		{"10.0.0.4/31", "10.0.0.6"},
		{"255.255.255.0/24", "::"},
		{"0.0.0.0/0", "::"},
		{"ffff::/16", ""},
		{"fe80::/64", "fe80:0:0:1::"},
	}
	for _, c := range cases {
		got, ok := afterPrefix(netip.MustParsePrefix(c.p))
		if (c.want == "") == ok || ok && got.String() != c.want {
			t.Errorf("afterPrefix(%s) = %v, %v; want %q", c.p, got, ok, c.want)
		}
	}
}

// TestPeerMatcherResetAgreesWithNew: one matcher and one Splits made
// again and again with Reset (as the flow analysis uses them, host after
// host, set from port to port, appending runs after others) answer
// exactly as new ones, over random policies, packets and
// splits; and no run straddles a split's edge.
func TestPeerMatcherResetAgreesWithNew(t *testing.T) {
	g := policyGen{rand.New(rand.NewPCG(3, 4))}
	peers := peerUniverse()
	ps := NewPeerSet(peers)
	var m PeerMatcher
	var sp Splits
	for i := range 2000 {
		pols := []*Policy{g.policy("P"), g.policy("Q")}[:1+i%2]
		var prefixes []netip.Prefix
		for range g.r.IntN(4) {
			prefixes = append(prefixes, g.prefix())
		}
		me := []netip.Addr{netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("fe80::1")}[:g.r.IntN(3)]
		peerIsDst := g.r.IntN(2) == 0
		pkt := Packet{Me: me, Protocol: 6, SrcPort: g.port(), DstPort: g.port()}
		if peerIsDst {
			pkt.Src, pkt.SrcIsMe = netip.MustParseAddr("10.0.0.10"), true
		} else {
			pkt.Dst, pkt.DstIsMe = netip.MustParseAddr("10.0.0.10"), true
		}
		want := NewPeerMatcher(pols, pkt, peerIsDst).Runs(ps, NewSplits(prefixes))
		other := pkt // made for other ports, then set to pkt's
		other.SrcPort, other.DstPort = g.port(), g.port()
		prefix := []PeerRun{{Start: -1, End: 0}} // AppendRuns must not extend what it was given
		got := m.Reset(pols, other, peerIsDst).SetPorts(pkt.SrcPort, pkt.DstPort).AppendRuns(prefix, ps, sp.Reset(prefixes))
		if !reflect.DeepEqual(got[0], prefix[0]) {
			t.Fatalf("case %d: AppendRuns changed the run it was given: %+v", i, got[0])
		}
		got = got[1:]
		if set := NewPeerMatcher(pols, other, peerIsDst).SetPorts(pkt.SrcPort, pkt.DstPort).Runs(ps, NewSplits(prefixes)); !reflect.DeepEqual(set, want) {
			t.Fatalf("case %d: a new matcher set to other ports answers\n%+v\nnot\n%+v", i, set, want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: a Reset matcher's runs\n%+v\ndiffer from a new one's\n%+v", i, got, want)
		}
		for _, run := range got {
			for j := run.Start + 1; j < run.End; j++ {
				for _, p := range prefixes {
					if p.Contains(peers[j]) != p.Contains(peers[run.Start]) {
						t.Fatalf("case %d: run %d-%d straddles split %s at %s", i, run.Start, run.End, p, peers[j])
					}
				}
			}
			if w := MatchPolicies(pols, m.Packet(peers[run.End-1])); !reflect.DeepEqual(run.Match, w) {
				t.Fatalf("case %d: the last peer %s of run %d-%d gets\n%+v\nnot the run's\n%+v", i, peers[run.End-1], run.Start, run.End, w, run.Match)
			}
		}
	}
}
