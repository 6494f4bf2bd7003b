package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ipseclint/ipseclint/internal/report"
)

// goldenCase is an output checked byte for byte against testdata/golden.
type goldenCase struct {
	file    string
	printer report.Printer
	audit   string // "fleet" (the fixture fleet) or "example" (the README's)
}

// goldenAudits are the audits the golden files show: the fixture fleet
// (IPSEC001-IPSEC003) and the README's example fleet (every rule, so
// that a change to any rule's findings shows in review).
var goldenAudits = []string{"fleet", "example"}

func goldenAudit(t testing.TB, name string) *report.Audit {
	if name == "example" {
		return exampleFleet(t)
	}
	return runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
}

// goldenCases are every registered format, and the dump, for each
// golden audit: a format added without its golden files fails
// TestGolden.
func goldenCases() []goldenCase {
	var cases []goldenCase
	for _, audit := range goldenAudits {
		cases = append(cases, goldenCase{audit + ".dump.json", report.Dump{}, audit})
		for _, f := range report.Formats() {
			file := audit + "." + f.Name + "." + f.Ext // fleet.table.txt
			if f.Name == f.Ext {
				file = audit + "." + f.Ext // fleet.sarif
			}
			cases = append(cases, goldenCase{file, f.Printer, audit})
		}
	}
	return cases
}

// TestGolden prints the fixture fleet's audit in every format and compares
// it with the golden files. After a deliberate change, rerun with
// `go test ./report -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	audits := map[string]*report.Audit{}
	for _, name := range goldenAudits {
		audits[name] = goldenAudit(t, name)
	}
	for _, c := range goldenCases() {
		a := audits[c.audit]
		t.Run(c.file, func(t *testing.T) {
			got := normalizeRoot(t, render(t, c.printer, a), a.Fleet.Root)
			checkGolden(t, filepath.Join("testdata", "golden", c.file), got)
		})
	}
}

// checkGolden compares got with the golden file, or writes it with -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
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
}

// TestGoldenFilesAreUsed keeps testdata/golden free of files no format
// writes any more.
func TestGoldenFilesAreUsed(t *testing.T) {
	want := map[string]bool{}
	for _, c := range goldenCases() {
		want[c.file] = true
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("testdata/golden/%s belongs to no format (delete it, or name its format)", e.Name())
		}
	}
}

// TestOutputDeterministic prints the same audit twice, and a second audit
// of the same files, and expects the same bytes: no map order, time or
// worker scheduling may show through.
func TestOutputDeterministic(t *testing.T) {
	rs := rulesByID(t, fixtureRules...)
	a1, a2 := runAudit(t, fixtureFleet, rs), runAudit(t, fixtureFleet, rs)
	for _, c := range goldenCases() {
		if c.audit != "fleet" {
			continue
		}
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
