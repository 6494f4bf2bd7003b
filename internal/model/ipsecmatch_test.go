package model

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// policyBuilder makes small policies for the matcher tests.
type policyBuilder struct{ p *Policy }

func newPolicy() *policyBuilder { return &policyBuilder{p: &Policy{Name: "P", Assigned: true}} }

func (b *policyBuilder) rule(name string, active bool, action ActionKind, filters ...*Filter) *policyBuilder {
	fa := &FilterAction{Name: name + "-action", Action: action}
	if action == ActionNegotiate {
		fa.Methods = []QMMethod{{ESP: &ESPTransform{Cipher: Alg3DES, Integrity: AlgSHA1}, Text: "ESP[3DES,SHA1]"}}
	}
	b.p.Rules = append(b.p.Rules, &Rule{
		Name: name, Active: active, ConnType: ConnAll,
		FilterList: &FilterList{Name: name + "-list", Filters: filters}, FilterListName: name + "-list",
		FilterAction: fa, FilterActionName: fa.Name,
	})
	return b
}

// conn sets the connection type of the last rule.
func (b *policyBuilder) conn(c ConnType) *policyBuilder {
	b.p.Rules[len(b.p.Rules)-1].ConnType = c
	return b
}

// doubt puts a doubt on a field of the last rule.
func (b *policyBuilder) doubt(field string) *policyBuilder {
	r := b.p.Rules[len(b.p.Rules)-1]
	r.Doubts = append(r.Doubts, Doubt{Field: field, Reason: "refused by netsh"})
	return b
}

// actionDoubt puts a doubt on a field of the last rule's filter action.
func (b *policyBuilder) actionDoubt(field string) *policyBuilder {
	a := b.p.Rules[len(b.p.Rules)-1].FilterAction
	a.Doubts = append(a.Doubts, Doubt{Field: field, Reason: "refused by netsh"})
	return b
}

func ip(s string) Address     { return Address{Kind: AddrIP, Net: netip.MustParsePrefix(s)} }
func kind(k AddrKind) Address { return Address{Kind: k} }

func flt(src, dst Address, proto uint8, sport, dport uint16, mirrored bool) *Filter {
	return NewFilter(FilterSpec{Src: src, Dst: dst, Protocol: proto, SrcPort: sport, DstPort: dport, Mirrored: mirrored}, Location{})
}

var (
	feAddr = netip.MustParseAddr("10.0.0.10")
	beAddr = netip.MustParseAddr("10.0.0.50")
	me     = []netip.Addr{feAddr}
)

// outbound is a packet from the host (front-end) to the back-end.
func outbound(proto uint8, dport uint16) Packet {
	return Packet{Src: feAddr, SrcIsMe: true, Dst: beAddr, Me: me, Protocol: proto, SrcPort: 0, DstPort: dport}
}

func TestMatch(t *testing.T) {
	any, meA := kind(AddrAny), kind(AddrMe)
	cases := []struct {
		name     string
		policy   *Policy
		pkt      Packet
		want     MatchOutcome
		wantRule string
		mirror   bool
		unsure   string // substring of an Uncertain entry, "" = none expected
		ties     int
		maybe    int
	}{
		{
			name:     "host filter beats any-any block",
			policy:   newPolicy().rule("block-all", true, ActionBlock, flt(any, any, 0, 0, 0, true)).rule("pop3", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "pop3",
		},
		{
			name:     "other port falls to the any-any block",
			policy:   newPolicy().rule("block-all", true, ActionBlock, flt(any, any, 0, 0, 0, true)).rule("pop3", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).p,
			pkt:      outbound(6, 143),
			want:     MatchBlock,
			wantRule: "block-all",
		},
		{
			name:     "host beats subnet",
			policy:   newPolicy().rule("subnet-permit", true, ActionPermit, flt(meA, ip("10.0.0.0/24"), 0, 0, 0, true)).rule("host-esp", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 0, 0, 0, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "host-esp",
		},
		{
			name:     "subnet applies to other hosts of the subnet",
			policy:   newPolicy().rule("subnet-permit", true, ActionPermit, flt(meA, ip("10.0.0.0/24"), 0, 0, 0, true)).rule("host-esp", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 0, 0, 0, true)).p,
			pkt:      Packet{Src: feAddr, SrcIsMe: true, Dst: netip.MustParseAddr("10.0.0.51"), Me: me, Protocol: 6, DstPort: 110},
			want:     MatchPermit,
			wantRule: "subnet-permit",
		},
		{
			name:     "address specificity beats protocol and port",
			policy:   newPolicy().rule("host-any", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 0, 0, 0, true)).rule("subnet-port", true, ActionPermit, flt(meA, ip("10.0.0.0/8"), 6, 0, 110, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "host-any",
		},
		{
			name:     "mirrored filter matches the reverse direction",
			policy:   newPolicy().rule("pop3", true, ActionNegotiate, flt(ip("10.0.0.50/32"), meA, 6, 110, 0, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "pop3",
			mirror:   true,
		},
		{
			name:   "one-way filter does not match the reverse direction",
			policy: newPolicy().rule("pop3", true, ActionNegotiate, flt(ip("10.0.0.50/32"), meA, 6, 110, 0, false)).p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
		},
		{
			name:   "inactive rule is ignored",
			policy: newPolicy().rule("pop3", false, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
		},
		{
			name:     "port-specific beats any-port at equal addresses",
			policy:   newPolicy().rule("host-permit", true, ActionPermit, flt(meA, ip("10.0.0.50/32"), 6, 0, 0, true)).rule("host-110", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "host-110",
		},
		{
			name:     "protocol-specific beats any protocol at equal addresses",
			policy:   newPolicy().rule("tcp-block", true, ActionBlock, flt(meA, ip("10.0.0.50/32"), 6, 0, 0, true)).rule("all-permit", true, ActionPermit, flt(meA, ip("10.0.0.50/32"), 0, 0, 0, true)).p,
			pkt:      outbound(6, 25),
			want:     MatchBlock,
			wantRule: "tcp-block",
		},
		{
			name:   "unknown (ephemeral) source port does not match a source-port filter",
			policy: newPolicy().rule("sport", true, ActionBlock, flt(meA, any, 6, 1025, 0, false)).p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
		},
		{
			name:   "protocol mismatch",
			policy: newPolicy().rule("udp", true, ActionBlock, flt(any, any, 17, 0, 0, true)).p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
		},
		{
			name:     "me matches through Packet.Me when SrcIsMe is not set",
			policy:   newPolicy().rule("pop3", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, false)).p,
			pkt:      Packet{Src: feAddr, Dst: beAddr, Me: me, Protocol: 6, DstPort: 110},
			want:     MatchNegotiate,
			wantRule: "pop3",
		},
		{
			name:   "own address unknown against a filter on a specific source: undecided",
			policy: newPolicy().rule("fe-be", true, ActionNegotiate, flt(ip("10.0.0.10/32"), ip("10.0.0.50/32"), 6, 0, 110, true)).p,
			pkt:    Packet{SrcIsMe: true, Dst: beAddr, Protocol: 6, DstPort: 110},
			want:   MatchNone,
			unsure: "source address is unknown",
			maybe:  1,
		},
		{
			name:   "DNS servers filter is unknown offline",
			policy: newPolicy().rule("dns", true, ActionBlock, flt(meA, kind(AddrDNS), 0, 0, 0, true)).p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
			unsure: "DNS servers",
			maybe:  1,
		},
		{
			name:   "a DNS-name permit cannot change a packet nothing else matches: decided",
			policy: newPolicy().rule("dns", true, ActionPermit, flt(meA, Address{Kind: AddrDNSName, Name: "be.contoso.com"}, 0, 0, 0, true)).p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
		},
		{
			name:     "a DNS-name filter less specific than the deciding one does not matter",
			policy:   newPolicy().rule("host", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).rule("dns", true, ActionPermit, flt(any, Address{Kind: AddrDNSName, Name: "be.contoso.com"}, 0, 0, 0, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "host",
		},
		{
			name:     "equally specific filters that disagree: a tie, block reported first",
			policy:   newPolicy().rule("permit", true, ActionPermit, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).rule("block", true, ActionBlock, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchBlock,
			wantRule: "block",
			unsure:   "neither is more specific",
			ties:     1,
		},
		{
			name:     "more specific by source, less by destination: not ordered",
			policy:   newPolicy().rule("src-host", true, ActionPermit, flt(ip("10.0.0.10/32"), ip("10.0.0.0/24"), 0, 0, 0, true)).rule("dst-host", true, ActionNegotiate, flt(ip("10.0.0.0/24"), ip("10.0.0.50/32"), 0, 0, 0, true)).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "dst-host",
			unsure:   "neither is more specific",
			ties:     1,
		},
		{
			name:   "a dial-up rule does not apply to LAN traffic",
			policy: newPolicy().rule("dialup", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).conn(ConnDialup).p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
		},
		{
			name:     "a LAN rule applies",
			policy:   newPolicy().rule("lan", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).conn(ConnLAN).p,
			pkt:      outbound(6, 110),
			want:     MatchNegotiate,
			wantRule: "lan",
		},
		{
			name:   "a rule of unknown connection type may apply: its filter only may match",
			policy: newPolicy().rule("unknown", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).conn("").p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
			maybe:  1,
			unsure: "connection type",
		},
		{
			name:   "an active rule whose activate= was refused only may match",
			policy: newPolicy().rule("act", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).doubt("active").p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
			maybe:  1,
			unsure: "is active",
		},
		{
			name:   "a rule whose filter action's inpass is not established only may match",
			policy: newPolicy().rule("inp", true, ActionNegotiate, flt(meA, ip("10.0.0.50/32"), 6, 0, 110, true)).actionDoubt("inpass").p,
			pkt:    outbound(6, 110),
			want:   MatchNone,
			maybe:  1,
			unsure: "inpass",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.policy.Match(c.pkt)
			if got.Outcome != c.want {
				t.Fatalf("outcome = %s, want %s (uncertain %q)", got.Outcome, c.want, got.Uncertain)
			}
			if c.wantRule != "" && (got.Rule == nil || got.Rule.Name != c.wantRule) {
				t.Errorf("rule = %v, want %s", got.Rule, c.wantRule)
			}
			if len(got.Ties) != c.ties || len(got.Maybe) != c.maybe {
				t.Errorf("ties %d, maybe %d; want %d, %d", len(got.Ties), len(got.Maybe), c.ties, c.maybe)
			}
			if got.Decided() != (c.ties == 0 && c.maybe == 0) {
				t.Errorf("Decided() = %v", got.Decided())
			}
			if got.Mirror != c.mirror {
				t.Errorf("mirror = %v, want %v", got.Mirror, c.mirror)
			}
			joined := strings.Join(got.Uncertain, "\n")
			if c.unsure == "" && joined != "" {
				t.Errorf("unexpected uncertainty: %s", joined)
			}
			if c.unsure != "" && !strings.Contains(joined, c.unsure) {
				t.Errorf("uncertain = %q, want it to mention %q", got.Uncertain, c.unsure)
			}
		})
	}
}

func TestMatchNegotiateDetails(t *testing.T) {
	p := newPolicy().rule("block-all", true, ActionBlock, flt(kind(AddrAny), kind(AddrAny), 0, 0, 0, true)).
		rule("pop3", true, ActionNegotiate, flt(kind(AddrMe), ip("10.0.0.50/32"), 6, 0, 110, true)).p
	p.Rules[1].FilterAction.Soft = true
	p.Rules[1].FilterAction.InPass = true
	p.Rules = append(p.Rules, &Rule{Name: "default", Default: true, Active: true})
	got := p.Match(outbound(6, 110))
	if !got.Soft || !got.InPass || len(got.Methods) != 1 || !got.Methods[0].Confidential() {
		t.Errorf("negotiate details = soft %v inpass %v methods %v", got.Soft, got.InPass, got.Methods)
	}
	if len(got.Candidates) != 1 || got.Candidates[0].Rule.Name != "block-all" {
		t.Errorf("candidates = %+v, want the any-any block", got.Candidates)
	}
}

func TestMatchUnresolvedAndNil(t *testing.T) {
	var nilPolicy *Policy
	if got := nilPolicy.Match(outbound(6, 110)); got.Outcome != MatchNone || len(got.Uncertain) == 0 {
		t.Errorf("nil policy: %+v", got)
	}
	p := &Policy{Name: "P", Rules: []*Rule{{Name: "r", Active: true, FilterListName: "missing"}}}
	got := p.Match(outbound(6, 110))
	if got.Outcome != MatchNone || !strings.Contains(strings.Join(got.Uncertain, " "), "missing") {
		t.Errorf("unresolved list: %+v", got)
	}
}

func TestSpecificityCompare(t *testing.T) {
	host := Specificity{SrcBits: 32, DstBits: 32}
	for _, c := range []struct {
		a, b Specificity
		want Order
	}{
		{host, Specificity{SrcBits: 32, DstBits: 24}, MoreSpecific},
		{Specificity{SrcBits: 32, DstBits: 24, Protocol: true, DstPort: true}, host, LessSpecific},
		{Specificity{SrcBits: 32, DstBits: 24}, Specificity{SrcBits: 24, DstBits: 32}, Unordered},
		{Specificity{SrcBits: 32, DstBits: 32, Protocol: true}, host, MoreSpecific},
		{Specificity{SrcBits: 32, DstBits: 32, Protocol: true, DstPort: true}, Specificity{SrcBits: 32, DstBits: 32, Protocol: true}, MoreSpecific},
		{Specificity{SrcBits: 32, DstBits: 32, SrcPort: true}, Specificity{SrcBits: 32, DstBits: 32, DstPort: true}, Unordered},
		{host, host, SameSpecificity},
	} {
		if got := c.a.Compare(c.b); got != c.want {
			t.Errorf("%+v vs %+v = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestMatchPoliciesTogether checks that the filters of a persistent policy
// and of the assigned policy compete as one set: the persistent policy's
// host permit beats the assigned policy's subnet negotiate.
func TestMatchPoliciesTogether(t *testing.T) {
	persistent := newPolicy().rule("persistent-permit", true, ActionPermit, flt(kind(AddrMe), ip("10.0.0.50/32"), 0, 0, 0, true)).p
	assigned := newPolicy().rule("subnet-esp", true, ActionNegotiate, flt(kind(AddrMe), ip("10.0.0.0/24"), 6, 0, 110, true)).p
	got := MatchPolicies([]*Policy{persistent, assigned}, outbound(6, 110))
	if got.Outcome != MatchPermit || got.Policy != persistent || got.Rule.Name != "persistent-permit" {
		t.Errorf("persistent + assigned: %s by %v", got.Outcome, got.Rule)
	}
	if got := MatchPolicies([]*Policy{assigned}, outbound(6, 110)); got.Outcome != MatchNegotiate {
		t.Errorf("assigned alone: %s", got.Outcome)
	}
}

func TestDefaultRuleJSONCarriesItsResponse(t *testing.T) {
	action := &FilterAction{Name: "Default Response", Action: ActionNegotiate, Methods: []QMMethod{{Text: "ESP[3DES,SHA1]"}}}
	def, err := json.Marshal(&Rule{Name: "Default Response", Default: true, FilterAction: action})
	if err != nil || !strings.Contains(string(def), `"response":{"name":"Default Response"`) || !strings.Contains(string(def), "ESP[3DES,SHA1]") {
		t.Errorf("default rule JSON = %s, %v", def, err)
	}
	plain, _ := json.Marshal(Rule{Name: "R", FilterAction: action})
	if strings.Contains(string(plain), "response") {
		t.Errorf("ordinary rule JSON carries a response: %s", plain)
	}
}

// TestPolicyDoubtsAreNotTies: a tie between two negotiating rules is in
// Uncertain but not in PolicyDoubts (whichever wins, the packet is
// negotiated); a doubt about the policy itself, a rule whose filter list
// is not in the file, is in both.
func TestPolicyDoubtsAreNotTies(t *testing.T) {
	tie := newPolicy().rule("enc", true, ActionNegotiate, flt(kind(AddrMe), ip("10.0.0.0/24"), 6, 0, 110, true)).
		rule("encsoft", true, ActionNegotiate, flt(kind(AddrMe), ip("10.0.0.0/24"), 6, 0, 110, true)).p
	tie.Rules[1].FilterAction.Soft = true
	got := tie.Match(outbound(6, 110))
	if len(got.Ties) != 1 || len(got.Uncertain) == 0 || len(got.PolicyDoubts) != 0 {
		t.Errorf("tie: ties %d, uncertain %q, policy doubts %q", len(got.Ties), got.Uncertain, got.PolicyDoubts)
	}
	missing := newPolicy().rule("enc", true, ActionNegotiate, flt(kind(AddrMe), ip("10.0.0.0/24"), 6, 0, 110, true)).p
	missing.Rules = append(missing.Rules, &Rule{Name: "lost", Active: true, ConnType: ConnAll, FilterListName: "not exported"})
	got = missing.Match(outbound(6, 110))
	if got.Outcome != MatchNegotiate || len(got.PolicyDoubts) != 1 || !strings.Contains(got.PolicyDoubts[0], "not exported") {
		t.Errorf("missing list: %s, policy doubts %q", got.Outcome, got.PolicyDoubts)
	}
}

// TestTiesCountAuthentication: two equally specific filters whose rules
// share a filter action but authenticate differently (a pre-shared key
// against Kerberos) are a tie: which one Windows applies decides the
// security association. With the same authentication they are not.
func TestTiesCountAuthentication(t *testing.T) {
	p := newPolicy().rule("kerberos", true, ActionNegotiate, flt(kind(AddrMe), ip("10.0.0.0/24"), 6, 0, 110, true)).
		rule("psk", true, ActionNegotiate, flt(kind(AddrMe), ip("10.0.0.0/24"), 6, 0, 110, true)).p
	p.Rules[1].FilterAction = p.Rules[0].FilterAction
	p.Rules[0].Auth = []AuthMethod{{Kind: AuthKerberos}}
	p.Rules[1].Auth = []AuthMethod{{Kind: AuthPreshared, KeyLength: 8}}
	if got := p.Match(outbound(6, 110)); len(got.Ties) != 1 {
		t.Errorf("different authentication: %d ties, want 1", len(got.Ties))
	}
	p.Rules[1].Auth = []AuthMethod{{Kind: AuthKerberos}}
	if got := p.Match(outbound(6, 110)); len(got.Ties) != 0 {
		t.Errorf("same authentication: %d ties, want 0", len(got.Ties))
	}
}
