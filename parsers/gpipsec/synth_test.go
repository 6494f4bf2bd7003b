package gpipsec

// Synthetic blobs and registries for the tests. Every blob here is
// built by hand from the layouts of ../shared/GPIPSEC.md §3 ([MS-GPIPSEC]
// §2.2.1, corrected where real data differs): they are labelled
// synthetic and never stand for a real export. Nothing is written to disk.

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// bw appends little-endian fields.
type bw struct{ b []byte }

func (w *bw) u8(v uint8) *bw   { w.b = append(w.b, v); return w }
func (w *bw) u16(v uint16) *bw { w.b = binary.LittleEndian.AppendUint16(w.b, v); return w }
func (w *bw) u32(v uint32) *bw { w.b = binary.LittleEndian.AppendUint32(w.b, v); return w }
func (w *bw) guid(g guid) *bw  { w.b = append(w.b, g[:]...); return w }
func (w *bw) raw(b ...byte) *bw {
	w.b = append(w.b, b...)
	return w
}

// ip appends an IPv4 address in network order ("" = 0.0.0.0).
func (w *bw) ip(s string) *bw {
	if s == "" {
		return w.raw(0, 0, 0, 0)
	}
	a := netip.MustParseAddr(s).As4()
	return w.raw(a[:]...)
}

// wstr appends a DWORD byte length (with the NUL) and UTF-16LE text.
func (w *bw) wstr(s string) *bw {
	d := model.UTF16String(s)
	return w.u32(uint32(len(d))).raw(d...)
}

// setDL writes the Data-Length at offset 16.
func (w *bw) setDL(n int) *bw {
	binary.LittleEndian.PutUint32(w.b[16:], uint32(n))
	return w
}

func synthPolicyBlob(pollSec uint32) []byte {
	w := (&bw{}).guid(typePolicy).u32(4).u32(pollSec).u8(0)
	return w.b
}

type mmSpec struct {
	cipher, hash, group, life uint32
	random                    uint8
}

func synthISAKMPBlob(pfs, qmLimit, life uint32, newDH [4]uint8, methods ...mmSpec) []byte {
	w := (&bw{}).guid(typeISAKMP).u32(uint32(64 + 64*len(methods)))
	w.raw(make([]byte, 16)...).u32(0).u32(pfs).u32(0).raw(newDH[:]...).u32(qmLimit).u32(life).raw(make([]byte, 20)...)
	w.u32(uint32(len(methods)))
	for _, m := range methods {
		w.u32(0).u32(m.cipher).u32(0).u32(0).u32(m.hash).u32(0).u32(0).raw(make([]byte, 8)...)
		w.u8(m.random).raw(make([]byte, 7)...).u32(m.group).u32(0).u32(0).u32(m.life).u32(0)
	}
	return w.u8(0).b
}

type authSpec struct {
	typ  uint32
	data []byte
}

func pskAuth(key string) authSpec        { return authSpec{authTypePSK, model.UTF16String(key)} }
func kerberosAuth() authSpec             { return authSpec{authTypeKerberos, []byte{0, 0}} }
func certAuth(ca string) authSpec        { return authSpec{authTypeCertificate, model.UTF16String(ca)} }
func (w *bw) auth(a authSpec) *bw        { return w.u32(a.typ).u32(uint32(len(a.data))).raw(a.data...) }
func authList(as ...authSpec) []authSpec { return as }

type nfaSpec struct {
	auth               []authSpec
	ifType             uint32
	tunnel             string
	isTunnel, isActive uint32
	endpoint, ifName   string
	ext                []byte // bytes after the legacy part (the Vista+ extension), before the final 00
	noTrailer          bool
}

func synthNFABlob(n nfaSpec) []byte {
	w := (&bw{}).guid(typeNFA).u32(0).u32(uint32(len(n.auth)))
	for _, a := range n.auth {
		w.auth(a)
	}
	w.u32(n.ifType).wstr(n.ifName).ip(n.tunnel).u32(n.isTunnel).u32(n.isActive).wstr(n.endpoint)
	w.setDL(len(w.b) - headerSize)
	w.raw(n.ext...)
	if !n.noTrailer {
		w.u8(0)
	}
	return w.b
}

// synthNFAExt is a Vista+ extension (GPIPSEC.md §3.3.2, §5.5).
func synthNFAExt(as ...authSpec) []byte {
	w := (&bw{}).guid(nfaAltAuthID1).u32(uint32(len(as)))
	for _, a := range as {
		w.auth(a)
	}
	w.guid(nfaAltAuthID2).u32(uint32(len(as)))
	for range as {
		w.u32(0)
	}
	return w.b
}

type slotSpec struct{ alg, integ, typ uint32 }

type offerSpec struct {
	life, kb, pfs uint32
	count         int // Algorithm-Offer-Count; len(slots) when 0
	slots         []slotSpec
}

var (
	esp3DESSHA1 = slotSpec{3, 2, offerESP}
	esp3DESMD5  = slotSpec{3, 1, offerESP}
	espDESMD5   = slotSpec{1, 1, offerESP}
	ahSHA1      = slotSpec{2, 0, offerAH}
	ahMD5       = slotSpec{1, 0, offerAH}
)

func synthNegPolBlob(offers ...offerSpec) []byte {
	w := (&bw{}).guid(typeNegPol).u32(uint32(4 + offerSize*len(offers))).u32(uint32(len(offers)))
	for _, o := range offers {
		n := o.count
		if n == 0 {
			n = len(o.slots)
		}
		w.u32(o.life).u32(o.kb).u32(0).u32(o.pfs).u32(uint32(n))
		for j := 0; j < maxSlots; j++ {
			s := slotSpec{0x29, 0x27, 1} // garbage in unused slots, as Windows 2000 leaves it
			if j < len(o.slots) {
				s = o.slots[j]
			}
			w.u32(s.alg).u32(s.integ).u32(s.typ).u32(64).u32(8)
		}
	}
	return w.u8(0).b
}

type filterSpec struct {
	srcName, dstName, desc string
	id                     guid
	mirror                 uint32
	src, srcMask           string
	dst, dstMask           string
	proto                  uint32
	sport, dport           uint16
	isTunnel, special      uint8
}

// synthFilterBlob writes a filter list the Windows 2000 way (DL = 4 +
// specs, a trailing 00) or, modern, the Vista+ way (DL = specs, nothing
// after); v2 is appended after the specs.
func synthFilterBlob(modern bool, v2 []byte, specs ...filterSpec) []byte {
	w := (&bw{}).guid(typeFilter).u32(0).u32(uint32(len(specs)))
	for _, f := range specs {
		w.wstr(f.srcName).wstr(f.dstName).wstr(f.desc).guid(f.id).u32(f.mirror)
		w.ip(f.src).ip(f.srcMask).ip(f.dst).ip(f.dstMask).ip("").u32(f.proto).u16(f.sport).u16(f.dport)
		w.u8(f.isTunnel).u8(f.special).u16(0)
	}
	specBytes := len(w.b) - 24
	if modern {
		w.setDL(specBytes)
	} else {
		w.setDL(4 + specBytes)
	}
	w.raw(v2...)
	if !modern {
		w.u8(0)
	}
	return w.b
}

// --- registries ---

func sz(name, s string) *model.Value {
	return &model.Value{Name: name, Type: model.RegSZ, Data: model.UTF16String(s)}
}

func multi(name string, ss ...string) *model.Value {
	return &model.Value{Name: name, Type: model.RegMultiSZ, Data: model.UTF16MultiString(ss)}
}

func dword(name string, n uint32) *model.Value {
	return &model.Value{Name: name, Type: model.RegDWORD, Data: model.DWORDData(n)}
}

func bin(name string, b []byte) *model.Value {
	return &model.Value{Name: name, Type: model.RegBinary, Data: b}
}

// synthReg builds a registry tree; values get a location naming their key.
type synthReg struct {
	t    *model.RegTree
	file string
}

func newSynthReg() *synthReg { return &synthReg{t: model.NewRegTree(), file: "synthetic.reg"} }

func (s *synthReg) key(path string, vals ...*model.Value) *model.Key {
	k := s.t.EnsureKey(path, model.Location{File: s.file, Key: path})
	for _, v := range vals {
		v.Loc = model.Location{File: s.file, Key: path, Value: v.Name}
		k.SetValue(v)
	}
	return k
}

func (s *synthReg) registry() *model.Registry { return model.NewRegistry(s.t) }

// obj writes one object key: ClassName, name, ipsecID, ipsecDataType
// 256, ipsecData, and the extra values.
func (s *synthReg) obj(store, cls, g string, data []byte, extra ...*model.Value) string {
	name := cls + g
	path := store + `\` + name
	vals := []*model.Value{sz("ClassName", cls), sz("name", name), sz("ipsecID", g), dword("ipsecDataType", 256), bin("ipsecData", data)}
	s.key(path, append(vals, extra...)...)
	return path
}

const (
	localStore = `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`
	cacheStore = `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Cache`
	gptKey     = `SOFTWARE\Policies\Microsoft\Windows\IPSec\GPTIPSECPolicy`
)

// synthGUID makes a distinct GUID per test object: {5E5E5E5E-0000-4000-8000-00000000nnnn}.
func synthGUID(n int) string {
	return fmt.Sprintf("{5E5E5E5E-0000-4000-8000-%012X}", n)
}

// policySet is a policy written into a store: its GUIDs, for tests to
// change or remove objects.
type policySet struct {
	store                                            string
	pol, isakmp, rule, defRule, action, defAct, filt string
}

// ref names an object the way the store does: a registry path in the
// local store, a DN in the cache (a form no public sample shows, which is
// why references are resolved by token).
func (p policySet) ref(cls, g string) string {
	if strings.HasSuffix(p.store, `\Cache`) {
		return "CN=" + cls + g + ",CN=IP Security,CN=System,DC=example,DC=com"
	}
	return p.store + `\` + cls + g
}

// ruleOpts shape the standard policy's one rule.
type ruleOpts struct {
	name    string
	nfa     nfaSpec
	action  string // action GUID string
	offers  []offerSpec
	filters []filterSpec
}

func defaultRuleOpts() ruleOpts {
	return ruleOpts{
		name:    "FE to BE",
		nfa:     nfaSpec{auth: authList(kerberosAuth()), ifType: ifAll, isActive: 1},
		action:  actionNegotiate.String(),
		offers:  []offerSpec{{life: 3600, kb: 100000, slots: []slotSpec{esp3DESSHA1}}},
		filters: []filterSpec{{id: mustGUID(synthGUID(0xF1)), mirror: 1, src: "192.0.2.20", srcMask: "255.255.255.255", dst: "192.0.2.30", dstMask: "255.255.255.255", proto: 6, dport: 110}},
	}
}

// writePolicy writes a complete policy (ISAKMP, one rule with filter
// list and action, and an active default response rule) into store,
// with GUIDs base+0..6.
func (s *synthReg) writePolicy(store, name string, base int, o ruleOpts) policySet {
	p := policySet{store: store, pol: synthGUID(base), isakmp: synthGUID(base + 1), rule: synthGUID(base + 2),
		defRule: synthGUID(base + 3), action: synthGUID(base + 4), defAct: synthGUID(base + 5), filt: synthGUID(base + 6)}
	s.obj(store, "ipsecPolicy", p.pol, synthPolicyBlob(10800), sz("ipsecName", name),
		sz("ipsecISAKMPReference", p.ref("ipsecISAKMPPolicy", p.isakmp)),
		multi("ipsecNFAReference", p.ref("ipsecNFA", p.defRule), p.ref("ipsecNFA", p.rule)))
	s.obj(store, "ipsecISAKMPPolicy", p.isakmp, synthISAKMPBlob(0, 0, 0, [4]uint8{}, mmSpec{3, 2, 2, 28800, 0}, mmSpec{3, 1, 2, 28800, 0}),
		multi("ipsecOwnersReference", p.ref("ipsecPolicy", p.pol)))
	s.obj(store, "ipsecNFA", p.rule, synthNFABlob(o.nfa), sz("ipsecName", o.name),
		multi("ipsecOwnersReference", p.ref("ipsecPolicy", p.pol)),
		sz("ipsecNegotiationPolicyReference", p.ref("ipsecNegotiationPolicy", p.action)),
		multi("ipsecFilterReference", p.ref("ipsecFilter", p.filt)))
	s.obj(store, "ipsecNFA", p.defRule, synthNFABlob(nfaSpec{auth: authList(kerberosAuth()), ifType: ifAll, isActive: 1}),
		multi("ipsecOwnersReference", p.ref("ipsecPolicy", p.pol)),
		sz("ipsecNegotiationPolicyReference", p.ref("ipsecNegotiationPolicy", p.defAct)))
	s.obj(store, "ipsecNegotiationPolicy", p.action, synthNegPolBlob(o.offers...), sz("ipsecName", name+" action"),
		sz("ipsecNegotiationPolicyAction", o.action), sz("ipsecNegotiationPolicyType", negTypeStandard.String()),
		multi("ipsecOwnersReference", p.ref("ipsecNFA", p.rule)))
	s.obj(store, "ipsecNegotiationPolicy", p.defAct, synthNegPolBlob(offerSpec{slots: []slotSpec{esp3DESSHA1}}, offerSpec{slots: []slotSpec{ahSHA1}}),
		sz("ipsecNegotiationPolicyAction", actionNegotiate.String()), sz("ipsecNegotiationPolicyType", negTypeDefault.String()),
		multi("ipsecOwnersReference", p.ref("ipsecNFA", p.defRule)))
	s.obj(store, "ipsecFilter", p.filt, synthFilterBlob(false, nil, o.filters...), sz("ipsecName", name+" filters"),
		multi("ipsecOwnersReference", p.ref("ipsecNFA", p.rule)))
	return p
}

// path returns the key path of one of the set's objects.
func (p policySet) path(cls, g string) string { return p.store + `\` + cls + g }

// storeOf returns the decoded store of that kind, failing the test if absent.
func storeOf(t *testing.T, res *Result, s model.Store) *model.PolicyStore {
	t.Helper()
	for _, ps := range res.Stores {
		if ps.Store == s {
			return ps
		}
	}
	t.Fatalf("no %s store in %d stores", s, len(res.Stores))
	return nil
}

// policyOf returns the store's policy with that GUID.
func policyOf(t *testing.T, ps *model.PolicyStore, g string) *model.Policy {
	t.Helper()
	for _, p := range ps.Policies {
		if strings.EqualFold(p.GUID, g) {
			return p
		}
	}
	t.Fatalf("no policy %s in the %s store", g, ps.Store)
	return nil
}

// ruleOf returns the policy's rule with that GUID.
func ruleOf(t *testing.T, p *model.Policy, g string) *model.Rule {
	t.Helper()
	for _, r := range p.Rules {
		if strings.EqualFold(r.GUID, g) {
			return r
		}
	}
	t.Fatalf("no rule %s in policy %q", g, p.Name)
	return nil
}

// doubtAbout fails unless ds has a doubt on field whose reason contains want.
func doubtAbout(t *testing.T, ds model.Doubts, field, want string) model.Doubt {
	t.Helper()
	for _, d := range ds {
		if d.Field == field && strings.Contains(d.Reason, want) {
			return d
		}
	}
	t.Fatalf("no doubt on %q containing %q; doubts: %+v", field, want, ds)
	return model.Doubt{}
}

// problemWith fails unless a problem's message contains want.
func problemWith(t *testing.T, ps []model.Problem, want string) model.Problem {
	t.Helper()
	for _, p := range ps {
		if strings.Contains(p.Message, want) {
			return p
		}
	}
	t.Fatalf("no problem containing %q; problems: %+v", want, ps)
	return model.Problem{}
}
