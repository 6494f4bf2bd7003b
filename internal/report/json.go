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
	// Suppressed is the accepted risk that suppresses the finding.
	Suppressed *jsonSuppression `json:"suppressed,omitempty"`
}

type jsonSuppression struct {
	Reason   string       `json:"reason"`
	Ticket   string       `json:"ticket,omitempty"`
	Expires  string       `json:"expires,omitempty"`
	Location jsonLocation `json:"location"`
}

// jsonAccepted is one accepted risk of the configuration and what became
// of it.
type jsonAccepted struct {
	Index    int          `json:"index"`
	Rule     string       `json:"rule"`
	Host     string       `json:"host"`
	Subject  string       `json:"subject,omitempty"`
	Reason   string       `json:"reason"`
	Ticket   string       `json:"ticket,omitempty"`
	Expires  string       `json:"expires,omitempty"`
	Status   string       `json:"status"`
	Matched  int          `json:"matched"`
	Location jsonLocation `json:"location"`
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
	// ConfigFile is the configuration file used, "" for none.
	ConfigFile string               `json:"configFile,omitempty"`
	Accepted   []jsonAccepted       `json:"accepted"`
	Disabled   []rules.DisabledRule `json:"disabled"`
}

// Print writes the JSON document.
func (JSON) Print(w io.Writer, a *Audit) error {
	doc := jsonDoc{
		Version: JSONVersion, Tool: map[string]string{"name": a.Tool.Name, "version": a.Tool.Version},
		Root: a.Fleet.Root, Summary: a.Summarize(), Hosts: a.hostSummaries(),
		Rules: []jsonRule{}, Files: []jsonFile{}, Findings: []jsonFinding{}, NotEvaluated: a.Outcome.NotEvaluated,
		ConfigFile: jsonName(a.ConfigFile()), Accepted: []jsonAccepted{}, Disabled: a.Outcome.Disabled,
	}
	if doc.Disabled == nil {
		doc.Disabled = []rules.DisabledRule{}
	}
	for _, st := range a.Outcome.Accepted {
		if st.Risk != nil {
			doc.Accepted = append(doc.Accepted, a.jsonAcceptedOf(st))
		}
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
		if s := f.Suppressed; s != nil {
			jf.Suppressed = &jsonSuppression{Reason: s.Reason, Ticket: s.Ticket, Expires: s.Expires, Location: a.jsonLoc(s.Loc)}
		}
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

func (a *Audit) jsonAcceptedOf(st rules.AcceptedStatus) jsonAccepted {
	r := st.Risk
	rule := r.Rule.ID
	if rule == "" {
		rule = r.Rule.Ref
	}
	return jsonAccepted{Index: r.Index, Rule: rule, Host: r.Host, Subject: r.Subject, Reason: r.Reason, Ticket: r.Ticket,
		Expires: r.Expires, Status: st.Status, Matched: st.Matched, Location: a.jsonLoc(r.Loc)}
}
