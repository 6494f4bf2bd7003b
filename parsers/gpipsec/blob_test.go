package gpipsec

// Damaged and unusual blobs, all synthetic (synth_test.go).

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

func put32(b []byte, off int, v uint32) []byte {
	c := append([]byte(nil), b...)
	binary.LittleEndian.PutUint32(c[off:], v)
	return c
}

// TestHugeCounts: a count of 0xFFFFFFFF in each blob is damage at the
// count's offset, allocates nothing, and leaves the rest of the policy.
func TestHugeCounts(t *testing.T) {
	const huge = 0xFFFFFFFF
	s := newSynthReg()
	set := s.writePolicy(localStore, "P", 0x10, defaultRuleOpts())
	set2 := s.writePolicy(localStore, "Q", 0x20, defaultRuleOpts())
	patch := func(set policySet, cls, g string, off int) {
		k := s.t.Key(set.path(cls, g))
		v := k.Value("ipsecData")
		k.SetValue(bin("ipsecData", put32(v.Data, off, huge)))
		k.Value("ipsecData").Loc = model.Location{File: s.file, Key: k.Path, Value: "ipsecData"}
	}
	patch(set, "ipsecISAKMPPolicy", set.isakmp, 80)
	patch(set, "ipsecNFA", set.rule, 20)
	patch(set, "ipsecNegotiationPolicy", set.action, 20)
	patch(set, "ipsecFilter", set.filt, 20)
	res := Decode(s.registry())
	ps := storeOf(t, res, model.StoreLocal)
	p := policyOf(t, ps, set.pol)
	if d := doubtAbout(t, p.Doubts, "mmSecMethods", "Security-Method-Count is 4294967295"); d.Loc.Offset != 80 || !strings.Contains(d.Reason, "not understood at offset 80") {
		t.Errorf("ISAKMP doubt %+v", d)
	}
	if p.PollingIntervalMin != 180 || len(p.Rules) != 2 {
		t.Errorf("the rest of the policy is lost: %+v", p)
	}
	r := ruleOf(t, p, set.rule)
	for _, f := range nfaFields {
		if d := r.Doubts.About(f); d == nil || d.Loc.Offset != 20 {
			t.Errorf("rule doubt on %s: %+v", f, d)
		}
	}
	if r.FilterAction == nil || r.FilterList == nil {
		t.Fatal("the damaged rule lost its references")
	}
	doubtAbout(t, r.FilterAction.Doubts, "qmSecMethods", "Security-Offer-Count is 4294967295")
	doubtAbout(t, r.FilterList.Doubts, "filters", "Number-Of-Filters1 is 4294967295")
	if len(r.FilterAction.Methods) != 0 || len(r.FilterList.Filters) != 0 {
		t.Error("items decoded from a count past the end")
	}
	// The untouched policy decodes as before.
	q := policyOf(t, ps, set2.pol)
	if len(q.Doubts) != 0 || len(ruleOf(t, q, set2.rule).Doubts) != 0 {
		t.Errorf("undamaged policy has doubts: %v", q.Doubts)
	}
}

// TestTruncatedNFA: a rule cut inside its pre-shared key: what was read
// stays, the rest is in doubt, and every byte from the methods on is
// blanked (the key could be in them).
func TestTruncatedNFA(t *testing.T) {
	full := synthNFABlob(nfaSpec{auth: authList(pskAuth("truncated-secret")), ifType: ifAll, isActive: 1})
	for _, cut := range []int{0, 10, 19, 20, 26, 32, 40, 60, len(full) - 12, len(full) - 1} {
		b := append([]byte(nil), full[:cut]...)
		nb := decodeNFABlob(b)
		r := &model.Rule{}
		mapNFA(nb, r, blobLoc{Value: "ipsecData"})
		if cut < len(full)-1 {
			if nb.Fail == nil || r.Doubts.About("active") == nil {
				t.Errorf("cut at %d: fail %v, doubts %v", cut, nb.Fail, r.Doubts)
			}
		} else if nb.Fail != nil || len(r.Doubts) != 0 || !r.Active {
			t.Errorf("cut at %d (only the trailing 00 missing): %+v", cut, r)
		}
		zeroAll(b, nb.Secrets)
		if bytes.Contains(b, []byte{'t', 0, 'r', 0}) || bytes.Contains(b, []byte{'s', 0, 'e', 0, 'c', 0}) {
			t.Errorf("cut at %d: key bytes survive scrubbing: % x", cut, b)
		}
	}
}

// TestDamagedKeyLengthNFA: a rule whose pre-shared key's length or method
// type is damaged (the key's bytes are then read as other fields, or as
// an unknown method's data) keeps none of the key once scrubbed.
func TestDamagedKeyLengthNFA(t *testing.T) {
	const key = "Damaged-Length-Key"
	full := synthNFABlob(nfaSpec{auth: authList(pskAuth(key)), ifType: ifAll, isActive: 1})
	lengthAt, typeAt, countAt := headerSize+8, headerSize+4, headerSize // Auth-Length, Auth-Type of the only method; Auth-Method-Count
	for _, c := range []struct {
		name string
		at   int
		v    uint32
	}{
		{"length 0", lengthAt, 0}, {"length 1", lengthAt, 1}, {"length 3", lengthAt, 3},
		{"length 2", lengthAt, 2}, {"method type 0", typeAt, 0}, {"method type 9", typeAt, 9},
		{"method type 5 (Kerberos, whose data is 00 00)", typeAt, 5}, {"no method", countAt, 0},
	} {
		b := append([]byte(nil), full...)
		binary.LittleEndian.PutUint32(b[c.at:], c.v)
		nb := decodeNFABlob(b)
		zeroAll(b, nb.Secrets)
		if bytes.Contains(b, []byte{'m', 0, 'a', 0, 'g', 0, 'e', 0}) { // "mage" of the key, in UTF-16LE
			t.Errorf("%s: key bytes survive scrubbing: % x", c.name, b)
		}
	}
}

// TestWrongTypeGUID: a blob of another type, or with bytes before its
// type GUID, is not understood at offset 0; it is never searched for the GUID.
func TestWrongTypeGUID(t *testing.T) {
	nfa := synthNFABlob(nfaSpec{auth: authList(kerberosAuth()), ifType: ifAll, isActive: 1})
	if fb := decodeFilterBlob(nfa); fb.Fail == nil || fb.Fail.Off != 0 || !strings.Contains(fb.Fail.Msg, "that of an ipsecNFA blob") {
		t.Errorf("NFA blob as a filter: %+v", fb.Fail)
	}
	prefixed := append([]byte{1, 0, 0, 0}, synthPolicyBlob(10800)...)
	pb := decodePolicyBlob(prefixed)
	if pb.Fail == nil || pb.Polling.OK || !strings.Contains(pb.Fail.Msg, "prefix before the type GUID") {
		t.Errorf("prefixed policy blob: %+v", pb)
	}
	// An NFA that is not understood at all is blanked whole.
	bad := append([]byte{9, 9, 9, 9}, synthNFABlob(nfaSpec{auth: authList(pskAuth("prefixed-secret")), ifType: ifAll})...)
	nb := decodeNFABlob(bad)
	if len(nb.Secrets) != 1 || nb.Secrets[0] != (span{0, len(bad)}) {
		t.Errorf("secrets of a not-understood NFA: %v", nb.Secrets)
	}
	if short := decodeNegPolBlob([]byte{1, 2, 3}); short.Fail == nil || !strings.Contains(short.Fail.Msg, "shorter than the 20-byte header") {
		t.Errorf("3-byte blob: %+v", short.Fail)
	}
}

// TestVistaExtension: the NFA extension with the pre-shared key repeated;
// both copies are scrubbed and the extension is checked against the
// legacy part.
func TestVistaExtension(t *testing.T) {
	s := newSynthReg()
	o := defaultRuleOpts()
	o.nfa = nfaSpec{auth: authList(pskAuth("vista-secret")), ifType: ifAll, isActive: 1, ext: synthNFAExt(pskAuth("vista-secret"))}
	set := s.writePolicy(localStore, "P", 0x30, o)
	// A second rule whose extension lists Kerberos (length 0, as modern
	// Windows writes it) under a legacy pre-shared key.
	g := synthGUID(0x3F)
	s.obj(localStore, "ipsecNFA", g, synthNFABlob(nfaSpec{auth: authList(pskAuth("vista-secret")), ifType: ifAll, isActive: 1, ext: synthNFAExt(authSpec{authTypeKerberos, nil})}),
		sz("ipsecNegotiationPolicyReference", set.path("ipsecNegotiationPolicy", set.action)), sz("ipsecFilterReference", set.path("ipsecFilter", set.filt)))
	s.t.Key(set.path("ipsecPolicy", set.pol)).SetValue(multi("ipsecNFAReference", set.path("ipsecNFA", set.defRule), set.path("ipsecNFA", set.rule), set.path("ipsecNFA", g)))
	tree := s.t
	res := Decode(s.registry())
	ps := storeOf(t, res, model.StoreLocal)
	p := policyOf(t, ps, set.pol)
	r := ruleOf(t, p, set.rule)
	if len(r.Doubts) != 0 || len(r.Auth) != 1 || r.Auth[0].KeyLength != len("vista-secret") {
		t.Errorf("rule with a matching extension: auth %+v doubts %v", r.Auth, r.Doubts)
	}
	doubtAbout(t, ruleOf(t, p, g).Doubts, "auth", "the Vista+ extension at offset")
	assertNoSecret(t, res, tree, "vista-secret")
	for _, pr := range ps.Problems { // the second rule shares objects whose owners do not name it
		if !strings.Contains(pr.Message, "ipsecOwnersReference does not name it") {
			t.Errorf("problem: %v", pr)
		}
	}
	// Decoding again after the scrub gives the same lengths.
	again := Decode(model.NewRegistry(tree))
	if a, b := mustJSON(t, res), mustJSON(t, again); a != b {
		t.Errorf("second decode differs:\n%s\n%s", a, b)
	}
}

// TestTrailingBytes: bytes after the structures are kept as a doubt (and
// blanked in an NFA); a Data-Length matching no convention is a note.
func TestTrailingBytes(t *testing.T) {
	pb := decodePolicyBlob(append(synthPolicyBlob(600), 7, 7))
	p := &model.Policy{}
	notes := mapPolicyBlob(pb, p, blobLoc{})
	doubtAbout(t, p.Doubts, "object", "3 bytes after the end of the structures")
	if p.PollingIntervalMin != 10 || len(notes) != 0 {
		t.Errorf("polling %d, notes %v", p.PollingIntervalMin, notes)
	}
	nb := decodeNFABlob(append(synthNFABlob(nfaSpec{auth: authList(kerberosAuth()), ifType: ifAll, noTrailer: true}), 's', 0, 'k', 0))
	if len(nb.Secrets) != 1 || nb.Secrets[0].Len != 4 {
		t.Errorf("NFA trailing bytes not marked for blanking: %v", nb.Secrets)
	}
	bad := (&bw{b: synthPolicyBlob(600)}).setDL(9).b
	if notes := mapPolicyBlob(decodePolicyBlob(bad), &model.Policy{}, blobLoc{}); len(notes) != 1 || !strings.Contains(notes[0].Msg, "Data-Length is 9") {
		t.Errorf("DL notes %v", notes)
	}
	// Windows 2000 and modern filter lists use different Data-Lengths; both are accepted.
	for _, modern := range []bool{false, true} {
		if fb := decodeFilterBlob(synthFilterBlob(modern, nil, filterSpec{}, filterSpec{})); len(fb.Findings) != 0 || fb.Fail != nil || len(fb.Specs) != 2 {
			t.Errorf("modern=%v: %+v", modern, fb)
		}
	}
}
