package cli_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// The tests here run the configuration through cli.Main: where it is
// found, what overrides it, several outputs in one run, accepted risks
// written and read back, `ipseclint config`, and the golden-config
// example of testdata/golden-config.

// exampleFleet is the README's example fleet, relative to the repository.
const exampleFleet = "testdata/fleet"

// configJSON is what these tests read of the JSON report.
type configJSON struct {
	Root  string `json:"root"`
	Hosts []struct {
		Name         string `json:"name"`
		Role         string `json:"role"`
		RoleDeclared bool   `json:"roleDeclared"`
	} `json:"hosts"`
	Files []struct {
		URI    string `json:"uri"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"files"`
	Findings []configFinding `json:"findings"`
}

type configFinding struct {
	RuleID     string `json:"ruleId"`
	Severity   string `json:"severity"`
	Host       string `json:"host"`
	Subject    string `json:"subject"`
	Suppressed *struct {
		Reason  string `json:"reason"`
		Ticket  string `json:"ticket"`
		Expires string `json:"expires"`
	} `json:"suppressed"`
	Location struct {
		Text string `json:"text"`
	} `json:"location"`
}

func decodeConfigJSON(t *testing.T, s string) configJSON {
	t.Helper()
	var doc configJSON
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return doc
}

// configUsed returns the configuration file the report lists as read,
// failing unless there is exactly one.
func (d configJSON) configUsed(t *testing.T) string {
	t.Helper()
	var used []string
	for _, f := range d.Files {
		if f.Kind == "config" && f.Status == "read" {
			used = append(used, f.URI)
		}
	}
	if len(used) != 1 {
		t.Fatalf("configurations read: %q, want exactly one (files %+v)", used, d.Files)
	}
	return used[0]
}

func (d configJSON) role(host string) (role string, declared bool) {
	for _, h := range d.Hosts {
		if h.Name == host {
			return h.Role, h.RoleDeclared
		}
	}
	return "", false
}

func (d configJSON) has(ruleID, host string) bool {
	for _, f := range d.Findings {
		if f.RuleID == ruleID && f.Host == host {
			return true
		}
	}
	return false
}

// copyTree copies the folder src into dst (created), files and folders.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestConfigFoundFromHostFolders: auditing two host folders of a fleet
// uses the fleet's ipseclint.yaml above them, and says so. EXFE03 is a
// server-cluster node that only the configuration declares a front-end:
// IPSEC013 (a front-end on a server cluster) fires exactly when the
// configuration is used.
func TestConfigFoundFromHostFolders(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	r := run(t, "audit", "-f", "json", exampleFleet+"/EXFE01", exampleFleet+"/EXBE01")
	if r.code != cli.ExitFindings {
		t.Fatalf("exit code %d, want 1\n%s", r.code, r.stderr)
	}
	doc := decodeConfigJSON(t, r.stdout)
	if got := doc.configUsed(t); got != "ipseclint.yaml" {
		t.Errorf("configuration used: %q, want the fleet's ipseclint.yaml", got)
	}
	if role, declared := doc.role("EXFE01"); role != "frontend" || !declared {
		t.Errorf("EXFE01: role %q declared %v, want frontend as declared in testdata/fleet/ipseclint.yaml", role, declared)
	}
	table := run(t, "audit", exampleFleet+"/EXFE01", exampleFleet+"/EXBE01")
	if !strings.Contains(table.stdout, "frontend (declared)") {
		t.Errorf("the table does not show EXFE01's declared role:\n%s", table.stdout)
	}
	if !strings.Contains(table.stdout, "ipseclint.yaml") {
		t.Error("the table does not name the configuration it used")
	}

	withConfig := decodeConfigJSON(t, run(t, "audit", "-f", "json", exampleFleet+"/EXFE03", exampleFleet+"/EXBE01").stdout)
	if !withConfig.has("IPSEC013", "EXFE03") {
		t.Error("EXFE03, declared a front-end, is a server-cluster node: IPSEC013 should fire")
	}
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	writeFile(t, empty, "# no declarations\n")
	without := decodeConfigJSON(t, run(t, "audit", "-f", "json", "--config", empty, exampleFleet+"/EXFE03", exampleFleet+"/EXBE01").stdout)
	if without.has("IPSEC013", "EXFE03") {
		t.Error("--config with no declarations: EXFE03 is inferred a back-end, IPSEC013 should not fire")
	}
	if role, declared := without.role("EXFE03"); role != "backend" || declared {
		t.Errorf("--config with no declarations: EXFE03 role %q declared %v, want backend inferred", role, declared)
	}
	if got := without.configUsed(t); got != empty {
		t.Errorf("--config: configuration used %q, want %q", got, empty)
	}
}

// TestConfigInsideAHostFolderIsNotUsed: with several host folders the
// search starts at their common folder, so one host's own ipseclint.yaml
// does not decide for the others; it is listed as not used.
func TestConfigInsideAHostFolderIsNotUsed(t *testing.T) {
	fleet := filepath.Join(t.TempDir(), "fleet")
	copyTree(t, filepath.Join(testutil.RepoRoot(t), exampleFleet), fleet)
	writeFile(t, filepath.Join(fleet, "EXFE01", "ipseclint.yaml"), "hosts:\n  EXFE01: {role: backend}\n")
	doc := decodeConfigJSON(t, run(t, "audit", "-f", "json", filepath.Join(fleet, "EXFE01"), filepath.Join(fleet, "EXBE01")).stdout)
	if got := doc.configUsed(t); got != "ipseclint.yaml" {
		t.Errorf("configuration used: %q, want the fleet's", got)
	}
	if role, _ := doc.role("EXFE01"); role != "frontend" {
		t.Errorf("EXFE01 is %q: its own folder's configuration was applied", role)
	}
	skipped := false
	for _, f := range doc.Files {
		if f.URI == "EXFE01/ipseclint.yaml" {
			skipped = f.Status == "skipped" && strings.Contains(f.Reason, "ipseclint.yaml applies")
		}
	}
	if !skipped {
		t.Errorf("EXFE01/ipseclint.yaml is not listed as not used: %+v", doc.Files)
	}
}

// TestConfigSpellingsAndParents: .ipseclint.yaml is found like
// ipseclint.yaml, a single file finds the configuration in a parent of
// its folder, and --config replaces the one that would be found.
func TestConfigSpellingsAndParents(t *testing.T) {
	fleet := filepath.Join(t.TempDir(), "fleet")
	copyTree(t, filepath.Join(testutil.RepoRoot(t), exampleFleet), fleet)
	if err := os.Rename(filepath.Join(fleet, "ipseclint.yaml"), filepath.Join(fleet, ".ipseclint.yaml")); err != nil {
		t.Fatal(err)
	}
	doc := decodeConfigJSON(t, run(t, "audit", "-f", "json", fleet).stdout)
	if got := doc.configUsed(t); got != ".ipseclint.yaml" {
		t.Errorf("configuration used: %q, want .ipseclint.yaml", got)
	}
	if !doc.has("IPSEC013", "EXFE03") {
		t.Error(".ipseclint.yaml declares EXFE03 a front-end: IPSEC013 should fire")
	}

	one := decodeConfigJSON(t, run(t, "audit", "-f", "json", filepath.Join(fleet, "EXFE01", "system.reg")).stdout)
	if got := one.configUsed(t); got != filepath.ToSlash(filepath.Join(fleet, ".ipseclint.yaml")) {
		t.Errorf("one file: configuration used %q, want the one in the parent of its folder", got)
	}
	if _, declared := one.role("EXFE01"); !declared {
		t.Error("one file: EXFE01's role is not the declared one")
	}

	other := filepath.Join(t.TempDir(), "override.yaml")
	writeFile(t, other, "hosts:\n  EXFE03: {role: other}\n")
	over := decodeConfigJSON(t, run(t, "audit", "-f", "json", "--config", other, fleet).stdout)
	if got := over.configUsed(t); got != filepath.ToSlash(other) {
		t.Errorf("--config: configuration used %q, want %q", got, other)
	}
	if role, declared := over.role("EXFE03"); role != "other" || !declared {
		t.Errorf("--config: EXFE03 role %q declared %v, want other as the override declares", role, declared)
	}
	if over.has("IPSEC013", "EXFE03") {
		t.Error("--config: the found .ipseclint.yaml was applied too")
	}
}

// readTracker is a standard input that records whether it was read.
type readTracker struct{ read bool }

func (r *readTracker) Read([]byte) (int, error) { r.read = true; return 0, io.EOF }

// TestSeveralFormatsInOneRun: --format is repeatable, each FORMAT=FILE
// goes to its file, format names are case-insensitive, and an output
// that cannot be written is a usage error before anything is read.
func TestSeveralFormatsInOneRun(t *testing.T) {
	dir := t.TempDir()
	sarifOut, jsonOut := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.json")
	r := run(t, args("audit", "--format", "table", "--format", "sarif="+sarifOut, "--format", "json="+jsonOut, only("IPSEC001", "IPSEC002"), testFleet)...)
	if r.code != cli.ExitFindings {
		t.Fatalf("exit code %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "| IPSEC002 ") || strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
		t.Errorf("standard output is not the table:\n%s", r.stdout)
	}
	doc := decodeConfigJSON(t, readString(t, jsonOut))
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(readString(t, sarifOut)), &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
		t.Fatalf("out.sarif is not a SARIF 2.1.0 log of one run: %v", err)
	}
	if len(doc.Findings) != 2 || len(sarif.Runs[0].Results) != len(doc.Findings) {
		t.Errorf("%d findings in JSON, %d results in SARIF, want the test fleet's 2 in both", len(doc.Findings), len(sarif.Runs[0].Results))
	}

	upper := filepath.Join(dir, "upper.sarif")
	r = run(t, args("audit", "--format", "SARIF="+upper, "--format", "Json", only("IPSEC001"), testFleet)...)
	if r.code != cli.ExitFindings || !json.Valid([]byte(r.stdout)) || !json.Valid([]byte(readString(t, upper))) {
		t.Errorf("--format SARIF=FILE --format Json: exit code %d, stdout JSON %v\n%s", r.code, json.Valid([]byte(r.stdout)), r.stderr)
	}
	comma := filepath.Join(dir, "comma.json")
	if r = run(t, args("audit", "--format", "table,json="+comma, only("IPSEC001"), testFleet)...); r.code != cli.ExitFindings || !json.Valid([]byte(readString(t, comma))) {
		t.Errorf("--format table,json=FILE: exit code %d\n%s", r.code, r.stderr)
	}

	// A missing folder, or two formats on standard output: exit code 2,
	// nothing written, and the inputs never read (standard input, the
	// list of paths, stays untouched).
	okSARIF := filepath.Join(dir, "ok.sarif")
	for _, bad := range [][]string{
		{"--format", "table", "--format", "sarif=" + okSARIF, "--format", "json=" + filepath.Join(dir, "missing", "out.json")},
		{"--format", "table", "--format", "sarif=" + okSARIF, "--format", "json"},
	} {
		stdin := &readTracker{}
		var out, errb strings.Builder
		code := cli.MainWithInput(args("audit", bad, "-"), stdin, &out, &errb)
		if code != cli.ExitIncomplete || out.Len() != 0 || errb.Len() == 0 {
			t.Errorf("%q: exit code %d, stdout %q, stderr %q; want 2, nothing, the reason", bad, code, out.String(), errb.String())
		}
		if stdin.read {
			t.Errorf("%q: the inputs were read before the outputs were checked", bad)
		}
		if _, err := os.Stat(okSARIF); err == nil {
			t.Errorf("%q: the valid output was written on a usage error", bad)
		}
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// accepted is an --write-accepted file, or the accepted: list of a
// configuration.
type accepted struct {
	Accepted []struct {
		Rule    string `yaml:"rule"`
		Host    string `yaml:"host"`
		Subject string `yaml:"subject"`
		Reason  string `yaml:"reason"`
		Expires string `yaml:"expires"`
	} `yaml:"accepted"`
}

func readAccepted(t *testing.T, path string) accepted {
	t.Helper()
	var a accepted
	if err := yaml.Unmarshal([]byte(readString(t, path)), &a); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return a
}

// identities lists rule|host|subject|reason of each entry, sorted.
func (a accepted) identities() []string {
	var out []string
	for _, e := range a.Accepted {
		out = append(out, e.Rule+"|"+e.Host+"|"+e.Subject+"|"+e.Reason)
	}
	slices.Sort(out)
	return out
}

// TestWriteAcceptedRoundTrip: --write-accepted writes one entry (reason
// TODO) per finding; reviewed and put in the configuration they suppress
// every finding, survive a re-export of a host that moves every line, and
// are written back as they are; an expired entry is kept with its reason,
// a stale one leaves the list, a finding no entry covers gets a TODO.
func TestWriteAcceptedRoundTrip(t *testing.T) {
	dir := t.TempDir()
	fleet := filepath.Join(dir, "fleet")
	copyTree(t, testFleet, fleet)
	out := filepath.Join(dir, "accepted.yaml")
	first := run(t, "audit", "-f", "json", "--write-accepted", out, fleet)
	if first.code != cli.ExitFindings {
		t.Fatalf("exit code %d, want 1\n%s", first.code, first.stderr)
	}
	before := decodeConfigJSON(t, first.stdout)
	written := readAccepted(t, out)
	var want []string
	for _, f := range before.Findings {
		want = append(want, f.RuleID+"|"+f.Host+"|"+f.Subject+"|TODO")
	}
	slices.Sort(want)
	if got := written.identities(); !slices.Equal(got, want) || len(got) < 3 {
		t.Fatalf("--write-accepted wrote\n%q\nwant one TODO entry per finding\n%q", got, want)
	}

	// Merged unreviewed: the TODO entries are mistakes, not applied, so
	// the findings stay and the configuration is partly read.
	base := readString(t, filepath.Join(fleet, "ipseclint.yaml"))
	writeFile(t, filepath.Join(fleet, "ipseclint.yaml"), base+"accepted:"+strings.SplitN(readString(t, out), "accepted:", 2)[1])
	if r := run(t, "audit", "-f", "json", fleet); r.code != cli.ExitIncomplete || len(decodeConfigJSON(t, r.stdout).Findings) != len(before.Findings) {
		t.Fatalf("unreviewed TODO entries: exit code %d, want 2 with every finding still reported\n%s", r.code, r.stderr)
	}

	// Reviewed: every entry gets a reason, and the list goes into the
	// configuration.
	reviewed := strings.ReplaceAll(strings.SplitN(readString(t, out), "accepted:", 2)[1], "reason: TODO", "reason: reviewed in CAB 12")
	writeFile(t, filepath.Join(fleet, "ipseclint.yaml"), base+"accepted:"+reviewed)
	if r := run(t, "audit", fleet); r.code != cli.ExitOK {
		t.Fatalf("every finding accepted: exit code %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Re-exported: EXFE01/system.reg gets three more lines at the top and
	// another name; the entries still match (identity is rule, host and
	// subject, not file and line).
	sys := readString(t, filepath.Join(fleet, "EXFE01", "system.reg"))
	header, rest, _ := strings.Cut(sys, "\n")
	if err := os.Remove(filepath.Join(fleet, "EXFE01", "system.reg")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(fleet, "EXFE01", "EXFE01-system-2026-12.reg"), header+"\n\n; exported again after the patch window\n\n"+rest)
	again := run(t, "audit", "-f", "json", "--write-accepted", out, fleet)
	if again.code != cli.ExitOK {
		t.Fatalf("after the re-export: exit code %d, want 0\n%s", again.code, again.stderr)
	}
	moved := false
	for _, f := range decodeConfigJSON(t, again.stdout).Findings {
		if f.RuleID == "IPSEC001" && f.Host == "EXFE01" {
			moved = strings.Contains(f.Location.Text, "EXFE01-system-2026-12.reg:") &&
				!slices.ContainsFunc(before.Findings, func(b configFinding) bool { return b.Location.Text == f.Location.Text })
		}
	}
	if !moved {
		t.Error("the re-export did not move IPSEC001's location: the test proves nothing")
	}
	wantKept := strings.ReplaceAll(strings.Join(want, "\n"), "|TODO", "|reviewed in CAB 12")
	if got := strings.Join(readAccepted(t, out).identities(), "\n"); got != wantKept {
		t.Errorf("written back after the re-export:\n%s\nwant the reviewed entries unchanged:\n%s", got, wantKept)
	}

	// Expired, stale and missing: IPSEC002's entry expired, an entry for a
	// rule that does not fire, and IPSEC001's entry removed.
	var edited accepted
	if err := yaml.Unmarshal([]byte(base+"accepted:"+reviewed), &edited); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(base + "accepted:\n")
	for _, e := range edited.Accepted {
		switch e.Rule {
		case "IPSEC001":
			continue
		case "IPSEC002":
			b.WriteString("  - {rule: IPSEC002, host: " + e.Host + ", subject: " + strconv.Quote(e.Subject) + ", reason: until the migration, expires: 2020-01-01}\n")
		default:
			b.WriteString("  - {rule: " + e.Rule + ", host: " + e.Host + ", subject: " + strconv.Quote(e.Subject) + ", reason: " + e.Reason + "}\n")
		}
	}
	b.WriteString("  - {rule: IPSEC003, host: EXBE01, reason: no finding to match}\n")
	writeFile(t, filepath.Join(fleet, "ipseclint.yaml"), b.String())
	if r := run(t, "audit", "--write-accepted", out, fleet); r.code != cli.ExitFindings {
		t.Fatalf("expired IPSEC002 entry: exit code %d, want 1 (the error is back)\n%s", r.code, r.stderr)
	}
	got := readAccepted(t, out)
	var lines []string
	for _, e := range got.Accepted {
		lines = append(lines, e.Rule+"|"+e.Host+"|"+e.Reason+"|"+e.Expires)
	}
	slices.Sort(lines)
	wantLines := []string{
		"IPSEC001|EXFE01|TODO|",
		"IPSEC002|EXFE01|until the migration|2020-01-01",
		"IPSEC010|EXBE01|reviewed in CAB 12|",
		"IPSEC010|EXBE01|reviewed in CAB 12|",
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("written with an expired, a stale and a missing entry:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
}

// TestConfigCommandShowsOrigins: `ipseclint config` prints each setting
// with where it came from: the file with its line and column, a flag, or
// the default; config's own --format (text or json) is not audit's.
func TestConfigCommandShowsOrigins(t *testing.T) {
	fleet := filepath.Join(t.TempDir(), "fleet")
	copyTree(t, testFleet, fleet)
	cfg := readString(t, filepath.Join(fleet, "ipseclint.yaml")) +
		"fail-on: error\n" +
		"rules:\n  disable: [default-exemptions]\n  severity: {IPSEC004: note}\n" +
		"output:\n  formats: [table, json=report.json]\n" +
		"accepted:\n  - {rule: IPSEC001, host: EXFE01, subject: NLBSFlags, reason: agreed, expires: 2027-06-30}\n"
	writeFile(t, filepath.Join(fleet, "ipseclint.yaml"), cfg)
	lineOf := func(key string) string {
		for i, l := range strings.Split(cfg, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), key) {
				return "ipseclint.yaml:" + strconv.Itoa(i+1) + ":"
			}
		}
		t.Fatalf("%s not in the configuration", key)
		return ""
	}
	r := run(t, "config", fleet)
	if r.code != cli.ExitOK {
		t.Fatalf("exit code %d\n%s", r.code, r.stderr)
	}
	for _, want := range [][2]string{
		{"configuration:", "ipseclint.yaml"},
		{"fail-on ", "error"},
		{"fail-on ", "(" + lineOf("fail-on:")},
		{"fail-on-not-evaluated", "(default)"},
		{"output.formats", "(" + lineOf("formats:")},
		{"rules.disable", "IPSEC011"},
		{"rules.disable", "(" + lineOf("disable:")},
		{"rules.severity.IPSEC004", "note"},
		{"hosts.EXFE01", "frontend"},
		{"accepted: IPSEC001 on EXFE01", "until 2027-06-30"},
	} {
		if !hasLine(r.stdout, want[0], want[1]) {
			t.Errorf("no line starting %q with %q:\n%s", want[0], want[1], r.stdout)
		}
	}
	r = run(t, "config", "--fail-on", "note", "--format-outputs", "sarif=x.sarif", fleet)
	for _, want := range [][2]string{{"fail-on ", "note"}, {"fail-on ", "(flag --fail-on)"}, {"output.formats", "(flag --format-outputs)"}} {
		if !hasLine(r.stdout, want[0], want[1]) {
			t.Errorf("with flags: no line starting %q with %q:\n%s", want[0], want[1], r.stdout)
		}
	}
	var view struct {
		File     string `json:"file"`
		Settings []struct{ Key, Value, From string }
	}
	r = run(t, "config", "-f", "json", fleet)
	if err := json.Unmarshal([]byte(r.stdout), &view); err != nil {
		t.Fatalf("config -f json: %v\n%s", err, r.stdout)
	}
	for _, s := range view.Settings {
		if s.Key == "output.formats" && (s.Value != "table, json=report.json" || !strings.HasPrefix(s.From, lineOf("formats:"))) {
			t.Errorf("config -f json: output.formats = %q from %q, want the file's list and line (config's --format is not audit's)", s.Value, s.From)
		}
	}
	if view.File != "ipseclint.yaml" {
		t.Errorf("config -f json: file %q", view.File)
	}
}

// hasLine reports whether a line of s starts with prefix and contains sub.
func hasLine(s, prefix, sub string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// goldenToday is the day TestGoldenConfig audits on: after the expired
// entry's 2026-06-30, before the current one's 2027-12-31.
const goldenToday = "2026-12-01"

// TestGoldenConfigExportsAreTheFleets: testdata/golden-config/exports is
// make-exports.sh's byte-for-byte copy of three hosts of the example
// fleet; rerun the script when this fails.
func TestGoldenConfigExportsAreTheFleets(t *testing.T) {
	root := testutil.RepoRoot(t)
	n := 0
	for _, host := range []string{"EXFE01", "EXFE02", "EXBE01"} {
		src := filepath.Join(root, exampleFleet, host)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		copies, _ := os.ReadDir(filepath.Join(root, "testdata/golden-config/exports", host))
		if len(copies) != len(entries) {
			t.Errorf("%s: %d files in the copy, %d in the fleet: rerun testdata/golden-config/make-exports.sh", host, len(copies), len(entries))
		}
		for _, e := range entries {
			want := readString(t, filepath.Join(src, e.Name()))
			got, err := os.ReadFile(filepath.Join(root, "testdata/golden-config/exports", host, e.Name()))
			if err != nil || string(got) != want {
				t.Errorf("exports/%s/%s differs from the fleet's (%v): rerun testdata/golden-config/make-exports.sh", host, e.Name(), err)
			}
			n++
		}
	}
	if n < 9 {
		t.Errorf("only %d files compared", n)
	}
}

// goldenRun audits testdata/golden-config/exports on day with every
// output format and returns the exit code, stdout (the table) and each
// file's content by format.
func goldenRun(t *testing.T, day string) (int, map[string]string) {
	t.Helper()
	golden := filepath.Join(testutil.RepoRoot(t), "testdata", "golden-config")
	t.Chdir(golden)
	t.Setenv("IPSECLINT_TODAY", day)
	t.Setenv("GITHUB_WORKSPACE", golden) // annotations name files relative to it
	dir := t.TempDir()
	argv := []string{"audit", "--format", "table"}
	for _, f := range []string{"json", "sarif", "github", "junit"} {
		argv = append(argv, "--format", f+"="+filepath.Join(dir, f))
	}
	r := run(t, append(argv, "exports")...)
	if r.code == cli.ExitIncomplete {
		t.Fatalf("exit code 2\n%s", r.stderr)
	}
	out := map[string]string{"table": r.stdout}
	for _, f := range []string{"json", "sarif", "github", "junit"} {
		out[f] = readString(t, filepath.Join(dir, f))
	}
	return r.code, out
}

// TestGoldenConfig audits the golden-config example (its README says what
// each part of ipseclint.yaml does): a disabled rule, a severity
// override, fail-on error, and three accepted risks, one current (its
// finding suppressed in every output), one expired (its error back, and
// the entry reported), one stale (reported).
func TestGoldenConfig(t *testing.T) {
	code, out := goldenRun(t, goldenToday)
	if code != cli.ExitFindings {
		t.Errorf("exit code %d, want 1: the expired entry's IPSEC002 error fails fail-on: error", code)
	}
	doc := decodeConfigJSON(t, out["json"])
	if got := doc.configUsed(t); !strings.HasSuffix(got, "/golden-config/ipseclint.yaml") {
		t.Errorf("configuration used %q, want golden-config/ipseclint.yaml, found in the parent of the audited folder", got)
	}
	byID := map[string]configFinding{}
	for _, f := range doc.Findings {
		byID[f.RuleID+" "+f.Host] = f
	}
	if f := byID["IPSEC001 EXFE01"]; f.Suppressed == nil || !strings.Contains(f.Suppressed.Reason, "failover tolerance") || f.Suppressed.Ticket != "CHG-2041" {
		t.Errorf("JSON: IPSEC001 on EXFE01 is not suppressed by the current entry: %+v", f.Suppressed)
	}
	if f, ok := byID["IPSEC002 EXFE01"]; !ok || f.Suppressed != nil || f.Severity != "error" {
		t.Errorf("JSON: IPSEC002 on EXFE01 (its entry expired) should be an active error: %+v", f)
	}
	if f := byID["IPSEC008 EXFE01"]; f.Severity != "note" {
		t.Errorf("JSON: IPSEC008 has severity %q, rules.severity makes it a note", f.Severity)
	}
	if _, ok := byID["IPSEC015 EXBE01"]; ok {
		t.Error("JSON: IPSEC015 ran, rules.disable switches it off")
	}
	suppressed := 0
	for _, f := range doc.Findings {
		if f.Suppressed != nil {
			suppressed++
		}
	}
	if suppressed != 1 {
		t.Errorf("JSON: %d findings suppressed, want 1", suppressed)
	}
	checkGoldenSARIF(t, out["sarif"])
	if !strings.Contains(strings.ToLower(out["table"]), "suppressed") {
		t.Errorf("the table shows no suppressed finding")
	}
	// The expired and the stale entry are reported (wording aside: the
	// words the statuses are named by).
	for format, text := range out {
		if format == "junit" {
			continue // JUnit has test cases, not notes
		}
		for _, want := range []string{"expired", "stale"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the expired and stale entries are not reported (no %q)", format, want)
			}
		}
	}
	if !strings.Contains(out["github"], "::error file=exports/EXFE01/ipsec.txt,line=18") {
		t.Errorf("github: no error annotation for the IPSEC002 finding, named relative to $GITHUB_WORKSPACE:\n%s", out["github"])
	}

	// Before the expiry the same exports pass.
	code, out = goldenRun(t, "2026-06-01")
	if code != cli.ExitOK {
		t.Errorf("on 2026-06-01: exit code %d, want 0 (both entries current)", code)
	}
	before := decodeConfigJSON(t, out["json"])
	for _, f := range before.Findings {
		if (f.RuleID == "IPSEC002" || f.RuleID == "IPSEC001") && f.Host == "EXFE01" && f.Suppressed == nil {
			t.Errorf("on 2026-06-01: %s on EXFE01 is not suppressed", f.RuleID)
		}
	}
}

// checkGoldenSARIF: the suppressed finding carries a suppression of kind
// external with the entry's reason as justification; every other result
// an empty suppressions array (SARIF §3.27.23: all or none).
func checkGoldenSARIF(t *testing.T, s string) {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Properties   map[string]any
				Suppressions *[]struct {
					Kind          string `json:"kind"`
					Status        string `json:"status"`
					Justification string `json:"justification"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(s), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("SARIF: %v", err)
	}
	external := 0
	for _, r := range log.Runs[0].Results {
		if r.Suppressions == nil {
			t.Errorf("SARIF: result %s has no suppressions array", r.RuleID)
			continue
		}
		for _, sup := range *r.Suppressions {
			if r.RuleID == "IPSEC001" && sup.Kind == "external" && strings.Contains(sup.Justification, "failover tolerance") {
				external++
			} else {
				t.Errorf("SARIF: unexpected suppression of %s: %+v", r.RuleID, sup)
			}
		}
	}
	if external != 1 {
		t.Errorf("SARIF: %d external suppressions with the entry's justification, want 1 (IPSEC001 on EXFE01)", external)
	}
}

// TestConfigCommandShowsFleetFacts: `ipseclint config` prints the fleet
// facts too (code page, back-end virtual addresses, and every key of each
// host entry) with where each was written, the --codepage flag winning
// over the file; a configuration with mistakes exits 2, as audit does.
func TestConfigCommandShowsFleetFacts(t *testing.T) {
	dir := t.TempDir()
	cfg := "hosts:\n" +
		"  EXFE03: {role: frontend, cluster_node: false}\n" +
		"  EXBE01: {role: backend, addresses: [10.0.0.21]}\n" +
		"  EXJP01: {role: frontend, codepage: cp932}\n" +
		"  EXNLB1:\n    role: frontend\n    nlb: {cluster_addresses: [10.0.0.100], dedicated_address: 10.0.0.31}\n" +
		"  EXBE02: {addresses: [10.0.0.22]}\n" +
		"backends:\n  virtual_addresses: [10.0.0.50]\n" +
		"codepage: cp850\n"
	writeFile(t, filepath.Join(dir, "ipseclint.yaml"), cfg)
	r := run(t, "config", dir)
	if r.code != cli.ExitOK {
		t.Fatalf("exit code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range [][2]string{
		{"codepage ", "cp850"}, {"codepage ", "(ipseclint.yaml:11:"},
		{"backends.virtual_addresses", "10.0.0.50"}, {"backends.virtual_addresses", "(ipseclint.yaml:10:"},
		{"hosts.EXFE03.cluster_node", "false"},
		{"hosts.EXBE01.addresses", "10.0.0.21"}, {"hosts.EXBE01.addresses", "(ipseclint.yaml:3:"},
		{"hosts.EXJP01.codepage", "cp932"},
		{"hosts.EXNLB1.nlb.cluster_addresses", "10.0.0.100"},
		{"hosts.EXNLB1.nlb.dedicated_address", "10.0.0.31"},
		{"hosts.EXBE02.addresses", "10.0.0.22"},
	} {
		if !hasLine(r.stdout, want[0], want[1]) {
			t.Errorf("no line starting %q with %q:\n%s", want[0], want[1], r.stdout)
		}
	}
	if r := run(t, "config", "--codepage", "cp1252", dir); !hasLine(r.stdout, "codepage ", "(flag --codepage)") {
		t.Errorf("--codepage not shown as the code page's origin:\n%s", r.stdout)
	}
	writeFile(t, filepath.Join(dir, "ipseclint.yaml"), cfg+"fail-on: sometimes\n")
	r = run(t, "config", dir)
	if r.code != cli.ExitIncomplete || !hasLine(r.stdout, "problem:", "fail-on") {
		t.Errorf("a mistake: exit code %d, want %d, and a problem line:\n%s", r.code, cli.ExitIncomplete, r.stdout)
	}
}

// TestWriteAcceptedKeepsOtherFiles: --write-accepted never replaces a
// file it did not write (the configuration, with its hosts and settings):
// exit 2, the file as it was; its own earlier output is written again.
func TestWriteAcceptedKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	fleet := filepath.Join(dir, "fleet")
	copyTree(t, testFleet, fleet)
	cfg := filepath.Join(fleet, "ipseclint.yaml")
	before := readString(t, cfg)
	r := run(t, "audit", "--write-accepted", cfg, fleet)
	if r.code != cli.ExitIncomplete || !strings.Contains(r.stderr, "not written by --write-accepted") {
		t.Errorf("--write-accepted over the configuration: exit code %d, stderr %q", r.code, r.stderr)
	}
	if readString(t, cfg) != before {
		t.Error("the configuration was changed")
	}
	out := filepath.Join(dir, "accepted.yaml")
	for i := range 2 {
		if r := run(t, "audit", "--write-accepted", out, fleet); r.code != cli.ExitFindings {
			t.Fatalf("run %d: exit code %d, stderr %q", i+1, r.code, r.stderr)
		}
	}
	if got := readAccepted(t, out); len(got.Accepted) == 0 {
		t.Error("nothing written")
	}
	if r := run(t, "audit", "--write-accepted", os.DevNull, fleet); r.code != cli.ExitFindings {
		t.Errorf("--write-accepted %s: exit code %d, stderr %q", os.DevNull, r.code, r.stderr)
	}
}
