package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// TestKeepIsOptIn: without Options.Keep nothing is kept, and keeping
// changes nothing of what is read.
func TestKeepIsOptIn(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "testdata", "fleet")
	plain, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kept := &Kept{Texts: true, Cells: true}
	with, err := Collect([]string{dir}, Options{Keep: kept})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(plain)
	b, _ := json.Marshal(with)
	if !bytes.Equal(a, b) {
		t.Error("keeping the text and cells changes the fleet")
	}
	var none *Kept
	if _, _, ok := none.Text("EXFE01/system.reg"); ok {
		t.Error("a nil Kept has text")
	}
	empty := &Kept{}
	if _, err := Collect([]string{dir}, Options{Keep: empty}); err != nil {
		t.Fatal(err)
	}
	if len(empty.texts) != 0 || len(empty.cells) != 0 || len(empty.arena) != 0 {
		t.Errorf("a Kept asking for nothing holds %d texts, %d cells", len(empty.texts), len(empty.cells))
	}
}

// TestKeptTextAndCells: the example fleet's text inputs are kept, their
// lines where the model's locations say, without the pre-shared key
// EXFE04's export holds in an NFA blob (in any form); its hive keys and
// values have cells whose bytes are the file's.
func TestKeptTextAndCells(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "testdata", "fleet")
	kept := &Kept{Texts: true, Cells: true}
	fleet, err := Collect([]string{dir}, Options{Keep: kept})
	if err != nil {
		t.Fatal(err)
	}
	texts := 0
	for _, f := range fleet.Files {
		lines, _, ok := kept.Text(f.Name)
		switch {
		case f.Kind == model.KindHive && ok:
			t.Errorf("%s: a hive's text is kept", f.Name)
		case (f.Kind == model.KindRegExport || f.Kind == model.KindNetsh || f.Kind == model.KindConfig) && f.Status == model.StatusRead && !ok:
			t.Errorf("%s: no text kept", f.Name)
		case ok:
			texts++
			if form := keyIn(lines, "Fl33t-Example-PSK"); form != "" {
				t.Errorf("%s: the kept text holds the pre-shared key as %q", f.Name, form)
			}
		}
	}
	if texts < 15 {
		t.Errorf("only %d texts kept", texts)
	}
	checked := 0
	for _, h := range fleet.Hosts {
		for _, k := range h.Registry.Tree.Keys() {
			for _, v := range k.Values {
				checked += checkValueAt(t, kept, v)
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d values checked", checked)
	}
}

// checkValueAt checks a value's kept place: its name at its line and
// column of a text; its record's bytes in a hive. It returns 1 when it
// checked something.
func checkValueAt(t *testing.T, kept *Kept, v *model.Value) int {
	t.Helper()
	if v.Loc.Line > 0 {
		lines, _, _ := kept.Text(v.Loc.File)
		if int(v.Loc.Line) > len(lines) {
			t.Errorf("%s: line %d, %d kept", v.Loc, v.Loc.Line, len(lines))
			return 0
		}
		line := []rune(lines[v.Loc.Line-1])
		if c := int(v.Loc.Column) - 1; c < 0 || c >= len(line) || !strings.HasPrefix(strings.ToLower(string(line[c:])), strings.ToLower(`"`+v.Name+`"`)) {
			t.Errorf("%s %s: the line kept is %q", v.Loc, v.Name, string(line))
		}
		return 1
	}
	at, cell, name, n, ok := kept.HiveCell(v.Loc)
	if !ok {
		t.Errorf("%s: no cell kept", v.Loc)
		return 0
	}
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "fleet", filepath.FromSlash(v.Loc.File)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data[at:at+int64(len(cell))], cell) || string(cell[4:6]) != "vk" || recordName(cell, name, n) != v.Name {
		t.Errorf("%s: the cell at 0x%X is not the value's record: %q", v.Loc, at, cell)
	}
	return 1
}

// keyIn returns the form in which lines hold key: as it is, or its
// UTF-16LE or ASCII bytes in hex with or without commas (a wrapped hex
// value's backslashes, line ends and blanks taken out), in any case.
func keyIn(lines []string, key string) string {
	var u16 []byte
	for _, c := range []byte(key) {
		u16 = append(u16, c, 0)
	}
	joined := strings.ToLower(strings.Join(lines, "\n"))
	packed := strings.NewReplacer(",", "", "\\", "", "\n", "", " ", "").Replace(joined)
	for _, f := range []string{strings.ToLower(key), hex.EncodeToString(u16), hex.EncodeToString([]byte(key))} {
		if strings.Contains(packed, f) || strings.Contains(joined, f) {
			return f
		}
	}
	return ""
}

// recordName decodes the name of a vk record: Latin-1 when its flags
// say it is compressed, else UTF-16LE.
func recordName(cell []byte, at, n int) string {
	b := cell[at : at+n]
	var r []rune
	if cell[4+0x10]&1 != 0 {
		for _, c := range b {
			r = append(r, rune(c))
		}
		return string(r)
	}
	for i := 0; i+1 < len(b); i += 2 {
		r = append(r, rune(b[i])|rune(b[i+1])<<8)
	}
	return string(r)
}

// TestKeptTextOfNetshKeys: the IPSEC014 fixtures' netsh dumps set
// pre-shared keys with psk=; no kept text holds them.
func TestKeptTextOfNetshKeys(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "rules", "testdata", "IPSEC014")
	kept := &Kept{Texts: true}
	fleet, err := Collect([]string{dir}, Options{Keep: kept})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fleet.Files {
		lines, notes, ok := kept.Text(f.Name)
		if !ok {
			continue
		}
		for _, key := range []string{"Exch4nge-FEBE-2004", "branch-key"} {
			if form := keyIn(lines, key); form != "" {
				t.Errorf("%s: the kept text holds %q as %q", f.Name, key, form)
			}
		}
		if f.Kind == model.KindNetsh && strings.Contains(strings.Join(lines, "\n"), model.Redacted) {
			n++
			if len(notes) == 0 {
				t.Errorf("%s: cut without a note saying so", f.Name)
			}
		}
	}
	if n < 2 {
		t.Errorf("%d netsh texts had a key cut out, want 2", n)
	}
}

// TestKeptTextOfLargeFiles: the text of a file larger than maxKeptText
// is not kept, and Text says why.
func TestKeptTextOfLargeFiles(t *testing.T) {
	old := maxKeptText
	defer func() { maxKeptText = old }()
	maxKeptText = 40
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a/system.reg": sysReg("FE1"), "a/ipsec.txt": netshDump, "b/ipsec.txt": "pushd ipsec static\r\n"})
	kept := &Kept{Texts: true}
	if _, err := Collect([]string{dir}, Options{Keep: kept}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a/system.reg", "a/ipsec.txt"} {
		lines, notes, ok := kept.Text(name)
		if !ok || lines != nil || len(notes) != 1 || !strings.Contains(notes[0], "larger than") {
			t.Errorf("%s: %d lines kept, notes %q", name, len(lines), notes)
		}
	}
	if lines, _, ok := kept.Text("b/ipsec.txt"); !ok || len(lines) != 1 {
		t.Errorf("a small file's text is not kept: %q", lines)
	}
}
