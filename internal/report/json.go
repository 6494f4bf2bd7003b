package report

import (
	"encoding/json"
	"io"

	"github.com/ipseclint/ipseclint/rules"
)

// JSONVersion is the version of the JSON output's shape; it changes only
// when a field changes meaning or goes away.
const JSONVersion = 1

// JSON writes the audit as one JSON document; docs/json-output.md
// describes every field.
type JSON struct{}

func init() { register(Format{Name: "json", Ext: "json", Printer: JSON{}}) }

type jsonFinding struct {
	RuleID      string         `json:"ruleId"`
	RuleName    string         `json:"ruleName"`
	Severity    string         `json:"severity"`
	Host        string         `json:"host"`
	Message     string         `json:"message"`
	Location    jsonLocation   `json:"location"`
	Related     []jsonLocation `json:"related"`
	Subject     string         `json:"subject"`
	Fingerprint string         `json:"fingerprint"`
	Uncertain   []string       `json:"uncertain,omitempty"`
}

type jsonRule struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Severity string `json:"defaultSeverity"`
	Summary  string `json:"summary"`
}

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
}

// Print writes the JSON document.
func (JSON) Print(w io.Writer, a *Audit) error {
	doc := jsonDoc{
		Version: JSONVersion, Tool: map[string]string{"name": a.Tool.Name, "version": a.Tool.Version},
		Root: a.Fleet.Root, Summary: a.Summarize(), Hosts: a.hostSummaries(),
		Rules: []jsonRule{}, Files: []jsonFile{}, Findings: []jsonFinding{}, NotEvaluated: a.Outcome.NotEvaluated,
	}
	if doc.NotEvaluated == nil {
		doc.NotEvaluated = []rules.NotEvaluated{}
	}
	for _, r := range a.Rules {
		doc.Rules = append(doc.Rules, jsonRule{ID: r.ID, Name: r.Name, Severity: string(r.Severity), Summary: r.Summary})
	}
	for _, f := range a.Fleet.Files {
		doc.Files = append(doc.Files, a.jsonFileOf(f))
	}
	for _, f := range a.Outcome.Findings {
		jf := jsonFinding{RuleID: f.RuleID, RuleName: f.RuleName, Severity: string(f.Severity), Host: f.Host, Message: f.Message,
			Location: a.jsonLoc(f.Loc), Related: []jsonLocation{}, Subject: f.Subject, Fingerprint: f.Fingerprint, Uncertain: f.Uncertain}
		for _, r := range f.Related {
			jf.Related = append(jf.Related, a.jsonLoc(r))
		}
		doc.Findings = append(doc.Findings, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
