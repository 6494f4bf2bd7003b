package report

import (
	"encoding/json"
	"io"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// DiffJSONVersion is the version of the diff JSON output's shape
// (docs/diff.md); it changes only when a field changes meaning or goes
// away.
const DiffJSONVersion = 1

// DiffJSON writes a comparison as one JSON document; docs/diff.md
// describes every field.
type DiffJSON struct{}

func init() { registerDiff(DiffFormat{Name: "json", Ext: "json", Printer: DiffJSON{}}) }

type diffJSONDoc struct {
	Version      int                `json:"version"`
	Kind         string             `json:"kind"`
	Tool         map[string]string  `json:"tool"`
	FailOn       string             `json:"failOn"`
	Old          diffJSONSide       `json:"old"`
	New          diffJSONSide       `json:"new"`
	Summary      diffJSONSummary    `json:"summary"`
	Hosts        []diffJSONHost     `json:"hosts"`
	Findings     []diffJSONFinding  `json:"findings"`
	NotEvaluated []diffNotEvaluated `json:"notEvaluated"`
}

type diffJSONSide struct {
	Label   string  `json:"label"`
	Root    string  `json:"root"`
	Summary Summary `json:"summary"`
	// Incomplete are the files not read completely.
	Incomplete []jsonFile `json:"incomplete"`
}

type diffJSONSummary struct {
	diff.Counts
	Regressions int `json:"regressions"`
}

type diffJSONHost struct {
	Name    string         `json:"name"`
	Status  string         `json:"status"`
	Old     *hostSummary   `json:"old"`
	New     *hostSummary   `json:"new"`
	Changes []diffJSONItem `json:"changes"`
}

type diffJSONItem struct {
	Kind   string         `json:"kind"`
	Host   string         `json:"host"`
	Object string         `json:"object,omitempty"`
	Field  string         `json:"field,omitempty"`
	Op     string         `json:"op"`
	Old    *diffJSONValue `json:"old"`
	New    *diffJSONValue `json:"new"`
}

type diffJSONValue struct {
	Text     string        `json:"text"`
	Detail   string        `json:"detail,omitempty"`
	Location *jsonLocation `json:"location"`
}

type diffJSONFinding struct {
	State       string       `json:"state"`
	Regression  bool         `json:"regression"`
	Fingerprint string       `json:"fingerprint"`
	RuleID      string       `json:"ruleId"`
	Host        string       `json:"host"`
	Subject     string       `json:"subject"`
	Changed     []string     `json:"changed"`
	Old         *jsonFinding `json:"old"`
	New         *jsonFinding `json:"new"`
}

type diffNotEvaluated struct {
	State  string  `json:"state"`
	RuleID string  `json:"ruleId"`
	Host   string  `json:"host,omitempty"`
	Old    *string `json:"old"`
	New    *string `json:"new"`
}

// PrintDiff writes the JSON document.
func (DiffJSON) PrintDiff(w io.Writer, d *Diff) error {
	r := d.Result
	old, cur := d.oldAudit(), d.newAudit()
	doc := diffJSONDoc{
		Version: DiffJSONVersion, Kind: "ipseclint-diff", Tool: map[string]string{"name": d.Tool.Name, "version": d.Tool.Version},
		FailOn: string(d.FailOn), Old: jsonSide(old, r.Old.Label), New: jsonSide(cur, r.New.Label),
		Summary:  diffJSONSummary{Counts: r.Count(), Regressions: len(d.regressions())},
		Findings: []diffJSONFinding{}, NotEvaluated: []diffNotEvaluated{},
	}
	doc.Hosts = d.jsonHosts(old, cur)
	for i := range r.Findings {
		f := &r.Findings[i]
		jf := diffJSONFinding{State: string(f.State), Regression: d.regression(f), Fingerprint: f.Fingerprint,
			RuleID: f.RuleID, Host: f.Host, Subject: f.Subject, Changed: f.Changed, Old: old.jsonFindingRef(f.Old), New: cur.jsonFindingRef(f.New)}
		if jf.Changed == nil {
			jf.Changed = []string{}
		}
		doc.Findings = append(doc.Findings, jf)
	}
	for _, n := range r.NotEvaluated {
		doc.NotEvaluated = append(doc.NotEvaluated, diffNotEvaluated{State: string(n.State), RuleID: n.RuleID, Host: n.Host, Old: reasonOf(n.Old), New: reasonOf(n.New)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func (a *Audit) hasFleet() bool { return a.Fleet != nil }

// jsonHosts are the hosts of both sides with their changes, as the JSON
// output (and SARIF's run properties) show them.
func (d *Diff) jsonHosts(old, cur *Audit) []diffJSONHost {
	out := []diffJSONHost{}
	oldHosts, newHosts := summariesByName(old), summariesByName(cur)
	for _, h := range d.Result.Hosts {
		jh := diffJSONHost{Name: h.Name, Status: string(h.Status), Changes: []diffJSONItem{}}
		if h.Old != nil {
			jh.Old = oldHosts[h.Old]
		}
		if h.New != nil {
			jh.New = newHosts[h.New]
		}
		for _, c := range h.Changes {
			jh.Changes = append(jh.Changes, diffJSONItem{Kind: string(c.Kind), Host: c.Host, Object: c.Object, Field: c.Field, Op: string(c.Op),
				Old: jsonValue(old, c.Old), New: jsonValue(cur, c.New)})
		}
		out = append(out, jh)
	}
	return out
}

// jsonSide is one side's label, root, totals and incomplete files.
func jsonSide(a *Audit, label string) diffJSONSide {
	s := diffJSONSide{Label: label, Summary: a.Summarize(), Incomplete: []jsonFile{}}
	if !a.hasFleet() {
		return s
	}
	s.Root = a.Fleet.Root
	for _, f := range a.Fleet.Files {
		if f.Status.Incomplete() {
			s.Incomplete = append(s.Incomplete, a.jsonFileOf(f))
		}
	}
	return s
}

// summariesByName are a side's host summaries (as the audit JSON shows
// them), by host.
func summariesByName(a *Audit) map[*model.Host]*hostSummary {
	out := map[*model.Host]*hostSummary{}
	if !a.hasFleet() {
		return out
	}
	sums := a.hostSummaries()
	for i, h := range a.Fleet.Hosts {
		out[h] = &sums[i]
	}
	return out
}

func jsonValue(a *Audit, v *diff.Value) *diffJSONValue {
	if v == nil {
		return nil
	}
	jv := &diffJSONValue{Text: v.Text, Detail: v.Detail}
	if !v.Loc.IsZero() {
		l := a.jsonLoc(v.Loc)
		jv.Location = &l
	}
	return jv
}

// jsonFindingRef is a finding as the audit JSON shows it, or nil.
func (a *Audit) jsonFindingRef(f *rules.Finding) *jsonFinding {
	if f == nil {
		return nil
	}
	jf := jsonFinding{RuleID: f.RuleID, RuleName: f.RuleName, Severity: string(f.Severity), Host: f.Host, Message: f.Message,
		Location: a.jsonLoc(f.Loc), Related: []jsonLocation{}, Subject: f.Subject, Fingerprint: f.Fingerprint, Uncertain: f.Uncertain}
	for _, r := range f.Related {
		jf.Related = append(jf.Related, a.jsonLoc(r))
	}
	return &jf
}

func reasonOf(n *rules.NotEvaluated) *string {
	if n == nil {
		return nil
	}
	return &n.Reason
}
