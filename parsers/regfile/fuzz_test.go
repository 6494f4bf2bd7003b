package regfile

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/iotest"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

// FuzzParse feeds arbitrary bytes to the parser. It must not panic, must
// keep within its line limit, and must read the same whatever the size of
// the reads: the input is parsed once in big chunks and once a byte at a
// time through a 3-byte buffer, and both results must agree.
//
// Seeds: the real exports of ../shared/samples/reg when present (also
// re-encoded as UTF-16LE), exports written by regtest in every style, and
// small hand-made inputs below.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		v5 + "[HKLM\\K]\r\n\"a\"=hex:01,\\\r\n  02\r\n\"b\"=str(1):\"x\r\ny\"\r\n@=dword:1\r\n",
		"REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\K]\r\n\"e\"=hex(2):e9,00\r\n[-HKLM\\K]\r\n",
		"Windows Registry Editor Version 5.00\r\r[HKLM\\K]\r\"n\"=hex(0):\"m\"=hex:\"o\"=-\r\x1a",
		"\xef\xbb\xbfWindows Registry Editor Version 5.00\n[HKCU\\X]\n\"a\"=\"\xe9\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Add(utf16le(v5+"[HKLM\\SYSTEM\\Select]\r\n\"Current\"=dword:1\r\n", true))
	for _, style := range regtest.Styles {
		var buf bytes.Buffer
		regtest.Write(&buf, regtest.RandomTree(randFor(uint64(style)), style, 5), style)
		f.Add(buf.Bytes())
	}
	for _, p := range sampleFiles() {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
			f.Add(utf16le(string(b), true))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		filter := model.NewKeyFilter(`SYSTEM\CurrentControlSet\Services`, `K`)
		sameWithFilter(t, data, filter)
		for _, opts := range []Options{{}, {Filter: filter, CodePage: "cp932"}} {
			a, errA := parse(bytes.NewReader(data), "f.reg", opts, chunkBytes)
			b, errB := parse(iotest.OneByteReader(bytes.NewReader(data)), "f.reg", opts, 3)
			if (errA == nil) != (errB == nil) {
				t.Fatalf("chunked read: %v, byte by byte: %v", errA, errB)
			}
			if errA != nil {
				continue
			}
			if d := regtest.Diff(a.Tree, b.Tree); len(d) > 0 {
				t.Fatalf("trees differ with the read size: %v", d)
			}
			if fmt.Sprint(a.Errors, a.Warnings, a.Header, a.Encoding, a.KeysSeen) != fmt.Sprint(b.Errors, b.Warnings, b.Header, b.Encoding, b.KeysSeen) {
				t.Fatalf("results differ with the read size:\n%v %v\n%v %v", a.Errors, a.Warnings, b.Errors, b.Warnings)
			}
			lines := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1
			for _, e := range a.Errors {
				if e.Line < 1 || e.Line > lines || e.Column < 1 {
					t.Fatalf("error out of the file: %v (%d lines)", e, lines)
				}
			}
			for _, k := range a.Tree.Keys() {
				for _, v := range k.Values {
					if v.Loc.Line < v.Loc.KeyLine || int(v.Loc.Line) > lines || v.Loc.File != "f.reg" {
						t.Fatalf("value location %+v", v.Loc)
					}
				}
			}
			values := 0
			for _, k := range a.Tree.Keys() {
				values += len(k.Values)
			}
			if a.KeysKept > a.KeysSeen || a.KeysKept != a.Tree.Len() || a.ValuesKept != values {
				t.Fatalf("counts: seen %d kept %d tree %d, values %d (tree %d)", a.KeysSeen, a.KeysKept, a.Tree.Len(), a.ValuesKept, values)
			}
		}
	})
}

// sameWithFilter checks that skipping the lines of unwanted keys without
// reading them changes nothing in what is kept: the tree read with a
// filter is the tree read without one, less the keys the filter rejects.
func sameWithFilter(t *testing.T, data []byte, filter *model.KeyFilter) {
	all, errAll := Parse(bytes.NewReader(data), "f.reg", Options{})
	some, errSome := Parse(bytes.NewReader(data), "f.reg", Options{Filter: filter})
	if (errAll == nil) != (errSome == nil) {
		t.Fatalf("without filter: %v, with: %v", errAll, errSome)
	}
	if errAll != nil {
		return
	}
	for _, k := range all.Tree.Keys() {
		if !filter.Wants(k.Path) {
			all.Tree.DeleteTree(k.Path)
		}
	}
	if d := regtest.Diff(all.Tree, some.Tree); len(d) > 0 {
		t.Fatalf("the filter changed what is kept: %v", d)
	}
	if all.KeysSeen != some.KeysSeen {
		t.Fatalf("%d keys seen without filter, %d with", all.KeysSeen, some.KeysSeen)
	}
}

// sampleFiles lists the real exports when ../shared/samples is there; the
// fuzz target runs without them too.
func sampleFiles() []string {
	dir := os.Getenv("IPSECLINT_SAMPLES")
	if dir == "" {
		root, err := os.Getwd()
		if err != nil {
			return nil
		}
		dir = filepath.Join(root, "..", "..", "..", "shared", "samples")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "reg", "*.reg"))
	slices.Sort(files)
	return files
}

// TestFuzzSeedsUseTheSamples makes sure the fuzz seeds include the real
// exports where they exist (a failure under CI if they are missing).
func TestFuzzSeedsUseTheSamples(t *testing.T) {
	dir := testutil.SamplesDir(t)
	want, _ := filepath.Glob(filepath.Join(dir, "reg", "*.reg"))
	if got := sampleFiles(); len(got) == 0 || len(got) != len(want) {
		t.Errorf("fuzz seeds: %d sample files, %s has %d", len(got), dir, len(want))
	}
}

func randFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }
