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
			Loc:     model.Location{File: file.Name, Line: i + 1},
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
	var buf bytes.Buffer
	if err := (SARIF{}).Print(&buf, a); err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(buf.Bytes())
	zw.Close()
	if zbuf.Len() > 60_000 {
		t.Errorf("the log is %d bytes gzip-compressed, over the 60,000 limit", zbuf.Len())
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
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
