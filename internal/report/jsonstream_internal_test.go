package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// jsonDoc is the JSON document as one value: what JSON.Print wrote with
// one json.Encoder call before it streamed.
type jsonDoc struct {
	Version      int                  `json:"version"`
	Tool         map[string]string    `json:"tool"`
	Root         string               `json:"root"`
	Summary      Summary              `json:"summary"`
	Rules        []jsonRule           `json:"rules"`
	Hosts        []hostSummary        `json:"hosts"`
	Files        []jsonFile           `json:"files"`
	Findings     []jsonFinding        `json:"findings"`
	NotEvaluated []rules.NotEvaluated `json:"notEvaluated"`
	ConfigFile   string               `json:"configFile,omitempty"`
	Accepted     []jsonAccepted       `json:"accepted"`
	Disabled     []rules.DisabledRule `json:"disabled"`
}

func wholeJSON(t *testing.T, a *Audit) []byte {
	t.Helper()
	doc := jsonDoc{
		Version: JSONVersion, Tool: map[string]string{"name": a.Tool.Name, "version": a.Tool.Version},
		Root: a.Fleet.Root, Summary: a.Summarize(), Hosts: a.hostSummaries(),
		Rules: []jsonRule{}, Files: []jsonFile{}, Findings: []jsonFinding{}, NotEvaluated: a.Outcome.NotEvaluated,
		ConfigFile: jsonName(a.ConfigFile()), Accepted: []jsonAccepted{}, Disabled: a.Outcome.Disabled,
	}
	if doc.Disabled == nil {
		doc.Disabled = []rules.DisabledRule{}
	}
	if doc.NotEvaluated == nil {
		doc.NotEvaluated = []rules.NotEvaluated{}
	}
	for _, st := range a.Outcome.Accepted {
		if st.Risk != nil {
			doc.Accepted = append(doc.Accepted, a.jsonAcceptedOf(st))
		}
	}
	for _, r := range a.Rules {
		doc.Rules = append(doc.Rules, jsonRule{ID: r.ID, Name: r.Name, Severity: string(r.Severity), Summary: r.Summary})
	}
	for _, f := range a.Fleet.Files {
		doc.Files = append(doc.Files, a.jsonFileOf(f))
	}
	for _, f := range a.Outcome.Findings {
		doc.Findings = append(doc.Findings, a.jsonFindingOf(f))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exampleAudits are the audits of the example fleet and of the report
// tests' fleet (a configuration, accepted risks, failovers).
func exampleAudits(t *testing.T) []*Audit {
	t.Helper()
	root := testutil.RepoRoot(t)
	var audits []*Audit
	for _, dir := range []string{filepath.Join(root, "testdata", "fleet"), filepath.Join(root, "internal", "report", "testdata", "fleet")} {
		fleet, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(rules.All())})
		if err != nil {
			t.Fatal(err)
		}
		audits = append(audits, &Audit{Tool: Tool{Name: "ipseclint", Version: "1"}, Fleet: fleet, Rules: rules.All(), Outcome: rules.Run(fleet, rules.All())})
	}
	return audits
}

// TestJSONStreamIsTheWholeDocument: the streamed document is byte for
// byte the one a single json.Encoder call writes, for the example fleet
// (a configuration, accepted risks, failovers), an empty fleet (every
// array empty) and findings whose text HTML escaping and line separators
// would change, and a fleet whose findings are encoded in parallel
// batches.
func TestJSONStreamIsTheWholeDocument(t *testing.T) {
	audits := exampleAudits(t)
	audits = append(audits, &Audit{Fleet: &model.Fleet{}}, manyFindings(3))
	odd := manyFindings(2)
	odd.Outcome.Findings[0].Message = "<a href=\"x\">&amp;</a> \u2028 \u2029 \x7f é"
	odd.Outcome.Disabled = []rules.DisabledRule{{ID: "IPSEC002", By: "--disable"}}
	audits = append(audits, odd)
	// More findings than the workers encode in one round, with three of
	// them: arrays are encoded in parallel batches.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	audits = append(audits, manyFindings(3*arrayBatch*2+17))
	for i, a := range audits {
		var got bytes.Buffer
		if err := (JSON{}).Print(&got, a); err != nil {
			t.Fatal(err)
		}
		if want := wholeJSON(t, a); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("audit %d: the streamed document differs from the whole one:\n%s\nwant\n%s", i, got.Bytes(), want)
		}
	}
}

// TestSARIFStreamIsTheWholeLog: the streamed SARIF log is byte for byte
// what one json.Encoder call writes of it, passed through terminalSafe:
// for the example fleets, an empty fleet, results whose text terminalSafe
// rewrites, and more results than the workers encode in one round.
func TestSARIFStreamIsTheWholeLog(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	audits := exampleAudits(t)
	odd := manyFindings(3*arrayBatch*2 + 17)
	audits = append(audits, &Audit{Fleet: &model.Fleet{}}, odd)
	for i, a := range audits {
		log := buildSARIF(a)
		if a == odd {
			// What only embedded text holds (the builder makes messages
			// safe): characters terminalSafe rewrites.
			log.Runs[0].Results[arrayBatch+5].Message.Text = "C1 \u0085, separators \u2028 \u2029, a bidi override \u202e and <b>&amp;</b>"
		}
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(log); err != nil {
			t.Fatal(err)
		}
		want := terminalSafe(whole.Bytes())
		if a == odd && bytes.Equal(want, whole.Bytes()) {
			t.Error("the odd log holds nothing terminalSafe rewrites: the test checks less than it says")
		}
		var got bytes.Buffer
		if err := writeSARIF(&got, log); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("audit %d: the streamed log differs from the whole one:\n%s\nwant\n%s", i, got.Bytes(), want)
		}
	}
}

// TestFitGzipFindsTheLargestCount: the count of results kept under the
// gzip limit is the largest that fits, found by a linear scan, for
// budgets across the range.
func TestFitGzipFindsTheLargestCount(t *testing.T) {
	a := manyFindings(120)
	log := buildSARIF(a)
	run := &log.Runs[0]
	inv := run.Invocations[0]
	order := make([]int, len(run.Results))
	for i := range order {
		order[i] = len(order) - 1 - i // any order: the one given is kept
	}
	size := func(k int) int64 {
		trial := *run
		trial.Results = make([]sarifResult, k)
		for i, j := range order[:k] {
			trial.Results[i] = run.Results[j]
		}
		trial.Invocations = []sarifInvocation{inv}
		return encodedSize(&sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{trial}}, true)
	}
	sizes := make([]int64, len(order)+1)
	for k := range sizes {
		sizes[k] = size(k)
	}
	for _, budget := range []int64{sizes[0] - 1, sizes[0], sizes[1], sizes[7] + 3, sizes[60], sizes[119], sizes[120], sizes[120] + 1000} {
		lim := sarifLimits{Results: 1000, GzipBytes: budget + 1, reserveOut: 1}
		want := 0
		for k := range sizes {
			if sizes[k] <= budget {
				want = k
			}
		}
		if got := fitGzip(run, &inv, order, len(order), lim); got != want {
			t.Errorf("budget %d: fitGzip kept %d, the largest count that fits is %d", budget, got, want)
		}
	}
}
