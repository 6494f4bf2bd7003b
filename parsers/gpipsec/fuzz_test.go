package gpipsec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/regfile"
)

// FuzzDecodeBlob runs every blob decoder and its mapping on the same
// bytes: none may panic, every offset reported must be inside the blob,
// and what is decoded is bounded by the bytes (no count drives a loop or
// an allocation past them). Seeds: the synthetic blobs of synth_test.go
// and, when ../shared/samples is there, the real sample's ipsecData
// values, added at run time (they are never committed).
func FuzzDecodeBlob(f *testing.F) {
	for _, b := range synthSeeds() {
		f.Add(b)
	}
	for _, b := range sampleBlobs(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoders(t, data)
	})
}

func synthSeeds() [][]byte {
	return [][]byte{
		synthPolicyBlob(10800),
		synthISAKMPBlob(1, 0, 0, [4]uint8{4, 0, 0, 0}, mmSpec{3, 2, 2, 28800, 0}, mmSpec{1, 1, 1, 28800, 2}),
		synthNFABlob(nfaSpec{auth: authList(pskAuth("seed-key"), certAuth("CN=CA"), kerberosAuth()), ifType: ifAll, isActive: 1, isTunnel: 1, tunnel: "192.0.2.1"}),
		synthNFABlob(nfaSpec{auth: authList(kerberosAuth()), ifType: ifLAN, ext: synthNFAExt(authSpec{authTypeKerberos, nil})}),
		synthNegPolBlob(offerSpec{life: 300, slots: []slotSpec{esp3DESMD5}}, offerSpec{slots: []slotSpec{ahSHA1, espDESMD5}}),
		synthFilterBlob(false, nil, filterSpec{src: "192.0.2.0", srcMask: "255.255.255.0", mirror: 1, proto: 6, dport: 143}),
		synthFilterBlob(true, (&bw{}).guid(typeFilterV2).u32(12).u32(1).u32(1).raw(make([]byte, 30)...).b, filterSpec{special: 0x81}),
	}
}

// sampleBlobs returns the ipsecData values of the real sample, or none
// when the samples are not there (the fuzz target never skips).
func sampleBlobs(tb testing.TB) [][]byte {
	dir := os.Getenv("IPSECLINT_SAMPLES")
	if dir == "" {
		dir = filepath.Join(testutil.RepoRoot(tb), "..", "shared", "samples")
	}
	res, err := regfile.ParseFile(filepath.Join(dir, filepath.FromSlash(w2kSample)), regfile.Options{})
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, k := range res.Tree.Keys() {
		if v := k.Value("ipsecData"); v != nil {
			out = append(out, v.Data)
		}
	}
	return out
}

func checkDecoders(t *testing.T, data []byte) {
	n := len(data)
	bl := blobLoc{Key: "fuzz", Value: "ipsecData"}
	inside := func(what string, s *blobStatus) {
		for _, f := range s.Findings {
			if f.Off < 0 || f.Off > n {
				t.Fatalf("%s: finding at offset %d of %d bytes", what, f.Off, n)
			}
		}
		if s.Fail != nil && (s.Fail.Off < 0 || s.Fail.Off > n) {
			t.Fatalf("%s: failure at offset %d of %d bytes", what, s.Fail.Off, n)
		}
	}
	pb := decodePolicyBlob(data)
	inside("policy", &pb.blobStatus)
	mapPolicyBlob(pb, &model.Policy{}, bl)

	ib := decodeISAKMPBlob(data)
	inside("isakmp", &ib.blobStatus)
	p := &model.Policy{}
	mapISAKMP(ib, p, bl)
	if len(p.MMSecMethods) > n/mmMethodSize+4 {
		t.Fatalf("%d main-mode methods from %d bytes", len(p.MMSecMethods), n)
	}

	nb := decodeNFABlob(data)
	inside("nfa", &nb.blobStatus)
	r := &model.Rule{}
	mapNFA(nb, r, bl)
	if len(nb.Auth) > n/authMinSize || (nb.Ext != nil && len(nb.Ext.Auth) > n/authMinSize) {
		t.Fatalf("%d authentication methods from %d bytes", len(nb.Auth), n)
	}
	scratch := append([]byte(nil), data...)
	for _, s := range nb.Secrets {
		if s.Off < 0 || s.Len < 0 || s.Off+s.Len > n {
			t.Fatalf("secret span %+v outside %d bytes", s, n)
		}
	}
	zeroAll(scratch, nb.Secrets)

	np := decodeNegPolBlob(data)
	inside("negpol", &np.blobStatus)
	a := &model.FilterAction{}
	mapNegPol(np, a, bl, true)
	if len(a.Methods) > n/offerSize {
		t.Fatalf("%d offers from %d bytes", len(a.Methods), n)
	}

	fb := decodeFilterBlob(data)
	inside("filter", &fb.blobStatus)
	l := &model.FilterList{}
	mapFilterBlob(fb, l, bl)
	if len(l.Filters) > n/filterMinSize {
		t.Fatalf("%d filters from %d bytes", len(l.Filters), n)
	}
}

// TestFuzzSeeds runs the fuzz checks on the seeds and on every prefix of
// them, so that plain `go test` covers each truncation point.
func TestFuzzSeeds(t *testing.T) {
	seeds := append(synthSeeds(), sampleBlobs(t)...)
	for _, s := range seeds {
		for i := 0; i <= len(s); i++ {
			checkDecoders(t, s[:i])
		}
	}
}

// BenchmarkDecode decodes a synthetic local store of 50 policies (350
// objects) and a domain cache of 50 more.
func BenchmarkDecode(b *testing.B) {
	s := newSynthReg()
	for i := 0; i < 50; i++ {
		s.writePolicy(localStore, "P", i*8, defaultRuleOpts())
		s.writePolicy(cacheStore, "D", i*8, defaultRuleOpts())
	}
	r := s.registry()
	b.ReportAllocs()
	for b.Loop() {
		if res := Decode(r); len(res.Stores) != 2 {
			b.Fatal(len(res.Stores))
		}
	}
}
