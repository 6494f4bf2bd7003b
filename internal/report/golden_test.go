package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ipseclint/ipseclint/internal/report"
)

// goldenCases are the outputs checked byte for byte against
// testdata/golden, and how many times each may name the absolute audited
// root: once in JSON's and dump's "root", once in SARIF's
// originalUriBaseIds; every other path is relative to the root.
var goldenCases = []struct {
	file      string
	printer   report.Printer
	rootNamed int
}{
	{"fleet.table.txt", report.Table{}, 0},
	{"fleet.sarif", report.SARIF{}, 1},
	{"fleet.json", report.JSON{}, 1},
	{"fleet.dump.json", report.Dump{}, 1},
}

// TestGolden prints the fixture fleet's audit in every format and compares
// it with the golden files. After a deliberate change, rerun with
// `go test ./report -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	a := runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			got := normalizeRoot(t, render(t, c.printer, a), a.Fleet.Root, c.rootNamed)
			golden := filepath.Join("testdata", "golden", c.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the printer's output; rerun with -update and review the diff if the change is intended.\n%s", golden, firstDiff(want, got))
			}
		})
	}
}

// TestGoldenCoversEveryFormat keeps the golden files in step with the
// formats the command line offers.
func TestGoldenCoversEveryFormat(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range goldenCases {
		for name, p := range report.Formats {
			if p == c.printer {
				covered[name] = true
			}
		}
	}
	for _, name := range report.FormatNames() {
		if !covered[name] {
			t.Errorf("format %q has no golden file", name)
		}
	}
}

// TestOutputDeterministic prints the same audit twice, and a second audit
// of the same files, and expects the same bytes: no map order, time or
// worker scheduling may show through.
func TestOutputDeterministic(t *testing.T) {
	rs := rulesByID(t, fixtureRules...)
	a1, a2 := runAudit(t, fixtureFleet, rs), runAudit(t, fixtureFleet, rs)
	for _, c := range goldenCases {
		first := render(t, c.printer, a1)
		if again := render(t, c.printer, a1); !bytes.Equal(first, again) {
			t.Errorf("%s: two prints of one audit differ:\n%s", c.file, firstDiff(first, again))
		}
		if other := render(t, c.printer, a2); !bytes.Equal(first, other) {
			t.Errorf("%s: two audits of the same files print differently:\n%s", c.file, firstDiff(first, other))
		}
	}
}

// firstDiff shows the first differing line of two outputs.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + string(w) + "\n  got:  " + string(g)
		}
	}
	return "(no difference)"
}
