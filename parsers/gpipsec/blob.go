package gpipsec

import "fmt"

// Minimum sizes of repeated structures, used to bound counts before any
// loop (GPIPSEC.md §6.3). A filter spec with three empty-length strings
// is 64 bytes; with the usual "" strings (length 2) it is 70.
const (
	headerSize    = 20
	mmMethodSize  = 64
	offerSize     = 80
	slotSize      = 20
	filterMinSize = 64
	authMinSize   = 8
	maxSlots      = 3
)

// fld is one decoded field: its value, the offset it was read at, and
// whether it was read at all (false once the blob stopped earlier).
type fld[T any] struct {
	V   T
	Off int
	OK  bool
}

func read32(c *cursor, what string) fld[uint32] {
	off := c.off
	v := c.u32(what)
	return fld[uint32]{V: v, Off: off, OK: c.ok()}
}

// blobStatus is what every decoder reports besides the fields: notes and
// doubts found on the way, and where decoding stopped, if it did.
type blobStatus struct {
	Findings []finding
	// Fail is set when decoding stopped before the end of the structures:
	// every field not yet read is unknown.
	Fail *finding
	// DL is the blob's Data-Length, when the header was read.
	DL fld[uint32]
}

func (s *blobStatus) note(off int, format string, args ...any) {
	s.Findings = append(s.Findings, finding{Off: off, Msg: fmt.Sprintf(format, args...)})
}

func (s *blobStatus) doubt(off int, field, format string, args ...any) {
	s.Findings = append(s.Findings, finding{Off: off, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// finish records where the cursor stopped, if it did.
func (s *blobStatus) finish(c *cursor) {
	if c.fail != nil && s.Fail == nil {
		s.Fail = c.fail
	}
}

// header checks the 16-byte type GUID at offset 0 and reads the
// Data-Length. A blob that does not start with its type GUID is not
// understood: what may come before the GUID is not established by any
// public source (GPIPSEC.md §2.1), and the blob is never searched for it.
func header(c *cursor, s *blobStatus, want guid, class string) bool {
	if len(c.b) < headerSize {
		c.failf("the blob is %d bytes, shorter than the 20-byte header (type GUID, Data-Length) of an %s blob", len(c.b), class)
		s.finish(c)
		return false
	}
	got := c.guid("type GUID")
	if got != want {
		c.off = 0
		switch name, ok := typeNames[got]; {
		case ok:
			c.failf("type GUID %s is that of an %s blob, not of an %s blob", got, name, class)
		case want == typeNFA:
			// An NFA's bytes may hold a key: they are not printed.
			c.failf("the blob does not start with the %s type GUID %s (a prefix before the type GUID is not established by any public source)", class, want)
		default:
			c.failf("type GUID %s is not the %s type GUID %s (a prefix before the type GUID is not established by any public source)", got, class, want)
		}
		s.finish(c)
		return false
	}
	s.DL = read32(c, "Data-Length")
	return true
}

// tail accepts what may follow the structures: nothing or one 00 byte
// (GPIPSEC.md §2.4). Anything else is kept, not understood: a doubt on
// field, since it may be an extension that changes the object's meaning.
func tail(c *cursor, s *blobStatus, field string) (extra span) {
	if c.fail != nil {
		return span{}
	}
	switch n := c.left(); {
	case n == 0:
	case n == 1 && c.b[c.off] == 0:
		c.off++
	default:
		extra = span{Off: c.off, Len: n}
		s.doubt(c.off, field, "%d bytes after the end of the structures, where at most one 00 byte is expected", n)
		c.off = len(c.b)
	}
	return extra
}

// checkDL warns when the Data-Length matches none of the conventions
// seen for the blob type; the blob is parsed from its counts regardless.
func checkDL(s *blobStatus, what string, want ...int) {
	if !s.DL.OK || s.Fail != nil {
		return
	}
	for _, w := range want {
		if int64(s.DL.V) == int64(w) {
			return
		}
	}
	s.note(s.DL.Off, "Data-Length is %d, expected %v for this %s blob (parsed from its counts; the Data-Length is only a cross-check)", s.DL.V, want, what)
}

// policyBlob is an ipsecPolicy blob ([MS-GPIPSEC] §2.2.1.1.1; GPIPSEC.md §3.1).
type policyBlob struct {
	blobStatus
	Polling fld[uint32] // seconds; 0 means 10,800
}

func decodePolicyBlob(b []byte) *policyBlob {
	p := &policyBlob{}
	c := newCursor(b)
	if !header(c, &p.blobStatus, typePolicy, "ipsecPolicy") {
		return p
	}
	p.Polling = read32(c, "Polling-Interval")
	tail(c, &p.blobStatus, "object")
	p.finish(c)
	checkDL(&p.blobStatus, "ipsecPolicy", 4)
	return p
}

// isakmpBlob is an ipsecISAKMPPolicy blob (main mode; [MS-GPIPSEC]
// §2.2.1.2.1; GPIPSEC.md §3.2).
type isakmpBlob struct {
	blobStatus
	Instance  guid
	MasterPFS fld[uint32]
	Options   fld[uint32]
	NewDH     fld[[4]uint8]
	QMLimit   fld[uint32]
	Lifetime  fld[uint32]
	Methods   []mmMethodBlob
	MethodsOK bool // the method list was read to its end
}

// mmMethodBlob is one 64-byte main-mode security method.
type mmMethodBlob struct {
	Off     int
	Cipher  uint32 // first 4 bytes of the "8-byte" Encryption-Algorithm-ID
	Hash    uint32
	Random  uint8
	Group   uint32
	LifeKB  uint32
	LifeSec uint32
}

func decodeISAKMPBlob(b []byte) *isakmpBlob {
	p := &isakmpBlob{}
	c := newCursor(b)
	if !header(c, &p.blobStatus, typeISAKMP, "ipsecISAKMPPolicy") {
		return p
	}
	p.Instance = c.guid("ISAKMP-Policy-Instance")
	c.take(4, "Zero1")
	p.MasterPFS = read32(c, "Master-PFS-Required")
	p.Options = read32(c, "ISAKMP-Options")
	off := c.off
	var dh [4]uint8
	copy(dh[:], c.take(4, "New-DH-1..4"))
	p.NewDH = fld[[4]uint8]{V: dh, Off: off, OK: c.ok()}
	p.QMLimit = read32(c, "QM-Limit")
	p.Lifetime = read32(c, "MM-Lifetime")
	c.take(20, "Zero2")
	n := c.count("Security-Method-Count", mmMethodSize)
	for i := 0; i < n && c.ok(); i++ {
		p.Methods = append(p.Methods, readMMMethod(c))
	}
	p.MethodsOK = c.ok()
	tail(c, &p.blobStatus, "object")
	p.finish(c)
	checkDL(&p.blobStatus, "ipsecISAKMPPolicy", 64+mmMethodSize*len(p.Methods))
	return p
}

func readMMMethod(c *cursor) mmMethodBlob {
	m := mmMethodBlob{Off: c.off}
	c.take(4, "Major/Minor-Version, Zero3")
	m.Cipher = c.u32("Encryption-Algorithm-ID")
	c.take(8, "reserved")
	m.Hash = c.u32("Hash-Algorithm-ID")
	c.take(4+4+8, "reserved, Zero5, Zero6")
	m.Random = c.u8("Random-Function")
	c.take(7, "Zero7")
	m.Group = c.u32("Oakley-Group")
	c.take(4, "QM-Limit")
	m.LifeKB = c.u32("Oakley-Lifetime-KB")
	m.LifeSec = c.u32("Oakley-Lifetime-Secs")
	c.take(4, "PFS-Identity-Required")
	return m
}

// negPolBlob is an ipsecNegotiationPolicy blob (a filter action;
// [MS-GPIPSEC] §2.2.1.4.1; GPIPSEC.md §3.4).
type negPolBlob struct {
	blobStatus
	Offers   []offerBlob
	OffersOK bool
}

// offerBlob is one 80-byte security offer; only the first AlgCount
// slots are significant (the rest may be uninitialised memory).
type offerBlob struct {
	Off      int
	LifeSec  uint32
	LifeKB   uint32
	Options  uint32
	PFS      uint32
	AlgCount uint32
	Slots    [maxSlots]slotBlob
}

// slotBlob is one 20-byte algorithm slot of an offer.
type slotBlob struct {
	Off       int
	Alg       uint32
	Integrity uint32
	Type      uint32
}

func decodeNegPolBlob(b []byte) *negPolBlob {
	p := &negPolBlob{}
	c := newCursor(b)
	if !header(c, &p.blobStatus, typeNegPol, "ipsecNegotiationPolicy") {
		return p
	}
	n := c.count("Security-Offer-Count", offerSize)
	for i := 0; i < n && c.ok(); i++ {
		o := offerBlob{Off: c.off}
		o.LifeSec = c.u32("Lifetime-Seconds")
		o.LifeKB = c.u32("Lifetime-KBytes")
		o.Options = c.u32("Negotiation-Options")
		o.PFS = c.u32("PFS-QM-Required")
		o.AlgCount = c.u32("Algorithm-Offer-Count")
		for j := range o.Slots {
			o.Slots[j].Off = c.off
			o.Slots[j].Alg = c.u32("Algorithm-Identifier")
			o.Slots[j].Integrity = c.u32("ESP-Integrity-Identifier")
			o.Slots[j].Type = c.u32("Offer-Type")
			c.take(8, "Zero1")
		}
		if c.ok() {
			p.Offers = append(p.Offers, o)
		}
	}
	p.OffersOK = c.ok()
	tail(c, &p.blobStatus, "object")
	p.finish(c)
	checkDL(&p.blobStatus, "ipsecNegotiationPolicy", 4+offerSize*len(p.Offers))
	return p
}
