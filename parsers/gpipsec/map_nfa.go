package gpipsec

import (
	"fmt"
	"net/netip"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The Interface-Type values (GPIPSEC.md §4.2).
const (
	ifAll    = 0xFFFFFFFD
	ifLAN    = 0xFFFFFFFE
	ifDialup = 0xFFFFFFFF
)

// mapNFA fills a rule's authentication, connection type, mode and active
// flag from its NFA blob. Fields the blob does not establish get a doubt
// and keep their zero value (inactive, no connection type, transport).
func mapNFA(nb *nfaBlob, r *model.Rule, bl blobLoc) []finding {
	notes := bl.split(nb.Findings, &r.Doubts)
	if f := nb.Fail; f != nil {
		unread := func(ok bool, field string) {
			if !ok {
				r.Doubts = append(r.Doubts, bl.doubtAt(field, f))
			}
		}
		unread(nb.AuthOK, "auth")
		unread(nb.IfType.OK, "connType")
		unread(nb.TunnelAddr.OK && nb.IsTunnel.OK && nb.Endpoint.OK, "tunnelEndpoint")
		unread(nb.IsActive.OK, "active")
		if nb.LegacyEnd > 0 {
			// The legacy part was read; what failed is the Vista+ extension.
			r.Doubts = append(r.Doubts, bl.doubtAt("auth", f))
		}
	}
	r.Auth = mapAuth(nb.Auth, r, bl, "auth")
	if nb.IfType.OK {
		r.ConnType = connType(nb.IfType.V)
		if r.ConnType == "" {
			r.Doubts = append(r.Doubts, model.Doubt{Field: "connType", Loc: bl.at(nb.IfType.Off),
				Reason: fmt.Sprintf("not understood at offset %d: Interface-Type 0x%08X (0xFFFFFFFD all, 0xFFFFFFFE LAN, 0xFFFFFFFF dial-up expected)", nb.IfType.Off, nb.IfType.V)})
		}
	}
	if nb.IfName.OK && nb.IfName.V != "" {
		r.Doubts = append(r.Doubts, model.Doubt{Field: "connType", Loc: bl.at(nb.IfName.Off),
			Reason: fmt.Sprintf("Interface-Name %q: a rule limited to a named interface has not been seen, and which connections it covers is not understood", nb.IfName.V)})
	}
	if nb.IsActive.OK {
		bl.flag(nb.IsActive, "active", "Is-Active-Specifier", &r.Active, &r.Doubts)
	}
	mapTunnel(nb, r, bl)
	if nb.Ext != nil {
		notes = append(notes, mapNFAExt(nb, r, bl)...)
	}
	return notes
}

func connType(v uint32) model.ConnType {
	switch v {
	case ifAll:
		return model.ConnAll
	case ifLAN:
		return model.ConnLAN
	case ifDialup:
		return model.ConnDialup
	}
	return ""
}

// mapAuth turns authentication methods into the model's, never with a
// key: a pre-shared key becomes its length only.
func mapAuth(list []authBlob, r *model.Rule, bl blobLoc, field string) []model.AuthMethod {
	var out []model.AuthMethod
	for i, a := range list {
		m := model.AuthMethod{Loc: bl.at(a.Off)}
		switch a.Type {
		case authTypePSK:
			m.Kind, m.KeyLength = model.AuthPreshared, a.KeyChars
		case authTypeCertificate:
			m.Kind, m.CA = model.AuthCertificate, a.Text
			if a.Withheld {
				r.Doubts = append(r.Doubts, model.Doubt{Field: fmt.Sprintf("%s[%d].ca", field, i), Loc: m.Loc,
					Reason: fmt.Sprintf("the CA name at offset %d does not read as a distinguished name: not shown, since a pre-shared key under a damaged Auth-Type would read so (its bytes were blanked in memory)", a.Off)})
			}
		case authTypeKerberos:
			m.Kind = model.AuthKerberos
		default:
			m.Kind = model.AuthUnknown
			r.Doubts = append(r.Doubts, model.Doubt{Field: fmt.Sprintf("%s[%d]", field, i), Loc: m.Loc,
				Reason: fmt.Sprintf("not understood at offset %d: Auth-Type %d (%d bytes of data; 1 pre-shared key, 3 certificate, 5 Kerberos expected)", a.Off, a.Type, a.Data.Len)})
		}
		out = append(out, m)
	}
	return out
}

// mapTunnel reads the rule's mode: transport, or tunnel to an address or
// end-point name (GPIPSEC.md §3.3.1: Is-Tunnel, then Is-Active).
func mapTunnel(nb *nfaBlob, r *model.Rule, bl blobLoc) {
	if !nb.IsTunnel.OK || !nb.TunnelAddr.OK || !nb.Endpoint.OK {
		return
	}
	addr := netip.AddrFrom4(nb.TunnelAddr.V)
	switch nb.IsTunnel.V {
	case 0:
	case 1:
		switch {
		case !addr.IsUnspecified():
			r.TunnelEndpoint = addr.String()
		case nb.Endpoint.V != "":
			r.TunnelEndpoint = nb.Endpoint.V
		default:
			r.Doubts = append(r.Doubts, model.Doubt{Field: "tunnelEndpoint", Loc: bl.at(nb.IsTunnel.Off),
				Reason: fmt.Sprintf("not understood at offset %d: Is-Tunnel-Specifier 1 with Tunnel-Address 0.0.0.0 and no end-point name: the rule's mode is not understood", nb.IsTunnel.Off)})
		}
	default:
		r.Doubts = append(r.Doubts, model.Doubt{Field: "tunnelEndpoint", Loc: bl.at(nb.IsTunnel.Off),
			Reason: fmt.Sprintf("not understood at offset %d: Is-Tunnel-Specifier %d (0 transport or 1 tunnel expected)", nb.IsTunnel.Off, nb.IsTunnel.V)})
	}
}

// mapNFAExt checks the Vista+ extension against the legacy part: Windows
// Server 2003 reads only the legacy part ([MS-GPIPSEC] <6>), later
// Windows may use the extension's methods.
func mapNFAExt(nb *nfaBlob, r *model.Rule, bl blobLoc) []finding {
	e := nb.Ext
	var notes []finding
	var ext model.Rule
	alt := mapAuth(e.Auth, &ext, bl, "auth.alt")
	r.Doubts = append(r.Doubts, ext.Doubts...)
	if e.AuthOK && nb.AuthOK && !sameKinds(alt, r.Auth) {
		r.Doubts = append(r.Doubts, model.Doubt{Field: "auth", Loc: bl.at(e.Off),
			Reason: fmt.Sprintf("the Vista+ extension at offset %d lists %s, the legacy part %s: Windows Vista and later may use the extension's methods", e.Off, kinds(alt), kinds(r.Auth))})
	}
	if e.Zero1.OK && int64(e.Zero1.V) != int64(len(e.Auth)) {
		notes = append(notes, finding{Off: e.Zero1.Off, Msg: fmt.Sprintf("the Vista+ extension's field after Alt-Auth-Method-Id2 is %d; %d was expected (one per method, as seen)", e.Zero1.V, len(e.Auth))})
	}
	if e.IPv6 {
		r.Doubts = append(r.Doubts, model.Doubt{Field: "tunnelEndpoint", Loc: bl.at(e.Off),
			Reason: "the Vista+ extension holds an IPv6 tunnel end-point, which overrides Tunnel-Address and is not decoded"})
	}
	return notes
}

func sameKinds(a, b []model.AuthMethod) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind {
			return false
		}
	}
	return true
}

func kinds(list []model.AuthMethod) string {
	s := "["
	for i, m := range list {
		if i > 0 {
			s += " "
		}
		s += string(m.Kind)
	}
	return s + "]"
}
