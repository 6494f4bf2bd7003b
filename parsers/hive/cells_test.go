package hive

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
)

// cellsOf reads data and returns the cells Options.Cells was given, by
// location, with copies of their bytes.
func cellsOf(t *testing.T, data []byte, opts Options) map[model.Location]Cell {
	t.Helper()
	got := map[model.Location]Cell{}
	opts.Cells = func(c Cell) {
		c.Bytes = bytes.Clone(c.Bytes)
		got[c.Loc] = c
	}
	if _, err := Read(data, "SYSTEM", opts); err != nil {
		t.Fatal(err)
	}
	return got
}

// cellName decodes the name a cell's bytes hold (ASCII or UTF-16LE).
func cellName(c Cell, compressed bool) string {
	b := c.Bytes[c.Name : c.Name+c.NameLen]
	if compressed { // Latin-1
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// TestCellsPointIntoTheFile: every key walked and value read is given
// with its cell's file offset, and the bytes are the file's there: the
// record's signature, its name, and a DWORD's data held in the record.
func TestCellsPointIntoTheFile(t *testing.T) {
	tree := model.NewRegTree()
	tree.EnsureKey(`SYSTEM\Select`, model.Location{}).SetValue(&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)})
	oak := tree.EnsureKey(`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, model.Location{})
	oak.SetValue(&model.Value{Name: "NLBSFlags", Type: model.RegDWORD, Data: model.DWORDData(7)})
	oak.SetValue(&model.Value{Name: "Über", Type: model.RegSZ, Data: model.UTF16String(strings.Repeat("x", 40))})
	h, err := hivewriter.Write(tree, "SYSTEM", hivewriter.Options{FileName: `\SystemRoot\System32\Config\SYSTEM`})
	if err != nil {
		t.Fatal(err)
	}
	filter := model.NewKeyFilter(`SYSTEM\ControlSet001\Services\PolicyAgent`)
	cells := cellsOf(t, h.Data, Options{Filter: filter})
	key := cells[model.Location{File: "SYSTEM", Key: `SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`}]
	flags := cells[model.Location{File: "SYSTEM", Key: `SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, Value: "NLBSFlags"}]
	wide := cells[model.Location{File: "SYSTEM", Key: `SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, Value: "Über"}]
	for _, c := range []Cell{key, flags, wide} {
		if c.Bytes == nil {
			t.Fatalf("a cell is missing: %v", cells)
		}
		if !bytes.Equal(h.Data[c.Offset:c.Offset+int64(len(c.Bytes))], c.Bytes) {
			t.Errorf("%v: the bytes at 0x%X are not the file's", c.Loc, c.Offset)
		}
		if c.Name+c.NameLen != len(c.Bytes) {
			t.Errorf("%v: the name does not end the bytes", c.Loc)
		}
	}
	if string(key.Bytes[4:6]) != "nk" || cellName(key, true) != "Oakley" {
		t.Errorf("key cell %q", key.Bytes)
	}
	if string(flags.Bytes[4:6]) != "vk" || cellName(flags, true) != "NLBSFlags" {
		t.Errorf("value cell %q", flags.Bytes)
	}
	if flags.InlineLen != 4 || !bytes.Equal(flags.Bytes[flags.Inline:flags.Inline+4], model.DWORDData(7)) {
		t.Errorf("the DWORD is not where Inline says: %d+%d in %x", flags.Inline, flags.InlineLen, flags.Bytes)
	}
	if wide.InlineLen != 0 || (cellName(wide, true) != "Über" && cellName(wide, false) != "Über") {
		t.Errorf("a value with its data in a cell of its own: inline %d, name %q", wide.InlineLen, wide.Bytes[wide.Name:])
	}
	// Keys walked on the way to the filter's subtree are given too (the
	// nearest existing key of one that is absent); keys outside it not.
	if _, ok := cells[model.Location{File: "SYSTEM", Key: `SYSTEM\ControlSet001\Services`}]; !ok {
		t.Error("a key walked through is not given")
	}
	for loc := range cells {
		if !strings.HasPrefix(loc.Key, `SYSTEM\ControlSet001\Services\PolicyAgent`) && loc.Value != "" && loc.Key != `SYSTEM\Select` {
			t.Errorf("a value outside the filter: %v", loc)
		}
	}
}

// TestCellsLeaveOutWhatLogsChanged: in a dirty hive whose log was
// applied, cells whose bytes the log changed are not given (their bytes
// are not the file's), the others are.
func TestCellsLeaveOutWhatLogsChanged(t *testing.T) {
	before := model.NewRegTree()
	before.EnsureKey(`SYSTEM\Select`, model.Location{}).SetValue(&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)})
	before.EnsureKey(`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, model.Location{})
	for i := 0; i < 300; i++ { // bins the change does not touch
		before.EnsureKey(fmt.Sprintf(`SYSTEM\ControlSet001\Control\Key%03d`, i), model.Location{})
	}
	after := model.NewRegTree()
	after.Merge(before)
	after.EnsureKey(`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, model.Location{}).SetValue(&model.Value{Name: "NLBSFlags", Type: model.RegDWORD, Data: model.DWORDData(1)})
	opts := hivewriter.Options{FileName: `\SystemRoot\System32\Config\SYSTEM`, Minor: 3}
	hb, err := hivewriter.Write(before, "SYSTEM", opts)
	if err != nil {
		t.Fatal(err)
	}
	ha, err := hivewriter.Write(after, "SYSTEM", opts)
	if err != nil {
		t.Fatal(err)
	}
	primary, log := hivewriter.DirtyOld(hb, ha)
	got := cellsOf(t, primary, Options{Logs: func() []Log { return []Log{{Name: filepath.Join(t.TempDir(), "SYSTEM.LOG"), Data: log}} }})
	if _, ok := got[model.Location{File: "SYSTEM", Key: `SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, Value: "NLBSFlags"}]; ok {
		t.Error("the value the log added is given a place in the file, which does not hold it")
	}
	if len(got) < 100 {
		t.Errorf("only %d cells given: those in pages the log did not change should be", len(got))
	}
	for loc, c := range got {
		if !bytes.Equal(primary[c.Offset:c.Offset+int64(len(c.Bytes))], c.Bytes) {
			t.Errorf("%v: bytes that are not the file's", loc)
		}
	}
}
