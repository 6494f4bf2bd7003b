package rules

import (
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Suppression says that an accepted risk of the configuration matches a
// finding: the finding is reported as suppressed, never dropped.
type Suppression struct {
	Reason  string         `json:"reason"`
	Ticket  string         `json:"ticket,omitempty"`
	Expires string         `json:"expires,omitempty"`
	Loc     model.Location `json:"location"` // the accepted entry
}

// The states of an accepted risk after an audit.
const (
	AcceptedActive  = "active"  // it suppresses at least one finding
	AcceptedExpired = "expired" // its expires day has come: it suppresses nothing
	AcceptedStale   = "stale"   // it matches no finding: fixed, or the entry is wrong
)

// AcceptedStatus is what became of one accepted risk.
type AcceptedStatus struct {
	Risk   *model.AcceptedRisk `json:"-"`
	Status string              `json:"status"`
	// Matched counts the findings the entry matches (suppressed when
	// active; left as they are when expired).
	Matched int `json:"matched"`
}

// Accept applies the accepted risks to the outcome: a finding matched by
// an entry that has not expired is marked suppressed with the entry's
// reason; every entry gets its status (active, expired, stale). An
// entry's identity is rule + host + subject (a host by ComputerName or
// folder name, or "*"), never a line number or file, so that a re-export
// keeps it and a fixed finding cannot hide another host's.
func Accept(out *Outcome, f *model.Fleet, risks []model.AcceptedRisk, today time.Time) {
	folders := map[string]string{}
	for _, h := range f.Hosts {
		folders[h.Name] = path.Base(h.Dir)
	}
	out.Accepted = nil
	ix := indexFindings(out.Findings, folders)
	for i := range risks {
		r := &risks[i]
		st := AcceptedStatus{Risk: r, Status: AcceptedStale}
		expired := r.Expired(today)
		for _, j := range ix.candidates(r) {
			fd := &out.Findings[j]
			if !r.Matches(fd.RuleID, fd.Subject, fd.Host, folders[fd.Host]) {
				continue
			}
			st.Matched++
			if !expired && fd.Suppressed == nil {
				fd.Suppressed = &Suppression{Reason: r.Reason, Ticket: r.Ticket, Expires: r.Expires, Loc: r.Loc}
			}
		}
		switch {
		case expired:
			st.Status = AcceptedExpired
		case st.Matched > 0:
			st.Status = AcceptedActive
		}
		out.Accepted = append(out.Accepted, st)
	}
}

// findingIndex lists the findings (their indexes, in order) of each rule,
// and of each rule and host name (the finding's host, its folder's name)
// as foldKey folds it: an accepted risk is compared with the findings it
// can match only, not with every finding, so that accepting thousands of
// findings (--write-accepted) does not cost thousands times thousands of
// comparisons. AcceptedRisk.Matches still decides.
type findingIndex struct {
	byRule map[string][]int
	byHost map[[2]string][]int
}

func indexFindings(fs []Finding, folders map[string]string) findingIndex {
	ix := findingIndex{byRule: map[string][]int{}, byHost: map[[2]string][]int{}}
	for j := range fs {
		fd := &fs[j]
		ix.byRule[fd.RuleID] = append(ix.byRule[fd.RuleID], j)
		host, folder := foldKey(fd.Host), foldKey(folders[fd.Host])
		ix.addHost(fd.RuleID, host, j)
		if folder != host && folders[fd.Host] != "" {
			ix.addHost(fd.RuleID, folder, j)
		}
	}
	return ix
}

func (ix findingIndex) addHost(rule, key string, j int) {
	k := [2]string{rule, key}
	ix.byHost[k] = append(ix.byHost[k], j)
}

// candidates returns, in order, the findings r may match: those of its
// rule, and of its host unless it names every host ("*").
func (ix findingIndex) candidates(r *model.AcceptedRisk) []int {
	if r.Host == "*" {
		return ix.byRule[r.Rule.ID]
	}
	return ix.byHost[[2]string{r.Rule.ID, foldKey(r.Host)}]
}

// foldKey maps each rune of s to the least rune of its case-folding orbit
// (unicode.SimpleFold), so that strings.EqualFold(a, b) implies
// foldKey(a) == foldKey(b).
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		least := c
		for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// ApplySeverity sets the severity rules.severity gives a rule on its
// findings; an uncertain finding stays a warning at most.
func ApplySeverity(out *Outcome, severityOf func(ruleID string) (Severity, bool)) {
	for i := range out.Findings {
		fd := &out.Findings[i]
		sev, ok := severityOf(fd.RuleID)
		if !ok {
			continue
		}
		if len(fd.Uncertain) > 0 && sev.Rank() > SeverityWarning.Rank() {
			sev = SeverityWarning
		}
		fd.Severity = sev
	}
}

// Active returns the findings that are not suppressed.
func (o *Outcome) Active() []Finding {
	n := 0
	for i := range o.Findings {
		if o.Findings[i].Suppressed == nil {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Finding, 0, n) // of its length: a fleet has thousands
	for _, f := range o.Findings {
		if f.Suppressed == nil {
			out = append(out, f)
		}
	}
	return out
}
