package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// manyFindings is an audit of n findings with long, varied messages (so
// that gzip cannot squeeze them to nothing), severities in turn.
func manyFindings(n int) *Audit {
	file := &model.InputFile{Name: "H/ipsec.txt", Host: "H", Kind: model.KindNetsh, Status: model.StatusRead}
	fleet := &model.Fleet{Files: []*model.InputFile{file}, Hosts: []*model.Host{{Name: "H", Files: []*model.InputFile{file}}}}
	r := &rules.Rule{ID: "IPSEC001", Name: "nlbsflags-missing", Severity: rules.SeverityWarning, Summary: "s", Description: "d"}
	sev := []rules.Severity{rules.SeverityNote, rules.SeverityWarning, rules.SeverityError}
	a := &Audit{Tool: Tool{Name: "ipseclint", Version: "1.0.0"}, Fleet: fleet, Rules: []*rules.Rule{r}}
	for i := range n {
		subject := fmt.Sprintf("s%d", i)
		a.Outcome.Findings = append(a.Outcome.Findings, rules.Finding{
			RuleID: r.ID, Severity: sev[i%3], Host: "H", Subject: subject, Fingerprint: rules.Fingerprint(r.ID, "H", subject),
			Message: fmt.Sprintf("finding %d %x", i, []byte(rules.Fingerprint("m", subject, strings.Repeat("x", i%7)))),
			Loc:     model.Location{File: file.Name, Line: int32(i + 1)},
		})
	}
	return a
}

// TestSARIFGzipLimit: a log that would be larger than the limit once
// gzip-compressed keeps as many of the most severe results as fit, and
// the whole log, notification included, stays under the limit.
func TestSARIFGzipLimit(t *testing.T) {
	old := sarifLimitsInUse
	defer func() { sarifLimitsInUse = old }()
	sarifLimitsInUse = sarifLimits{Results: 25_000, GzipBytes: 60_000, reserveOut: 2_000}

	a := manyFindings(3000)
	raw, log := printSARIF(t, a)
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(raw)
	zw.Close()
	if zbuf.Len() > 60_000 {
		t.Errorf("the log is %d bytes gzip-compressed, over the 60,000 limit", zbuf.Len())
	}
	run := log.Runs[0]
	kept := len(run.Results)
	if kept == 0 || kept >= 3000 {
		t.Fatalf("%d results kept of 3000", kept)
	}
	// The most severe first: every error before any warning is dropped.
	levels := map[string]int{}
	for _, r := range run.Results {
		levels[r.Level]++
	}
	if levels["error"] < min(kept, 1000) || (levels["note"] > 0 && levels["warning"] < 1000) {
		t.Errorf("kept %v: the most severe should be kept first", levels)
	}
	cut, _ := run.Properties["resultsCut"].(map[string]any)
	if cut == nil || int(cut["kept"].(float64)) != kept || !strings.Contains(cut["reason"].(string), "gzip-compressed") {
		t.Errorf("resultsCut = %v", run.Properties["resultsCut"])
	}
	// The results kept are in the audit's order.
	for i := 1; i < len(run.Results); i++ {
		if run.Results[i-1].Locations[0].PhysicalLocation.Region.StartLine >= run.Results[i].Locations[0].PhysicalLocation.Region.StartLine {
			t.Fatalf("results %d and %d are out of the audit's order", i-1, i)
		}
	}
}

// TestBuildSARIFForDiff: the diff command takes buildSARIF's log, sets
// each result's baselineState, adds absent results, and encodes it.
func TestBuildSARIFForDiff(t *testing.T) {
	a := manyFindings(2)
	log := buildSARIF(a)
	run := &log.Runs[0]
	run.BaselineGUID = "8f3e6f2a-59a4-4bf3-8b2c-3f1e7f0f9b10"
	run.Results[0].BaselineState = "new"
	run.Results[1].BaselineState = "unchanged"
	gone := run.Results[1]
	gone.BaselineState = "absent"
	run.Results = append(run.Results, gone)
	out, err := json.Marshal(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"baselineState":"new"`, `"baselineState":"unchanged"`, `"baselineState":"absent"`, `"baselineGuid":"8f3e`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the encoded log lacks %s", want)
		}
	}
	if plain, _ := json.Marshal(buildSARIF(a)); bytes.Contains(plain, []byte("baseline")) {
		t.Error("a log not compared with a baseline names one")
	}
}

// fakeSources keeps texts given by the test.
type fakeSources map[string][]string

func (f fakeSources) Text(file string) (lines, notes []string, ok bool) {
	lines, ok = f[file]
	return lines, nil, ok
}

func (fakeSources) HiveCell(model.Location) (int64, []byte, int, int, bool) {
	return 0, nil, 0, 0, false
}

// noisyLines are n lines of text gzip cannot squeeze to nothing.
func noisyLines(n int, seed string) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("%x", []byte(rules.Fingerprint(seed, fmt.Sprint(i), "l")))
	}
	return lines
}

// TestSARIFContentsGoBeforeResults: with --sarif-embed, past the size
// limit the largest embedded texts are left out first, each saying so,
// with a notification, and no result is cut while leaving out text
// suffices.
func TestSARIFContentsGoBeforeResults(t *testing.T) {
	old := sarifLimitsInUse
	defer func() { sarifLimitsInUse = old }()
	sarifLimitsInUse = sarifLimits{Results: 25_000, GzipBytes: 120_000, reserveOut: 2_000}

	a := manyFindings(100)
	small := &model.InputFile{Name: "H/small.reg", Host: "H", Kind: model.KindRegExport, Status: model.StatusRead}
	a.Fleet.Files = append(a.Fleet.Files, small)
	a.Sources = fakeSources{"H/ipsec.txt": noisyLines(12000, "big"), "H/small.reg": noisyLines(20, "small")}
	a.View.SARIFEmbed = true
	_, log := printSARIF(t, a)
	run := log.Runs[0]
	if len(run.Results) != 100 {
		t.Errorf("%d results kept, want all 100", len(run.Results))
	}
	big, sm := run.Artifacts[0], run.Artifacts[1]
	if big.Contents != nil || !strings.Contains(big.Properties["contents"].(string), "larger than") {
		t.Errorf("the large text is still embedded, or does not say why not: %v", big.Properties)
	}
	if sm.Contents == nil || len(strings.Split(sm.Contents.Text, "\n")) != 21 {
		t.Errorf("the small text is not embedded: %v", sm.Properties)
	}
	found := false
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		found = found || n.Descriptor.ID == "contents-not-embedded"
	}
	if !found {
		t.Error("no notification says text was left out")
	}
}

// TestSARIFEmbeddedTextIsTerminalSafe: embedded text holding C1
// controls, bidirectional overrides and zero-width characters is written
// with JSON escapes, so that the log's bytes hold none of them, and reads
// back as the text itself.
func TestSARIFEmbeddedTextIsTerminalSafe(t *testing.T) {
	text := "policy \u009b31m red\u009bm, exe.\u202etxt, zero\u200bwidth, line\u2028sep, tag\U000E0041, \x1b[2J, é"
	a := manyFindings(1)
	a.Sources = fakeSources{"H/ipsec.txt": {text}}
	a.View.SARIFEmbed = true
	raw, log := printSARIF(t, a)
	for _, r := range string(raw) {
		if unsafeRune(r) || r == 0x1b {
			t.Errorf("the log holds %U as it is", r)
		}
	}
	if got := log.Runs[0].Artifacts[0].Contents.Text; got != text+"\n" {
		t.Errorf("the text reads back as %q", got)
	}
}

// TestSARIFNotificationsEscapeMarkdown: a notification's message.text,
// which GitHub renders as Markdown like a result's, shows the HTML and
// Markdown of a file name and a reason as text.
func TestSARIFNotificationsEscapeMarkdown(t *testing.T) {
	a := manyFindings(1)
	hostile := "H/ipsec<img src=x onerror=alert(1)>[x](javascript:alert(1)).txt"
	a.Fleet.Files = append(a.Fleet.Files,
		&model.InputFile{Name: hostile, Host: "H", Kind: model.KindNetsh, Status: model.StatusPartial, Reason: "line 3: <b>bold</b>"},
		&model.InputFile{Name: hostile + "2", Host: "H", Kind: model.KindUnknown, Status: model.StatusFailed, Reason: "*emphasis* `code`"})
	_, log := printSARIF(t, a)
	n := 0
	for _, note := range log.Runs[0].Invocations[0].ToolExecutionNotifications {
		text := note.Message.Text
		if !strings.Contains(text, "ipsec") {
			continue
		}
		n++
		for _, raw := range []string{"<img", "](", "<b>", "*emphasis*", "`code`"} {
			for i := strings.Index(text, raw); i >= 0; i = indexFrom(text, raw, i+1) {
				if i == 0 || text[i-1] != '\\' {
					t.Errorf("notification %q holds %q unescaped", text, raw)
				}
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d notifications name the files, want 2", n)
	}
}

// indexFrom is strings.Index of sub in s from byte from on, -1 when none.
func indexFrom(s, sub string, from int) int {
	if i := strings.Index(s[from:], sub); i >= 0 {
		return from + i
	}
	return -1
}

// printSARIF writes the audit as SARIF and reads the log back.
func printSARIF(t *testing.T, a *Audit) ([]byte, sarifLog) {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIF{}).Print(&buf, a); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), log
}
