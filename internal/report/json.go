package report

import (
	"encoding/json"
	"io"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// JSONVersion is the version of the JSON output's shape; it changes only
// when a field changes meaning or goes away.
const JSONVersion = 1

// JSON writes the audit as one JSON document; docs/json-output.md
// describes every field.
type JSON struct{}

type jsonLocation struct {
	URI    string `json:"uri,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Key    string `json:"key,omitempty"`
	Value  string `json:"value,omitempty"`
	Text   string `json:"text"`
}

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
}

type jsonProblem struct {
	Location jsonLocation `json:"location"`
	Message  string       `json:"message"`
}

type jsonFile struct {
	URI      string        `json:"uri"`
	Host     string        `json:"host,omitempty"`
	Kind     string        `json:"kind"`
	Detail   string        `json:"detail,omitempty"`
	Status   string        `json:"status"`
	Reason   string        `json:"reason,omitempty"`
	Problems []jsonProblem `json:"problems"`
	Notes    []string      `json:"notes"`
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
			Location: a.jsonLoc(f.Loc), Related: []jsonLocation{}, Subject: f.Subject, Fingerprint: f.Fingerprint}
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

// jsonFileOf is an input file as the JSON output and the dump show it.
func (a *Audit) jsonFileOf(f *model.InputFile) jsonFile {
	jf := jsonFile{URI: f.Name, Host: f.Host, Kind: string(f.Kind), Detail: f.Detail, Status: string(f.Status),
		Reason: f.Reason, Problems: []jsonProblem{}, Notes: f.Notes}
	if jf.Notes == nil {
		jf.Notes = []string{}
	}
	for _, p := range f.Problems {
		jf.Problems = append(jf.Problems, jsonProblem{Location: a.jsonLoc(p.Loc), Message: p.Message})
	}
	return jf
}

func (a *Audit) jsonLoc(l model.Location) jsonLocation {
	return jsonLocation{URI: l.File, Line: l.Line, Column: l.Column, Key: l.Key, Value: l.Value, Text: a.locationText(l)}
}
