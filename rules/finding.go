package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

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
}

// Report records a finding on host about subject, located at loc.
func (r *Reporter) Report(host *model.Host, subject string, loc model.Location, format string, args ...any) *Finding {
	name := ""
	if host != nil {
		name = host.Name
	}
	r.Findings = append(r.Findings, Finding{
		RuleID: r.rule.ID, RuleName: r.rule.Name, Severity: r.rule.Severity,
		Host: name, Message: fmt.Sprintf(format, args...), Loc: loc, Subject: subject,
		Fingerprint: Fingerprint(r.rule.ID, name, subject),
	})
	return &r.Findings[len(r.Findings)-1]
}

// Skip records that the rule could not be evaluated on host (nil = the
// whole fleet), and why.
func (r *Reporter) Skip(host *model.Host, format string, args ...any) {
	name := ""
	if host != nil {
		name = host.Name
	}
	r.NotEvaluated = append(r.NotEvaluated, NotEvaluated{RuleID: r.rule.ID, Host: name, Reason: fmt.Sprintf(format, args...)})
}

// Fingerprint hashes a finding's identity: rule, host and subject.
func Fingerprint(ruleID, host, subject string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + host + "\x00" + subject))
	return hex.EncodeToString(sum[:16])
}

// Outcome is what every rule said about a fleet.
type Outcome struct {
	Findings     []Finding      `json:"findings"`
	NotEvaluated []NotEvaluated `json:"notEvaluated"`
}

// Run checks the fleet with each rule. A rule that panics is reported as
// not evaluated, never as passed.
func Run(f *model.Fleet, rs []*Rule) Outcome {
	var out Outcome
	p := NewPass(f)
	for _, rule := range rs {
		rep := runOne(p, rule)
		out.Findings = append(out.Findings, rep.Findings...)
		out.NotEvaluated = append(out.NotEvaluated, rep.NotEvaluated...)
	}
	sort.SliceStable(out.Findings, func(i, j int) bool {
		a, b := out.Findings[i], out.Findings[j]
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
