package report

import (
	"io"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/rules"
)

// This file holds what the outputs of `ipseclint diff` share: the Diff
// they print, their registry of formats, and the views of a comparison
// that several of them show. Each format is one file (diff_table.go,
// diff_json.go, diff_sarif.go).

// Diff is a comparison of two audits as the diff outputs show it.
type Diff struct {
	Tool   Tool
	Result *diff.Result
	// Rules are the rules run on both sides.
	Rules []*rules.Rule
	// FailOn is the gate's severity: NEW's findings at or above it that
	// OLD did not have are the regressions the outputs count ("none":
	// no gate).
	FailOn rules.Severity
	View   View
}

// DiffPrinter writes a comparison in one format.
type DiffPrinter interface {
	PrintDiff(w io.Writer, d *Diff) error
}

// DiffFormat is one output format of `ipseclint diff --format`.
type DiffFormat struct {
	Name    string // as --format names it, lower case
	Ext     string
	Printer DiffPrinter
}

var diffFormats []DiffFormat

func registerDiff(f DiffFormat) {
	diffFormats = append(diffFormats, f)
	sort.Slice(diffFormats, func(i, j int) bool { return diffFormats[i].Name < diffFormats[j].Name })
}

// DiffFormats returns the output formats of diff, sorted by name.
func DiffFormats() []DiffFormat { return append([]DiffFormat(nil), diffFormats...) }

// DiffFormatByName returns the diff format of that name (case-insensitive).
func DiffFormatByName(name string) (DiffFormat, bool) {
	for _, f := range diffFormats {
		if strings.EqualFold(f.Name, strings.TrimSpace(name)) {
			return f, true
		}
	}
	return DiffFormat{}, false
}

// DiffFormatNames lists the diff format names, sorted.
func DiffFormatNames() []string {
	out := make([]string, len(diffFormats))
	for i, f := range diffFormats {
		out[i] = f.Name
	}
	return out
}

// oldAudit and newAudit are the two sides as audits, for the views the
// audit outputs already have (locations, host summaries, SARIF results).
func (d *Diff) oldAudit() *Audit { return d.sideAudit(d.Result.Old) }
func (d *Diff) newAudit() *Audit { return d.sideAudit(d.Result.New) }

func (d *Diff) sideAudit(s diff.Side) *Audit {
	return &Audit{Tool: d.Tool, Fleet: s.Fleet, Rules: d.Rules, Outcome: s.Outcome, View: d.View}
}

// regressions are the findings the gate fails on.
func (d *Diff) regressions() []diff.FindingDiff {
	if d.FailOn == "" {
		return nil
	}
	return d.Result.Regressions(d.FailOn)
}

// regression reports whether the gate fails on the finding.
func (d *Diff) regression(f *diff.FindingDiff) bool {
	return d.FailOn != "" && f.Regression(d.FailOn)
}

// changeName names a change for people: `rule "R": filterAction`,
// `NLBSFlags`, `failover to 10.0.0.50: estimate`.
func changeName(c diff.Change) string {
	var parts []string
	switch c.Kind {
	case diff.KindFailover:
		parts = append(parts, "failover to "+c.Object)
	case diff.KindVirtualAddress:
		parts = append(parts, "virtual address "+c.Object)
	case diff.KindPolicyObject:
		parts = append(parts, c.Object)
	default:
		parts = append(parts, kindNames[c.Kind])
	}
	if c.Field != "" && c.Kind != diff.KindNLBSFlags && c.Kind != diff.KindPolicyAgent && c.Kind != diff.KindNoDefaultExempt {
		parts = append(parts, c.Field)
	}
	s := strings.Join(parts, ": ")
	if c.Op != diff.OpChanged {
		s += " (" + string(c.Op) + ")"
	}
	return s
}

var kindNames = map[diff.Kind]string{
	diff.KindOS: "OS", diff.KindRole: "role", diff.KindAddresses: "addresses", diff.KindServerCluster: "server cluster",
	diff.KindNLB: "NLB", diff.KindNLBSFlags: `Oakley\NLBSFlags`, diff.KindPolicyAgent: `PolicyAgent\Start`,
	diff.KindNoDefaultExempt: `IPSEC\NoDefaultExempt`, diff.KindAssignedPolicy: "assigned policy",
}
