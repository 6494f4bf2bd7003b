package diff

import (
	"slices"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// FindingState says what became of a finding (or a not-evaluated check)
// between OLD and NEW.
type FindingState string

// The finding states.
const (
	// FindingNew: NEW has it, OLD does not.
	FindingNew FindingState = "new"
	// FindingFixed: OLD has it, NEW does not (for a not-evaluated check:
	// NEW could make it).
	FindingFixed FindingState = "fixed"
	// FindingChanged: both have it, with a different severity, message,
	// location or suppression (or, for a not-evaluated check, reason).
	FindingChanged FindingState = "changed"
	// FindingUnchanged: both have it, the same.
	FindingUnchanged FindingState = "unchanged"
)

// BaselineState is the state's SARIF result.baselineState: new,
// unchanged, updated, or absent for a fixed finding.
func (s FindingState) BaselineState() string {
	switch s {
	case FindingNew:
		return "new"
	case FindingFixed:
		return "absent"
	case FindingChanged:
		return "updated"
	}
	return "unchanged"
}

// FindingDiff is one finding on both sides, identified by its
// fingerprint: rule, host and subject, never a line number, so that a
// finding whose evidence moved is the same finding.
type FindingDiff struct {
	State       FindingState `json:"state"`
	Fingerprint string       `json:"fingerprint"`
	RuleID      string       `json:"ruleId"`
	Host        string       `json:"host"`
	Subject     string       `json:"subject"`
	// Old and New are the finding on each side; nil on the side that
	// does not have it.
	Old *rules.Finding `json:"old,omitempty"`
	New *rules.Finding `json:"new,omitempty"`
	// Changed names what differs for a changed finding: "severity",
	// "message", "location", "suppressed".
	Changed []string `json:"changed,omitempty"`
}

// pairFindings pairs the findings of both sides by fingerprint. Two
// findings of one side with the same fingerprint are paired in order
// with those of the other side. dirs are the hosts' folders of each side.
func pairFindings(old, cur []rules.Finding, dirs [2]map[string]string) []FindingDiff {
	type slot struct{ old, cur []int }
	slots := map[string]*slot{}
	var order []string
	at := func(fp string) *slot {
		if s := slots[fp]; s != nil {
			return s
		}
		s := &slot{}
		slots[fp] = s
		order = append(order, fp)
		return s
	}
	for i := range old {
		s := at(old[i].Fingerprint)
		s.old = append(s.old, i)
	}
	for i := range cur {
		s := at(cur[i].Fingerprint)
		s.cur = append(s.cur, i)
	}
	var out []FindingDiff
	for _, fp := range order {
		s := slots[fp]
		for k := 0; k < max(len(s.old), len(s.cur)); k++ {
			var o, n *rules.Finding
			if k < len(s.old) {
				o = &old[s.old[k]]
			}
			if k < len(s.cur) {
				n = &cur[s.cur[k]]
			}
			out = append(out, findingDiff(o, n, dirs))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Subject < b.Subject
	})
	return out
}

func findingDiff(o, n *rules.Finding, dirs [2]map[string]string) FindingDiff {
	f := n
	if f == nil {
		f = o
	}
	d := FindingDiff{Fingerprint: f.Fingerprint, RuleID: f.RuleID, Host: f.Host, Subject: f.Subject, Old: o, New: n}
	switch {
	case o == nil:
		d.State = FindingNew
	case n == nil:
		d.State = FindingFixed
	default:
		d.Changed = findingChanges(hostRelative(o, dirs[0][o.Host]), hostRelative(n, dirs[1][n.Host]))
		d.State = FindingUnchanged
		if len(d.Changed) > 0 {
			d.State = FindingChanged
		}
	}
	return d
}

// hostRelative returns the finding with its host's folder taken out of
// its locations' files and its message, so that a collection compared
// with the same files in another folder or in an archive
// ("after.zip!/EXFE01/system.reg") is the same.
func hostRelative(f *rules.Finding, dir string) *rules.Finding {
	if dir == "" {
		return f
	}
	g := *f
	prefix := dir + "/"
	g.Message = strings.ReplaceAll(g.Message, prefix, "")
	g.Loc.File = strings.TrimPrefix(g.Loc.File, prefix)
	g.Related = make([]model.Location, len(f.Related))
	for i, l := range f.Related {
		l.File = strings.TrimPrefix(l.File, prefix)
		g.Related[i] = l
	}
	return &g
}

// findingChanges names what differs between two findings of one
// identity. Locations are compared by file (within the host's folder)
// and place, so that a value moved to another line is a change worth
// seeing.
func findingChanges(o, n *rules.Finding) []string {
	var out []string
	if o.Severity != n.Severity {
		out = append(out, "severity")
	}
	if o.Message != n.Message {
		out = append(out, "message")
	}
	if o.Loc != n.Loc || !slices.Equal(o.Related, n.Related) {
		out = append(out, "location")
	}
	if (o.Suppressed == nil) != (n.Suppressed == nil) {
		out = append(out, "suppressed")
	}
	return out
}

// Regression reports whether a "no new problems" gate at severity min
// fails on the finding: NEW has it active (not suppressed) at or above
// min, and OLD did not have it active at or above min. A finding that was
// a note and is now an error, or whose accepted risk expired, is one; a
// finding that only moved or was reworded is not. min "none" (any
// severity of rank 0) fails on nothing.
func (f *FindingDiff) Regression(min rules.Severity) bool {
	if min.Rank() == 0 {
		return false
	}
	reaches := func(x *rules.Finding) bool {
		return x != nil && x.Suppressed == nil && x.Severity.Rank() >= min.Rank()
	}
	return reaches(f.New) && !reaches(f.Old)
}

// Regressions are the findings a gate at severity min fails on (see
// FindingDiff.Regression).
func (r *Result) Regressions(min rules.Severity) []FindingDiff {
	var out []FindingDiff
	for i := range r.Findings {
		if r.Findings[i].Regression(min) {
			out = append(out, r.Findings[i])
		}
	}
	return out
}

// NotEvaluatedDiff is one check that could not be made, on both sides,
// identified by rule and host.
type NotEvaluatedDiff struct {
	State  FindingState `json:"state"`
	RuleID string       `json:"ruleId"`
	Host   string       `json:"host,omitempty"`
	// Old and New are the reasons on each side; nil on the side that
	// could make the check.
	Old *rules.NotEvaluated `json:"old,omitempty"`
	New *rules.NotEvaluated `json:"new,omitempty"`
}

// pairNotEvaluated pairs the not-evaluated checks of both sides: first
// those with the same rule, host and reason (unchanged), then the rest of
// one rule and host in order (changed: the reason differs); what is left
// is new or fixed.
func pairNotEvaluated(old, cur []rules.NotEvaluated) []NotEvaluatedDiff {
	exact := map[rules.NotEvaluated][]int{}
	for j := range cur {
		exact[cur[j]] = append(exact[cur[j]], j)
	}
	used := make([]bool, len(cur))
	var out []NotEvaluatedDiff
	var rest []int // OLD's entries without an exact counterpart
	for i := range old {
		q := exact[old[i]]
		if len(q) == 0 {
			rest = append(rest, i)
			continue
		}
		exact[old[i]], used[q[0]] = q[1:], true
		out = append(out, NotEvaluatedDiff{State: FindingUnchanged, RuleID: old[i].RuleID, Host: old[i].Host, Old: &old[i], New: &cur[q[0]]})
	}
	byCheck := map[[2]string][]int{}
	for j := range cur {
		if !used[j] {
			k := [2]string{cur[j].RuleID, cur[j].Host}
			byCheck[k] = append(byCheck[k], j)
		}
	}
	for _, i := range rest {
		d := NotEvaluatedDiff{State: FindingFixed, RuleID: old[i].RuleID, Host: old[i].Host, Old: &old[i]}
		k := [2]string{old[i].RuleID, old[i].Host}
		if q := byCheck[k]; len(q) > 0 {
			byCheck[k], used[q[0]] = q[1:], true
			d.State, d.New = FindingChanged, &cur[q[0]]
		}
		out = append(out, d)
	}
	for j := range cur {
		if !used[j] {
			out = append(out, NotEvaluatedDiff{State: FindingNew, RuleID: cur[j].RuleID, Host: cur[j].Host, New: &cur[j]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].RuleID < out[j].RuleID
	})
	return out
}

// NewNotEvaluated are the checks NEW could not make that OLD could (the
// --fail-on-not-evaluated gate of diff).
func (r *Result) NewNotEvaluated() []NotEvaluatedDiff {
	var out []NotEvaluatedDiff
	for _, d := range r.NotEvaluated {
		if d.State == FindingNew {
			out = append(out, d)
		}
	}
	return out
}
