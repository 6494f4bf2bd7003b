package policywriter

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// filterList builds a filter list's object (once per key).
func (b *builder) filterList(l *model.FilterList) *object {
	if o, ok := b.lists[l]; ok {
		return o
	}
	what := fmt.Sprintf("filter list %q", l.Name)
	if strings.TrimSpace(l.Name) == "" {
		b.fail(what, "name", l.Loc, "a filter list needs a name")
	}
	g := b.guidOf(l.GUID, what, l.Loc, clsFilter, l.Name)
	o := b.newObject(clsFilter, g, what)
	specs := make([]filterSpec, 0, len(l.Filters))
	for i, f := range l.Filters {
		specs = append(specs, b.filter(l, g, i, f))
	}
	o = b.finish(o, &l.Name, &l.Description, filterBlob(specs))
	b.lists[l] = o
	return o
}

// Legacy-Special-Filter values (GPIPSEC.md §4.7): the source's; the
// destination's have 0x80 added.
var specialCodes = map[model.AddrKind]uint8{model.AddrDNS: 0x01, model.AddrWINS: 0x02, model.AddrDHCP: 0x03, model.AddrGateway: 0x04}

// filter encodes one filter.
func (b *builder) filter(l *model.FilterList, lg guid, i int, f *model.Filter) filterSpec {
	what := fmt.Sprintf("filter %s in %q", f, l.Name)
	s := filterSpec{desc: f.Description, mirrored: f.Mirrored, protocol: uint32(f.Protocol), srcPort: f.SrcPort, dstPort: f.DstPort}
	s.id = b.guidOf(f.GUID, what, f.Loc, "filter", lg.String(), fmt.Sprint(i), f.String())
	var srcSpecial, dstSpecial uint8
	s.srcName, s.src, s.srcMask, srcSpecial = b.address(what, "src", f.Loc, f.Src)
	s.dstName, s.dst, s.dstMask, dstSpecial = b.address(what, "dst", f.Loc, f.Dst)
	switch {
	case srcSpecial != 0 && dstSpecial != 0:
		b.fail(what, "dst", f.Loc, "a legacy filter has one Legacy-Special-Filter byte: source and destination cannot both be special addresses (%s, %s)", f.Src.Kind, f.Dst.Kind)
	case srcSpecial != 0:
		s.special = srcSpecial
	case dstSpecial != 0:
		s.special = 0x80 | dstSpecial
	}
	return s
}

var allOnes = [4]byte{0xFF, 0xFF, 0xFF, 0xFF}

// address encodes one end of a filter (GPIPSEC.md §4.7, §4.8). A
// special address (DNS, WINS, DHCP, gateway) leaves the address fields 0,
// since what Windows Server 2003 writes there is uncertain; a DNS name
// goes in its DNS-name field with address 0.0.0.0 and mask
// 255.255.255.255, since whether Windows also stores the address it
// resolved is uncertain.
func (b *builder) address(what, field string, loc model.Location, a model.Address) (name string, addr, mask [4]byte, special uint8) {
	switch a.Kind {
	case model.AddrAny:
	case model.AddrIP:
		if !a.Net.IsValid() || !a.Net.Addr().Is4() {
			b.fail(what, field, loc, "address %v: an IPv4 address or subnet expected", a.Net)
			return
		}
		addr = a.Net.Addr().As4()
		mask = maskBytes(a.Net.Bits())
	case model.AddrMe:
		if !b.opts.Me.IsValid() {
			b.fail(what, field, loc, `"me" (my IP address): how a legacy filter stores it is not established by any public source (GPIPSEC.md §4.8); give the host's address (Options.Me, -me) to write that address instead`)
			return
		}
		addr, mask = b.opts.Me.As4(), allOnes
	case model.AddrDNSName:
		if a.Name == "" {
			b.fail(what, field, loc, "a DNS-name address without a name")
		}
		name, mask = a.Name, allOnes
	case model.AddrDNS, model.AddrWINS, model.AddrDHCP, model.AddrGateway:
		special = specialCodes[a.Kind]
	default:
		b.fail(what, field, loc, "address kind %q has no known encoding", a.Kind)
	}
	return name, addr, mask, special
}

// maskBytes is a prefix length as a mask in network order.
func maskBytes(bits int) [4]byte {
	var v uint32
	if bits > 0 {
		v = ^uint32(0) << (32 - bits)
	}
	return [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// filterAction builds a standard filter action's object (once per key).
func (b *builder) filterAction(a *model.FilterAction) *object {
	if o, ok := b.actions[a]; ok {
		return o
	}
	what := fmt.Sprintf("filter action %q", a.Name)
	if strings.TrimSpace(a.Name) == "" {
		b.fail(what, "name", a.Loc, "a filter action needs a name")
	}
	o := b.newObject(clsNegPol, b.guidOf(a.GUID, what, a.Loc, clsNegPol, a.Name), what)
	action := b.actionGUID(what, a)
	offers := b.offers(what, a)
	if a.Action == model.ActionNegotiate && len(a.Methods) == 0 {
		b.fail(what, "qmSecMethods", a.Loc, "a negotiate action without security methods: which list Windows writes then is not established (give qmsecmethods)")
	}
	o.add(sz(o.path, "ipsecNegotiationPolicyType", negTypeStandard.String()))
	o.add(sz(o.path, "ipsecNegotiationPolicyAction", action.String()))
	o = b.finish(o, &a.Name, &a.Description, negPolBlob(offers))
	b.actions[a] = o
	return o
}

// actionGUID is ipsecNegotiationPolicyAction (GPIPSEC.md §4.3). "Allow
// unsecured communication with non-IPSec-aware computers" (soft) has no
// known encoding (GPIPSEC.md §7), and inbound pass-through exists only
// as a kind of negotiation.
func (b *builder) actionGUID(what string, a *model.FilterAction) guid {
	if a.Soft {
		b.fail(what, "soft", a.Loc, "soft=yes (fall back to clear): how it is stored is not established by any public source (GPIPSEC.md §7)")
	}
	switch {
	case a.Action == model.ActionNegotiate && a.InPass:
		return actionInPass
	case a.Action == model.ActionNegotiate:
		return actionNegotiate
	case a.InPass:
		b.fail(what, "inpass", a.Loc, "inbound pass-through is stored as a kind of negotiation ({3F91A81A-…}); a %s action cannot have it", a.Action)
	case a.Action == model.ActionPermit:
		return actionPermit
	case a.Action == model.ActionBlock:
		return actionBlock
	default:
		b.fail(what, "action", a.Loc, "action %q: permit, block or negotiate expected", a.Action)
	}
	return guid{}
}

// offers encodes the quick-mode methods, each with the action's PFS.
func (b *builder) offers(what string, a *model.FilterAction) []offer {
	out := make([]offer, 0, len(a.Methods))
	for i, m := range a.Methods {
		field := fmt.Sprintf("qmSecMethods[%d]", i)
		o := offer{pfs: a.QMPFS}
		if m.LifetimeSec < 0 || m.LifetimeKB < 0 || int64(m.LifetimeSec) > 0xFFFFFFFF || int64(m.LifetimeKB) > 0xFFFFFFFF {
			b.fail(what, field, a.Loc, "lifetimes %dk/%ds do not fit DWORDs", m.LifetimeKB, m.LifetimeSec)
		}
		o.lifeSec, o.lifeKB = uint32(max(m.LifetimeSec, 0)), uint32(max(m.LifetimeKB, 0))
		if m.AH != "" {
			o.slots = append(o.slots, slot{alg: b.integrity(what, field, a.Loc, m.AH, false), typ: offerAH})
		}
		if m.ESP != nil {
			o.slots = append(o.slots, slot{alg: b.espCipher(what, field, a.Loc, m), integrity: b.integrity(what, field, a.Loc, m.ESP.Integrity, true), typ: offerESP})
		}
		if len(o.slots) == 0 {
			b.fail(what, field, a.Loc, "method %q has neither AH nor ESP", m.Text)
		}
		out = append(out, o)
	}
	return out
}

// espCipher is an ESP slot's Algorithm-Identifier: 1 DES and 3 3DES, as
// the real data shows (GPIPSEC.md §4.5). How ESP without encryption is
// stored is not established by any public source.
func (b *builder) espCipher(what, field string, loc model.Location, m model.QMMethod) uint32 {
	switch m.ESP.Cipher {
	case model.AlgDES:
		return 1
	case model.Alg3DES:
		return 3
	case model.AlgNone:
		b.fail(what, field, loc, "%s: ESP without encryption (cipher None): how it is stored is not established by any public source (GPIPSEC.md §4.5)", m.Text)
	default:
		b.fail(what, field, loc, "%s: ESP cipher %q: only DES (1) and 3DES (3) are established", m.Text, m.ESP.Cipher)
	}
	return 0
}

// integrity is 1 MD5, 2 SHA-1, and for ESP 0 none.
func (b *builder) integrity(what, field string, loc model.Location, alg string, noneOK bool) uint32 {
	switch {
	case alg == model.AlgMD5:
		return 1
	case alg == model.AlgSHA1:
		return 2
	case alg == model.AlgNone && noneOK:
		return 0
	}
	b.fail(what, field, loc, "integrity algorithm %q: MD5 or SHA1 expected", alg)
	return 0
}

// nfaSpec encodes a rule's authentication, connection type, mode and
// active flag.
func (b *builder) nfaSpec(p *model.Policy, r *model.Rule, what string) nfaSpec {
	s := nfaSpec{active: r.Active}
	switch r.ConnType {
	case model.ConnAll:
		s.ifType = ifAll
	case model.ConnLAN:
		s.ifType = ifLAN
	case model.ConnDialup:
		s.ifType = ifDialup
	default:
		b.fail(what, "connType", r.Loc, "connection type %q: all, lan or dialup expected", r.ConnType)
	}
	if len(r.Auth) == 0 {
		b.fail(what, "auth", r.Loc, "a rule needs an authentication method")
	}
	for i, m := range r.Auth {
		s.auth = append(s.auth, b.auth(p, r, what, fmt.Sprintf("auth[%d]", i), m))
	}
	if t := strings.TrimSpace(r.TunnelEndpoint); t != "" {
		s.isTunnel = true
		if a, err := netip.ParseAddr(t); err == nil {
			if !a.Is4() || a.IsUnspecified() {
				b.fail(what, "tunnelEndpoint", r.Loc, "tunnel end-point %s: a legacy rule holds an IPv4 address", a)
			}
			s.tunnel = a.As4()
		} else {
			// A name: [MS-GPIPSEC]'s Tunnel-End-Point-Name. Whether netsh
			// stores a name there or the address it resolves is uncertain.
			s.endpoint = t
		}
	}
	return s
}

// auth encodes one authentication method (GPIPSEC.md §4.1).
func (b *builder) auth(p *model.Policy, r *model.Rule, what, field string, m model.AuthMethod) authSpec {
	switch m.Kind {
	case model.AuthKerberos:
		return authSpec{typ: authKerberos, data: []byte{0, 0}}
	case model.AuthCertificate:
		return authSpec{typ: authCertificate, data: model.UTF16String(m.CA)}
	case model.AuthPreshared:
		key, ok := b.psk(p.Name, r.Name)
		if !ok {
			b.fail(what, field, m.Loc, "a pre-shared key (%d characters) that the model does not hold: give it in Options.PSK (-psk %q)", m.KeyLength, r.Name+"=KEY")
		}
		return authSpec{typ: authPSK, data: model.UTF16String(key)}
	}
	b.fail(what, field, m.Loc, "authentication method %q: kerberos, psk or certificate expected", m.Kind)
	return authSpec{}
}

// psk looks a rule's key up as "policy/rule", then "rule".
func (b *builder) psk(policy, rule string) (string, bool) {
	var byRule string
	found := false
	for k, v := range b.opts.PSK {
		switch {
		case strings.EqualFold(k, policy+"/"+rule):
			return v, v != ""
		case strings.EqualFold(k, rule):
			byRule, found = v, true
		}
	}
	return byRule, found && byRule != ""
}
