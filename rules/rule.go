// Package rules holds ipseclint's checks: one file per rule, each with its
// ID, metadata, documentation and check. A rule reads the model (a fleet of
// hosts with their facts, registry and IPSec policies) and reports
// findings, or says why it could not be evaluated. No rule opens a file.
package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// Severity is how serious a finding is. The names are SARIF's levels.
type Severity string

// The severities, from most to least serious.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNote    Severity = "note"
)

// Rank orders severities: error 3, warning 2, note 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityNote:
		return 1
	}
	return 0
}

// ParseSeverity reads a --fail-on value: error, warning, note, or none
// (never fail on findings).
func ParseSeverity(s string) (Severity, error) {
	switch v := Severity(strings.ToLower(strings.TrimSpace(s))); v {
	case SeverityError, SeverityWarning, SeverityNote, "none":
		return v, nil
	}
	return "", fmt.Errorf("unknown severity %q: expected error, warning, note or none", s)
}

// Reference is a document a rule rests on.
type Reference struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// Rule is one check with its documentation.
type Rule struct {
	ID       string   `json:"id"`   // IPSEC001
	Name     string   `json:"name"` // nlbsflags-missing
	Severity Severity `json:"defaultSeverity"`
	// Summary is one sentence: what is wrong when the rule fires.
	Summary string `json:"summary"`
	// Description is one paragraph: why it matters, what exactly is checked,
	// and what is uncertain.
	Description string `json:"description"`
	// Remediation says how to fix it, with the exact .reg or netsh lines,
	// in Markdown.
	Remediation string      `json:"remediation"`
	References  []Reference `json:"references"`
	HelpURI     string      `json:"helpUri,omitempty"`
	// Reads are the registry subtrees the check reads, beyond the host
	// facts (model.FactKeys); parsers keep only what rules read.
	Reads []string `json:"reads,omitempty"`
	// Judges are the roles of the hosts the rule checks (a front-end rule
	// says nothing about a back-end); empty: every host, whatever its
	// role. The HTML matrix shows "passed" or "n/a" from it.
	Judges []model.Role `json:"judges,omitempty"`
	// Keeps are the registry subtrees (and values) the check still reads
	// once the host facts are derived (values, their locations, whether
	// an export covers a key); the audit of a large fleet keeps only
	// these.
	Keeps []model.KeepSpec `json:"-"`
	// Check runs the rule over the fleet.
	Check func(p *Pass, out *Reporter) `json:"-"`

	doc string // the Markdown of rules/docs/<ID>.md
}

// Pass is what the rules of one run share: the fleet, and the analyses
// computed once for all of them (the front-end → back-end flows), which a
// rule reads and never recomputes.
type Pass struct {
	Fleet *model.Fleet
	Flows *flows.Analysis
}

// NewPass computes the shared analyses of fleet f, on GOMAXPROCS
// goroutines.
func NewPass(f *model.Fleet) *Pass { return NewPassWorkers(f, 0) }

// NewPassWorkers computes the shared analyses of fleet f on at most
// workers goroutines (GOMAXPROCS when < 1); the analyses do not depend on
// their number.
func NewPassWorkers(f *model.Fleet, workers int) *Pass {
	return &Pass{Fleet: f, Flows: flows.AnalyzeWorkers(f, workers)}
}

// JudgesRole reports whether the rule checks hosts of role r.
func (r *Rule) JudgesRole(role model.Role) bool {
	return len(r.Judges) == 0 || slices.Contains(r.Judges, role)
}

// Help renders the rule's documentation as Markdown: its document in
// rules/docs.
func (r *Rule) Help() string { return r.doc }

var registered []*Rule

// register adds a rule, with its documentation from rules/docs; each rule
// file calls it from init.
func register(r *Rule) {
	if err := loadDoc(r); err != nil {
		panic(err) // a rule without its document is a programming error, caught by every test
	}
	registered = append(registered, r)
	sort.Slice(registered, func(i, j int) bool { return registered[i].ID < registered[j].ID })
}

// All returns every rule, ordered by ID.
func All() []*Rule {
	return append([]*Rule(nil), registered...)
}

// ByID returns the rule with that ID or name (case-insensitive), or nil.
func ByID(id string) *Rule {
	for _, r := range registered {
		if strings.EqualFold(r.ID, id) || strings.EqualFold(r.Name, id) {
			return r
		}
	}
	return nil
}

// KeyFilter returns the registry subtrees the given rules and the host
// facts read.
func KeyFilter(rs []*Rule) *model.KeyFilter {
	paths := model.FactKeys()
	for _, r := range rs {
		paths = append(paths, r.Reads...)
	}
	return model.NewKeyFilter(paths...)
}

// RetainFilter returns the registry subtrees and the policies that the
// given rules and the shared flow analysis (the IPSec service's start
// type) read once the host facts are derived: audit.Options.Retain for
// an audit, which then lets each host's other registry content and
// policies go.
func RetainFilter(rs []*Rule) *model.Retention {
	specs := []model.KeepSpec{{Key: KeyPolicyAgent, Shallow: true, Values: []string{"Start"}}}
	for _, r := range rs {
		specs = append(specs, r.Keeps...)
	}
	return model.NewRetention(specs...).WithPolicies(policyRead)
}

// policyRead reports whether a rule or the flow analysis reads policy p
// of host h once the facts are derived (which keep the policies they
// point to: the applied ones). An unassigned built-in policy is read by
// none: IPSEC008 leaves the built-in ones out, every other rule reads
// what is applied, and the flow analysis reads the others only for the
// addresses they name (flows.NamesAddresses), which built-in ones do
// not. Every Windows local store holds the three, so a fleet's hosts
// lose a fifth of what they hold.
func policyRead(_ *model.Host, p *model.Policy) bool {
	return p.Assigned || !isBuiltinPolicy(p.GUID, p.Name) || flows.NamesAddresses(p)
}
