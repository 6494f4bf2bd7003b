package policywriter

import (
	"encoding/binary"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The blob encoders below write the layouts of GPIPSEC.md §3 the way the
// real Windows 2000 export does (GPIPSEC.md §5), from specs that build.go
// has already checked: nothing here can fail.

const headerSize = 20 // type GUID and Data-Length

// Constants Windows 2000 writes in fields whose meaning is not
// established (GPIPSEC.md §2.5): 64 and 8 in the high halves of the
// main-mode "8-byte" algorithm ids and in each significant quick-mode
// slot's "Zero1". Readers ignore them; they are written so that the blobs
// match the real ones byte for byte.
const (
	w2kReserved64 = 64
	w2kReserved8  = 8
)

// bw appends little-endian fields.
type bw struct{ b []byte }

func (w *bw) u8(v uint8)      { w.b = append(w.b, v) }
func (w *bw) u16(v uint16)    { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *bw) u32(v uint32)    { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *bw) guid(g guid)     { w.b = append(w.b, g[:]...) }
func (w *bw) ip(a [4]byte)    { w.b = append(w.b, a[:]...) } // network order (GPIPSEC.md §2.2)
func (w *bw) zeros(n int)     { w.b = append(w.b, make([]byte, n)...) }
func (w *bw) flag(on bool)    { w.u32(boolDWORD(on)) }
func (w *bw) data(d []byte)   { w.u32(uint32(len(d))); w.b = append(w.b, d...) }
func (w *bw) wstr(s string)   { w.data(model.UTF16String(s)) } // byte length with the NUL, then UTF-16LE (§2.3)
func (w *bw) header(t guid)   { w.guid(t); w.u32(0) }          // the Data-Length is set by setDL
func (w *bw) setDL(n int)     { binary.LittleEndian.PutUint32(w.b[16:], uint32(n)) }
func (w *bw) trailer() []byte { w.u8(0); return w.b }

func boolDWORD(on bool) uint32 {
	if on {
		return 1
	}
	return 0
}

// policyBlob is an ipsecPolicy blob (GPIPSEC.md §3.1, §5.1): 25 bytes.
func policyBlob(pollingSec uint32) []byte {
	w := &bw{}
	w.header(typePolicy)
	w.u32(pollingSec)
	w.setDL(4)
	return w.trailer()
}

// mmMethod is one main-mode security method.
type mmMethod struct {
	cipher, hash, group uint32
}

// isakmpSpec is the content of an ipsecISAKMPPolicy blob.
type isakmpSpec struct {
	instance  guid // the object's own GUID ([MS-GPIPSEC] §2.2.1.2.1; [W2K] agrees)
	masterPFS bool
	qmLimit   uint32
	lifeSec   uint32 // written in each method; MM-Lifetime stays 0, as Windows 2000 writes it
	methods   []mmMethod
}

// isakmpBlob writes GPIPSEC.md §3.2: 85 + 64·N bytes, DL = 64 + 64·N.
func isakmpBlob(s isakmpSpec) []byte {
	w := &bw{}
	w.header(typeISAKMP)
	w.guid(s.instance)
	w.u32(0) // Zero1
	w.flag(s.masterPFS)
	w.u32(0)   // ISAKMP-Options
	w.zeros(4) // New-DH-1..4: not used by 2000/XP (<2>–<5>)
	w.u32(s.qmLimit)
	w.u32(0)    // MM-Lifetime: 0 on [W2K], which keeps the lifetime per method
	w.zeros(20) // Zero2
	w.u32(uint32(len(s.methods)))
	for _, m := range s.methods {
		w.zeros(4) // Major/Minor-Version, Zero3
		w.u32(m.cipher)
		w.u32(w2kReserved64)
		w.u32(w2kReserved8)
		w.u32(m.hash)
		w.u32(w2kReserved64)
		w.zeros(4 + 8) // Zero5, Zero6
		w.zeros(1 + 7) // Random-Function 0, Zero7
		w.u32(m.group)
		w.u32(0) // QM-Limit of the method
		w.u32(0) // Oakley-Lifetime-KB
		w.u32(s.lifeSec)
		w.u32(0) // PFS-Identity-Required: garbage on [W2K], 0 here
	}
	w.setDL(len(w.b) - headerSize)
	return w.trailer()
}

// authSpec is one authentication method: its type (GPIPSEC.md §4.1) and data.
type authSpec struct {
	typ  uint32
	data []byte
}

// nfaSpec is the content of an ipsecNFA blob's legacy part.
type nfaSpec struct {
	auth     []authSpec
	ifType   uint32
	tunnel   [4]byte
	isTunnel bool
	active   bool
	endpoint string // Tunnel-End-Point-Name
}

// nfaBlob writes GPIPSEC.md §3.3.1 with no Vista+ extension, as Windows
// 2000 does (§5.3, §5.4): DL = the legacy part, then a 00 byte.
func nfaBlob(s nfaSpec) []byte {
	w := &bw{}
	w.header(typeNFA)
	w.u32(uint32(len(s.auth)))
	for _, a := range s.auth {
		w.u32(a.typ)
		w.data(a.data)
	}
	w.u32(s.ifType)
	w.wstr("") // Interface-Name
	w.ip(s.tunnel)
	w.flag(s.isTunnel) // Is-Tunnel, then Is-Active (GPIPSEC.md §3.3.1)
	w.flag(s.active)
	w.wstr(s.endpoint)
	w.setDL(len(w.b) - headerSize)
	return w.trailer()
}

// slot is one significant algorithm slot of a quick-mode offer.
type slot struct {
	alg, integrity, typ uint32
}

// offer is one quick-mode security offer.
type offer struct {
	lifeSec, lifeKB uint32
	pfs             bool
	slots           []slot // 1 to 3
}

const maxSlots = 3

// negPolBlob writes GPIPSEC.md §3.4: 25 + 80·N bytes, DL = 4 + 80·N.
// Unused slots are zero (Windows 2000 leaves heap garbage there, §5.6).
func negPolBlob(offers []offer) []byte {
	w := &bw{}
	w.header(typeNegPol)
	w.u32(uint32(len(offers)))
	for _, o := range offers {
		w.u32(o.lifeSec)
		w.u32(o.lifeKB)
		w.u32(0) // Negotiation-Options
		w.flag(o.pfs)
		w.u32(uint32(len(o.slots)))
		for i := range maxSlots {
			if i >= len(o.slots) {
				w.zeros(20)
				continue
			}
			s := o.slots[i]
			w.u32(s.alg)
			w.u32(s.integrity)
			w.u32(s.typ)
			w.u32(w2kReserved64)
			w.u32(w2kReserved8)
		}
	}
	w.setDL(len(w.b) - headerSize)
	return w.trailer()
}

// filterSpec is one legacy filter spec.
type filterSpec struct {
	srcName, dstName, desc string
	id                     guid
	mirrored               bool
	src, srcMask           [4]byte
	dst, dstMask           [4]byte
	protocol               uint32
	srcPort, dstPort       uint16
	special                uint8
}

// filterBlob writes GPIPSEC.md §3.5 as Windows 2000 does (§5.2): DL =
// 4 + the specs, then a 00 byte. The filter's own tunnel fields stay 0:
// the rule's tunnel is in its NFA.
func filterBlob(specs []filterSpec) []byte {
	w := &bw{}
	w.header(typeFilter)
	w.u32(uint32(len(specs)))
	for _, f := range specs {
		w.wstr(f.srcName)
		w.wstr(f.dstName)
		w.wstr(f.desc)
		w.guid(f.id)
		w.flag(f.mirrored)
		w.ip(f.src)
		w.ip(f.srcMask)
		w.ip(f.dst)
		w.ip(f.dstMask)
		w.ip([4]byte{}) // Legacy-Tunnel-Address
		w.u32(f.protocol)
		w.u16(f.srcPort)
		w.u16(f.dstPort)
		w.u8(0) // Legacy-Is-Tunnel
		w.u8(f.special)
		w.u16(0) // Legacy-Filter-Options
	}
	w.setDL(len(w.b) - headerSize)
	return w.trailer()
}
