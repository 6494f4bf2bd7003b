package regfile

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// hexLines writes n bytes of hex(1) data the way regedit wraps it: 25
// bytes a line, each line but the last ending in ",\".
func hexLines(b *bytes.Buffer, n int) {
	for i := 0; i < n; i++ {
		switch {
		case i%25 == 0 && i > 0:
			b.WriteString(",\\\r\n  ")
		case i > 0:
			b.WriteByte(',')
		}
		b.WriteString("41")
	}
	b.WriteString("\r\n")
}

// A hex value larger than a registry value can be is truncated at
// MaxValueSize while it is read (memory does not follow the claim), the
// truncation is a syntax error at the value's line, and the lines after
// it are read as usual.
func TestHugeHexValueIsTruncatedWhileRead(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(v5 + "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=hex(1):")
	hexLines(&b, 3*MaxValueSize)
	b.WriteString("\"After\"=dword:00000001\r\n")
	in := b.Bytes()
	var r *Result
	alloc := allocated(func() {
		r = mustParse(t, in, Options{Filter: model.NewKeyFilter(`SYSTEM\CurrentControlSet\Control\ComputerName`)})
	})
	k := r.Tree.Key(`SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName`)
	v := k.Value("ComputerName")
	if v == nil || len(v.Data) != MaxValueSize || v.Type != model.RegSZ {
		t.Fatalf("value %+v", v)
	}
	if k.Value("After") == nil {
		t.Error("the value after the huge one was not read")
	}
	if len(r.Errors) != 1 || r.Errors[0].Line != 4 || !strings.Contains(r.Errors[0].Error(), "truncated") ||
		!strings.Contains(r.Errors[0].Error(), "more than 1 MiB") {
		t.Errorf("errors %v", r.Errors)
	}
	if alloc > 8*MaxValueSize {
		t.Errorf("reading a 3 MiB value allocated %d MiB", alloc>>20)
	}
}

// A "…" string or str(N) string longer than MaxValueSize is truncated
// too; a str(N) string continued over lines past maxLineBytes is not
// read (the joined text would be held whole), with an error at the line
// where it passed.
func TestHugeStringsAreBounded(t *testing.T) {
	defer func(n int) { maxLineBytes = n }(maxLineBytes)
	long := strings.Repeat("x", MaxValueSize)
	in := v5 + "[HKLM\\K]\r\n\"S\"=\"" + long + "\"\r\n\"T\"=str(1):\"" + long + "\"\r\n"
	r := mustParse(t, []byte(in), Options{})
	for _, name := range []string{"S", "T"} {
		if v := r.Tree.Key("K").Value(name); v == nil || len(v.Data) != MaxValueSize {
			t.Errorf("%s: %d bytes kept, want %d", name, len(v.Data), MaxValueSize)
		}
	}
	if len(r.Errors) != 2 || r.Errors[0].Line != 4 || r.Errors[1].Line != 5 || !strings.Contains(r.Errors[1].Error(), "2097154 bytes") {
		t.Errorf("errors %v", r.Errors)
	}

	maxLineBytes = 4096
	line := strings.Repeat("y", 1000)
	in = v5 + "[HKLM\\K]\r\n\"P\"=str(1):\"" + strings.Repeat(line+"\r\n", 10) + "end\"\r\n\"After\"=dword:1\r\n"
	r = mustParse(t, []byte(in), Options{})
	if r.Tree.Key("K").Value("P") != nil || len(r.Errors) == 0 || r.Errors[0].Line != 8 || !strings.Contains(r.Errors[0].Error(), "continued past") {
		t.Errorf("value %v, errors %v", r.Tree.Key("K").Value("P"), r.Errors)
	}
}

// What one file makes the parser keep is bounded: past maxKeptBytes the
// later keys and values are dropped, with one error where it happened.
func TestKeptBytesAreBounded(t *testing.T) {
	defer func(n int64) { maxKeptBytes = n }(maxKeptBytes)
	maxKeptBytes = 10_000
	var b strings.Builder
	b.WriteString(v5)
	for k := 0; k < 100; k++ {
		fmt.Fprintf(&b, "[HKLM\\T\\K%d]\r\n", k)
		for v := 0; v < 5; v++ {
			fmt.Fprintf(&b, "\"V%d\"=dword:%08x\r\n", v, k)
		}
	}
	every := model.NewKeyFilter("T")
	if r := mustParse(t, []byte(b.String()), Options{}); r.Tree.Len() < 100 || len(r.Errors) != 0 {
		t.Errorf("without a filter everything is kept: %d keys, errors %v", r.Tree.Len(), r.Errors)
	}
	r := mustParse(t, []byte(b.String()), Options{Filter: every})
	if r.Tree.Len() == 0 || r.Tree.Len() > 20 || r.ValuesKept > 100 {
		t.Errorf("%d keys, %d values kept from 100 keys of 5 values with a 10000-byte budget", r.Tree.Len(), r.ValuesKept)
	}
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), "pass 10000 bytes") {
		t.Errorf("errors %v", r.Errors)
	}
	// Setting the same value again costs nothing more.
	maxKeptBytes = 2000
	in := v5 + "[HKLM\\T]\r\n" + strings.Repeat("\"V\"=dword:00000001\r\n", 5000)
	if r := mustParse(t, []byte(in), Options{Filter: every}); len(r.Errors) != 0 {
		t.Errorf("a value set 5000 times: %v", r.Errors)
	}
}

func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
