package rules

import (
	"path"
	"time"

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
	for i := range risks {
		r := &risks[i]
		st := AcceptedStatus{Risk: r, Status: AcceptedStale}
		expired := r.Expired(today)
		for j := range out.Findings {
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
	var out []Finding
	for _, f := range o.Findings {
		if f.Suppressed == nil {
			out = append(out, f)
		}
	}
	return out
}
