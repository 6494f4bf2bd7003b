package report_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// troubledAccepted are the accepted risks troubledFleet adds to the
// example fleet's configuration: one active (with a ticket), one
// expired, one that matches nothing, and one whose reason holds Markdown
// and HTML.
const troubledAccepted = `
accepted:
  - {rule: IPSEC001, host: EXFE01, subject: NLBSFlags, reason: "failover tolerance agreed with the service owner", ticket: CHG-1402}
  - {rule: IPSEC002, host: EXFE01, reason: "migration", expires: "2000-01-01"}
  - {rule: IPSEC013, host: EXFE02, reason: "matches nothing"}
  - {rule: IPSEC012, host: W2KBE01, reason: "<b>accepted</b> by @admins, see [ticket](javascript:alert(1))"}
`

// troubledFleet audits a copy of the example fleet (testdata/fleet at
// the repository's root) made to show what the example lacks: accepted
// risks of every status (suppressed findings among them), a hive cut
// short (failed), a .reg export with a syntax error (partly read), and a
// finding marked uncertain (the example has none; the mark is made on
// the outcome, as a rule would make it). It is how the SARIF, JSON and
// table tests meet each of those on real-shaped input.
func troubledFleet(t testing.TB) *report.Audit {
	t.Helper()
	root := testutil.RepoRoot(t)
	dir := t.TempDir()
	copyTree(t, filepath.Join(root, "testdata", "fleet"), dir)
	cfg := filepath.Join(dir, "ipseclint.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	write(t, cfg, string(data)+troubledAccepted)
	// The fixture fleet's SOFTWARE hive, cut to 6000 bytes (testdata/README.md).
	cut, err := os.ReadFile(filepath.Join("testdata", "fleet", "BE1", "SOFTWARE"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "EXFE02", "SOFTWARE"), cut, 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "EXFE03", "extra.reg"), "Windows Registry Editor Version 5.00\r\n\r\n"+
		"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\IPSEC]\r\n\"Other\"=dword:zz\r\n")

	a := runAudit(t, dir, rules.All())
	if a.Fleet.Config == nil {
		t.Fatal("the troubled fleet has no configuration")
	}
	var names []model.RuleName
	for _, r := range rules.All() {
		names = append(names, model.RuleName{ID: r.ID, Name: r.Name})
	}
	if p := a.Fleet.Config.CheckRules(names); len(p) > 0 {
		t.Fatalf("the troubled fleet's configuration: %v", p)
	}
	rules.Accept(&a.Outcome, a.Fleet, a.Fleet.Config.Accepted, time.Date(2026, 1, 15, 0, 0, 0, 0, time.Local))
	for i := range a.Outcome.Findings {
		if f := &a.Outcome.Findings[i]; f.RuleID == "IPSEC009" {
			f.MarkUncertain("the test marks it uncertain, to show a doubt in every output")
		}
	}
	a.Outcome.Disabled = []rules.DisabledRule{{ID: "IPSEC099", By: "flag --disable"}}
	checkTroubled(t, a)
	return a
}

// checkTroubled fails when the troubled fleet no longer has what it is
// made to show.
func checkTroubled(t testing.TB, a *report.Audit) {
	t.Helper()
	statuses := map[string]int{}
	for _, st := range a.Outcome.Accepted {
		statuses[st.Status]++
	}
	suppressed, uncertain := 0, 0
	for _, f := range a.Outcome.Findings {
		if f.Suppressed != nil {
			suppressed++
		}
		if len(f.Uncertain) > 0 {
			uncertain++
		}
	}
	files := map[model.FileStatus]int{}
	for _, f := range a.Fleet.Files {
		files[f.Status]++
	}
	if statuses[rules.AcceptedActive] < 2 || statuses[rules.AcceptedExpired] != 1 || statuses[rules.AcceptedStale] != 1 ||
		suppressed < 2 || uncertain == 0 || files[model.StatusFailed] == 0 || files[model.StatusPartial] == 0 || len(a.Outcome.NotEvaluated) == 0 {
		t.Fatalf("the troubled fleet lost what it shows: accepted %v, %d suppressed, %d uncertain, files %v, %d not evaluated",
			statuses, suppressed, uncertain, files, len(a.Outcome.NotEvaluated))
	}
}

func write(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// syntheticAudit is an audit of n findings on one host, without files:
// errors, warnings and notes in turn, each with its own subject, located
// on a line of a netsh file. For the limits and the table's fuzzing.
func syntheticAudit(t testing.TB, n int) *report.Audit {
	t.Helper()
	rs := rulesByID(t, "IPSEC001", "IPSEC002", "IPSEC015")
	file := &model.InputFile{Name: "HOST1/ipsec.txt", Host: "HOST1", Kind: model.KindNetsh, Status: model.StatusRead, Size: 1000}
	fleet := &model.Fleet{Root: "/audit", Files: []*model.InputFile{file},
		Hosts: []*model.Host{{Name: "HOST1", Dir: "HOST1", Files: []*model.InputFile{file}}}}
	sev := []rules.Severity{rules.SeverityError, rules.SeverityWarning, rules.SeverityNote}
	var out rules.Outcome
	for i := range n {
		r := rs[i%3]
		subject := fmt.Sprintf("subject %d", i)
		out.Findings = append(out.Findings, rules.Finding{
			RuleID: r.ID, RuleName: r.Name, Severity: sev[i%3], Host: "HOST1",
			Message: fmt.Sprintf("finding %d: filter %d of policy \"P\" lets traffic pass in clear", i, i),
			Loc:     model.Location{File: file.Name, Line: int32(1 + i%500), Column: 1}, Subject: subject,
			Fingerprint: rules.Fingerprint(r.ID, "HOST1", subject),
		})
	}
	return &report.Audit{Tool: testTool, Fleet: fleet, Rules: rs, Outcome: out}
}
