package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// testFleet is the CLI test fleet; see testdata/README.md.
const testFleet = "testdata/fleet"

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// only returns the --disable flag that leaves just the rules named: the
// exit-code tests must not change when rules are added.
func only(ids ...string) []string {
	var off []string
	for _, r := range rules.All() {
		if !slices.Contains(ids, r.ID) {
			off = append(off, r.ID)
		}
	}
	if len(off) == 0 {
		return nil
	}
	return []string{"--disable", strings.Join(off, ",")}
}

func args(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		}
	}
	return out
}

// TestExitCodes: 0 when no finding reaches --fail-on, 1 when one does, 2
// for a usage error. On the test fleet IPSEC001 reports a warning and
// IPSEC002 an error (both on EXFE01), and IPSEC003 nothing.
func TestExitCodes(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"warning, default --fail-on warning", args("audit", only("IPSEC001"), testFleet), cli.ExitFindings},
		{"warning, --fail-on error", args("audit", only("IPSEC001"), "--fail-on", "error", testFleet), cli.ExitOK},
		{"warning, --fail-on note", args("audit", only("IPSEC001"), "--fail-on", "note", testFleet), cli.ExitFindings},
		{"warning, --fail-on none", args("audit", only("IPSEC001"), "--fail-on", "none", testFleet), cli.ExitOK},
		{"error, --fail-on error", args("audit", only("IPSEC002"), "--fail-on", "error", testFleet), cli.ExitFindings},
		{"error, --fail-on none", args("audit", only("IPSEC002"), "--fail-on", "none", testFleet), cli.ExitOK},
		{"no finding", args("audit", only("IPSEC003"), testFleet), cli.ExitOK},
		{"no finding, --fail-on note", args("audit", only("IPSEC003"), "--fail-on", "note", testFleet), cli.ExitOK},
		{"every rule, --fail-on none", args("audit", "--fail-on", "none", testFleet), cli.ExitOK},
		{"every rule", args("audit", testFleet), cli.ExitFindings},
		{"rules disabled by name", args("audit", only("IPSEC001", "IPSEC003"), "--disable", "nlbsflags-missing", testFleet), cli.ExitOK},
		{"sarif", args("audit", "-f", "sarif", only("IPSEC001"), testFleet), cli.ExitFindings},
		{"json", args("audit", "--format", "json", only("IPSEC003"), testFleet), cli.ExitOK},
		{"one host folder", args("audit", only("IPSEC001", "IPSEC002", "IPSEC003"), testFleet+"/EXFE04"), cli.ExitOK},

		{"unknown format", args("audit", "--format", "xml", testFleet), cli.ExitIncomplete},
		{"unknown --fail-on", args("audit", "--fail-on", "critical", testFleet), cli.ExitIncomplete},
		{"unknown rule in --disable", args("audit", "--disable", "IPSEC999", testFleet), cli.ExitIncomplete},
		{"no path", args("audit"), cli.ExitIncomplete},
		{"nonexistent path", args("audit", filepath.Join(t.TempDir(), "nothing-here")), cli.ExitIncomplete},
		{"nonexistent path beside a good one", args("audit", "--fail-on", "none", testFleet, filepath.Join(t.TempDir(), "nothing-here")), cli.ExitIncomplete},
		{"empty folder", args("audit", t.TempDir()), cli.ExitIncomplete},
		{"no host audited: every file past --max-file-size", args("audit", "--fail-on", "none", "--max-file-size", "100", testFleet), cli.ExitIncomplete},
		{"no host audited: no file is an input", args("audit", "--fail-on", "none", notInputs(t)), cli.ExitIncomplete},
		{"unknown flag", args("audit", "--colour", testFleet), cli.ExitIncomplete},
		{"unknown code page", args("audit", "--codepage", "cp9999", testFleet), cli.ExitIncomplete},
		{"missing --config", args("audit", "--config", filepath.Join(t.TempDir(), "none.yaml"), testFleet), cli.ExitIncomplete},
		{"unknown command", args("scan", testFleet), cli.ExitIncomplete},
		{"dump without path", args("dump"), cli.ExitIncomplete},
		{"rules with two IDs", args("rules", "IPSEC001", "IPSEC002"), cli.ExitIncomplete},
		{"rules with an unknown ID", args("rules", "IPSEC999"), cli.ExitIncomplete},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.args...)
			if r.code != c.want {
				t.Fatalf("ipseclint %s: exit code %d, want %d\nstderr: %s", strings.Join(c.args, " "), r.code, c.want, r.stderr)
			}
			if r.code == cli.ExitIncomplete && strings.TrimSpace(r.stderr) == "" {
				t.Errorf("exit code 2 with nothing on standard error")
			}
		})
	}
}

// TestUsageErrorsSayWhy: a usage error names what was wrong on standard
// error, and writes no report.
func TestUsageErrorsSayWhy(t *testing.T) {
	cases := []struct {
		args []string
		says string
	}{
		{[]string{"audit", "--format", "xml", testFleet}, "--format"},
		{[]string{"audit", "--disable", "IPSEC999", testFleet}, "IPSEC999"},
		{[]string{"audit", "--fail-on", "critical", testFleet}, "critical"},
		{[]string{"audit"}, "arg(s)"},
		{[]string{"audit", "--codepage", "cp9999", testFleet}, "cp9999"},
		{[]string{"rules", "IPSEC999"}, "IPSEC999"},
	}
	for _, c := range cases {
		r := run(t, c.args...)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("ipseclint %s: stderr %q does not mention %q", strings.Join(c.args, " "), r.stderr, c.says)
		}
		if r.stdout != "" {
			t.Errorf("ipseclint %s: wrote a report on a usage error:\n%s", strings.Join(c.args, " "), r.stdout)
		}
	}
}

// TestNonexistentPathIsReported: a path that does not exist is a failed
// input in the report, and the rest is audited.
func TestNonexistentPathIsReported(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "EXFE09")
	r := run(t, args("audit", "-f", "json", only("IPSEC001"), testFleet, missing)...)
	if r.code != cli.ExitIncomplete {
		t.Fatalf("exit code %d, want 2", r.code)
	}
	doc := decodeJSON(t, r.stdout)
	found := false
	for _, f := range doc.Files {
		if strings.HasSuffix(f.URI, "EXFE09") {
			found = f.Status == "failed"
		}
	}
	if !found {
		t.Errorf("the missing path is not listed as failed: %+v", doc.Files)
	}
	if len(doc.Findings) == 0 {
		t.Error("the fleet beside the missing path was not audited")
	}
}

// TestOutputFile: -o writes the report to a file and nothing to standard
// output; the exit code is the same.
func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"table", "sarif", "json"} {
		out := filepath.Join(dir, "report."+format)
		r := run(t, args("audit", "-f", format, "-o", out, only("IPSEC001"), testFleet)...)
		if r.code != cli.ExitFindings {
			t.Errorf("%s: exit code %d, want 1 (stderr %s)", format, r.code, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("%s: -o given, but standard output got %q", format, r.stdout)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		// The file holds what standard output would have.
		direct := run(t, args("audit", "-f", format, only("IPSEC001"), testFleet)...)
		if string(data) != direct.stdout {
			t.Errorf("%s: the file differs from standard output", format)
		}
		if format != "table" && !json.Valid(data) {
			t.Errorf("%s: the file is not JSON", format)
		}
	}
	if r := run(t, args("audit", "-o", "-", only("IPSEC001"), testFleet)...); !strings.Contains(r.stdout, "IPSEC001") {
		t.Errorf("-o - should write to standard output, got %q", r.stdout)
	}
	if r := run(t, "audit", "-o", filepath.Join(dir, "no", "such", "dir", "out.txt"), testFleet); r.code != cli.ExitIncomplete {
		t.Errorf("-o into a missing folder: exit code %d, want 2", r.code)
	}
	dumpOut := filepath.Join(dir, "dump.json")
	if r := run(t, "dump", "-o", dumpOut, testFleet); r.code != cli.ExitOK || r.stdout != "" {
		t.Errorf("dump -o: exit code %d, stdout %q", r.code, r.stdout)
	}
	if data, err := os.ReadFile(dumpOut); err != nil || !json.Valid(data) {
		t.Errorf("dump -o wrote no JSON: %v", err)
	}
}

// TestRulesCommand: `rules` lists every rule; `rules ID` (or name) prints
// its documentation.
func TestRulesCommand(t *testing.T) {
	r := run(t, "rules")
	if r.code != cli.ExitOK {
		t.Fatalf("exit code %d", r.code)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(rules.All()) {
		t.Errorf("%d lines for %d rules:\n%s", len(lines), len(rules.All()), r.stdout)
	}
	for i, rule := range rules.All() {
		if i < len(lines) {
			f := strings.Fields(lines[i])
			if len(f) < 3 || f[0] != rule.ID || f[1] != rule.Name || f[2] != string(rule.Severity) {
				t.Errorf("line %d = %q, want %s %s %s ...", i+1, lines[i], rule.ID, rule.Name, rule.Severity)
			}
		}
	}
	for _, arg := range []string{"IPSEC001", "ipsec001", "nlbsflags-missing"} {
		r := run(t, "rules", arg)
		if r.code != cli.ExitOK {
			t.Errorf("rules %s: exit code %d", arg, r.code)
		}
		doc := r.stdout
		for _, want := range []string{"# IPSEC001 nlbsflags-missing\n", "## Remediation", `"NLBSFlags"=dword:00000001`, "## References", "KB 821839"} {
			if !strings.Contains(doc, want) {
				t.Errorf("rules %s: no %q in\n%s", arg, want, doc)
			}
		}
	}
	for _, rule := range rules.All() {
		if r := run(t, "rules", rule.ID); r.stdout != rule.Help() {
			t.Errorf("rules %s does not print the rule's documentation", rule.ID)
		}
	}
}

// TestRulesCommandJSON: `rules -f json` lists every rule with its
// metadata, the roles it judges included ([] for every host).
func TestRulesCommandJSON(t *testing.T) {
	r := run(t, "rules", "-f", "json")
	if r.code != cli.ExitOK {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	var got []struct {
		ID     string       `json:"id"`
		Judges []model.Role `json:"judges"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rules.All()) {
		t.Fatalf("%d rules listed, want %d", len(got), len(rules.All()))
	}
	for i, rule := range rules.All() {
		if got[i].ID != rule.ID || got[i].Judges == nil || !slices.Equal(got[i].Judges, rule.Judges) {
			t.Errorf("rule %d: %s judges %v, want %s %v", i, got[i].ID, got[i].Judges, rule.ID, rule.Judges)
		}
	}
	if !strings.Contains(r.stdout, `"judges": [
      "frontend"`) {
		t.Errorf("no front-end rule listed with its role:\n%.400s", r.stdout)
	}
}

func TestVersion(t *testing.T) {
	r := run(t, "version")
	if r.code != cli.ExitOK || !strings.HasPrefix(r.stdout, "ipseclint ") {
		t.Errorf("version: exit code %d, %q", r.code, r.stdout)
	}
	if v := strings.TrimSpace(strings.TrimPrefix(r.stdout, "ipseclint ")); v == "" || v[0] < '0' || v[0] > '9' {
		t.Errorf("version %q does not start with a number (SARIF consumers compare versions)", v)
	}
}

// auditJSON is the part of the JSON output the tests read
// (docs/json-output.md).
type auditJSON struct {
	Version int    `json:"version"`
	Root    string `json:"root"`
	Hosts   []struct {
		Name     string `json:"name"`
		Errors   int    `json:"errors"`
		Warnings int    `json:"warnings"`
		Notes    int    `json:"notes"`
	} `json:"hosts"`
	Files []struct {
		URI      string `json:"uri"`
		Host     string `json:"host"`
		Kind     string `json:"kind"`
		Status   string `json:"status"`
		Reason   string `json:"reason"`
		Problems []struct {
			Location struct {
				URI  string `json:"uri"`
				Line int    `json:"line"`
			} `json:"location"`
			Message string `json:"message"`
		} `json:"problems"`
	} `json:"files"`
	Findings []struct {
		RuleID   string `json:"ruleId"`
		Severity string `json:"severity"`
		Host     string `json:"host"`
		Subject  string `json:"subject"`
		Message  string `json:"message"`
		Location struct {
			Text string `json:"text"`
		} `json:"location"`
		Fingerprint string `json:"fingerprint"`
	} `json:"findings"`
	NotEvaluated []struct {
		RuleID string `json:"ruleId"`
		Host   string `json:"host"`
	} `json:"notEvaluated"`
}

func decodeJSON(t *testing.T, s string) auditJSON {
	t.Helper()
	var doc auditJSON
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return doc
}

// TestDump: `dump` prints what was read as JSON: files with kind and
// status, hosts with their facts and registry values, the IPSec policies.
func TestDump(t *testing.T) {
	r := run(t, "dump", testFleet)
	if r.code != cli.ExitOK {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Root  string `json:"root"`
		Files []struct {
			URI, Kind, Status string
		} `json:"files"`
		Hosts []struct {
			Name     string                     `json:"name"`
			Files    []string                   `json:"files"`
			Facts    map[string]json.RawMessage `json:"facts"`
			Registry struct {
				Keys []struct {
					Path   string `json:"path"`
					Values []struct {
						Name, Type, Data, Location string
					} `json:"values"`
				} `json:"keys"`
			} `json:"registry"`
			IPSec []json.RawMessage `json:"ipsec"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("dump is not JSON: %v", err)
	}
	// Every file of the fleet, read, named relative to the root.
	listed := map[string]bool{}
	for _, f := range doc.Files {
		listed[f.URI] = true
		if f.Status != "read" || f.Kind == "" || filepath.IsAbs(f.URI) {
			t.Errorf("file %+v", f)
		}
	}
	var onDisk []string
	err := filepath.WalkDir(testFleet, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(testFleet, path)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range onDisk {
		if !listed[f] {
			t.Errorf("%s is not in the dump's files", f)
		}
	}
	if len(doc.Files) != len(onDisk) {
		t.Errorf("%d files in the dump, %d in the fleet", len(doc.Files), len(onDisk))
	}
	var names []string
	for _, h := range doc.Hosts {
		names = append(names, h.Name)
		if len(h.Facts) == 0 || len(h.Registry.Keys) == 0 || len(h.Files) == 0 {
			t.Errorf("host %s: facts %d, registry keys %d, files %d", h.Name, len(h.Facts), len(h.Registry.Keys), len(h.Files))
		}
	}
	if want := []string{"EXBE01", "EXFE01", "EXFE02", "EXFE03", "EXFE04"}; !slices.Equal(names, want) {
		t.Errorf("hosts %v, want %v", names, want)
	}
	// The value IPSEC001 reads, with where it was read, from the binary hive.
	found := false
	for _, h := range doc.Hosts {
		for _, k := range h.Registry.Keys {
			for _, v := range k.Values {
				if h.Name == "EXFE02" && v.Name == "NLBSFlags" {
					found = v.Type == "REG_DWORD" && strings.HasPrefix(v.Location, "EXFE02/SYSTEM [HKLM\\SYSTEM\\")
				}
			}
		}
		if h.Name == "EXFE01" && len(h.IPSec) == 0 {
			t.Error("EXFE01's IPSec policy is not in the dump")
		}
	}
	if !found {
		t.Error("EXFE02's NLBSFlags (REG_DWORD, from its SYSTEM hive) is not in the dump")
	}
	abs, _ := filepath.Abs(testFleet)
	if doc.Root != abs || strings.Count(r.stdout, abs) != 1 {
		t.Errorf("the dump names the absolute root %d times (want once, as root)", strings.Count(r.stdout, abs))
	}
}

// damagedFleet copies the test fleet and damages two hosts in the middle
// of it: EXFE02's binary SYSTEM hive is cut short (it cannot be read) and
// EXFE03's system.reg gets a syntax error on the line after its Oakley key
// (the rest of it is read).
func damagedFleet(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fleet")
	if err := os.CopyFS(dir, os.DirFS(testFleet)); err != nil {
		t.Fatal(err)
	}
	hive := filepath.Join(dir, "EXFE02", "SYSTEM")
	data, err := os.ReadFile(hive)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hive, data[:6000], 0o644); err != nil {
		t.Fatal(err)
	}
	reg := filepath.Join(dir, "EXFE03", "system.reg")
	data, err = os.ReadFile(reg)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), `"EnableLogging"=dword:00000000`, `"EnableLogging"=dword:zz`, 1)
	if bad == string(data) {
		t.Fatal("EXFE03/system.reg has no EnableLogging line to damage")
	}
	if err := os.WriteFile(reg, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBadFilesInTheMiddleOfAFleet: a cut-short hive in one host folder and
// a .reg syntax error in another. Every other file is still read, every
// other host gets exactly the findings it gets from the intact fleet, the
// bad files are reported in every format, and the exit code is 2 whatever
// --fail-on says.
func TestBadFilesInTheMiddleOfAFleet(t *testing.T) {
	dir := damagedFleet(t)
	damaged := map[string]string{"EXFE02/SYSTEM": "failed", "EXFE03/system.reg": "partial"}

	good := run(t, "audit", "-f", "json", testFleet)
	r := run(t, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Fatalf("exit code %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, "could not be read completely") {
		t.Errorf("stderr does not say why the exit code is 2: %q", r.stderr)
	}
	before, after := decodeJSON(t, good.stdout), decodeJSON(t, r.stdout)

	// Files: the two bad ones with their status and reason, all others read.
	if len(after.Files) != len(before.Files) {
		t.Errorf("%d files listed, %d in the intact fleet", len(after.Files), len(before.Files))
	}
	for _, f := range after.Files {
		want, bad := damaged[f.URI]
		switch {
		case bad && f.Status != want:
			t.Errorf("%s: status %s, want %s", f.URI, f.Status, want)
		case bad && f.Reason == "":
			t.Errorf("%s: no reason given", f.URI)
		case !bad && f.Status != "read":
			t.Errorf("%s: status %s (%s), but it is intact", f.URI, f.Status, f.Reason)
		}
		if f.URI == "EXFE03/system.reg" && (len(f.Problems) == 0 || f.Problems[0].Location.Line == 0) {
			t.Errorf("EXFE03/system.reg: the syntax error's line is not reported: %+v", f.Problems)
		}
	}

	// Findings: hosts without a bad file get exactly what they got before.
	type finding struct{ rule, host, subject, loc string }
	collect := func(doc auditJSON) map[finding]bool {
		m := map[finding]bool{}
		for _, f := range doc.Findings {
			if f.Host != "EXFE02" && f.Host != "EXFE03" {
				m[finding{f.RuleID, f.Host, f.Subject, f.Location.Text}] = true
			}
		}
		return m
	}
	want, got := collect(before), collect(after)
	if len(want) == 0 {
		t.Fatal("the intact fleet has no finding on the other hosts: the test checks nothing")
	}
	for f := range want {
		if !got[f] {
			t.Errorf("finding lost when other hosts' files are damaged: %+v", f)
		}
	}
	for f := range got {
		if !want[f] {
			t.Errorf("finding appeared when other hosts' files are damaged: %+v", f)
		}
	}
	// EXFE03's partly read export still gave its NLBSFlags: no IPSEC001 there.
	for _, f := range after.Findings {
		if f.Host == "EXFE03" && f.RuleID == "IPSEC001" {
			t.Errorf("EXFE03: %s, although its NLBSFlags line was read", f.Message)
		}
	}

	t.Run("table", func(t *testing.T) {
		r := run(t, "audit", "--fail-on", "none", dir)
		if r.code != cli.ExitIncomplete {
			t.Errorf("exit code %d, want 2", r.code)
		}
		i := strings.Index(r.stdout, "Files not read, or not read completely:")
		if i < 0 {
			t.Fatalf("no section on the files not read:\n%s", r.stdout)
		}
		section := r.stdout[i:]
		for file, status := range damaged {
			if !strings.Contains(section, file) || !strings.Contains(section, status) {
				t.Errorf("the section does not list %s as %s:\n%s", file, status, section)
			}
		}
		if !strings.Contains(section, "EXFE03/system.reg:") {
			t.Errorf("the syntax error's line is not shown:\n%s", section)
		}
		if !strings.Contains(r.stdout, "IPSEC002") || !strings.Contains(r.stdout, "EXFE01/ipsec.txt:") {
			t.Errorf("EXFE01's findings are missing from the table")
		}
		if !strings.Contains(r.stdout, "1 partly read, 1 failed") {
			t.Errorf("the footer does not count the bad files:\n%s", r.stdout[strings.LastIndex(r.stdout, "\n\n"):])
		}
	})

	t.Run("sarif", func(t *testing.T) {
		r := run(t, "audit", "-f", "sarif", dir)
		if r.code != cli.ExitIncomplete {
			t.Errorf("exit code %d, want 2", r.code)
		}
		var log struct {
			Runs []struct {
				Invocations []struct {
					ExecutionSuccessful        bool `json:"executionSuccessful"`
					ToolExecutionNotifications []struct {
						Descriptor struct{ ID string } `json:"descriptor"`
						Level      string              `json:"level"`
						Locations  []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"toolExecutionNotifications"`
				} `json:"invocations"`
				Results []struct {
					RuleID     string            `json:"ruleId"`
					Properties map[string]string `json:"properties"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
			t.Fatal(err)
		}
		inv := log.Runs[0].Invocations[0]
		if inv.ExecutionSuccessful {
			t.Error("executionSuccessful is true with an input that could not be read")
		}
		notified := map[string]string{}
		for _, n := range inv.ToolExecutionNotifications {
			if len(n.Locations) > 0 {
				notified[n.Locations[0].PhysicalLocation.ArtifactLocation.URI] = n.Descriptor.ID
			}
		}
		if notified["EXFE02/SYSTEM"] != "input-unreadable" || notified["EXFE03/system.reg"] != "input-partly-read" {
			t.Errorf("notifications by file: %v", notified)
		}
		ex01 := 0
		for _, res := range log.Runs[0].Results {
			if res.Properties["host"] == "EXFE01" {
				ex01++
			}
		}
		if ex01 == 0 {
			t.Error("no result for EXFE01")
		}
	})

	t.Run("dump", func(t *testing.T) {
		if r := run(t, "dump", dir); r.code != cli.ExitIncomplete || !json.Valid([]byte(r.stdout)) {
			t.Errorf("dump of the damaged fleet: exit code %d (want 2), JSON %v", r.code, json.Valid([]byte(r.stdout)))
		}
	})
}

// TestReadmeExampleFleet runs the README's first command,
// `go run ./cmd/ipseclint audit testdata/fleet`, from the repository root
// (in-process): every rule fires there and the table lists each finding,
// every file is read, and at least one host passes.
func TestReadmeExampleFleet(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	table := run(t, "audit", "testdata/fleet")
	if table.code != cli.ExitFindings {
		t.Fatalf("exit code %d, want 1 (the example fleet has findings)\n%s", table.code, table.stderr)
	}
	doc := decodeJSON(t, run(t, "audit", "-f", "json", "testdata/fleet").stdout)
	for _, f := range doc.Files {
		if f.Status != "read" && f.Status != "skipped" {
			t.Errorf("example fleet: %s is %s: %s", f.URI, f.Status, f.Reason)
		}
	}
	fired := map[string]bool{}
	for _, f := range doc.Findings {
		fired[f.RuleID] = true
		// The table shows each finding: rule, host and location on the
		// first line of its row ("| error    | IPSEC002 name  HOST  LOCATION").
		row := false
		for _, line := range strings.Split(table.stdout, "\n") {
			if strings.Contains(line, "| "+f.RuleID+" ") && strings.Contains(line, "  "+f.Host+"  ") &&
				strings.Contains(line, firstLine(f.Location.Text)) {
				row = true
				break
			}
		}
		if !row {
			t.Errorf("the table has no row for %s on %s at %s", f.RuleID, f.Host, f.Location.Text)
		}
	}
	// The example fleet shows every rule firing at least once (issue 2).
	for _, r := range rules.All() {
		if !fired[r.ID] {
			t.Errorf("%s does not fire on the example fleet: give testdata/fleet a host where it does", r.ID)
		}
	}
	passing := 0
	for _, h := range doc.Hosts {
		if h.Errors+h.Warnings+h.Notes == 0 {
			passing++
			if !strings.Contains(table.stdout, "| "+h.Name+" ") {
				t.Errorf("passing host %s is not in the table", h.Name)
			}
		}
	}
	if passing == 0 {
		t.Error("no host of the example fleet passes")
	}
}

// firstLine is what a table cell shows of a long location on its first line.
func firstLine(s string) string {
	if i := strings.Index(s, " ["); i >= 0 {
		return s[:i]
	}
	return s
}

// TestExampleFleetKeepsThePreSharedKey: EXFE04's registry export holds its
// rule's pre-shared key in clear, as Windows stores it (testdata/README.md).
// IPSEC014 reports that the key is there; no output format and no dump
// shows it.
func TestExampleFleetKeepsThePreSharedKey(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	const key = "Fl33t-Example-PSK"
	raw, err := os.ReadFile("testdata/fleet/EXFE04/ipsec-policy.reg")
	if err != nil {
		t.Fatal(err)
	}
	// The export is UTF-16LE text; the key, UTF-16LE too, is in a hex(3)
	// blob value, wrapped over lines ending in a backslash.
	var text []byte
	for i := 2; i+1 < len(raw); i += 2 {
		if raw[i+1] == 0 && raw[i] != '\\' && raw[i] != '\r' && raw[i] != '\n' && raw[i] != ' ' {
			text = append(text, raw[i])
		}
	}
	var hexKey strings.Builder
	for _, c := range []byte(key) {
		fmt.Fprintf(&hexKey, "%02x,00,", c)
	}
	if !bytes.Contains(text, []byte(hexKey.String())) {
		t.Fatalf("testdata/fleet/EXFE04/ipsec-policy.reg no longer holds the key %q: the test would prove nothing", key)
	}
	outputs := map[string]result{"dump": run(t, "dump", "testdata/fleet/EXFE04")}
	for _, format := range []string{"table", "json", "sarif", "github", "junit"} {
		outputs[format] = run(t, "audit", "-f", format, "testdata/fleet")
	}
	for name, r := range outputs {
		if r.code == cli.ExitIncomplete {
			t.Fatalf("%s: exit code %d\n%s", name, r.code, r.stderr)
		}
		for _, s := range []string{r.stdout, r.stderr} {
			if strings.Contains(strings.ToLower(s), strings.ToLower(key)) {
				t.Errorf("%s shows the pre-shared key", name)
			}
		}
	}
	if !strings.Contains(outputs["json"].stdout, `"IPSEC014"`) {
		t.Error("IPSEC014 does not report EXFE04's pre-shared key")
	}
}

// notInputs is a folder of files none of which is an input ipseclint
// reads: a README and a gzip stream that holds no tar.
func notInputs(t *testing.T) string {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"README.txt":     "exports of the Exchange servers, collected on Monday\n",
		"exports.zip.gz": "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x4c\x4a\x06\x00\xc2\x41\x24\x35\x03\x00\x00\x00",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
