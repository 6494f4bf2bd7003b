package model

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestDisplayClipsLongStrings: a hostile value cannot make every message
// quoting it megabytes long; the length is said.
func TestDisplayClipsLongStrings(t *testing.T) {
	long := strings.Repeat("a", 100_000)
	v := &Value{Type: RegSZ, Data: UTF16String(long)}
	d := v.Display()
	if len(d) > 400 || !strings.Contains(d, "100000 characters, the first 256 shown") {
		t.Errorf("Display of a 100,000-character REG_SZ: %d bytes: %.120s", len(d), d)
	}
	short := &Value{Type: RegSZ, Data: UTF16String("EXFE01")}
	if got := short.Display(); got != `REG_SZ "EXFE01"` {
		t.Errorf("Display = %s", got)
	}
	m := &Value{Type: RegMultiSZ, Data: UTF16MultiString(strings.Split(strings.Repeat("x,", 39)+"x", ","))}
	if d := m.Display(); !strings.Contains(d, "and 24 more strings") {
		t.Errorf("Display of 40 strings: %s", d)
	}
}

// TestComputerNameTooLong: a ComputerName no Windows host can have is not
// taken as the host's name.
func TestComputerNameTooLong(t *testing.T) {
	r := NewRegistry(treeOf(t, KeyComputerName+"|ComputerName|sz|"+strings.Repeat("N", 1<<20)))
	if f := ReadComputerName(r); f.Known || !strings.Contains(f.Via, "1048576 characters") {
		t.Errorf("a 1 MiB ComputerName: %+v", f.Via)
	}
}

// TestDecodeUTF16AsTheLibrary: registry strings decode as utf16.Decode
// decodes their code units up to the first NUL, surrogate pairs, lone
// surrogates and odd trailing bytes included.
func TestDecodeUTF16AsTheLibrary(t *testing.T) {
	want := func(b []byte) string {
		var u []uint16
		for i := 0; i+1 < len(b); i += 2 {
			c := binary.LittleEndian.Uint16(b[i:])
			if c == 0 {
				break
			}
			u = append(u, c)
		}
		return string(utf16.Decode(u))
	}
	units := []uint16{'a', 'Z', 0x7f, 0x80, 0xe9, 0x3042, 0xd83d, 0xde00, 0xdc00, 0xdbff, 0xdfff, 0xfffd, 0}
	rng := rand.New(rand.NewPCG(4, 2))
	for range 20000 {
		b := make([]byte, 0, 64)
		for range rng.IntN(200) {
			b = binary.LittleEndian.AppendUint16(b, units[rng.IntN(len(units))])
		}
		if rng.IntN(4) == 0 {
			b = append(b, 'x') // an odd byte at the end
		}
		if got, w := UTF16Text(b), want(b); got != w {
			t.Fatalf("UTF16Text(% x) = %q, utf16.Decode makes %q", b, got, w)
		}
	}
	if got := UTF16Text(UTF16String("EXFE01")); got != "EXFE01" {
		t.Errorf("UTF16Text of EXFE01 = %q", got)
	}
}
