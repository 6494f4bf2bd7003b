package hive

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// verdict is what a forensic analyst would say of a file.
type verdict string

const (
	vRead       verdict = "read"               // read completely
	vDamaged    verdict = "read, damage noted" // read in part, damage reported
	vUnreadable verdict = "unreadable"         // nothing could be read; the error says why
)

func verdictOf(res *Result, err error) verdict {
	switch {
	case err != nil:
		return vUnreadable
	case len(res.Damage) > 0:
		return vDamaged
	}
	return vRead
}

type sampleCase struct {
	want   verdict
	hive   string // expected Result.Hive
	mount  string // expected Result.Mount ("" = same as hive)
	reason string // substring of the error (unreadable files)
	note   string // substring of one of the notes
	damage string // substring of one of the damage messages
	check  func(t *testing.T, res *Result)
}

// sampleCases gives the verdict for every file under samples/hives (keys
// relative to it). TestSamples fails on a file missing from the table, so
// that a new sample cannot go unread.
var sampleCases = map[string]sampleCase{
	"win10-minimal-SYSTEM": {want: vRead, hive: HiveSystem, check: currentSetIs(1)},
	"win7-sp1-SYSTEM": {want: vRead, hive: HiveSystem, check: func(t *testing.T, res *Result) {
		currentSetIs(1)(t, res)
		wantString(t, res, `SYSTEM\ControlSet001\Control\ProductOptions`, "ProductType", "WinNT")
		if k := registry(res).Key(`SYSTEM\CurrentControlSet\Services\IPSEC`); k != nil {
			t.Error("Windows 7 has no IPSEC driver key, but one was read")
		}
	}},
	"xp-sp3-SYSTEM": {want: vRead, hive: HiveSystem, check: func(t *testing.T, res *Result) {
		currentSetIs(1)(t, res)
		r := registry(res)
		wantDWORD(t, r, `SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "NlbsIdle", 1)
		wantDWORD(t, r, `SYSTEM\CurrentControlSet\Services\IPSEC`, "NoDefaultExempt", 3)
		wantString(t, res, `SYSTEM\ControlSet001\Control\ProductOptions`, "ProductType", "WinNT")
		wantString(t, res, `SYSTEM\ControlSet001\Control\ComputerName\ComputerName`, "ComputerName", "WINXP")
	}},
	"xp-sp3-SYSTEM-corrupted": {want: vDamaged, hive: HiveSystem, damage: "hold no valid hive bin", check: func(t *testing.T, res *Result) {
		currentSetIs(1)(t, res)
		if registry(res).HasKey(`SYSTEM\CurrentControlSet\Services\PolicyAgent`) {
			t.Error("PolicyAgent lies in a destroyed part of this hive, yet it was read")
		}
		if res.Tree.Len() < 1000 {
			t.Errorf("only %d keys read: the intact bins hold far more", res.Tree.Len())
		}
	}},
	"xp-sp3-software.sav": {want: vRead, hive: HiveSoftware, check: func(t *testing.T, res *Result) {
		wantString(t, res, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, "ProductName", "Microsoft Windows XP")
	}},
	"xp-sp3-system.sav": {want: vRead, hive: HiveSystem, note: "names ControlSet000, which does not exist"},

	"edge/BadBaseBlockHive-BadBaseBlockHive": {want: vRead, mount: "OldDirtyHive", note: "logs applied (BadBaseBlockHive-BadBaseBlockHive.LOG1)", check: func(t *testing.T, res *Result) {
		if !hasNote(res, "restored from the log") {
			t.Errorf("notes %q do not say the base block was restored", res.Notes)
		}
		if len(res.Tree.Subkeys(`OldDirtyHive\key_with_many_subkeys`)) == 0 {
			t.Error("the recovered hive has no subkeys under key_with_many_subkeys")
		}
	}},
	"edge/BadBaseBlockHive-BadBaseBlockHive.LOG1": {want: vUnreadable, reason: "transaction log in the old format"},
	"edge/BadBaseBlockHive-BadBaseBlockHive.LOG2": {want: vUnreadable, reason: `does not begin with the signature "regf"`},
	"edge/BadListHive":                            {want: vDamaged, mount: "BadSubkeyHive", damage: "already read for another key"},
	"edge/BadSubkeyHive":                          {want: vDamaged, mount: "BadSubkeyHive", damage: "as its parent"},
	"edge/BigDataHive": {want: vRead, mount: "BigDataHive", check: func(t *testing.T, res *Result) {
		k := res.Tree.Key(`BigDataHive\key_with_bigdata`)
		for name, want := range map[string][]byte{"": bytes.Repeat([]byte("1"), 16345), "V": bytes.Repeat([]byte("2"), 81725)} {
			if v := k.Value(name); v == nil || !bytes.Equal(v.Data, want) {
				t.Errorf("big value %q: got %d bytes, want %d", name, len(dataOf(v)), len(want))
			}
		}
	}},
	"edge/BogusKeyNamesHive": {want: vRead, mount: "BogusKeyNamesHive", check: func(t *testing.T, res *Result) {
		got := res.Tree.Subkeys("BogusKeyNamesHive")
		if len(got) != 2 || !contains(got, "testnew\r\nne") || !contains(got, "testnu\x00l") {
			t.Errorf("subkeys %q, want the names with CR LF and NUL kept", got)
		}
	}},
	"edge/DuplicateSubkeysHive": {want: vDamaged, mount: "ManySubkeysHive", damage: "a second subkey of this name"},
	"edge/EmptyHive": {want: vRead, mount: "EmptyHive", check: func(t *testing.T, res *Result) {
		if res.Tree.Len() != 1 || res.Tree.Key("EmptyHive") == nil {
			t.Errorf("want the root key alone, got %d keys", res.Tree.Len())
		}
	}},
	"edge/ExtendedASCIIHive": {want: vRead, mount: "ExtendedASCIIHive", check: func(t *testing.T, res *Result) {
		k := res.Tree.Key(`ExtendedASCIIHive\ëigenaardig`)
		if v := k.Value("ëigenaardig"); v == nil || !bytes.Equal(v.Data, model.UTF16String("ëigenaardig")) {
			t.Errorf("Latin-1 compressed names: key %v value %v", k, v)
		}
	}},
	"edge/GarbageHive":       {want: vDamaged, mount: "EmptyHive", damage: "fails its checksum", note: "no logs were found"},
	"edge/InvalidParentHive": {want: vDamaged, mount: "ManySubkeysHive", damage: "as its parent"},
	"edge/ManySubkeysHive": {want: vRead, mount: "ManySubkeysHive", check: func(t *testing.T, res *Result) {
		if n := len(res.Tree.Subkeys(`ManySubkeysHive\key_with_many_subkeys`)); n != 5000 {
			t.Errorf("%d subkeys under the ri index, want 5000", n)
		}
		if res.Tree.Key(`ManySubkeysHive\key_with_MAny_subkeys\2119\find_me`) == nil {
			t.Error(`key_with_many_subkeys\2119\find_me not read`)
		}
	}},
	"edge/MultiSzHive": {want: vRead, mount: "MultiSzHive", check: func(t *testing.T, res *Result) {
		k := res.Tree.Key(`MultiSzHive\key`)
		if ss, _ := k.Value("2").AsStrings(); strings.Join(ss, "|") != "привет|как дела?" {
			t.Errorf("multi-string 2 = %q", ss)
		}
		if ss, ok := k.Value("1").AsStrings(); !ok || len(ss) != 0 {
			t.Errorf("multi-string 1 = %q, want empty", ss)
		}
	}},
	"edge/NewDirtyHive1-NewDirtyHive": {want: vRead, mount: "NewDirtyHive", note: "logs applied (NewDirtyHive1-NewDirtyHive.LOG1, NewDirtyHive1-NewDirtyHive.LOG2)", check: func(t *testing.T, res *Result) {
		if res.Tree.Key(`NewDirtyHive\Key1`) != nil || res.Tree.Key(`NewDirtyHive\Key3\Key3_3`) == nil {
			t.Error("the logs' changes (Key1 deleted, Key3 added) are not in the tree")
		}
	}},
	"edge/NewDirtyHive1-NewDirtyHive.LOG1":       {want: vUnreadable, reason: "transaction log in the new format"},
	"edge/NewDirtyHive1-NewDirtyHive.LOG2":       {want: vUnreadable, reason: "transaction log in the new format"},
	"edge/NewDirtyHive1-RecoveredHive_Windows10": {want: vRead, mount: "NewDirtyHive"},
	"edge/OldDirtyHive-OldDirtyHive": {want: vRead, mount: "OldDirtyHive", note: "logs applied (OldDirtyHive-OldDirtyHive.LOG1)", check: func(t *testing.T, res *Result) {
		if res.Tree.Key(`OldDirtyHive\key_with_many_subkeys\5000\find_me_in_log`) == nil {
			t.Error("the key only the log holds was not read")
		}
		if ss, _ := res.Tree.Key(`OldDirtyHive\key_with_many_subkeys\4500`).Value("v").AsStrings(); strings.Join(ss, "|") != "a|bb|ccc" {
			t.Errorf("value only the log holds = %q", ss)
		}
	}},
	"edge/OldDirtyHive-OldDirtyHive.LOG1":      {want: vUnreadable, reason: "transaction log in the old format"},
	"edge/OldDirtyHive-OldDirtyHive.LOG2":      {want: vUnreadable, reason: `does not begin with the signature "regf"`},
	"edge/OldDirtyHive-RecoveredHive_Windows7": {want: vRead, mount: "OldDirtyHive"},
	"edge/StringValuesHive": {want: vRead, mount: "StringValuesHive", check: func(t *testing.T, res *Result) {
		k := res.Tree.Key(`StringValuesHive\key`)
		for name, want := range map[string]string{"": "test тест", "2": "test тест", "3": "test тест "} {
			if s, ok := k.Value(name).AsString(); !ok || s != want {
				t.Errorf("string %q = %q, want %q", name, s, want)
			}
		}
		if v := k.Value("1"); v == nil || v.Type != model.RegBinary || string(v.Data) != "test" {
			t.Errorf("binary value 1 = %v", v)
		}
	}},
	"edge/TruncatedHive":     {want: vDamaged, mount: "ManySubkeysHive", damage: "the file is cut short"},
	"edge/TruncatedHiveBin":  {want: vUnreadable, reason: "fragment of a hive"},
	"edge/TruncatedNameHive": {want: vDamaged, mount: "TruncatedNameHive", damage: "runs past the end of its cell"},
	"edge/UnicodeHive": {want: vRead, mount: "UnicodeHive", check: func(t *testing.T, res *Result) {
		if res.Tree.Key(`UnicodeHive\ПриВет\КлюЧ`) == nil {
			t.Error(`UTF-16 key names: Привет\Ключ not found`)
		}
	}},
	"edge/UpcaseHive":                  {want: vRead, mount: "UpcaseHive"},
	"edge/WrongOrderHive":              {want: vDamaged, mount: "WrongOrderHive", damage: "out of order"},
	"edge/ri-selfloop-ManySubkeysHive": {want: vDamaged, mount: "ManySubkeysHive", damage: "points to a list already read"},
}

// TestSamples reads every real sample hive, log and damaged file and
// checks the verdict: no crash, no hang, bounded memory.
func TestSamples(t *testing.T) {
	dir := filepath.Join(testutil.SamplesDir(t), "hives")
	var files []string
	for _, sub := range []string{"", "edge"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, filepath.ToSlash(filepath.Join(sub, e.Name())))
			}
		}
	}
	if len(files) < len(sampleCases) {
		t.Errorf("%d sample files found, the table expects %d", len(files), len(sampleCases))
	}
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			tc, ok := sampleCases[rel]
			if !ok {
				t.Fatalf("no expected verdict for sample %s: add it to sampleCases", rel)
			}
			res, err := openBounded(t, filepath.Join(dir, filepath.FromSlash(rel)))
			got := verdictOf(res, err)
			if got != tc.want {
				t.Fatalf("verdict %q, want %q (err %v, damage %v)", got, tc.want, err, damageOf(res))
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.reason) {
					t.Errorf("error %q does not say %q", err, tc.reason)
				}
				return
			}
			checkCase(t, tc, res)
			checkLazySame(t, filepath.Join(dir, filepath.FromSlash(rel)), res)
		})
	}
}

func checkCase(t *testing.T, tc sampleCase, res *Result) {
	t.Helper()
	mount := tc.mount
	if mount == "" {
		mount = tc.hive
	}
	if res.Hive != tc.hive || res.Mount != mount {
		t.Errorf("hive %q mounted at %q, want %q at %q", res.Hive, res.Mount, tc.hive, mount)
	}
	if tc.note != "" && !hasNote(res, tc.note) {
		t.Errorf("notes %q lack %q", res.Notes, tc.note)
	}
	if tc.damage != "" && !strings.Contains(damageOf(res), tc.damage) {
		t.Errorf("damage %s lacks %q", damageOf(res), tc.damage)
	}
	for _, d := range res.Damage {
		if d.Loc.File == "" || d.Message == "" {
			t.Errorf("damage without file or message: %+v", d)
		}
	}
	if tc.check != nil {
		tc.check(t, res)
	}
}

// checkLazySame reads the file again with a filter that wants every key,
// so that bins are found lazily: the keys and values must be the same.
func checkLazySame(t *testing.T, path string, full *Result) {
	t.Helper()
	res, err := Open(path, Options{Filter: model.NewKeyFilter(full.Mount)})
	if err != nil {
		t.Fatalf("filtered read: %v", err)
	}
	if diff := treeDiff(res.Tree, full.Tree) + treeDiff(full.Tree, res.Tree); diff != "" {
		t.Errorf("a filtered read differs from the full one:\n%s", diff)
	}
	if (len(res.Damage) == 0) != (len(full.Damage) == 0) {
		t.Errorf("damage: full read %d items, filtered read %d:\n%s", len(full.Damage), len(res.Damage), damageOf(res))
	}
}

// openBounded opens a file with a time limit and checks that memory
// stays in proportion to the file.
func openBounded(t *testing.T, path string) (*Result, error) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	type out struct {
		res *Result
		err error
	}
	done := make(chan out, 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	go func() {
		res, err := Open(path, Options{})
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20+60*uint64(st.Size()) {
			t.Errorf("reading %d bytes allocated %d bytes", st.Size(), alloc)
		}
		return o.res, o.err
	case <-time.After(2 * time.Minute):
		t.Fatalf("reading %s did not finish in 2 minutes", path)
	}
	return nil, nil
}

func registry(res *Result) *model.Registry { return model.NewRegistry(res.Tree) }

func currentSetIs(n int) func(*testing.T, *Result) {
	return func(t *testing.T, res *Result) {
		t.Helper()
		if res.CurrentSet != n {
			t.Errorf("CurrentSet %d, want %d (notes %q)", res.CurrentSet, n, res.Notes)
		}
		if r := registry(res); r.CurrentSet != n {
			t.Errorf("the model resolves CurrentControlSet to %d, want %d", r.CurrentSet, n)
		}
	}
}

func wantDWORD(t *testing.T, r *model.Registry, key, name string, want uint32) {
	t.Helper()
	v := r.Value(key, name)
	if n, ok := v.AsDWORD(); !ok || n != want {
		t.Errorf(`%s\%s = %s, want REG_DWORD %d`, key, name, v.Display(), want)
	}
	if v != nil && (v.Loc.File == "" || v.Loc.Key == "" || v.Loc.Line != 0) {
		t.Errorf(`%s\%s location %+v: want the file and key, no line`, key, name, v.Loc)
	}
}

func wantString(t *testing.T, res *Result, key, name, want string) {
	t.Helper()
	if s, ok := res.Tree.Key(key).Value(name).AsString(); !ok || s != want {
		t.Errorf(`%s\%s = %q, want %q`, key, name, s, want)
	}
}

func hasNote(res *Result, s string) bool {
	for _, n := range res.Notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func damageOf(res *Result) string {
	if res == nil {
		return ""
	}
	var b strings.Builder
	for _, d := range res.Damage {
		b.WriteString(d.Loc.String() + ": " + d.Message + "\n")
	}
	return b.String()
}

func dataOf(v *model.Value) []byte {
	if v == nil {
		return nil
	}
	return v.Data
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
