package report

import (
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// The methods below are what diff_sarif.go (the diff command's SARIF)
// calls; they wrap the builder. New code builds a log with buildSARIF
// and, for a result or notification of another audit (OLD's, in a
// diff), uses newSARIFBuilder on that audit.

// sarifLog is the audit's SARIF log (buildSARIF's), by value.
func (a *Audit) sarifLog() sarifLog { return *buildSARIF(a) }

// sarifResult is finding f of audit a as a result of a run whose rule f
// has index ruleIndex. Its locations name a's files (artIndex is a's
// artifact index, as the builder makes it: it is not used).
func (a *Audit) sarifResult(f rules.Finding, ruleIndex int, _ map[string]int) sarifResult {
	res := newSARIFBuilder(a).result(f)
	res.RuleIndex = ruleIndex
	return res
}

// fileNotification is the notification of one of a's files that was not
// read completely.
func (a *Audit) fileNotification(f *model.InputFile, _ map[string]int) (sarifNotification, bool) {
	return newSARIFBuilder(a).fileNotification(f)
}
