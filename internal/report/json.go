package report

import (
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

// Print writes the JSON document, its fields in the order
// docs/json-output.md lists them; the hosts, files and findings are
// encoded one at a time (jsonStream), so that the document of a large
// fleet is never in memory whole.
func (JSON) Print(w io.Writer, a *Audit) error {
	s := newJSONStream(w)
	s.field("version", JSONVersion)
	s.field("tool", map[string]string{"name": a.Tool.Name, "version": a.Tool.Version})
	s.field("root", a.Fleet.Root)
	s.field("summary", a.Summarize())
	array(s, "rules", len(a.Rules), func(i int) jsonRule {
		r := a.Rules[i]
		return jsonRule{ID: r.ID, Name: r.Name, Severity: string(r.Severity), Summary: r.Summary}
	})
	hosts := a.hostSummaries()
	array(s, "hosts", len(hosts), func(i int) hostSummary { return hosts[i] })
	array(s, "files", len(a.Fleet.Files), func(i int) jsonFile { return a.jsonFileOf(a.Fleet.Files[i]) })
	array(s, "findings", len(a.Outcome.Findings), func(i int) jsonFinding { return a.jsonFindingOf(a.Outcome.Findings[i]) })
	array(s, "notEvaluated", len(a.Outcome.NotEvaluated), func(i int) rules.NotEvaluated { return a.Outcome.NotEvaluated[i] })
	if cf := jsonName(a.ConfigFile()); cf != "" {
		s.field("configFile", cf)
	}
	accepted := []jsonAccepted{}
	for _, st := range a.Outcome.Accepted {
		if st.Risk != nil {
			accepted = append(accepted, a.jsonAcceptedOf(st))
		}
	}
	s.field("accepted", accepted)
	disabled := a.Outcome.Disabled
	if disabled == nil {
		disabled = []rules.DisabledRule{}
	}
	s.field("disabled", disabled)
	return s.close()
}

// jsonFindingOf is a finding as the JSON output shows it.
func (a *Audit) jsonFindingOf(f rules.Finding) jsonFinding {
	jf := jsonFinding{RuleID: f.RuleID, RuleName: f.RuleName, Severity: string(f.Severity), Host: f.Host, Message: f.Message,
		Location: a.jsonLoc(f.Loc), Related: []jsonLocation{}, Subject: f.Subject, Fingerprint: f.Fingerprint, Uncertain: f.Uncertain}
	if s := f.Suppressed; s != nil {
		jf.Suppressed = &jsonSuppression{Reason: s.Reason, Ticket: s.Ticket, Expires: s.Expires, Location: a.jsonLoc(s.Loc)}
	}
	for _, r := range f.Related {
		jf.Related = append(jf.Related, a.jsonLoc(r))
	}
	return jf
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
