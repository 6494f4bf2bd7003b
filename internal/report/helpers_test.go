package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden from the printers' output (review the diff!)")

// fixtureFleet is the report/ test fleet (testdata/README.md): every kind
// of location, a skipped, a failed and a partly read file, and checks that
// could not be evaluated.
const fixtureFleet = "testdata/fleet"

// fixtureRules are the rules the golden files are made with. They are
// named rather than taken from rules.All(), so that adding a rule changes
// no golden file of this package.
var fixtureRules = []string{"IPSEC001", "IPSEC002", "IPSEC003"}

// testTool is the tool the golden files name: a fixed version, so that the
// output does not depend on how the test binary was built.
var testTool = report.Tool{Name: "ipseclint", Version: "1.0.0-test", InformationURI: "https://github.com/ipseclint/ipseclint"}

func rulesByID(t testing.TB, ids ...string) []*rules.Rule {
	t.Helper()
	var rs []*rules.Rule
	for _, id := range ids {
		r := rules.ByID(id)
		if r == nil {
			t.Fatalf("no rule %s", id)
		}
		rs = append(rs, r)
	}
	return rs
}

// runAudit reads dir and runs rs over it, as `ipseclint audit` does
// (keeping where hive keys and values lie, for SARIF's byte regions).
func runAudit(t testing.TB, dir string, rs []*rules.Rule) *report.Audit {
	t.Helper()
	return runAuditKeeping(t, dir, rs, &audit.Kept{Cells: true})
}

// runAuditKeeping is runAudit keeping what kept asks for.
func runAuditKeeping(t testing.TB, dir string, rs []*rules.Rule, kept *audit.Kept) *report.Audit {
	t.Helper()
	fleet, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(rs), Keep: kept})
	if err != nil {
		t.Fatal(err)
	}
	return &report.Audit{Tool: testTool, Fleet: fleet, Rules: rs, Outcome: rules.Run(fleet, rs), Sources: kept}
}

// exampleFleet audits the README's example fleet with every rule.
func exampleFleet(t testing.TB) *report.Audit {
	t.Helper()
	return runAudit(t, filepath.Join(testutil.RepoRoot(t), "testdata", "fleet"), rules.All())
}

func render(t testing.TB, p report.Printer, a *report.Audit) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := p.Print(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decode unmarshals a JSON output into generic maps.
func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, data)
	}
	return doc
}

// rootForms are the spellings of an absolute root in the outputs: as a
// JSON string's content and as a file: URI path.
func rootForms(root string) []string {
	q, _ := json.Marshal(root)
	forms := []string{strings.Trim(string(q), `"`)}
	if u := (&url.URL{Path: filepath.ToSlash(root)}).EscapedPath(); u != forms[0] {
		forms = append(forms, u)
	}
	return forms
}

// normalizeRoot replaces the audited root, which an output may name at
// most once (JSON's and the dump's "root", SARIF's originalUriBaseIds),
// with "$ROOT", and fails if it appears more often or the machine's
// temporary folder appears anywhere else: every file is named relative to
// the root.
func normalizeRoot(t testing.TB, out []byte, root string) []byte {
	t.Helper()
	s := string(out)
	n := 0
	for _, form := range rootForms(root) {
		n += strings.Count(s, form)
		s = strings.ReplaceAll(s, form, "$ROOT")
	}
	if n > 1 {
		t.Errorf("the absolute root %s appears %d times in the output, want at most once (an output names files relative to the root)", root, n)
	}
	if tmp := os.TempDir(); strings.Contains(s, tmp+string(filepath.Separator)) {
		t.Errorf("the output names a path in %s", tmp)
	}
	return []byte(s)
}

// copyTree copies the folder src into dst.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// at walks a decoded JSON document: at(doc, "runs", 0, "results").
func at(t testing.TB, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", path, k)
			}
			v, ok = m[k]
			if !ok {
				t.Fatalf("%v: no %q", path, k)
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v: no element %d", path, k)
			}
			v = a[k]
		}
	}
	return v
}

func list(t testing.TB, v any, path ...any) []any {
	t.Helper()
	a, ok := at(t, v, path...).([]any)
	if !ok {
		t.Fatalf("%v: not an array", path)
	}
	return a
}

func str(t testing.TB, v any, path ...any) string {
	t.Helper()
	s, ok := at(t, v, path...).(string)
	if !ok {
		t.Fatalf("%v: not a string", path)
	}
	return s
}

// has reports whether the object v has the key.
func has(v any, key string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[key]
	return ok
}
