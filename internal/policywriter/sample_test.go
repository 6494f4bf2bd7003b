package policywriter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/gpipsec"
	"github.com/ipseclint/ipseclint/parsers/regfile"
)

const w2kSample = "registry-policy/w2k-l2tp-psk.vpnease.reg"

// garbage are the byte ranges of a real Windows 2000 blob that hold
// uninitialised memory (GPIPSEC.md §2.5, §5.6–§5.8), where the writer
// writes zeros instead, by object class.
func garbage(cls string, b []byte) [][2]int {
	var out [][2]int
	switch cls {
	case clsNegPol: // slots 1 and 2 of every offer
		n := int(b[20])
		for i := range n {
			off := 24 + 80*i
			out = append(out, [2]int{off + 40, off + 80})
		}
	case clsISAKMP: // PFS-Identity-Required and Zero7 of every method
		for i := range int(b[80]) {
			off := 84 + 64*i
			out = append(out, [2]int{off + 37, off + 44}, [2]int{off + 60, off + 64})
		}
	}
	return out
}

// TestSampleRewritten decodes the real Windows 2000 export, writes the
// decoded policy back with the sample's key, and compares every blob with
// the sample's own, byte for byte. The intended differences: zeros where
// the sample holds uninitialised memory (unused quick-mode slots,
// PFS-Identity-Required, Zero7), and the ISAKMP instance GUID, which is
// the ISAKMP object's own GUID in both, but that object's GUID is derived
// here (the model does not carry it).
func TestSampleRewritten(t *testing.T) {
	res, err := regfile.ParseFile(testutil.Sample(t, w2kSample), regfile.Options{})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("sample: %v %v", err, res.Errors)
	}
	orig := map[string][]byte{} // class → blob, copied before Decode blanks the key
	for _, k := range res.Tree.Keys() {
		if v := k.Value("ipsecData"); v != nil {
			name := k.Path[strings.LastIndexByte(k.Path, '\\')+1:]
			orig[strings.ToLower(name)] = append([]byte(nil), v.Data...)
		}
	}
	dec := gpipsec.Decode(model.NewRegistry(res.Tree))
	p := dec.Local.Policy
	tree := model.NewRegTree()
	key, err := Write(tree, StoreLocal, p, Options{PSK: map[string]string{p.Rules[1].Name: "example-psk"}})
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, k := range tree.Keys() {
		v := k.Value("ipsecData")
		if v == nil {
			continue
		}
		name := k.Path[strings.LastIndexByte(k.Path, '\\')+1:]
		cls := name[:strings.IndexByte(name, '{')]
		want := orig[strings.ToLower(name)]
		if cls == clsISAKMP {
			for n, b := range orig {
				if strings.HasPrefix(n, strings.ToLower(clsISAKMP)) {
					want = append([]byte(nil), b...)
				}
			}
			copy(want[20:36], v.Data[20:36]) // the instance GUID: this object's own
		}
		if want == nil {
			t.Errorf("%s: not in the sample", name)
			continue
		}
		got := append([]byte(nil), v.Data...)
		for _, r := range garbage(cls, want) {
			if !bytes.Equal(got[r[0]:r[1]], make([]byte, r[1]-r[0])) {
				t.Errorf("%s: bytes %d–%d are %x, want zeros", name, r[0], r[1], got[r[0]:r[1]])
			}
			copy(want[r[0]:r[1]], got[r[0]:r[1]])
		}
		diffBytes(t, name, got, want)
		compared++
	}
	if compared != 7 || !strings.EqualFold(key, dec.Local.Key) {
		t.Errorf("compared %d blobs (want 7), policy key %s (sample %s)", compared, key, dec.Local.Key)
	}
}
