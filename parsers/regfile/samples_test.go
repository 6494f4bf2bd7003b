package regfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

func parseSample(t *testing.T, rel string) *Result {
	t.Helper()
	r, err := ParseFile(testutil.Sample(t, "reg/"+rel), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %v", rel, r.Errors)
	}
	return r
}

// sameValue compares a value read from another producer's export with
// the reference (hivexregedit's hex, the hive's own bytes). reged writes
// REG_SZ as "…", which keeps the text up to the first NUL only: those are
// compared as text.
func sameValue(ref, got *model.Value, textOnlySZ bool) bool {
	if got == nil || ref.Type != got.Type {
		return false
	}
	if textOnlySZ && ref.Type == model.RegSZ {
		a, _ := ref.AsString()
		b, _ := got.AsString()
		return a == b
	}
	return bytes.Equal(ref.Data, got.Data)
}

// compareExports checks that two exports of the same keys by different
// producers read the same: same keys, same value names, types and data.
func compareExports(t *testing.T, refName string, ref *Result, name string, got *Result, textOnlySZ bool) {
	t.Helper()
	if ref.Tree.Len() != got.Tree.Len() {
		t.Errorf("%s has %d keys, %s %d", refName, ref.Tree.Len(), name, got.Tree.Len())
	}
	values := 0
	for _, rk := range ref.Tree.Keys() {
		gk := got.Tree.Key(rk.Path)
		if gk == nil {
			t.Errorf("%s: key %s missing", name, rk.Path)
			continue
		}
		if len(gk.Values) != len(rk.Values) {
			t.Errorf("%s: %s has %d values, %s %d", name, rk.Path, len(gk.Values), refName, len(rk.Values))
		}
		for _, rv := range rk.Values {
			values++
			if gv := gk.Value(rv.Name); !sameValue(rv, gv, textOnlySZ) {
				t.Errorf("%s: %s\\%s = %s, %s has %s", name, rk.Path, rv.Name, gv.Display(), refName, rv.Display())
			}
		}
	}
	if values == 0 {
		t.Errorf("%s: no values compared", refName)
	}
}

// TestSamplesAgreeAcrossProducers reads the exports of the same keys of a
// real XP hive made by hivexregedit, hivexregedit --unsafe-printable-
// strings and reged, and the two exports of the hand-made fixture hive.
func TestSamplesAgreeAcrossProducers(t *testing.T) {
	dir := filepath.Join(testutil.SamplesDir(t), "reg")
	refs, err := filepath.Glob(filepath.Join(dir, "*.hivexregedit.reg"))
	if err != nil || len(refs) < 5 {
		t.Fatalf("expected the hivexregedit samples in %s: %v %v", dir, refs, err)
	}
	for _, refPath := range refs {
		base := strings.TrimSuffix(filepath.Base(refPath), ".hivexregedit.reg")
		ref := parseSample(t, base+".hivexregedit.reg")
		if p := filepath.Join(dir, base+".hivexregedit_printable.reg"); fileExists(p) {
			// Printable strings lose nothing for these keys: exact equality.
			compareExports(t, base+".hivexregedit", ref, base+".hivexregedit_printable", parseSample(t, base+".hivexregedit_printable.reg"), false)
		}
		compareExports(t, base+".hivexregedit", ref, base+".reged", parseSample(t, base+".reged.reg"), true)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestRealXPValues checks facts SOURCES.md states about the real hive, read
// through the exports and the model's CurrentControlSet resolution.
func TestRealXPValues(t *testing.T) {
	for _, producer := range []string{"hivexregedit", "hivexregedit_printable", "reged"} {
		tree := model.NewRegTree()
		for _, k := range []string{"Select", "ControlSet001_Services_PolicyAgent", "ControlSet001_Services_IPSec", "ControlSet001_Control_ProductOptions"} {
			tree.Merge(parseSample(t, "xp_real_"+k+"."+producer+".reg").Tree)
		}
		reg := model.NewRegistry(tree)
		dw := func(key, name string) uint32 {
			n, ok := reg.Value(key, name).AsDWORD()
			if !ok {
				t.Errorf("%s: %s\\%s is not a DWORD: %s", producer, key, name, reg.Value(key, name).Display())
			}
			return n
		}
		if reg.CurrentSet != 1 {
			t.Errorf("%s: current control set %d", producer, reg.CurrentSet)
		}
		if n := dw(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "NlbsIdle"); n != 1 {
			t.Errorf("%s: NlbsIdle = %d", producer, n)
		}
		if n := dw(`SYSTEM\CurrentControlSet\Services\IPSEC`, "NoDefaultExempt"); n != 3 {
			t.Errorf("%s: NoDefaultExempt = %d", producer, n)
		}
		if s, _ := reg.Value(`SYSTEM\CurrentControlSet\Control\ProductOptions`, "ProductType").AsString(); s != "WinNT" {
			t.Errorf("%s: ProductType = %q", producer, s)
		}
		if s, _ := reg.Value(`SYSTEM\CurrentControlSet\Services\IPSEC`, "ImagePath").AsString(); s != `system32\DRIVERS\ipsec.sys` {
			t.Errorf("%s: ImagePath = %q", producer, s)
		}
	}
}

// TestRegedEdgeSample reads reged's export of edge cases: escapes, a
// string without NUL, DWORDs of the wrong size, several values on one
// line, a 20000-byte value over 800 lines, and Latin-1 key and value names.
func TestRegedEdgeSample(t *testing.T) {
	r := parseSample(t, "edge.reged.reg")
	k := r.Tree.Key(`SYSTEM\Edge`)
	str := func(name string) string { s, _ := k.Value(name).AsString(); return s }
	if str(`Back\slash`) != `a\b` || str(`Quo"te`) != `say "hi"` || str("NoNul") != "AB" {
		t.Errorf("strings: %q %q %q", str(`Back\slash`), str(`Quo"te`), str("NoNul"))
	}
	for _, name := range []string{"Dw3", "Dw8"} {
		if n, ok := k.Value(name).AsDWORD(); !ok || n != 0x00030201 {
			t.Errorf("%s = %s", name, k.Value(name).Display())
		}
	}
	for name, typ := range map[string]model.ValueType{"None": model.RegNone, "EmptyBin": model.RegBinary} {
		if v := k.Value(name); v == nil || v.Type != typ || len(v.Data) != 0 {
			t.Errorf("%s = %s", name, v.Display())
		}
	}
	big := k.Value("Big")
	if big == nil || len(big.Data) != 20000 || big.Loc.Line != 9 || big.Loc.Column != 30 {
		t.Fatalf("Big: %+v", big)
	}
	for i, c := range big.Data {
		if c != byte(i) {
			t.Fatalf("Big[%d] = %02x", i, c)
		}
	}
	if v := k.Value("EmptyMulti"); v == nil || v.Type != model.RegMultiSZ || !bytes.Equal(v.Data, []byte{0, 0}) {
		t.Errorf("EmptyMulti = %s", v.Display())
	}
	if v := r.Tree.Key(`SYSTEM\Edge\Ümlaut-é`).Value("Wert-ä"); v == nil {
		t.Errorf("Latin-1 names not read: %v", r.Tree.Subkeys(`SYSTEM\Edge`))
	}
	if r.Encoding.String() != "cp1252 (assumed)" || len(r.Warnings) != 0 {
		t.Errorf("encoding %s, warnings %v", r.Encoding, r.Warnings)
	}
}
