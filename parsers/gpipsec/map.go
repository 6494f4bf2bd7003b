package gpipsec

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// blobLoc is the location of an ipsecData value; at gives the location
// of one byte offset in it.
type blobLoc model.Location

func (b blobLoc) at(off int) model.Location {
	l := model.Location(b)
	l.Offset = int32(off)
	return l
}

// notUnderstood is the reason of a doubt about bytes a decoder could not
// read: "not understood at offset N: what".
func notUnderstood(f *finding) string {
	return fmt.Sprintf("not understood at offset %d: %s", f.Off, f.Msg)
}

// doubtAt makes the doubt for a decoder's finding.
func (b blobLoc) doubtAt(field string, f *finding) model.Doubt {
	return model.Doubt{Field: field, Reason: notUnderstood(f), Loc: b.at(f.Off)}
}

// split sorts a decoder's findings into doubts on the object (appended
// to ds) and notes (returned).
func (b blobLoc) split(fs []finding, ds *model.Doubts) []finding {
	var notes []finding
	for i := range fs {
		if fs[i].Field == "" {
			notes = append(notes, fs[i])
			continue
		}
		*ds = append(*ds, b.doubtAt(fs[i].Field, &fs[i]))
	}
	return notes
}

// flag reads a 0/1 DWORD into dst; any other value leaves dst alone and
// is a doubt on field.
func (b blobLoc) flag(f fld[uint32], field, what string, dst *bool, ds *model.Doubts) {
	switch f.V {
	case 0, 1:
		*dst = f.V == 1
	default:
		*ds = append(*ds, model.Doubt{Field: field, Loc: b.at(f.Off),
			Reason: fmt.Sprintf("not understood at offset %d: %s %d (0 or 1 expected)", f.Off, what, f.V)})
	}
}

// joinDoubt adds a reason to a method's doubt string.
func joinDoubt(old, add string) string {
	if old == "" {
		return add
	}
	return old + "; " + add
}

// Quick-mode offer types and algorithm ids (GPIPSEC.md §3.4, §4.5).
const (
	offerAH  = 1
	offerESP = 2
)

// mapNegPol fills a filter action's methods and PFS from its blob.
// negotiate says whether the action negotiates (an offer-less negotiate
// action is not understood).
func mapNegPol(nb *negPolBlob, a *model.FilterAction, bl blobLoc, negotiate bool) []finding {
	notes := bl.split(nb.Findings, &a.Doubts)
	if nb.Fail != nil {
		d := bl.doubtAt("qmSecMethods", nb.Fail)
		d.Reason += "; the security methods from there on are unknown"
		a.Doubts = append(a.Doubts, d)
		a.Doubts = append(a.Doubts, model.Doubt{Field: "qmpfs", Reason: d.Reason, Loc: d.Loc})
	}
	for i := range nb.Offers {
		a.Methods = append(a.Methods, mapOffer(&nb.Offers[i], bl))
	}
	if negotiate && len(nb.Offers) == 0 && nb.Fail == nil {
		a.Doubts = append(a.Doubts, model.Doubt{Field: "qmSecMethods", Reason: "a negotiate action with no security offer (Security-Offer-Count 0) is not understood: no sample shows one", Loc: bl.at(headerSize)})
	}
	mapQMPFS(nb.Offers, a, bl)
	return notes
}

// mapQMPFS reads PFS-QM-Required: 0 off (every sample), 1 on (GPIPSEC.md
// §4.6: the specification says the opposite, real data and ipsec2k
// suggest this reading, and no sample has PFS on). On only if every
// offer has it.
func mapQMPFS(offers []offerBlob, a *model.FilterAction, bl blobLoc) {
	on, off := 0, 0
	for i := range offers {
		switch offers[i].PFS {
		case 0:
			off++
		case 1:
			on++
		default:
			a.Doubts = append(a.Doubts, model.Doubt{Field: "qmpfs", Loc: bl.at(offers[i].Off + 12),
				Reason: fmt.Sprintf("not understood at offset %d: PFS-QM-Required is %d in offer %d (0 or 1 expected)", offers[i].Off+12, offers[i].PFS, i+1)})
		}
	}
	if on == 0 || len(offers) == 0 {
		return
	}
	loc := bl.at(offers[0].Off + 12)
	if off > 0 {
		a.Doubts = append(a.Doubts, model.Doubt{Field: "qmpfs", Loc: loc,
			Reason: fmt.Sprintf("PFS-QM-Required differs between offers (%d with 1, %d with 0): whether session-key PFS is used depends on the offer negotiated", on, off)})
		return
	}
	a.QMPFS = on == len(offers)
	a.Doubts = append(a.Doubts, model.Doubt{Field: "qmpfs", Loc: loc,
		Reason: "PFS-QM-Required is 1 and read as PFS on; [MS-GPIPSEC] §2.2.1.4.1 says 1 means off, and no public sample has PFS on (GPIPSEC.md §4.6): uncertain"})
}

// mapOffer turns one security offer into a quick-mode method in netsh's
// form ("ESP[3DES,MD5]:300s", "AH[SHA1]+ESP[DES,None]").
func mapOffer(o *offerBlob, bl blobLoc) model.QMMethod {
	m := model.QMMethod{LifetimeKB: int(o.LifeKB), LifetimeSec: int(o.LifeSec), Loc: bl.at(o.Off)}
	if o.Options != 0 {
		m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: Negotiation-Options is 0x%x (MUST be 0)", o.Off+8, o.Options))
	}
	if o.AlgCount < 1 || o.AlgCount > maxSlots {
		m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: Algorithm-Offer-Count is %d (1 to 3 expected)", o.Off+16, o.AlgCount))
		m.Text = "unknown"
		return m
	}
	var esp string
	for j := 0; j < int(o.AlgCount); j++ {
		s := &o.Slots[j]
		switch s.Type {
		case offerAH:
			if m.AH != "" {
				m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: a second AH slot in one offer", s.Off))
				continue
			}
			m.AH = integrityName(s.Alg, false)
			if m.AH == "" {
				m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: AH algorithm %d (1 MD5 or 2 SHA-1 expected)", s.Off, s.Alg))
				m.AH = fmt.Sprintf("unknown(%d)", s.Alg)
			}
		case offerESP:
			if m.ESP != nil {
				m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: a second ESP slot in one offer", s.Off))
				continue
			}
			var d string
			m.ESP, esp, d = mapESP(s)
			m.Doubt = joinDoubt(m.Doubt, d)
		default:
			m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: Offer-Type %d (1 AH or 2 ESP expected)", s.Off+8, s.Type))
		}
	}
	m.Text = methodText(m.AH, esp, o.LifeKB, o.LifeSec)
	return m
}

// mapESP reads an ESP slot. Cipher 3 is 3DES and 1 is DES, as the real
// data shows; [MS-GPIPSEC] maps them otherwise, so every other value
// (0, 2, ...) is not understood and the cipher is left unknown (""),
// which is never counted as encryption (GPIPSEC.md §4.5).
func mapESP(s *slotBlob) (t *model.ESPTransform, text, doubt string) {
	t = &model.ESPTransform{}
	cipher := ""
	switch s.Alg {
	case 3:
		t.Cipher, cipher = model.Alg3DES, model.Alg3DES
	case 1:
		t.Cipher, cipher = model.AlgDES, model.AlgDES
	default:
		cipher = fmt.Sprintf("unknown(%d)", s.Alg)
		doubt = fmt.Sprintf("not understood at offset %d: ESP cipher %d; only 1 (DES) and 3 (3DES) are established by real data, and how ESP without encryption is stored is not established by any public source (GPIPSEC.md §4.5)", s.Off, s.Alg)
	}
	t.Integrity = integrityName(s.Integrity, true)
	integ := t.Integrity
	if integ == "" {
		integ = fmt.Sprintf("unknown(%d)", s.Integrity)
		doubt = joinDoubt(doubt, fmt.Sprintf("not understood at offset %d: ESP integrity %d (0 none, 1 MD5, 2 SHA-1 expected)", s.Off+4, s.Integrity))
	}
	return t, "ESP[" + cipher + "," + integ + "]", doubt
}

// integrityName maps 1 MD5, 2 SHA-1 (and 0 None where allowed).
func integrityName(v uint32, noneOK bool) string {
	switch {
	case v == 1:
		return model.AlgMD5
	case v == 2:
		return model.AlgSHA1
	case v == 0 && noneOK:
		return model.AlgNone
	}
	return ""
}

// methodText writes a method as netsh does: AH before ESP, lifetimes
// after a colon when set.
func methodText(ah, esp string, kb, sec uint32) string {
	var parts []string
	if ah != "" {
		parts = append(parts, "AH["+ah+"]")
	}
	if esp != "" {
		parts = append(parts, esp)
	}
	s := strings.Join(parts, "+")
	if s == "" {
		s = "none"
	}
	switch {
	case kb > 0 && sec > 0:
		s += fmt.Sprintf(":%dk/%ds", kb, sec)
	case sec > 0:
		s += fmt.Sprintf(":%ds", sec)
	case kb > 0:
		s += fmt.Sprintf(":%dk", kb)
	}
	return s
}
