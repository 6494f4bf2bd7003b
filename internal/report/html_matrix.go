package report

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// The HTML page's host × rule matrix: one row per host, one column per
// rule that ran. A cell is, in this order of precedence:
//
//  1. a finding: the rule reported findings on the host that are not
//     suppressed; the cell shows the worst severity and the count;
//  2. suppressed: the rule's only findings on the host are suppressed by
//     accepted risks;
//  3. not evaluated: the rule could not be checked on the host, or on
//     the whole fleet (a fleet-wide not-evaluated entry covers every host);
//  4. passed: the rule judges hosts of the host's role (rules.Rule.Judges)
//     and reported nothing on it;
//  5. not applicable: the rule does not concern the host (a front-end
//     rule on a back-end, any role-bound rule on a host of unknown role).

// The states of a matrix cell, also its CSS class.
const (
	cellSuppressed   = "suppressed"
	cellNotEvaluated = "notevaluated"
	cellPassed       = "passed"
	cellNA           = "na"
)

type htmlMatrix struct {
	Rules []htmlRuleHead
	Rows  []htmlRow
}

type htmlRuleHead struct {
	ID, Name, Summary, Anchor string
}

type htmlRow struct {
	Anchor, Host, Role string
	HasFindings        bool // an active finding in any cell (for the filter)
	Cells              []htmlCell
}

// htmlCell is one matrix cell.
type htmlCell struct {
	State string // a severity, or one of the cell* states
	Label string // what the cell shows
	Title string // the cell's tooltip: rule, host and the counts
	Href  string // the details: the first finding or not-evaluated entry, or the rule
}

type hostRule struct{ host, rule string }

// cellIndex indexes an outcome by host and rule.
type cellIndex struct {
	findings     map[hostRule][]rules.Finding
	notEvaluated map[hostRule]int
	fleetNE      map[string]bool
	rules        map[string]*rules.Rule
}

func (a *Audit) newCellIndex() *cellIndex {
	ix := &cellIndex{findings: map[hostRule][]rules.Finding{}, notEvaluated: map[hostRule]int{},
		fleetNE: map[string]bool{}, rules: map[string]*rules.Rule{}}
	for _, r := range a.Rules {
		ix.rules[r.ID] = r
	}
	for _, f := range a.Outcome.Findings {
		k := hostRule{f.Host, f.RuleID}
		ix.findings[k] = append(ix.findings[k], f)
	}
	for _, n := range a.Outcome.NotEvaluated {
		if n.Host == "" {
			ix.fleetNE[n.RuleID] = true
			continue
		}
		ix.notEvaluated[hostRule{n.Host, n.RuleID}]++
	}
	return ix
}

// judges reports whether rule concerns hosts of role r.
func (ix *cellIndex) judges(rule string, r model.Role) bool {
	rl := ix.rules[rule]
	if rl == nil {
		return false
	}
	if len(rl.Judges) == 0 {
		return true
	}
	return r != model.RoleUnknown && rl.JudgesRole(r)
}

// judgedText says which roles rule judges.
func (ix *cellIndex) judgedText(rule string) string {
	rl := ix.rules[rule]
	if rl == nil || len(rl.Judges) == 0 {
		return "every host"
	}
	names := make([]string, len(rl.Judges))
	for i, r := range rl.Judges {
		names[i] = roleName(r) + "s"
	}
	return strings.Join(names, " and ")
}

func roleName(r model.Role) string {
	if r == model.RoleUnknown {
		return "unknown"
	}
	return string(r)
}

func (a *Audit) htmlMatrix(ix *cellIndex) htmlMatrix {
	var m htmlMatrix
	for _, r := range a.Rules {
		m.Rules = append(m.Rules, htmlRuleHead{ID: r.ID, Name: r.Name, Summary: r.Summary, Anchor: "#" + ruleAnchor(r.ID)})
	}
	for i, h := range a.Fleet.Hosts {
		row := htmlRow{Anchor: "#" + hostAnchor(i), Host: show(h.Name), Role: roleName(h.Role.Role)}
		for _, r := range a.Rules {
			c := ix.cell(i, h, r)
			if rules.Severity(c.State).Rank() > 0 {
				row.HasFindings = true
			}
			row.Cells = append(row.Cells, c)
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// cell decides the cell of host h (the i-th) and rule r.
func (ix *cellIndex) cell(i int, h *model.Host, r *rules.Rule) htmlCell {
	k := hostRule{h.Name, r.ID}
	scope := hostAnchor(i)
	where := r.ID + " " + r.Name + " on " + show(h.Name) + ": "
	var active []rules.Finding
	for _, f := range ix.findings[k] {
		if f.Suppressed == nil {
			active = append(active, f)
		}
	}
	switch {
	case len(active) > 0:
		worst := active[0].Severity
		for _, f := range active {
			if f.Severity.Rank() > worst.Rank() {
				worst = f.Severity
			}
		}
		c := htmlCell{State: string(worst), Label: fmt.Sprintf("%s %d", worst, len(active)), Href: "#" + findingAnchor(scope, r.ID, 1)}
		c.Title = where + severityCounts(active) + suppressedText(len(ix.findings[k])-len(active))
		return c
	case len(ix.findings[k]) > 0:
		n := len(ix.findings[k])
		return htmlCell{State: cellSuppressed, Label: fmt.Sprintf("suppressed %d", n), Href: "#" + findingAnchor(scope, r.ID, 1),
			Title: where + plural(n, "finding", "findings") + ", all suppressed by accepted risks"}
	case ix.notEvaluated[k] > 0:
		return htmlCell{State: cellNotEvaluated, Label: "not evaluated", Href: "#" + notEvaluatedAnchor(scope, r.ID, 1),
			Title: where + "could not be checked"}
	case ix.fleetNE[r.ID]:
		return htmlCell{State: cellNotEvaluated, Label: "not evaluated", Href: "#" + notEvaluatedAnchor(fleetScope, r.ID, 1),
			Title: where + "could not be checked on the fleet"}
	case ix.judges(r.ID, h.Role.Role):
		return htmlCell{State: cellPassed, Label: "passed", Href: "#" + ruleAnchor(r.ID), Title: where + "checked, nothing found"}
	}
	return htmlCell{State: cellNA, Label: "n/a", Href: "#" + ruleAnchor(r.ID), Title: where + ix.naWhy(r.ID, h.Role.Role)}
}

// naWhy says why rule does not concern hosts of role r.
func (ix *cellIndex) naWhy(rule string, r model.Role) string {
	if r == model.RoleUnknown {
		return "not applicable: the rule judges " + ix.judgedText(rule) + ", and this host's role is unknown (declare it in ipseclint.yaml)"
	}
	return "not applicable: the rule judges " + ix.judgedText(rule) + ", not " + roleName(r) + "s"
}

// severityCounts says "1 error, 2 warnings" for findings fs.
func severityCounts(fs []rules.Finding) string {
	n := map[rules.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range []struct {
		sev       rules.Severity
		one, many string
	}{{rules.SeverityError, "error", "errors"}, {rules.SeverityWarning, "warning", "warnings"}, {rules.SeverityNote, "note", "notes"}} {
		if n[s.sev] > 0 {
			parts = append(parts, plural(n[s.sev], s.one, s.many))
		}
	}
	return strings.Join(parts, ", ")
}

func suppressedText(n int) string {
	if n == 0 {
		return ""
	}
	return " (and " + plural(n, "suppressed finding", "suppressed findings") + ")"
}
