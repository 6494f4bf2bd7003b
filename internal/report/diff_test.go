package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// diffOf audits the example fleets old and cur (folders of the repo's
// testdata) with every rule and compares them, with the gate at warning.
func diffOf(t testing.TB, old, cur string) *report.Diff {
	t.Helper()
	root := testutil.RepoRoot(t)
	o := runAudit(t, filepath.Join(root, "testdata", old), rules.All())
	n := runAudit(t, filepath.Join(root, "testdata", cur), rules.All())
	r := diff.Compute(diff.Side{Label: "testdata/" + old, Fleet: o.Fleet, Outcome: o.Outcome},
		diff.Side{Label: "testdata/" + cur, Fleet: n.Fleet, Outcome: n.Outcome})
	return &report.Diff{Tool: testTool, Result: r, Rules: rules.All(), FailOn: rules.SeverityWarning}
}

func renderDiff(t testing.TB, p report.DiffPrinter, d *report.Diff) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := p.PrintDiff(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// normalizeDiffRoots replaces the two absolute roots, each of which an
// output names at most once, with $NEWROOT and $OLDROOT (the longer
// first: one may be a prefix of the other), and fails on a temporary
// path anywhere.
func normalizeDiffRoots(t testing.TB, out []byte, d *report.Diff) []byte {
	t.Helper()
	s := string(out)
	roots := [][2]string{{d.Result.New.Fleet.Root, "$NEWROOT"}, {d.Result.Old.Fleet.Root, "$OLDROOT"}}
	if len(roots[1][0]) > len(roots[0][0]) {
		roots[0], roots[1] = roots[1], roots[0]
	}
	for _, r := range roots {
		n := 0
		for _, form := range rootForms(r[0]) {
			n += strings.Count(s, form+"\"") + strings.Count(s, form+"/")
			s = strings.ReplaceAll(s, form, r[1])
		}
		if n > 1 {
			t.Errorf("the root %s appears %d times, want at most once", r[0], n)
		}
	}
	if tmp := os.TempDir(); strings.Contains(s, tmp+string(filepath.Separator)) {
		t.Errorf("the output names a path in %s", tmp)
	}
	return []byte(s)
}

// TestDiffGolden prints `diff testdata/fleet testdata/fleet-drift` in
// every diff format and compares it with testdata/diff. After a deliberate
// change, rerun with -update and review the diff.
func TestDiffGolden(t *testing.T) {
	d := diffOf(t, "fleet", "fleet-drift")
	for _, f := range report.DiffFormats() {
		name := "drift." + f.Name + "." + f.Ext
		if f.Name == f.Ext {
			name = "drift." + f.Ext
		}
		t.Run(name, func(t *testing.T) {
			got := normalizeDiffRoots(t, renderDiff(t, f.Printer, d), d)
			checkGolden(t, filepath.Join("testdata", "diff", name), got)
		})
	}
}

// TestDiffDeterministic prints one comparison twice, and a second
// comparison of the same fleets, and expects the same bytes.
func TestDiffDeterministic(t *testing.T) {
	d1, d2 := diffOf(t, "fleet", "fleet-drift"), diffOf(t, "fleet", "fleet-drift")
	for _, f := range report.DiffFormats() {
		first := renderDiff(t, f.Printer, d1)
		if again := renderDiff(t, f.Printer, d1); !bytes.Equal(first, again) {
			t.Errorf("%s: two prints differ:\n%s", f.Name, firstDiff(first, again))
		}
		if other := renderDiff(t, f.Printer, d2); !bytes.Equal(first, other) {
			t.Errorf("%s: two comparisons print differently:\n%s", f.Name, firstDiff(first, other))
		}
	}
}

// TestDiffSARIF checks the diff SARIF against the schema and reads its
// baseline states: NEW's results new, unchanged or updated, OLD's fixed
// finding absent and located in OLD's files.
func TestDiffSARIF(t *testing.T) {
	sch, _ := sarifSchema(t)
	d := diffOf(t, "fleet", "fleet-drift")
	out := renderDiff(t, report.DiffSARIF{}, d)
	if err := validateSARIF(t, sch, out); err != nil {
		t.Fatalf("the diff SARIF does not validate: %v", err)
	}
	doc := decode(t, out)
	counts := map[string]int{}
	for _, r := range list(t, doc, "runs", 0, "results") {
		state := str(t, r, "baselineState")
		counts[state]++
		uri := str(t, r, "locations", 0, "physicalLocation", "artifactLocation", "uriBaseId")
		if want := map[bool]string{true: "BASELINEROOT", false: "AUDITROOT"}[state == "absent"]; uri != want {
			t.Errorf("%s result %s located under %s, want %s", state, str(t, r, "ruleId"), uri, want)
		}
		if state == "absent" && has(at(t, r, "locations", 0, "physicalLocation", "artifactLocation"), "index") {
			t.Errorf("an absent result names an artifact index of NEW's artifacts")
		}
	}
	c := d.Result.Count()
	want := map[string]int{"new": c.Findings[diff.FindingNew], "updated": c.Findings[diff.FindingChanged],
		"unchanged": c.Findings[diff.FindingUnchanged], "absent": c.Findings[diff.FindingFixed]}
	for k, v := range want {
		if counts[k] != v || v == 0 {
			t.Errorf("%d results %s, want %d (and more than none)", counts[k], k, v)
		}
	}
	// OLD's absolute path is the auditor's: left out, as NEW's is without
	// --sarif-root-uri; the run's properties name OLD as given.
	if has(at(t, doc, "runs", 0), "originalUriBaseIds") {
		t.Errorf("the diff SARIF names base URIs (an absolute path of this machine): %v", at(t, doc, "runs", 0, "originalUriBaseIds"))
	}
	if got := str(t, doc, "runs", 0, "properties", "diff", "old"); got != "testdata/fleet" {
		t.Errorf("run.properties.diff.old = %q, want OLD as given", got)
	}
}

// TestDiffMultitoolValidate runs the Microsoft SARIF multitool on the
// diff SARIF of the drift (every baseline state, absent results in OLD's
// files), as TestMultitoolValidate does on the audit SARIF. One run: the
// multitool takes seconds to start.
func TestDiffMultitoolValidate(t *testing.T) {
	t.Parallel() // most of its time is spent in another process (ipseclint, the multitool, a browser): it overlaps the others
	mt := multitool(t)
	for name, d := range map[string]*report.Diff{"drift": diffOf(t, "fleet", "fleet-drift")} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, name+".sarif")
			if err := os.WriteFile(in, renderDiff(t, report.DiffSARIF{}, d), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "validation.sarif")
			runMultitool(t, mt, dir, "validate", in, "--output", out, "--quiet", "--rule-kind", "Sarif;Gh", "--level", "Error;Warning")
			for _, p := range multitoolProblems(t, out) {
				t.Error(p)
			}
		})
	}
}

// TestDiffJSON reads the JSON document a script would: its version, the
// gate's count and each regression flagged, a change with both values
// and locations.
func TestDiffJSON(t *testing.T) {
	d := diffOf(t, "fleet", "fleet-drift")
	doc := decode(t, renderDiff(t, report.DiffJSON{}, d))
	if v := at(t, doc, "version"); v != float64(report.DiffJSONVersion) {
		t.Errorf("version %v", v)
	}
	if n := at(t, doc, "summary", "regressions"); n != float64(len(d.Result.Regressions(rules.SeverityWarning))) || n == float64(0) {
		t.Errorf("summary.regressions %v", n)
	}
	flagged := 0
	for _, f := range list(t, doc, "findings") {
		if at(t, f, "regression") == true {
			flagged++
			if str(t, f, "state") != "new" && str(t, f, "state") != "changed" {
				t.Errorf("a %s finding flagged as a regression", str(t, f, "state"))
			}
		}
	}
	if flagged != len(d.Result.Regressions(rules.SeverityWarning)) {
		t.Errorf("%d findings flagged, want %d", flagged, len(d.Result.Regressions(rules.SeverityWarning)))
	}
	for _, h := range list(t, doc, "hosts") {
		if str(t, h, "name") != "EXFE02" {
			continue
		}
		c := at(t, h, "changes", 0)
		if str(t, c, "kind") != "nlbsFlags" || str(t, c, "old", "location", "text") != "EXFE02/system.reg:56" || str(t, c, "new", "text") != "(absent)" {
			t.Errorf("EXFE02's first change %v", c)
		}
		return
	}
	t.Error("no host EXFE02")
}

// TestDiffTableSafe: a host name with a terminal escape reaches the table
// escaped.
func TestDiffTableSafe(t *testing.T) {
	d := diffOf(t, "fleet", "fleet-drift")
	d.Result.Old.Label = "old\x1b]0;pwned\x07"
	d.Result.Hosts[0].Changes = append(d.Result.Hosts[0].Changes, diff.Change{Kind: diff.KindRole, Host: "EXBE01", Field: "role", Op: diff.OpChanged,
		Old: &diff.Value{Text: "a\x1b[2Jb"}, New: &diff.Value{Text: "line\nforged | row"}})
	out := string(renderDiff(t, report.DiffTable{}, d))
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("the table holds a control character:\n%s", out)
	}
	if strings.Contains(out, "\nforged") {
		t.Errorf("a newline in a value made a line of its own:\n%s", out)
	}
}

// TestDiffHTMLSafe: input text in the changes section of the diff page is
// the template's to escape (checkMarkup: only the page's own elements, no
// handlers, no control characters), and the section shows it as text.
func TestDiffHTMLSafe(t *testing.T) {
	d := diffOf(t, "fleet", "fleet-drift")
	d.Result.Old.Label = "old<script>alert(1)</script>\x1b]0;pwned\x07"
	d.Result.Hosts[0].Changes = append(d.Result.Hosts[0].Changes, diff.Change{Kind: diff.KindRole, Host: "EXBE01", Field: "role", Op: diff.OpChanged,
		Old: &diff.Value{Text: "<img src=x onerror=alert(1)>"}, New: &diff.Value{Text: "line\nforged\u202e", Detail: "\"><b>bold</b>"}})
	out := string(renderDiff(t, report.HTML{}, d))
	checkMarkup(t, out)
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;", "old&lt;script&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("the diff page does not show %q escaped", want)
		}
	}
	if !strings.Contains(out, `<section id="changes">`) {
		t.Error("the diff page has no changes section")
	}
}

// TestDiffTableFitsTheTerminal: on a terminal narrower than its tables
// (View.Width), the diff table's wrapping columns shrink so that its
// lines fit, and it says the same: every word of the wide table is in
// the narrow one.
func TestDiffTableFitsTheTerminal(t *testing.T) {
	d := diffOf(t, "fleet", "fleet-drift")
	wide := string(renderDiff(t, report.DiffTable{}, d))
	wideMax := longestLine(wide)
	if wideMax <= 100 {
		t.Fatalf("the wide table's longest line is %d columns: the test proves nothing", wideMax)
	}
	for _, width := range []int{70, 80, 100} {
		d.View.Width = width
		narrow := string(renderDiff(t, report.DiffTable{}, d))
		if n := longestLine(narrow); n > width {
			t.Errorf("width %d: a line of %d columns:\n%s", width, n, lineOf(narrow, n))
		}
		if got, want := words(narrow), words(wide); got != want {
			t.Errorf("width %d: the table holds other text than at full width (%d characters against %d)", width, len(got), len(want))
		}
	}
}

// longestLine is the width of the longest line, in runes.
func longestLine(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, len([]rune(l)))
	}
	return n
}

func lineOf(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		if len([]rune(l)) == n {
			return l
		}
	}
	return ""
}

// words is the table's text without its layout, as the characters it
// holds (wrapping moves them between lines and cells, and splits words
// that do not fit), table borders and spaces left out.
func words(s string) string {
	s = strings.NewReplacer("|", "", "+", "", "-", "", " ", "", "\n", "").Replace(s)
	r := []rune(s)
	slices.Sort(r)
	return string(r)
}
