package hive

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// dirtyPairs are the dirty sample hives and what Windows itself made of
// them with their logs.
// sameBins is set when Windows wrote the recovered hive back untouched:
// Windows 7 also updated the first bin's timestamp and a key node's cached
// longest value name after recovering OldDirtyHive, so only its keys and
// values can be compared.
var dirtyPairs = []struct {
	dirty, recovered string
	sameBins         bool
}{
	{"edge/NewDirtyHive1-NewDirtyHive", "edge/NewDirtyHive1-RecoveredHive_Windows10", true},
	{"edge/OldDirtyHive-OldDirtyHive", "edge/OldDirtyHive-RecoveredHive_Windows7", false},
}

// TestRecoveredLikeWindows applies the logs and compares the result with
// the hive Windows recovered: the same keys and values, and (see
// sameBins) the same hive bins byte for byte.
func TestRecoveredLikeWindows(t *testing.T) {
	testutil.SamplesDir(t) // absent: the whole test skips with the message, not each pair
	for _, p := range dirtyPairs {
		t.Run(p.dirty, func(t *testing.T) {
			dirty := testutil.Sample(t, "hives/"+p.dirty)
			winPath := testutil.Sample(t, "hives/"+p.recovered)
			got, err := Open(dirty, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := Open(winPath, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.LogsUsed) == 0 || !hasNote(got, "logs applied") {
				t.Fatalf("logs not applied: notes %q", got.Notes)
			}
			if diff := treeDiff(got.Tree, want.Tree); diff != "" {
				t.Errorf("recovered tree differs from Windows':\n%s", diff)
			}
			if !p.sameBins {
				return
			}
			data, _ := os.ReadFile(dirty)
			win, _ := os.ReadFile(winPath)
			rec, _, err := recoverHive(data, parseBaseBlock(data), findLogs(dirty))
			if err != nil {
				t.Fatal(err)
			}
			n := baseBlockSize + int(parseBaseBlock(win).binsSize)
			if len(rec) < n {
				t.Fatalf("recovered %d bytes, Windows %d", len(rec), n)
			}
			if !bytes.Equal(rec[baseBlockSize:n], win[baseBlockSize:n]) {
				t.Errorf("recovered hive bins differ from those Windows wrote")
			}
		})
	}
}

// TestDirtyWithoutLogs reads a dirty hive whose logs were not collected:
// the stale primary is read, and the note says recent changes may be
// missing.
func TestDirtyWithoutLogs(t *testing.T) {
	dir := t.TempDir()
	p := copySample(t, "hives/edge/NewDirtyHive1-NewDirtyHive", dir, "NTUSER")
	res, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(res, "hive was dirty and no logs were found: recent changes may be missing") || len(res.LogsUsed) != 0 {
		t.Errorf("notes %q, logs %q", res.Notes, res.LogsUsed)
	}
	if res.Tree.Key(`NewDirtyHive\Key1`) == nil {
		t.Error("the primary's own (stale) keys should be read")
	}
}

// TestLogNamesAnyCase finds logs whatever the case of their names, as
// copies from Windows (case-insensitive) keep them.
func TestLogNamesAnyCase(t *testing.T) {
	dir := t.TempDir()
	p := copySample(t, "hives/edge/NewDirtyHive1-NewDirtyHive", dir, "system")
	copySample(t, "hives/edge/NewDirtyHive1-NewDirtyHive.LOG1", dir, "SYSTEM.log1")
	copySample(t, "hives/edge/NewDirtyHive1-NewDirtyHive.LOG2", dir, "System.Log2")
	res, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LogsUsed) != 2 || !hasNote(res, "logs applied (SYSTEM.log1, System.Log2)") {
		t.Errorf("notes %q, logs %q", res.Notes, res.LogsUsed)
	}
	if res.Tree.Key(`NewDirtyHive\Key3`) == nil {
		t.Error("changes from the logs missing")
	}
}

// TestUnusableLogs: logs that are not logs, or fail their checks, leave
// the primary as it is, with a note saying why.
func TestUnusableLogs(t *testing.T) {
	dir := t.TempDir()
	p := copySample(t, "hives/edge/OldDirtyHive-OldDirtyHive", dir, "SYSTEM")
	if err := os.WriteFile(filepath.Join(dir, "SYSTEM.LOG"), []byte("not a log at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(testutil.Sample(t, "hives/edge/OldDirtyHive-OldDirtyHive.LOG1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "SYSTEM.LOG1"), log[:2048], 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LogsUsed) != 0 || !hasNote(res, "could not be applied") || !hasNote(res, "cut short") || !hasNote(res, "recent changes may be missing") {
		t.Errorf("notes %q, logs %q", res.Notes, res.LogsUsed)
	}
}

// TestOldFormatLogOfWindows2003 recovers a generated hive whose write was
// cut short on a Windows 2003-style system: one SYSTEM.LOG in the old
// format beside the hive.
func TestOldFormatLogOfWindows2003(t *testing.T) {
	before := model.NewRegTree()
	before.EnsureKey(`SYSTEM\Select`, model.Location{}).SetValue(&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)})
	before.EnsureKey(`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, model.Location{})
	after := model.NewRegTree()
	after.Merge(before)
	after.EnsureKey(`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, model.Location{}).SetValue(&model.Value{Name: "NLBSFlags", Type: model.RegDWORD, Data: model.DWORDData(1)})
	for i := 0; i < 300; i++ { // enough to grow the hive by several bins
		after.EnsureKey(`SYSTEM\ControlSet001\Services\Svc`+strings.Repeat("x", i%40)+string(rune('a'+i%26))+string(rune('a'+i/26)), model.Location{})
	}
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
	dir := t.TempDir()
	p := filepath.Join(dir, "SYSTEM")
	writeFile(t, p, primary)

	res, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := treeDiff(res.Tree, before); diff != "" || !hasNote(res, "no logs were found") {
		t.Errorf("without its log the primary's content is read, with a note: notes %q\n%s", res.Notes, diff)
	}

	writeFile(t, filepath.Join(dir, "SYSTEM.LOG"), log)
	res, err = Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(res, "hive was dirty; logs applied (SYSTEM.LOG)") || len(res.Damage) > 0 {
		t.Fatalf("notes %q damage %s", res.Notes, damageOf(res))
	}
	if diff := treeDiff(res.Tree, after); diff != "" {
		t.Errorf("recovered tree differs from what was being written:\n%s", diff)
	}
}

// TestInputsNeverModified checks that recovery works on copies: neither
// the hive nor its logs change, and nothing is written beside them.
func TestInputsNeverModified(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"hives/edge/NewDirtyHive1-NewDirtyHive":      "H",
		"hives/edge/NewDirtyHive1-NewDirtyHive.LOG1": "H.LOG1",
		"hives/edge/NewDirtyHive1-NewDirtyHive.LOG2": "H.LOG2",
	}
	sums := map[string][32]byte{}
	for src, name := range files {
		p := copySample(t, src, dir, name)
		os.Chmod(p, 0o444)
		data, _ := os.ReadFile(p)
		sums[p] = sha256.Sum256(data)
	}
	if _, err := Open(filepath.Join(dir, "H"), Options{}); err != nil {
		t.Fatal(err)
	}
	for p, sum := range sums {
		if data, _ := os.ReadFile(p); sha256.Sum256(data) != sum {
			t.Errorf("%s was modified", p)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(files) {
		t.Errorf("%d files beside the hive after reading, want %d", len(entries), len(files))
	}
}

func TestMarvin32(t *testing.T) {
	// The hashes of every entry of a real log (checked by logEntry) would
	// fail with a wrong implementation; here, the remainders too.
	seen := map[uint64]bool{}
	for n := 0; n < 8; n++ {
		h := marvin32(bytes.Repeat([]byte{0xA5}, n))
		if seen[h] {
			t.Errorf("marvin32 collides on lengths up to %d", n)
		}
		seen[h] = true
	}
	log, err := os.ReadFile(testutil.Sample(t, "hives/edge/NewDirtyHive1-NewDirtyHive.LOG1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := logEntry(log, logHeaderSize, parseBaseBlock(log).seq1); !ok {
		t.Error("the first entry of a real log fails its checks (Marvin32 hashes)")
	}
	log[logHeaderSize+100] ^= 1
	if _, ok := logEntry(log, logHeaderSize, parseBaseBlock(log).seq1); ok {
		t.Error("a log entry with a flipped bit passes its hash check")
	}
}

func copySample(t *testing.T, rel, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(testutil.Sample(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	writeFile(t, p, data)
	return p
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// treeDiff lists the differences between two trees (keys, and values by
// name, type and data), or returns "".
func treeDiff(got, want *model.RegTree) string {
	var b strings.Builder
	gk, wk := got.Keys(), want.Keys()
	for _, k := range wk {
		g := got.Key(k.Path)
		if g == nil && len(k.Values) == 0 && len(got.Subkeys(k.Path)) > 0 {
			continue
		}
		if g == nil {
			b.WriteString("missing key " + k.Path + "\n")
			continue
		}
		for _, v := range k.Values {
			gv := g.Value(v.Name)
			switch {
			case gv == nil:
				b.WriteString("missing value " + k.Path + " " + v.Name + "\n")
			case gv.Type != v.Type || !bytes.Equal(gv.Data, v.Data) || gv.Name != v.Name:
				b.WriteString("value " + k.Path + " " + v.Name + ": got " + gv.Display() + ", want " + v.Display() + "\n")
			}
		}
		if len(g.Values) != len(k.Values) {
			b.WriteString("key " + k.Path + ": extra values\n")
		}
	}
	for _, k := range gk {
		if want.Key(k.Path) == nil && len(want.Subkeys(k.Path)) == 0 {
			b.WriteString("extra key " + k.Path + "\n")
		}
	}
	if b.Len() > 4000 {
		return b.String()[:4000] + "..."
	}
	return b.String()
}
