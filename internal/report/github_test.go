package report_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// ghCommand is a workflow command as GitHub's runner reads it.
type ghCommand struct {
	name  string
	props map[string]string
	data  string
}

// parseGitHubCommand reads one line as actions/runner's
// ActionCommand.TryParseV2 does (src/Runner.Worker/ActionCommand.cs):
// the line, trimmed on the left, starts with "::"; the command info runs
// to the next "::"; the name ends at the first space; properties are
// split at ',' and each at its first '='; values and data are unescaped
// (%0D, %0A, and for properties %3A and %2C; %25 last).
func parseGitHubCommand(line string) (ghCommand, error) {
	s := strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(s, "::") {
		return ghCommand{}, fmt.Errorf("not a command: %q", line)
	}
	end := strings.Index(s[2:], "::")
	if end < 0 {
		return ghCommand{}, fmt.Errorf("no '::' after the command info: %q", line)
	}
	info, data := s[2:2+end], s[2+end+2:]
	c := ghCommand{name: info, props: map[string]string{}}
	if sp := strings.IndexByte(info, ' '); sp >= 0 {
		c.name = info[:sp]
		for _, p := range strings.Split(strings.TrimSpace(info[sp+1:]), ",") {
			k, v, ok := strings.Cut(p, "=")
			if !ok || k == "" || v == "" {
				continue
			}
			c.props[k] = unescapeGitHub(v, true)
		}
	}
	c.data = unescapeGitHub(data, false)
	return c, nil
}

func unescapeGitHub(s string, property bool) string {
	pairs := []string{"%0D", "\r", "%0A", "\n"}
	if property {
		pairs = append(pairs, "%3A", ":", "%2C", ",")
	}
	for i := 0; i < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return strings.ReplaceAll(s, "%25", "%")
}

// githubLines prints the audit with the github format and parses every
// line, failing on a line that is not a command or has bytes the runner's
// log or a terminal could act on.
func githubLines(t *testing.T, p report.Printer, a *report.Audit) []ghCommand {
	t.Helper()
	out := string(render(t, p, a))
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	assertNoControls(t, "github output", out, "\n")
	var cmds []ghCommand
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		c, err := parseGitHubCommand(line)
		if err != nil {
			t.Fatal(err)
		}
		switch c.name {
		case "error", "warning", "notice":
		default:
			t.Fatalf("command %q, want error, warning or notice: %q", c.name, line)
		}
		for k := range c.props {
			switch k {
			case "file", "line", "col", "title":
			default:
				t.Errorf("unexpected property %q in %q", k, line)
			}
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// assertNoControls fails if s is not valid UTF-8 or holds a character
// safetext.Text would escape, other than those in allowed.
func assertNoControls(t *testing.T, what, s, allowed string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s is not valid UTF-8", what)
	}
	for i, r := range s {
		if strings.ContainsRune(allowed, r) {
			continue
		}
		if esc := safetext.Text(string(r)); esc != string(r) {
			t.Errorf("%s: raw %q at byte %d", what, r, i)
			return
		}
	}
}

// wantGitHubEntries counts the commands the github format must write: one
// per finding, check not evaluated, input file failed or partly read,
// accepted risk expired or stale, and the summary.
func wantGitHubEntries(a *report.Audit) int {
	n := len(a.Outcome.Findings) + len(a.Outcome.NotEvaluated) + 1
	for _, f := range a.Fleet.Files {
		if f.Status.Incomplete() {
			n++
		}
	}
	for _, st := range a.Outcome.Accepted {
		if st.Status != rules.AcceptedActive {
			n++
		}
	}
	return n
}

// TestGitHubFixture: each finding is one command at its file, line and
// column, with its rule in the title and its message as data; then the
// checks not evaluated, the unreadable files and the totals, in that
// order.
func TestGitHubFixture(t *testing.T) {
	a := runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
	cmds := githubLines(t, report.GitHub{}, a)
	if len(cmds) != wantGitHubEntries(a) {
		t.Fatalf("%d commands, want %d", len(cmds), wantGitHubEntries(a))
	}
	level := map[rules.Severity]string{rules.SeverityError: "error", rules.SeverityWarning: "warning", rules.SeverityNote: "notice"}
	for i, f := range a.Outcome.Findings {
		c := cmds[i]
		if c.name != level[f.Severity] || c.props["title"] != f.RuleID+" "+f.RuleName || c.props["file"] != f.Loc.File {
			t.Errorf("finding %d: %s %v, want %s at %s titled %s %s", i, c.name, c.props, f.Severity, f.Loc.File, f.RuleID, f.RuleName)
		}
		if f.Loc.Line > 0 && (c.props["line"] != strconv.Itoa(int(f.Loc.Line)) || c.props["col"] != strconv.Itoa(int(f.Loc.Column))) {
			t.Errorf("finding %d: line %q col %q, want %d:%d", i, c.props["line"], c.props["col"], f.Loc.Line, f.Loc.Column)
		}
		if !strings.HasPrefix(c.data, f.Message) {
			t.Errorf("finding %d: data %q does not start with the message %q", i, c.data, f.Message)
		}
		if f.Loc.Line == 0 {
			if _, ok := c.props["line"]; ok {
				t.Errorf("finding %d: a hive location has a line: %v", i, c.props)
			}
			if !strings.Contains(c.data, `key HKLM\`+f.Loc.Key) {
				t.Errorf("finding %d at a hive key: the message does not name the key %s: %q", i, f.Loc.Key, c.data)
			}
		}
	}
	rest := cmds[len(a.Outcome.Findings):]
	for i, ne := range a.Outcome.NotEvaluated {
		c := rest[i]
		if c.name != "notice" || c.props["title"] != ne.RuleID+" not evaluated" || c.data != ne.Host+": "+ne.Reason {
			t.Errorf("not evaluated %d: %s %v %q", i, c.name, c.props, c.data)
		}
	}
	rest = rest[len(a.Outcome.NotEvaluated):]
	for _, f := range a.Fleet.Files {
		if !f.Status.Incomplete() {
			continue
		}
		c := rest[0]
		rest = rest[1:]
		want := map[model.FileStatus]string{model.StatusFailed: "error", model.StatusPartial: "warning"}[f.Status]
		if c.name != want || c.props["file"] != f.Name || !strings.Contains(c.data, f.Reason) {
			t.Errorf("%s (%s): %s %v %q", f.Name, f.Status, c.name, c.props, c.data)
		}
		if f.Status == model.StatusPartial && c.props["line"] != strconv.Itoa(int(f.Problems[0].Loc.Line)) {
			t.Errorf("%s: line %q, want its first problem's %d", f.Name, c.props["line"], f.Problems[0].Loc.Line)
		}
	}
	sum := rest[len(rest)-1]
	if sum.name != "notice" || sum.props["title"] != "ipseclint" || len(sum.props) != 1 {
		t.Errorf("last command %s %v, want the ipseclint notice", sum.name, sum.props)
	}
	for _, want := range []string{"3 hosts", "7 read, 1 partly read, 1 failed, 1 skipped", "1 error, 2 warnings, 0 notes", "2 checks not evaluated"} {
		if !strings.Contains(sum.data, want) {
			t.Errorf("summary %q lacks %q", sum.data, want)
		}
	}
}

// TestGitHubEscaping: '%', ':', ',', CR and LF in messages, file names,
// hosts and titles reach the runner as they were (control characters as
// safetext.Text shows them), and cannot end a command or start another.
func TestGitHubEscaping(t *testing.T) {
	file := "a:b,c%0A%25d\r\n::error::forged.reg"
	msg := "50% done, see::this\r\n::error file=x::forged %0A"
	a := &report.Audit{Tool: testTool, Fleet: &model.Fleet{}, Outcome: rules.Outcome{
		Findings: []rules.Finding{{RuleID: "IPSEC002", RuleName: "a,b:c", Severity: rules.SeverityError, Host: "H%2C",
			Message: msg, Loc: model.Location{File: file, Line: 3, Column: 4}}},
		NotEvaluated: []rules.NotEvaluated{{RuleID: "IPSEC003", Host: "x\n::warning::y", Reason: "r%0D\rs"}},
	}}
	cmds := githubLines(t, report.GitHub{}, a)
	if len(cmds) != 3 {
		t.Fatalf("%d commands, want 3", len(cmds))
	}
	c := cmds[0]
	if c.props["file"] != safetext.Text(file) || c.props["title"] != "IPSEC002 a,b:c" || c.props["line"] != "3" || c.props["col"] != "4" {
		t.Errorf("properties %v", c.props)
	}
	if c.data != safetext.Text(msg) {
		t.Errorf("data %q, want %q", c.data, safetext.Text(msg))
	}
	if want := safetext.Text("x\n::warning::y: r%0D\rs"); cmds[1].data != want {
		t.Errorf("not evaluated: data %q, want %q", cmds[1].data, want)
	}
}

// TestGitHubPathPrefix: PathPrefix makes file= relative to the
// repository's root; absolute names are kept.
func TestGitHubPathPrefix(t *testing.T) {
	a := &report.Audit{Tool: testTool, Fleet: &model.Fleet{}, Outcome: rules.Outcome{Findings: []rules.Finding{
		{RuleID: "IPSEC001", Severity: rules.SeverityWarning, Message: "m", Loc: model.Location{File: "EXFE01/system.reg", Line: 2}},
		{RuleID: "IPSEC001", Severity: rules.SeverityWarning, Message: "m", Loc: model.Location{File: "/elsewhere/system.reg", Line: 2}},
	}}}
	cmds := githubLines(t, report.GitHub{PathPrefix: "golden/fleet"}, a)
	if got := cmds[0].props["file"]; got != "golden/fleet/EXFE01/system.reg" {
		t.Errorf("file=%q, want golden/fleet/EXFE01/system.reg", got)
	}
	if got := cmds[1].props["file"]; got != "/elsewhere/system.reg" {
		t.Errorf("file=%q, want the absolute name kept", got)
	}
}

// hostile is a name an attacker could give a host folder or an export: a
// newline and a forged workflow command, percent escapes, terminal
// escape sequences, markup, a CDATA end, a noncharacter XML forbids and
// invalid UTF-8.
const hostile = "X\n::error::forged%0A%25\r\x1b[31m\x1b]0;t\x07<script>]]>&\uffff\xff"

// hostileFleet copies the fixture fleet and gives the hostile name to
// BE1's folder (whose host name then comes from the folder: its
// ComputerName is removed) and to every file of FE1, FE2 and BE1; FE1's
// findings, FE2's partly read export and BE1's failed hive are then
// reported at hostile names.
func hostileFleet(t *testing.T) *report.Audit {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, fixtureFleet, dir)
	sys := filepath.Join(dir, "BE1", "system.reg")
	data, err := os.ReadFile(sys)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), `"ComputerName"="BE1"`, "", 1))
	if err := os.WriteFile(sys, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "BE1"), filepath.Join(dir, hostile+"BE1")); err != nil {
		t.Skipf("this file system does not take the hostile folder name: %v", err)
	}
	for _, host := range []string{"FE1", "FE2", hostile + "BE1"} {
		entries, err := os.ReadDir(filepath.Join(dir, host))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			old := filepath.Join(dir, host, e.Name())
			if err := os.Rename(old, filepath.Join(dir, host, hostile+e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := runAudit(t, dir, rulesByID(t, fixtureRules...))
	hostileNames := 0
	for _, f := range a.Fleet.Files {
		if strings.Contains(f.Name, hostile) {
			hostileNames++
		}
	}
	if hostileNames < 9 || a.Fleet.Host(hostile+"BE1") == nil || len(a.Outcome.Findings) < 2 {
		t.Fatalf("the hostile fleet does not show what the test needs: %d hostile file names, hosts %v, %d findings",
			hostileNames, hostNames(a), len(a.Outcome.Findings))
	}
	return a
}

func hostNames(a *report.Audit) []string {
	var out []string
	for _, h := range a.Fleet.Hosts {
		out = append(out, h.Name)
	}
	return out
}

// TestGitHubHostileNames: with hostile host folder and file names, the
// output has exactly one command per entry, no control character, and
// every file= names the file as safetext.Text shows it.
func TestGitHubHostileNames(t *testing.T) {
	a := hostileFleet(t)
	cmds := githubLines(t, report.GitHub{}, a)
	if len(cmds) != wantGitHubEntries(a) {
		t.Fatalf("%d commands, want %d (one per entry)", len(cmds), wantGitHubEntries(a))
	}
	files := map[string]bool{}
	for _, f := range a.Fleet.Files {
		files[safetext.Text(f.Name)] = true
	}
	hostileFiles := 0
	for _, c := range cmds {
		if f, ok := c.props["file"]; ok {
			if !files[f] {
				t.Errorf("file=%q names no input file as safetext.Text shows it", f)
			}
			if strings.Contains(f, safetext.Text(hostile)) {
				hostileFiles++
			}
		}
		if strings.Contains(c.data, "::error::forged") && !strings.Contains(c.data, `\n::error::forged`) {
			t.Errorf("data holds the forged command without its escaped newline: %q", c.data)
		}
	}
	if hostileFiles < 3 {
		t.Errorf("only %d commands name a hostile file: the test no longer exercises them", hostileFiles)
	}
}

// acceptFixture is the fixture's audit with IPSEC002 on FE1 accepted,
// IPSEC001 on FE1 marked uncertain, an accepted entry that has expired
// and one that matches nothing.
func acceptFixture(t *testing.T) *report.Audit {
	t.Helper()
	a := runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
	risks := []model.AcceptedRisk{
		{Rule: model.RuleRef{Ref: "IPSEC002", ID: "IPSEC002"}, Host: "FE1", Reason: "IMAP4 is retired next month", Ticket: "CHG-1234",
			Expires: "2099-12-31", Loc: model.Location{File: "ipseclint.yaml", Line: 8, Column: 5}, Index: 0},
		{Rule: model.RuleRef{Ref: "nlbsflags-missing", ID: "IPSEC001"}, Host: "FE2", Reason: "old", Expires: "2000-01-01",
			Loc: model.Location{File: "ipseclint.yaml", Line: 13, Column: 5}, Index: 1},
		{Rule: model.RuleRef{Ref: "IPSEC003", ID: "IPSEC003"}, Host: "*", Reason: "gone", Loc: model.Location{File: "ipseclint.yaml", Line: 17, Column: 5}, Index: 2},
	}
	rules.Accept(&a.Outcome, a.Fleet, risks, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	for i := range a.Outcome.Findings {
		if f := &a.Outcome.Findings[i]; f.RuleID == "IPSEC001" && f.Host == "FE1" {
			f.MarkUncertain("the order of these filters is not documented")
		}
	}
	return a
}

// findCommand returns the command whose title starts with prefix and whose
// file is file.
func findCommand(t *testing.T, cmds []ghCommand, prefix, file string) ghCommand {
	t.Helper()
	for _, c := range cmds {
		if strings.HasPrefix(c.props["title"], prefix) && c.props["file"] == file {
			return c
		}
	}
	t.Fatalf("no command titled %q… at %q", prefix, file)
	return ghCommand{}
}

// TestGitHubSuppressedAndUncertain: a suppressed finding is a notice
// "suppressed: <reason>"; an uncertain one says so in its title; expired
// and stale accepted entries are notices at their entry.
func TestGitHubSuppressedAndUncertain(t *testing.T) {
	a := acceptFixture(t)
	cmds := githubLines(t, report.GitHub{}, a)
	if len(cmds) != wantGitHubEntries(a) {
		t.Fatalf("%d commands, want %d", len(cmds), wantGitHubEntries(a))
	}
	sup := findCommand(t, cmds, "IPSEC002", "FE1/ipsec.txt")
	if sup.name != "notice" || sup.props["title"] != "IPSEC002 pop3-imap4-unencrypted (suppressed)" ||
		!strings.HasPrefix(sup.data, "suppressed: IMAP4 is retired next month (ticket CHG-1234, expires 2099-12-31, accepted at ipseclint.yaml:8:5); the error was: IMAP4 (TCP 143)") {
		t.Errorf("suppressed finding: %s %v %q", sup.name, sup.props, sup.data)
	}
	unc := findCommand(t, cmds, "IPSEC001", "FE1/system.reg")
	if unc.name != "warning" || unc.props["title"] != "IPSEC001 nlbsflags-missing (uncertain)" ||
		!strings.HasSuffix(unc.data, "(uncertain: the order of these filters is not documented)") {
		t.Errorf("uncertain finding: %s %v %q", unc.name, unc.props, unc.data)
	}
	exp := findCommand(t, cmds, "accepted risk expired", "ipseclint.yaml")
	if exp.name != "notice" || exp.props["line"] != "13" ||
		exp.data != "accepted[1] (IPSEC001 (nlbsflags-missing) on FE2) expired on 2000-01-01: it suppresses nothing (1 finding matched)" {
		t.Errorf("expired entry: %s %v %q", exp.name, exp.props, exp.data)
	}
	stale := findCommand(t, cmds, "accepted risk stale", "ipseclint.yaml")
	if stale.props["line"] != "17" || stale.data != "accepted[2] (IPSEC003 on *) matches no finding: fixed, or the entry is wrong" {
		t.Errorf("stale entry: %v %q", stale.props, stale.data)
	}
	if sum := cmds[len(cmds)-1]; !strings.Contains(sum.data, "(1 suppressed)") {
		t.Errorf("summary %q does not count the suppressed finding", sum.data)
	}
}
