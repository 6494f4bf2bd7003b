package report_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/rules"
)

// printTable prints the table of a within limit, or panics: a table that
// loops (tablewriter's wrapper can) must end the test binary, naming
// the fault, rather than eat the machine's memory.
func printTable(t testing.TB, a *report.Audit, limit time.Duration) string {
	t.Helper()
	var buf bytes.Buffer
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = report.Table{}.Print(&buf, a)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		panic(fmt.Sprintf("the table did not finish in %v: tablewriter is looping on a cell", limit))
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkLines fails for a line wider than width or holding a control
// character (the table escapes every one from the inputs).
func checkLines(t testing.TB, out string, width int) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if w := twwidth.Width(line); w > width {
			t.Errorf("line %d is %d columns wide, more than %d:\n%s", i+1, w, width, line)
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
			t.Errorf("line %d holds a control character: %q", i+1, line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d is not UTF-8: %q", i+1, line)
		}
	}
}

// TestTableFitsTheWidth: at 80, 100 and 132 columns every line of the
// example and troubled fleets' tables fits, and at 80 a finding's
// message is below its rule, host and location.
func TestTableFitsTheWidth(t *testing.T) {
	audits := map[string]*report.Audit{"example": exampleFleet(t), "troubled": troubledFleet(t)}
	for name, a := range audits {
		for _, width := range []int{40, 80, 100, 132} {
			a.View = report.View{Width: width}
			out := printTable(t, a, 10*time.Second)
			checkLines(t, out, width)
			if width == 80 && name == "example" {
				lines := strings.Split(out, "\n")
				i := 0
				for i < len(lines) && !strings.HasPrefix(lines[i], "| error    | ") {
					i++
				}
				if i+1 >= len(lines) || !strings.HasPrefix(lines[i], "| error    | IPSEC002 pop3-imap4-unencrypted  EXFE01  EXFE01/ipsec.txt:12 ") ||
					!strings.HasPrefix(lines[i+1], "|          |   POP3 (TCP 110) from front-end EXFE01 to 10.0.0.60") {
					t.Errorf("at 80 columns the first finding is not its key, then its message below:\n%s", out)
				}
			}
		}
		a.View = report.View{}
		if out := printTable(t, a, 10*time.Second); strings.Contains(out, strings.Repeat("-", 99)+"+") {
			t.Errorf("%s: the default width is wider than 100 columns", name)
		}
	}
}

// TestTableLongToken: a message with a 100,000-character token (past
// the ~46,000 at which tablewriter v1.1.5's wrapper loops forever) is
// capped and wrapped before tablewriter sees it.
func TestTableLongToken(t *testing.T) {
	a := syntheticAudit(t, 1)
	a.Outcome.Findings[0].Message = "value NLBSFlags is " + strings.Repeat("A", 100_000)
	a.Fleet.Files[0].Name = "HOST1/" + strings.Repeat("n", 60_000) + ".txt"
	a.Outcome.Findings[0].Loc.File = a.Fleet.Files[0].Name
	a.View = report.View{Width: 80}
	out := printTable(t, a, 20*time.Second)
	checkLines(t, out, 80)
	if !strings.Contains(out, "more characters; see `ipseclint dump`") {
		t.Error("the capped token does not say how much was cut")
	}
}

// TestTableNewlinesForgeNoRow: a newline in a host, file or policy name
// is shown as \n; it starts no row and no line of its own.
func TestTableNewlinesForgeNoRow(t *testing.T) {
	a := syntheticAudit(t, 1)
	forged := "\n| error    | IPSEC003 forged  EVIL  x:1 |\n"
	a.Fleet.Hosts[0].Name = "HOST1" + forged
	a.Outcome.Findings[0].Host = a.Fleet.Hosts[0].Name
	a.Fleet.Files[0].Name = "HOST1/ipsec" + forged + ".txt"
	a.Outcome.Findings[0].Loc.File = a.Fleet.Files[0].Name
	a.Outcome.Findings[0].Message = "policy \"P" + forged + "\x1b]0;owned\x07\" is weak"
	a.Outcome.NotEvaluated = []rules.NotEvaluated{{RuleID: "IPSEC002", Host: a.Fleet.Hosts[0].Name, Reason: "no export" + forged}}
	a.Fleet.Files[0].Status, a.Fleet.Files[0].Reason = model.StatusPartial, "damaged"+forged
	out := printTable(t, a, 10*time.Second)
	checkLines(t, out, 100)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| error    | IPSEC003") || strings.HasPrefix(line, "| IPSEC003") {
			t.Errorf("an input's newline forged a row:\n%s", out)
		}
	}
	if !strings.Contains(out, `HOST1\n| error`) {
		t.Errorf("the host's newline is not shown escaped:\n%s", out)
	}
}

// TestTableColor: severities are coloured when asked, and nothing else
// is; without colour the output has no escape sequence.
func TestTableColor(t *testing.T) {
	a := exampleFleet(t)
	plain := printTable(t, a, 10*time.Second)
	if strings.Contains(plain, "\x1b") {
		t.Error("the uncoloured table holds an escape sequence")
	}
	a.View.Color = true
	colored := printTable(t, a, 10*time.Second)
	for _, want := range []string{"\x1b[1;31merror\x1b[0m", "\x1b[33mwarning\x1b[0m", "\x1b[36mnote\x1b[0m"} {
		if !strings.Contains(colored, want) {
			t.Errorf("no %q in the coloured table", want)
		}
	}
	stripped := strings.NewReplacer("\x1b[1;31m", "", "\x1b[33m", "", "\x1b[36m", "", "\x1b[0m", "").Replace(colored)
	if stripped != plain {
		t.Errorf("colour changes more than the severities:\n%s", firstDiff([]byte(plain), []byte(stripped)))
	}
}

// TestTableHostsSummary: --hosts-summary N lists the N most serious
// hosts and counts the rest; the totals still cover every host.
func TestTableHostsSummary(t *testing.T) {
	a := exampleFleet(t)
	a.View.Hosts = 2
	out := printTable(t, a, 10*time.Second)
	i := strings.Index(out, "Hosts (the 2 most serious of 6")
	if i < 0 {
		t.Fatalf("no host section for the 2 most serious hosts:\n%s", out)
	}
	hosts := out[i:]
	rows := 0
	for _, h := range a.Fleet.Hosts {
		if strings.Contains(hosts, "| "+h.Name+" ") {
			rows++
		}
	}
	// EXFE01 has 3 errors, EXFE03 and W2KBE01 2 each, EXFE03 more warnings.
	if rows != 2 || !strings.Contains(hosts, "| EXFE01 ") || !strings.Contains(hosts, "| EXFE03 ") {
		t.Errorf("the host section lists %d hosts, want EXFE01 and EXFE03:\n%s", rows, hosts)
	}
	// EXBE01's IPSEC010 warnings are one per port and decision, not per front-end.
	if !strings.Contains(hosts, "... and 4 more hosts: 2 errors, 7 warnings, 1 note, 1 check not evaluated among them.") {
		t.Errorf("the rest are not counted:\n%s", hosts)
	}
	if !strings.Contains(out, "6 hosts; files:") {
		t.Error("the footer does not count every host")
	}
}

// TestTableSections: the troubled fleet shows every section: suppressed
// findings with their acceptance, doubts, expired and stale accepted
// risks, files not read, and the footer's configuration and disabled
// rules.
func TestTableSections(t *testing.T) {
	a := troubledFleet(t)
	a.View.Width = 300 // no line wrapped inside the phrases looked for
	out := printTable(t, a, 10*time.Second)
	for _, want := range []string{
		"Suppressed by accepted risks of the configuration (",
		"accepted: failover tolerance agreed with the service owner (ticket CHG-1402, accepted at ipseclint.yaml:",
		"| warning   | IPSEC009 one-way-filter  EXFE03  EXFE03/ipsec.txt:17",
		"| uncertain |",
		"uncertain: the test marks it uncertain",
		"accepted risk expired (ipseclint.yaml:",
		"accepted risk stale (ipseclint.yaml:",
		"| failed  | EXFE02/SOFTWARE",
		"| partial | EXFE03/extra.reg",
		"configuration ipseclint.yaml; rules disabled: IPSEC099 (flag --disable)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	// The footer counts the findings as JSON's summary does, suppressed
	// ones among them.
	s := a.Summarize()
	if s.Suppressed == 0 {
		t.Fatal("no suppressed finding: the check below proves nothing")
	}
	want := fmt.Sprintf("%d findings (%d errors, %d warnings, %d notes), %d of them suppressed", len(a.Outcome.Findings),
		s.Findings["error"], s.Findings["warning"], s.Findings["note"], s.Suppressed)
	want = strings.NewReplacer("(1 errors", "(1 error", " 1 warnings", " 1 warning", " 1 notes", " 1 note").Replace(want)
	if !strings.Contains(out, want) {
		t.Errorf("the footer lacks %q:\n%s", want, out)
	}
}

// TestTableNotEvaluatedCollapsed: one reason on several hosts is one
// row naming them; the footer counts checks, a fleet-wide one on every
// host.
func TestTableNotEvaluatedCollapsed(t *testing.T) {
	a := syntheticAudit(t, 0)
	for _, name := range []string{"HOST2", "HOST3"} {
		a.Fleet.Hosts = append(a.Fleet.Hosts, &model.Host{Name: name, Dir: name})
	}
	reason := "Windows version unknown (no SOFTWARE export)"
	a.Outcome.NotEvaluated = []rules.NotEvaluated{
		{RuleID: "IPSEC001", Host: "HOST1", Reason: reason},
		{RuleID: "IPSEC001", Host: "HOST2", Reason: reason},
		{RuleID: "IPSEC001", Host: "HOST3", Reason: "another reason"},
		{RuleID: "IPSEC015", Reason: "fleet-wide"},
	}
	out := printTable(t, a, 10*time.Second)
	if n := strings.Count(out, "| IPSEC001 |"); n != 2 {
		t.Errorf("%d rows for IPSEC001, want 2 (one per reason):\n%s", n, out)
	}
	for _, want := range []string{"on HOST1, HOST2 (2 hosts)", "on HOST3", "on the fleet as a whole",
		"0 findings; 6 of 9 checks not evaluated", "No findings."} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}

// FuzzTable prints tables whose every input string is random: the
// table always finishes, fits its width, and holds no control
// character.
func FuzzTable(f *testing.F) {
	f.Add("EXFE01", "EXFE01/ipsec.txt", "rule \"X\" permits it in clear", "no export", 80)
	f.Add("a\nb", "x\x1b[2Jy", strings.Repeat("W", 3000), "\u202e\u0301", 40)
	f.Add("ｈｏｓｔ", "日本語/ファイル.reg", strings.Repeat("字", 500)+" "+strings.Repeat("é", 200), "\xff\xfe", 100)
	f.Fuzz(func(t *testing.T, host, file, message, reason string, width int) {
		a := syntheticAudit(t, 2)
		a.Fleet.Hosts[0].Name, a.Fleet.Files[0].Name = host, file
		for i := range a.Outcome.Findings {
			fd := &a.Outcome.Findings[i]
			fd.Host, fd.Message, fd.Loc.File = host, message, file
			fd.Related = []model.Location{{File: file, Line: 2}}
		}
		a.Outcome.Findings[1].MarkUncertain(reason)
		a.Outcome.NotEvaluated = []rules.NotEvaluated{{RuleID: "IPSEC002", Host: host, Reason: reason}}
		a.Fleet.Files[0].Status, a.Fleet.Files[0].Reason = model.StatusFailed, reason
		a.View = report.View{Width: width % 300}
		out := printTable(t, a, 20*time.Second)
		w := width % 300
		if w <= 0 {
			w = 100
		}
		checkLines(t, out, max(w, 40))
	})
}

// TestTableHostileNames: with the hostile host folder and file names of
// the github and junit tests (a newline and a forged row, escape
// sequences, invalid UTF-8), every table line is one the table made:
// a border, a row of the two columns, or text outside the tables.
func TestTableHostileNames(t *testing.T) {
	a := hostileFleet(t)
	a.View.Width = 80
	out := printTable(t, a, 10*time.Second)
	checkLines(t, out, 80)
	if !strings.Contains(out, `X\n::error::forged%0A%25\r\x1b[31m\x1b]0;t\x07<script>]]>&`) {
		t.Errorf("the hostile name is not shown escaped:\n%s", out)
	}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "|") {
			rows++
			if strings.Count(line, " | ") != 1 || !strings.HasSuffix(line, " |") {
				t.Errorf("a row that is not two cells: %q", line)
			}
		}
	}
	if rows == 0 {
		t.Fatal("no rows")
	}
}

// TestFailoverAddressesForPeople: an estimate that holds for many
// addresses names the first three and counts the others in the table
// and in JUnit, and the HTML report lists the same.
func TestFailoverAddressesForPeople(t *testing.T) {
	a := exampleFleet(t)
	if len(a.Outcome.Failover) == 0 {
		t.Fatal("the example fleet has no failover estimate")
	}
	f := &a.Outcome.Failover[0]
	base := f.Targets[0]
	f.Targets = nil
	for i := range 5 {
		tg := base
		tg.IP = netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)})
		f.Targets = append(f.Targets, tg)
	}
	f.Target = f.Targets[0]
	a.View.Width = 400 // one line per fact
	want := "192.0.2.10, 192.0.2.11, 192.0.2.12 and 2 other addresses"
	table := string(render(t, report.Table{}, a))
	if !strings.Contains(table, "recovery after a failover of "+want+": "+f.Estimate) {
		t.Errorf("the table does not say %q", want)
	}
	if junit := string(render(t, report.JUnit{}, a)); !strings.Contains(junit, `name="failover `+want+`"`) {
		t.Errorf("JUnit has no property for %q", want)
	}
	html := string(render(t, report.HTML{}, a))
	if !strings.Contains(html, "<code>192.0.2.10</code>, <code>192.0.2.11</code>, <code>192.0.2.12</code> and 2 other addresses") {
		t.Error("the HTML report does not list the first three addresses and count the others")
	}
}
