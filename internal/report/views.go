package report

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/flows"
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

// hostIndex is what the per-host views read of an outcome, grouped by
// host in one pass over it: a view that scanned the whole outcome for
// each host would take hosts × findings.
type hostIndex struct {
	counts    map[string]*hostCounts // by host name, as findings name hosts
	failovers map[*model.Host][]flows.Failover
}

// hostCounts counts a host's findings by severity and its not-evaluated
// checks.
type hostCounts struct {
	errors, warnings, notes, notEvaluated int
}

func (a *Audit) hostIndex() *hostIndex {
	ix := &hostIndex{counts: map[string]*hostCounts{}, failovers: map[*model.Host][]flows.Failover{}}
	for _, f := range a.Outcome.Findings {
		c := ix.of(f.Host)
		switch f.Severity {
		case rules.SeverityError:
			c.errors++
		case rules.SeverityWarning:
			c.warnings++
		case rules.SeverityNote:
			c.notes++
		}
	}
	for _, n := range a.Outcome.NotEvaluated {
		ix.of(n.Host).notEvaluated++
	}
	for _, f := range a.Outcome.Failover {
		ix.failovers[f.FrontEnd] = append(ix.failovers[f.FrontEnd], f)
	}
	return ix
}

// of returns the counts of host, empty ones when it has none.
func (ix *hostIndex) of(host string) *hostCounts {
	c := ix.counts[host]
	if c == nil {
		c = &hostCounts{}
		ix.counts[host] = c
	}
	return c
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
	return jsonLocation{URI: jsonName(l.File), Line: int(l.Line), Column: int(l.Column), Key: l.Key, Value: l.Value, Text: a.locationText(l)}
}

// failoverView is one failover estimate as the outputs show it.
type failoverView struct {
	// Backend and Address are the first of the addresses the estimate
	// holds for.
	Backend string `json:"backend,omitempty"`
	Address string `json:"address"`
	// Addresses are every address the estimate holds for, in address
	// order (Address first): front-ends see most back-ends alike, so one
	// estimate covers many addresses.
	Addresses []string `json:"addresses"`
	Estimate  string   `json:"estimate"`
	Minutes   int      `json:"minutes,omitempty"`
	Why       string   `json:"why"`
	Location  string   `json:"location,omitempty"`
	// Uncertain says why the estimate may be wrong.
	Uncertain string `json:"uncertain,omitempty"`
	// targets are the addresses with their back-ends.
	targets []model.Target
}

// failoverViews renders the failover estimates of one front-end. The
// addresses of estimates that hold for the same addresses (flows shares
// one slice of them) are rendered once, in addrs.
func (a *Audit) failoverViews(fs []flows.Failover, addrs *addressLists) []failoverView {
	var out []failoverView
	for _, f := range fs {
		v := failoverView{Backend: f.Target.Backend, Address: ipText(f.Target.IP), Addresses: addrs.of(f.Targets),
			targets: f.Targets, Estimate: f.Estimate, Minutes: f.Minutes, Why: f.Why, Uncertain: f.Uncertain}
		if !f.Loc.IsZero() {
			v.Location = a.locationText(f.Loc)
		}
		out = append(out, v)
	}
	return out
}

// shownAddresses is how many addresses of an estimate the outputs for
// people list before "and N other addresses" (the JSON lists them all).
const shownAddresses = 3

// addressText names the addresses an estimate holds for, for people:
// "10.0.0.50", "10.0.0.50, 10.0.0.60", "10.0.0.50, 10.0.0.60,
// 10.0.0.70 and 16 other addresses".
func (v failoverView) addressText() string {
	text := strings.Join(v.shown(), ", ")
	if o := v.othersText(); o != "" {
		return text + " " + o
	}
	return text
}

// shown are the addresses the outputs for people list.
func (v failoverView) shown() []string {
	if len(v.Addresses) == 0 {
		if v.Address == "" {
			return []string{v.Backend + " (its virtual addresses are unknown)"}
		}
		return []string{v.Address}
	}
	return v.Addresses[:min(len(v.Addresses), shownAddresses)]
}

// shownBackends names the back-ends that answer on the shown addresses,
// each once: "EXBE01", "EXBE01, EXBE02".
func (v failoverView) shownBackends() string {
	if len(v.targets) == 0 {
		return v.Backend
	}
	var names []string
	for _, t := range v.targets[:min(len(v.targets), shownAddresses)] {
		if t.Backend != "" && !slices.Contains(names, t.Backend) {
			names = append(names, t.Backend)
		}
	}
	return strings.Join(names, ", ")
}

// othersText is "and 16 other addresses" for the addresses not shown, ""
// when all are.
func (v failoverView) othersText() string {
	if n := len(v.Addresses) - shownAddresses; n > 0 {
		return "and " + plural(n, "other address", "other addresses")
	}
	return ""
}

// addressLists renders lists of targets as their addresses, each
// distinct list (by its first element and length) once.
type addressLists struct {
	lists map[addressListKey][]string
}

type addressListKey struct {
	first *model.Target
	n     int
}

func newAddressLists() *addressLists {
	return &addressLists{lists: map[addressListKey][]string{}}
}

func (l *addressLists) of(ts []model.Target) []string {
	if len(ts) == 0 {
		return []string{}
	}
	k := addressListKey{&ts[0], len(ts)}
	if out, ok := l.lists[k]; ok {
		return out
	}
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if t.IP.IsValid() {
			out = append(out, t.IP.String())
		}
	}
	l.lists[k] = out
	return out
}

// ipText is an address as the outputs write it, "" when unknown (a
// back-end whose virtual addresses the exports do not give).
func ipText(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	return ip.String()
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
	out := make([]hostSummary, 0, len(a.Fleet.Hosts))
	ix := a.hostIndex()
	addrs := newAddressLists()
	for _, h := range a.Fleet.Hosts {
		c := ix.of(h.Name)
		hs := hostSummary{Name: h.Name, NameSource: h.NameSource, Role: string(h.Role.Role), RoleDeclared: h.Role.Declared(),
			RoleWhy: roleWhy(h.Role), OS: "unknown", Files: make([]string, 0, len(h.Files)),
			Errors: c.errors, Warnings: c.warnings, Notes: c.notes, NotEvaluated: c.notEvaluated}
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
		hs.Failover = a.failoverViews(ix.failovers[h], addrs)
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
