package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// Finding is one thing a rule found wrong on one host.
type Finding struct {
	RuleID   string   `json:"ruleId"`
	RuleName string   `json:"ruleName"`
	Severity Severity `json:"severity"`
	Host     string   `json:"host"`
	Message  string   `json:"message"`
	// Loc is where to look: the value, key, filter or rule at fault, or the
	// file that lacks it.
	Loc model.Location `json:"location"`
	// Related are further places that explain the finding.
	Related []model.Location `json:"related,omitempty"`
	// Subject names what the finding is about within the host, stable
	// across runs ("NLBSFlags", "tcp/110 -> 10.0.0.50"). With the rule and
	// host it makes the fingerprint.
	Subject string `json:"subject"`
	// Fingerprint identifies the finding across runs: a hash of rule, host
	// and subject, never of line numbers.
	Fingerprint string `json:"fingerprint"`
	// Uncertain says why the verdict may be wrong (filters whose order is
	// not documented, encodings no public source explains); an uncertain
	// finding is a warning at most.
	Uncertain []string `json:"uncertain,omitempty"`
	// Suppressed is set when an accepted risk of the configuration
	// matches the finding (see Accept).
	Suppressed *Suppression `json:"suppressed,omitempty"`
}

// MarkUncertain records why the finding may be wrong, and lowers an
// error to a warning: a verdict that rests on a guess is never a
// confident error.
func (f *Finding) MarkUncertain(reasons ...string) *Finding {
	for _, r := range reasons {
		if r != "" && !slices.Contains(f.Uncertain, r) {
			f.Uncertain = append(f.Uncertain, r)
		}
	}
	if len(f.Uncertain) > 0 && f.Severity == SeverityError {
		f.Severity = SeverityWarning
	}
	return f
}

// NotEvaluated says that a rule could not be checked on a host (or on the
// fleet, when Host is empty), and why: an auditor must see the difference
// between "passed" and "could not check".
type NotEvaluated struct {
	RuleID string `json:"ruleId"`
	Host   string `json:"host,omitempty"`
	Reason string `json:"reason"`
}

// Reporter collects what one rule says about a fleet.
type Reporter struct {
	rule         *Rule
	Findings     []Finding
	NotEvaluated []NotEvaluated
	skipped      map[NotEvaluated]bool
}

// Report records a finding of the rule's severity on host about subject,
// located at loc.
func (r *Reporter) Report(host *model.Host, subject string, loc model.Location, format string, args ...any) *Finding {
	return r.report(r.rule.Severity, host, subject, loc, fmt.Sprintf(format, args...))
}

// Note records a finding of severity note: information an auditor should
// see that is not a defect the rule checks for (evidence that disagrees,
// a setting that proves nothing alone).
func (r *Reporter) Note(host *model.Host, subject string, loc model.Location, format string, args ...any) *Finding {
	return r.report(SeverityNote, host, subject, loc, fmt.Sprintf(format, args...))
}

func (r *Reporter) report(sev Severity, host *model.Host, subject string, loc model.Location, msg string) *Finding {
	name := ""
	if host != nil {
		name = host.Name
	}
	r.Findings = append(r.Findings, Finding{
		RuleID: r.rule.ID, RuleName: r.rule.Name, Severity: sev,
		Host: name, Message: msg, Loc: loc, Subject: subject,
		Fingerprint: Fingerprint(r.rule.ID, name, subject),
	})
	return &r.Findings[len(r.Findings)-1]
}

// Skip records that the rule could not be evaluated on host (nil = the
// whole fleet), and why; the same reason for the same host is recorded
// once.
func (r *Reporter) Skip(host *model.Host, format string, args ...any) {
	name := ""
	if host != nil {
		name = host.Name
	}
	ne := NotEvaluated{RuleID: r.rule.ID, Host: name, Reason: fmt.Sprintf(format, args...)}
	if r.skipped == nil {
		r.skipped = map[NotEvaluated]bool{}
	}
	if !r.skipped[ne] {
		r.skipped[ne] = true
		r.NotEvaluated = append(r.NotEvaluated, ne)
	}
}

// Fingerprint hashes a finding's identity: rule, host and subject.
func Fingerprint(ruleID, host, subject string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + host + "\x00" + subject))
	return hex.EncodeToString(sum[:16])
}

// Outcome is what every rule said about a fleet, and the failover
// estimates of its front-end → clustered back-end pairs.
type Outcome struct {
	Findings     []Finding        `json:"findings"`
	NotEvaluated []NotEvaluated   `json:"notEvaluated"`
	Failover     []flows.Failover `json:"-"`
	// Accepted is what became of each accepted risk (see Accept).
	Accepted []AcceptedStatus `json:"accepted,omitempty"`
	// Disabled are the rules switched off, and by what.
	Disabled []DisabledRule `json:"disabled,omitempty"`
}

// DisabledRule is a rule that did not run, and what switched it off.
type DisabledRule struct {
	ID string `json:"id"`
	// By is "--disable" or the configuration entry's location.
	By string `json:"by"`
}

// Options are how RunWith runs the rules.
type Options struct {
	// Workers bounds how many goroutines analyse the flows (one host at a
	// time each) and run the rules (one rule at a time each): GOMAXPROCS
	// when < 1. The outcome is the same whatever it is.
	Workers int
}

// Run checks the fleet with each rule, on GOMAXPROCS goroutines (see
// RunWith).
func Run(f *model.Fleet, rs []*Rule) Outcome { return RunWith(f, rs, Options{}) }

// RunWith checks the fleet with each rule. A rule that panics is reported
// as not evaluated, never as passed. The rules run at once on
// opts.Workers goroutines, each reading the fleet and the shared
// analyses (never changing them) and reporting into a Reporter of its
// own; their reports are merged in the rules' order, then sorted, so the
// outcome does not depend on the number of workers.
func RunWith(f *model.Fleet, rs []*Rule, opts Options) Outcome {
	var out Outcome
	p := NewPassWorkers(f, opts.Workers)
	reps := make([]*Reporter, len(rs))
	flows.Parallel(len(rs)+1, opts.Workers, func(_, i int) {
		if i == len(rs) {
			out.Failover = p.Flows.Failovers()
			return
		}
		reps[i] = runOne(p, rs[i])
	})
	nf, nn := 0, 0
	for _, rep := range reps {
		nf, nn = nf+len(rep.Findings), nn+len(rep.NotEvaluated)
	}
	var all []Finding // nil when there is none, as when appended one by one
	if nf > 0 {
		all = make([]Finding, 0, nf)
	}
	if nn > 0 {
		out.NotEvaluated = make([]NotEvaluated, 0, nn)
	}
	for _, rep := range reps {
		all = append(all, rep.Findings...)
		out.NotEvaluated = append(out.NotEvaluated, rep.NotEvaluated...)
	}
	out.Findings = sortFindings(all)
	return out
}

// sortFindings returns the findings ordered by host, rule and subject,
// stably (the rule's order within). It sorts their indexes, not the
// findings: moving a Finding costs its size many times over.
func sortFindings(fs []Finding) []Finding {
	if len(fs) == 0 {
		return fs
	}
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		a, b := &fs[i], &fs[j]
		if c := strings.Compare(a.Host, b.Host); c != 0 {
			return c
		}
		if c := strings.Compare(a.RuleID, b.RuleID); c != 0 {
			return c
		}
		return strings.Compare(a.Subject, b.Subject)
	})
	out := make([]Finding, len(fs))
	for k, i := range idx {
		out[k] = fs[i]
	}
	return out
}

func runOne(p *Pass, rule *Rule) (rep *Reporter) {
	rep = &Reporter{rule: rule}
	defer func() {
		if p := recover(); p != nil {
			rep.Findings = nil
			rep.NotEvaluated = []NotEvaluated{{RuleID: rule.ID, Reason: fmt.Sprintf("internal error in the rule: %v (please report it)", p)}}
		}
	}()
	rule.Check(p, rep)
	return rep
}
