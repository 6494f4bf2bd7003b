package gpipsec

import (
	"fmt"
	"math/bits"
	"net/netip"

	"github.com/ipseclint/ipseclint/internal/model"
)

// mapFilterBlob fills a filter list's filters from its blob.
func mapFilterBlob(fb *filterBlob, l *model.FilterList, bl blobLoc) []finding {
	notes := bl.split(fb.Findings, &l.Doubts)
	if fb.Fail != nil {
		d := bl.doubtAt("filters", fb.Fail)
		d.Reason += "; the filters from there on are unknown"
		l.Doubts = append(l.Doubts, d)
	}
	for i := range fb.Specs {
		f, warnings := mapFilter(&fb.Specs[i], bl)
		l.Filters = append(l.Filters, f)
		notes = append(notes, warnings...)
	}
	return notes
}

// The special-filter values (GPIPSEC.md §4.7): 0x01–0x04 as the source,
// 0x81–0x84 as the destination.
var specialKinds = [5]model.AddrKind{0, model.AddrDNS, model.AddrWINS, model.AddrDHCP, model.AddrGateway}

// mapFilter turns one legacy filter spec into a filter, and returns what
// to warn of that does not put it in doubt.
func mapFilter(s *filterSpecBlob, bl blobLoc) (*model.Filter, []finding) {
	fx := s.FixedOff
	f := model.NewFilter(model.FilterSpec{Description: s.Description, GUID: s.ID.String(), Mirrored: s.Mirror == 1,
		SrcPort: s.SrcPort, DstPort: s.DstPort}, bl.at(s.Off))
	doubt := func(field string, off int, format string, args ...any) {
		f.Doubts = append(f.Doubts, model.Doubt{Field: field, Loc: bl.at(off),
			Reason: fmt.Sprintf("not understood at offset %d: ", off) + fmt.Sprintf(format, args...)})
	}
	if s.Mirror > 1 {
		doubt("mirrored", fx+16, "Legacy-Mirror-Options %d (0 or 1 expected)", s.Mirror)
	}
	if s.Protocol > 255 {
		doubt("protocol", fx+40, "Legacy-Protocol %d is not an IP protocol number", s.Protocol)
	} else {
		f.Protocol = uint8(s.Protocol)
	}
	srcSpecial, dstSpecial := model.AddrKind(0), model.AddrKind(0)
	switch sp := s.Special; {
	case sp == 0:
	case sp >= 0x01 && sp <= 0x04:
		srcSpecial = specialKinds[sp]
	case sp >= 0x81 && sp <= 0x84:
		dstSpecial = specialKinds[sp-0x80]
	default:
		srcSpecial, dstSpecial = model.AddrUnknown, model.AddrUnknown
		doubt("src", fx+49, "Legacy-Special-Filter 0x%02X (0x01–0x04 or 0x81–0x84 expected)", sp)
		doubt("dst", fx+49, "Legacy-Special-Filter 0x%02X (0x01–0x04 or 0x81–0x84 expected)", sp)
	}
	var why, warn string
	var warnings []finding
	if f.Src, why, warn = mapAddr(s.Src, s.SrcMask, s.SrcName, srcSpecial); why != "" {
		doubt("src", fx+20, "source %s", why)
	} else if warn != "" {
		warnings = append(warnings, finding{Off: fx + 20, Msg: "source " + warn})
	}
	if f.Dst, why, warn = mapAddr(s.Dst, s.DstMask, s.DstName, dstSpecial); why != "" {
		doubt("dst", fx+28, "destination %s", why)
	} else if warn != "" {
		warnings = append(warnings, finding{Off: fx + 28, Msg: "destination " + warn})
	}
	if s.IsTunnel != 0 {
		f.Doubts = append(f.Doubts, model.Doubt{Field: "tunnel", Loc: bl.at(fx + 48),
			Reason: fmt.Sprintf("Legacy-Is-Tunnel is %d (Legacy-Tunnel-Address %s): how a filter's own tunnel fields relate to its rule's is uncertain (GPIPSEC.md §7)", s.IsTunnel, netip.AddrFrom4(s.Tunnel))})
	}
	if s.Options != 0 {
		doubt("object", fx+50, "Legacy-Filter-Options 0x%04X (MUST be 0)", s.Options)
	}
	return f, warnings
}

// mapAddr decodes one end of a filter by GPIPSEC.md §4.8 rules 1–4; any
// other pattern (how "my IP address" is stored is not established by any
// public source) is AddrUnknown with the reason returned.
func mapAddr(addr, mask [4]byte, name string, special model.AddrKind) (model.Address, string, string) {
	a, m := netip.AddrFrom4(addr), bits.LeadingZeros32(^be32(mask))
	switch {
	case special == model.AddrUnknown:
		return model.Address{Kind: model.AddrUnknown}, "", ""
	case special != 0:
		return model.Address{Kind: special}, "", ""
	case name != "":
		// The address fields may hold an address resolved when the filter
		// was made (uncertain, possibly stale): the name is what counts.
		return model.Address{Kind: model.AddrDNSName, Name: name}, "", ""
	case a.IsUnspecified() && be32(mask) == 0:
		return model.Address{Kind: model.AddrAny}, "", ""
	case be32(mask)<<m != 0:
		return model.Address{Kind: model.AddrUnknown}, fmt.Sprintf("%s with the non-contiguous mask %s", a, netip.AddrFrom4(mask)), ""
	case a.IsUnspecified() || m == 0:
		return model.Address{Kind: model.AddrUnknown}, fmt.Sprintf("%s with mask %s matches no established encoding (\"my IP address\" is stored in a way no public source establishes)", a, netip.AddrFrom4(mask)), ""
	}
	p := netip.PrefixFrom(a, m)
	if p.Masked().Addr() != a {
		// A subnet, with a warning (GPIPSEC.md §4.8 rule 4).
		return model.Address{Kind: model.AddrIP, Net: p.Masked()}, "", fmt.Sprintf("%s has bits outside its mask %s; read as the subnet %s", a, netip.AddrFrom4(mask), p.Masked())
	}
	return model.Address{Kind: model.AddrIP, Net: p}, "", ""
}

// be32 reads 4 bytes in network order.
func be32(b [4]byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
