package hivewriter

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

func sampleTree() *model.RegTree {
	t := model.NewRegTree()
	sel := t.EnsureKey(`SYSTEM\Select`, model.Location{})
	sel.SetValue(&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)})
	ipsec := t.EnsureKey(`SYSTEM\ControlSet001\Services\IPSEC`, model.Location{})
	ipsec.SetValue(&model.Value{Name: "NoDefaultExempt", Type: model.RegDWORD, Data: model.DWORDData(3)})
	ipsec.SetValue(&model.Value{Name: "Display/Name", Type: model.RegSZ, Data: model.UTF16String("IPSEC driver")})
	ipsec.SetValue(&model.Value{Name: "", Type: model.RegBinary, Data: bytes.Repeat([]byte{7}, 40000)})
	return t
}

func TestChecksumAndHeader(t *testing.T) {
	h, err := Write(sampleTree(), "SYSTEM", Options{FileName: `\SystemRoot\System32\Config\SYSTEM`})
	if err != nil {
		t.Fatal(err)
	}
	d := h.Data
	if string(d[:4]) != "regf" || string(d[BaseBlockSize:BaseBlockSize+4]) != "hbin" {
		t.Fatalf("signatures: %q %q", d[:4], d[BaseBlockSize:BaseBlockSize+4])
	}
	if got, want := binary.LittleEndian.Uint32(d[0x1FC:]), Checksum(d); got != want {
		t.Errorf("checksum stored %#x, computed %#x", got, want)
	}
	if n := binary.LittleEndian.Uint32(d[0x28:]); int(n) != len(d)-BaseBlockSize || n%0x1000 != 0 {
		t.Errorf("hive bins size %#x for a file of %#x bytes", n, len(d))
	}
	// Windows keeps the last 31 characters of the path.
	name := string(bytes.ReplaceAll(d[0x30:0x70], []byte{0}, nil))
	if name != `stemRoot\System32\Config\SYSTEM` {
		t.Errorf("file name field %q", name)
	}
}

func TestBinsAndCellsAreConsistent(t *testing.T) {
	for _, o := range []Options{{}, {Minor: 3, Leaf: "li", MaxLeaf: 2}, {Leaf: "lf", MaxLeaf: 1}} {
		h, err := Write(sampleTree(), "SYSTEM", o)
		if err != nil {
			t.Fatal(err)
		}
		pos := BaseBlockSize
		for pos < len(h.Data) {
			if string(h.Data[pos:pos+4]) != "hbin" || int(binary.LittleEndian.Uint32(h.Data[pos+4:])) != pos-BaseBlockSize {
				t.Fatalf("%+v: bad hive bin header at %#x", o, pos)
			}
			size := int(binary.LittleEndian.Uint32(h.Data[pos+8:]))
			for c := pos + 0x20; c < pos+size; {
				cs := int(int32(binary.LittleEndian.Uint32(h.Data[c:])))
				if cs < 0 {
					cs = -cs
				}
				if cs < 8 || cs%8 != 0 || c+cs > pos+size {
					t.Fatalf("%+v: bad cell size %d at %#x", o, cs, c)
				}
				c += cs
			}
			pos += size
		}
		k := h.Key(`ControlSet001\Services\IPSEC`)
		if k == nil || len(k.Values) != 3 {
			t.Fatalf("%+v: layout of IPSEC: %+v", o, k)
		}
		if o.Minor == 3 {
			if big := h.Cell(k.Values[2].Data); len(big) < 40000 {
				t.Errorf("format 1.3 must keep 40000 bytes in one cell, got %d", len(big))
			}
		} else if db := h.Cell(k.Values[2].Data); string(db[:2]) != "db" {
			t.Errorf("format 1.5 must use a big-data record, got %q", db[:2])
		}
	}
}

func TestSubkeysSortedLikeWindows(t *testing.T) {
	names := []string{"b", "A", "_x", "Z", "é", "a1", "ä"}
	sortNames(names)
	want := []string{"A", "a1", "b", "Z", "_x", "ä", "é"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("sorted %v, want %v", names, want)
	}
	if NameHash("ab") != NameHash("AB") || NameHash("ab") != uint32('A')*37+uint32('B') {
		t.Errorf("lh hash of ab = %#x", NameHash("ab"))
	}
}

// TestReadableByIndependentTools checks the files against reglookup and
// hivexregedit, which implement the format independently.
func TestReadableByIndependentTools(t *testing.T) {
	reglookup := testutil.Tool(t, "reglookup", "reglookup")
	hivex := testutil.Tool(t, "hivexregedit", "libwin-hivex-perl")
	h, err := Write(sampleTree(), "SYSTEM", Options{MaxLeaf: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "SYSTEM")
	if err := os.WriteFile(p, h.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(reglookup, p).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("WARN")) || bytes.Contains(out, []byte("ERROR")) {
		t.Fatalf("reglookup: %v\n%s", err, out)
	}
	for _, want := range []string{"/Select/Current,DWORD,0x00000001", "/ControlSet001/Services/IPSEC/NoDefaultExempt,DWORD,0x00000003", "/ControlSet001/Services/IPSEC/Display%2FName,SZ,IPSEC driver"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("reglookup output lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command(hivex, "--export", p, `\`).CombinedOutput()
	if err != nil {
		t.Fatalf("hivexregedit: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte(`"NoDefaultExempt"=dword:00000003`)) || !bytes.Contains(out, []byte("@=hex(3):07,07,07")) {
		t.Errorf("hivexregedit output:\n%.2000s", out)
	}
}

func TestPatchHelpers(t *testing.T) {
	h, err := Write(sampleTree(), "SYSTEM", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := len(h.Data)
	off := h.Alloc([]byte("xyzw"))
	if len(h.Data) != n+0x1000 || string(h.Cell(off)[:4]) != "xyzw" || h.CellSize(off) != -8 {
		t.Fatalf("Alloc: len %d, cell %q size %d", len(h.Data), h.Cell(off), h.CellSize(off))
	}
	if binary.LittleEndian.Uint32(h.Data[0x1FC:]) != Checksum(h.Data) {
		t.Error("Alloc did not reseal the base block")
	}
	root := h.Key("")
	h.PutUint32(root.NK, NKSubkeyList, 0x1234)
	if binary.LittleEndian.Uint32(h.Cell(root.NK)[NKSubkeyList:]) != 0x1234 {
		t.Error("PutUint32 did not write into the cell")
	}
}
