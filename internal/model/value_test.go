package model

import (
	"strings"
	"testing"
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
