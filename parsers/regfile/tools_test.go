package regfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/hive"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

// The tests below export real hives with the Debian tools auditors use
// (hivexregedit from libwin-hivex-perl, reged from chntpw) and compare
// what this package reads from the exports with what parsers/hive reads
// from the hives themselves. Where a producer is known to lose data, the
// comparison says so and checks what is left (see the tolerate funcs).

// realHives are the sample hives exported; -short leaves out the 12 MB
// Windows 7 one (10 s of perl).
var realHives = []string{"hives/xp-sp3-SYSTEM", "hives/xp-sp3-software.sav", "hives/win10-minimal-SYSTEM", "hives/win7-sp1-SYSTEM",
	"hives/edge/UnicodeHive", "hives/edge/ExtendedASCIIHive", "hives/edge/StringValuesHive", "hives/edge/MultiSzHive", "hives/edge/BigDataHive"}

// readHive reads a sample hive directly, from a private copy (reged wants
// to open hives for writing).
func readHive(t *testing.T, rel string) (copyPath string, res *hive.Result) {
	t.Helper()
	if testing.Short() && strings.Contains(rel, "win7") {
		t.Skip("-short: the 12 MB hive is left out")
	}
	src := testutil.Sample(t, rel)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	copyPath = filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(copyPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = hive.Open(copyPath, hive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mount == "" || res.Tree.Len() < 2 {
		t.Fatalf("%s: mounted at %q with %d keys", rel, res.Mount, res.Tree.Len())
	}
	return copyPath, res
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func parseExport(t *testing.T, path string) *Result {
	t.Helper()
	r, err := ParseFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %d syntax errors, first %v", path, len(r.Errors), r.Errors[:min(5, len(r.Errors))])
	}
	return r
}

// tolerance decides, for one value, whether a producer's export can be
// expected to carry it exactly; when not, it returns the value the export
// is expected to hold instead (nil: cannot be predicted, only presence is
// checked) and why.
type tolerance func(v *model.Value) (want *model.Value, lossy string)

// compareWithHive checks that every key and value of the hive is in the
// export as the producer can carry it, and that the export holds nothing
// else. It returns how many values were compared exactly and how many as
// known losses.
func compareWithHive(t *testing.T, producer string, h, x *model.RegTree, tol tolerance) (exact, lossy int) {
	t.Helper()
	losses := map[string]int{}
	var diffs []string
	for _, hk := range h.Keys() {
		xk := x.Key(hk.Path)
		if xk == nil {
			diffs = append(diffs, fmt.Sprintf("key %s missing", hk.Path))
			continue
		}
		if xk.Path != hk.Path {
			diffs = append(diffs, fmt.Sprintf("key %s spelled %s", hk.Path, xk.Path))
		}
		if len(xk.Values) != len(hk.Values) {
			diffs = append(diffs, fmt.Sprintf("%s: %d values, hive has %d", hk.Path, len(xk.Values), len(hk.Values)))
		}
		for _, hv := range hk.Values {
			xv := xk.Value(hv.Name)
			want, why := hv, ""
			if tol != nil {
				want, why = tol(hv)
			}
			switch {
			case xv == nil:
				diffs = append(diffs, fmt.Sprintf("%s: value %q missing", hk.Path, hv.Name))
			case xv.Name != hv.Name:
				diffs = append(diffs, fmt.Sprintf("%s: value %q spelled %q", hk.Path, hv.Name, xv.Name))
			case want != nil && (xv.Type != want.Type || !bytes.Equal(xv.Data, want.Data)):
				diffs = append(diffs, fmt.Sprintf("%s: %q is %s % x, want %s % x (hive: %s % x)", hk.Path, hv.Name, xv.Type, clipBytes(xv.Data), want.Type, clipBytes(want.Data), hv.Type, clipBytes(hv.Data)))
			case why != "":
				losses[why]++
				lossy++
			default:
				exact++
			}
		}
	}
	for _, xk := range x.Keys() {
		if h.Key(xk.Path) == nil {
			diffs = append(diffs, fmt.Sprintf("key %s not in the hive", xk.Path))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("%s: %d differences with the hive, first:\n%s", producer, len(diffs), strings.Join(diffs[:min(10, len(diffs))], "\n"))
	}
	t.Logf("%s: %d keys, %d values read exactly, %d as the producer's known losses %v", producer, h.Len(), exact, lossy, losses)
	return exact, lossy
}

func clipBytes(b []byte) []byte { return b[:min(len(b), 24)] }

func TestHivexregeditExportsOfRealHives(t *testing.T) {
	tool := testutil.Tool(t, "hivexregedit", "libwin-hivex-perl")
	testutil.SamplesDir(t) // skip as a whole, not per hive: the total below needs them
	total := 0
	for _, rel := range realHives {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			path, h := readHive(t, rel)
			prefix := `HKEY_LOCAL_MACHINE\` + h.Mount
			for _, printable := range []bool{false, true} {
				args := []string{"--export", "--prefix", prefix, path, `\`}
				name, tol := "hivexregedit", tolerance(nil)
				if printable {
					args = append([]string{"--unsafe-printable-strings"}, args...)
					name, tol = "hivexregedit --unsafe-printable-strings", printableTolerance
				}
				out := filepath.Join(t.TempDir(), "export.reg")
				if err := os.WriteFile(out, run(t, tool, args...), 0o644); err != nil {
					t.Fatal(err)
				}
				exact, _ := compareWithHive(t, name, h.Tree, parseExport(t, out).Tree, tol)
				total += exact
			}
		})
	}
	if total < 50000 {
		t.Errorf("only %d values compared exactly", total)
	}
}

func TestRegedExportsOfRealHives(t *testing.T) {
	tool := testutil.Tool(t, "reged", "chntpw")
	testutil.SamplesDir(t) // skip as a whole, not per hive: the total below needs them
	total := 0
	for _, rel := range realHives {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			path, h := readHive(t, rel)
			out := filepath.Join(t.TempDir(), "export.reg")
			run(t, tool, "-x", path, `HKEY_LOCAL_MACHINE\`+h.Mount, `\`, out)
			exact, _ := compareWithHive(t, "reged", h.Tree, parseExport(t, out).Tree, regedTolerance)
			total += exact
		})
	}
	if total < 25000 {
		t.Errorf("only %d values compared exactly", total)
	}
}

func utf16Units(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// printableTolerance: str(N) holds the string perl decoded from UTF-16LE
// (an odd last byte dropped; unpaired surrogates and non-characters such
// as U+FFFF as U+FFFD), without its last NUL; reading adds one NUL back.
func printableTolerance(v *model.Value) (*model.Value, string) {
	if v.Type != model.RegSZ && v.Type != model.RegExpandSZ {
		return v, ""
	}
	rs := utf16.Decode(utf16Units(v.Data))
	for i, r := range rs {
		if r&0xFFFE == 0xFFFE || (r >= 0xFDD0 && r <= 0xFDEF) {
			rs[i] = 0xFFFD
		}
	}
	if len(rs) > 0 && rs[len(rs)-1] == 0 {
		rs = rs[:len(rs)-1]
	}
	want := &model.Value{Name: v.Name, Type: v.Type, Data: model.UTF16String(string(rs))}
	if bytes.Equal(want.Data, v.Data) {
		return v, ""
	}
	return want, "strings without a final NUL, of odd length or holding non-characters"
}

// regedTolerance: reged writes REG_SZ as "…" up to the first NUL unless
// it holds a line break, a DWORD of the wrong size as a dword: of stale
// bytes, and a value stored in big-data cells (over 16344 bytes, hives of
// version 1.4 and later) as the cell list instead of the data.
func regedTolerance(v *model.Value) (*model.Value, string) {
	if len(v.Data) > 16344 {
		return nil, "values over 16344 bytes"
	}
	switch v.Type {
	case model.RegDWORD:
		if len(v.Data) != 4 {
			return nil, "DWORDs that are not 4 bytes"
		}
	case model.RegSZ:
		u := utf16Units(v.Data)
		end := len(u)
		for i, c := range u {
			if c == 0 {
				end = i
				break
			}
		}
		for _, c := range u[:end] {
			if c == '\r' || c == '\n' {
				return v, "" // written as hex(1): exact
			}
		}
		if len(v.Data)%2 == 1 {
			return nil, "strings of odd length"
		}
		// Cut at the first NUL; unpaired surrogates survive (CESU-8).
		want := &model.Value{Name: v.Name, Type: v.Type, Data: append(bytes.Clone(v.Data[:2*end]), 0, 0)}
		if !bytes.Equal(want.Data, v.Data) {
			return want, "strings cut at their first NUL or without one"
		}
	}
	return v, ""
}

// TestRealProducersOnRandomHives writes random trees (names with spaces,
// quotes, backslashes and non-ASCII characters, every value type, empty
// values) into hives with internal/hivewriter, exports them with the real
// hivexregedit (both forms) and reged, and reads the exports back: the
// trees must come back, less the producers' documented losses. The exports
// must also be byte for byte what regtest's writers produce, which is what
// makes the round-trip test of those styles a test against the producers.
func TestRealProducersOnRandomHives(t *testing.T) {
	hivex := testutil.Tool(t, "hivexregedit", "libwin-hivex-perl")
	reged := testutil.Tool(t, "reged", "chntpw")
	seeds := uint64(12)
	if testing.Short() {
		seeds = 3
	}
	exact := 0
	for seed := range seeds {
		for _, style := range []regtest.Style{regtest.Hivex, regtest.Reged} {
			tree := regtest.RandomTree(rand.New(rand.NewPCG(seed, 7)), style, 25)
			tree.DeleteTree("SOFTWARE") // one hive: SYSTEM
			h, err := hivewriter.Write(tree, "SYSTEM", hivewriter.Options{RootName: "SYSTEM"})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "SYSTEM")
			if err := os.WriteFile(path, h.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "export.reg")
			if style == regtest.Reged {
				run(t, reged, "-x", path, `HKEY_LOCAL_MACHINE\SYSTEM`, `\`, out)
				sameAsWriter(t, seed, out, tree, regtest.Reged)
				n, _ := compareWithHive(t, fmt.Sprintf("seed %d: reged", seed), tree, parseExport(t, out).Tree, regedTolerance)
				exact += n
				continue
			}
			for _, printable := range []bool{false, true} {
				args := []string{"--export", "--prefix", `HKEY_LOCAL_MACHINE\SYSTEM`, path, `\`}
				name, tol, style := "hivexregedit", tolerance(nil), regtest.Hivex
				if printable {
					args = append([]string{"--unsafe-printable-strings"}, args...)
					name, tol, style = "hivexregedit --unsafe-printable-strings", printableTolerance, regtest.HivexPrintable
				}
				if err := os.WriteFile(out, run(t, hivex, args...), 0o644); err != nil {
					t.Fatal(err)
				}
				sameAsWriter(t, seed, out, tree, style)
				n, _ := compareWithHive(t, fmt.Sprintf("seed %d: %s", seed, name), tree, parseExport(t, out).Tree, tol)
				exact += n
			}
		}
	}
	if exact < int(seeds)*50 {
		t.Errorf("only %d values compared exactly", exact)
	}
}

// sameAsWriter checks that a real producer's export of tree is what
// regtest.Write gives in that producer's style.
func sameAsWriter(t *testing.T, seed uint64, export string, tree *model.RegTree, style regtest.Style) {
	t.Helper()
	got, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := regtest.Write(&want, tree, style); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		i := 0
		for i < len(got) && i < want.Len() && got[i] == want.Bytes()[i] {
			i++
		}
		t.Errorf("seed %d: the real %s export differs from regtest's at byte %d:\n real: %q\nwriter: %q", seed, style,
			i, got[max(0, i-40):min(len(got), i+40)], want.Bytes()[max(0, i-40):min(want.Len(), i+40)])
	}
}
