// Package report writes the result of an audit: a table for people, SARIF
// 2.1.0 for code-scanning services, and JSON for scripts. Each format is
// one file with one type whose Print method writes to an io.Writer;
// adding a format touches one file.
package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// Tool names the program in the outputs.
type Tool struct {
	Name           string
	Version        string
	InformationURI string
}

// Audit is everything an output shows: the fleet as read, the rules run,
// and what they said.
type Audit struct {
	Tool    Tool
	Fleet   *model.Fleet
	Rules   []*rules.Rule
	Outcome rules.Outcome
}

// Printer writes an audit in one format.
type Printer interface {
	Print(w io.Writer, a *Audit) error
}

// Formats are the output formats by name.
var Formats = map[string]Printer{
	"table": Table{},
	"sarif": SARIF{},
	"json":  JSON{},
}

// FormatNames lists the format names, sorted.
func FormatNames() []string {
	out := make([]string, 0, len(Formats))
	for name := range Formats {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// locationText renders a location for people: "EXFE01/ipsec.txt:12",
// "EXBE01/SYSTEM [HKLM\SYSTEM\...] NLBSFlags".
func (a *Audit) locationText(l model.Location) string {
	if l.Line > 0 {
		l.Column = 0
		l.Key, l.Value = "", ""
	}
	return l.String()
}

// Summary counts what an audit found.
type Summary struct {
	Hosts        int            `json:"hosts"`
	Files        map[string]int `json:"files"`    // by status: read, partial, failed, skipped
	Findings     map[string]int `json:"findings"` // by severity: error, warning, note
	NotEvaluated int            `json:"notEvaluated"`
}

// Summarize counts hosts, files by status and findings by severity.
func (a *Audit) Summarize() Summary {
	s := Summary{
		Files:    map[string]int{string(model.StatusRead): 0, string(model.StatusPartial): 0, string(model.StatusFailed): 0, string(model.StatusSkipped): 0},
		Findings: map[string]int{string(rules.SeverityError): 0, string(rules.SeverityWarning): 0, string(rules.SeverityNote): 0},
	}
	if a.Fleet != nil {
		s.Hosts = len(a.Fleet.Hosts)
		for _, f := range a.Fleet.Files {
			s.Files[string(f.Status)]++
		}
	}
	for _, f := range a.Outcome.Findings {
		s.Findings[string(f.Severity)]++
	}
	s.NotEvaluated = len(a.Outcome.NotEvaluated)
	return s
}

// hostCounts counts a host's findings by severity and its not-evaluated checks.
func (a *Audit) hostCounts(host string) (map[rules.Severity]int, int) {
	counts := map[rules.Severity]int{}
	for _, f := range a.Outcome.Findings {
		if f.Host == host {
			counts[f.Severity]++
		}
	}
	ne := 0
	for _, n := range a.Outcome.NotEvaluated {
		if n.Host == host {
			ne++
		}
	}
	return counts, ne
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// roleText renders a host's role with how it was found.
func roleText(h *model.Host) string {
	switch {
	case h.Role.Role == model.RoleUnknown:
		return "role unknown"
	case h.Role.Declared():
		return string(h.Role.Role) + " (declared)"
	}
	return string(h.Role.Role) + " (inferred)"
}
