package report

import (
	"fmt"
	"sort"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// This file holds the views of an audit that several formats show: the
// totals, each host's summary, input files and locations. A format file
// writes them in its own syntax and defines nothing another format uses.

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
	// Suppressed counts the findings accepted risks suppress (they are
	// among Findings too).
	Suppressed int `json:"suppressed"`
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
		if f.Suppressed != nil {
			s.Suppressed++
		}
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

// jsonName is a file name as the JSON outputs write it: with
// safetext.Name's reversible escapes (each byte that is not UTF-8 as
// \xNN, each backslash doubled), since encoding/json would replace
// invalid UTF-8 with U+FFFD and lose the name.
func jsonName(name string) string { return safetext.Name(name) }

// jsonLocation is a location as the JSON outputs (JSON, dump) show it.
type jsonLocation struct {
	URI    string `json:"uri,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Key    string `json:"key,omitempty"`
	Value  string `json:"value,omitempty"`
	Text   string `json:"text"`
}

// jsonProblem is a problem of an input file, in the JSON outputs.
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

// jsonFileOf is an input file as the JSON output and the dump show it.
func (a *Audit) jsonFileOf(f *model.InputFile) jsonFile {
	jf := jsonFile{URI: jsonName(f.Name), Host: f.Host, Kind: string(f.Kind), Detail: f.Detail, Status: string(f.Status),
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
	return jsonLocation{URI: jsonName(l.File), Line: l.Line, Column: l.Column, Key: l.Key, Value: l.Value, Text: a.locationText(l)}
}

// failoverView is one failover estimate as the outputs show it.
type failoverView struct {
	Backend  string `json:"backend,omitempty"`
	Address  string `json:"address"`
	Estimate string `json:"estimate"`
	Minutes  int    `json:"minutes,omitempty"`
	Why      string `json:"why"`
	Location string `json:"location,omitempty"`
	// Uncertain says why the estimate may be wrong.
	Uncertain string `json:"uncertain,omitempty"`
}

// failoversOf returns the failover estimates of front-end h.
func (a *Audit) failoversOf(h *model.Host) []failoverView {
	var out []failoverView
	for _, f := range a.Outcome.Failover {
		if f.FrontEnd != h {
			continue
		}
		v := failoverView{Backend: f.Target.Backend, Address: f.Target.IP.String(), Estimate: f.Estimate, Minutes: f.Minutes, Why: f.Why, Uncertain: f.Uncertain}
		if !f.Loc.IsZero() {
			v.Location = a.locationText(f.Loc)
		}
		out = append(out, v)
	}
	return out
}

// hostSummary is what the outputs say of each host.
type hostSummary struct {
	Name         string   `json:"name"`
	NameSource   string   `json:"nameSource"`
	Role         string   `json:"role"`
	RoleDeclared bool     `json:"roleDeclared"`
	RoleWhy      string   `json:"roleWhy"`
	OS           string   `json:"os"`
	Files        []string `json:"files"`
	Errors       int      `json:"errors"`
	Warnings     int      `json:"warnings"`
	Notes        int      `json:"notes"`
	NotEvaluated int      `json:"notEvaluated"`
	// Failover is the IPSec recovery after each clustered back-end's
	// failover, for a front-end.
	Failover []failoverView `json:"failover,omitempty"`
}

func (a *Audit) hostSummaries() []hostSummary {
	out := []hostSummary{}
	for _, h := range a.Fleet.Hosts {
		counts, ne := a.hostCounts(h.Name)
		hs := hostSummary{Name: h.Name, NameSource: h.NameSource, Role: string(h.Role.Role), RoleDeclared: h.Role.Declared(),
			RoleWhy: roleWhy(h.Role), OS: "unknown", Files: []string{},
			Errors: counts[rules.SeverityError], Warnings: counts[rules.SeverityWarning], Notes: counts[rules.SeverityNote], NotEvaluated: ne}
		if hs.Role == "" {
			hs.Role = "unknown"
		}
		if h.Facts.OS.Known {
			hs.OS = h.Facts.OS.Value.String()
		}
		for _, f := range h.Files {
			hs.Files = append(hs.Files, jsonName(f.Name))
		}
		sort.Strings(hs.Files)
		hs.Failover = a.failoversOf(h)
		out = append(out, hs)
	}
	return out
}

// roleWhy is JSON version 1's roleWhy: the evidence, prefixed with how
// the role was established when it was not declared ("inferred: ...",
// "unknown: ...").
func roleWhy(r model.RoleFact) string {
	if r.Declared() {
		return r.Why
	}
	return string(r.Basis) + ": " + r.Why
}
