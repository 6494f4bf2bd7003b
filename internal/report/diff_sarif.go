package report

import (
	"io"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/model"
)

// DiffSARIF writes a comparison as SARIF 2.1.0: NEW's audit as the audit
// SARIF writes it, each result with its baselineState (new, unchanged,
// updated), then OLD's fixed findings as results whose baselineState is
// absent, located in OLD's files (uriBaseId BASELINEROOT, left undefined
// in originalUriBaseIds: OLD's absolute path is the auditor's, and the
// run's properties name OLD as it was given). The host changes and the
// totals are the run's properties. GitHub's limits apply to the whole
// run, absent results included.
type DiffSARIF struct{}

func init() { registerDiff(DiffFormat{Name: "sarif", Ext: "sarif", Printer: DiffSARIF{}}) }

// baselineBaseID is the uriBaseId of OLD's files.
const baselineBaseID = "BASELINEROOT"

// sarifFingerprintKey is the partialFingerprints key of the audit SARIF.
const sarifFingerprintKey = "ipseclint/v1"

// PrintDiff writes the SARIF log.
func (DiffSARIF) PrintDiff(w io.Writer, d *Diff) error {
	log := d.sarifLog()
	return writeSARIF(w, &log) // as Print writes a log: streamed, terminal-safe
}

func (d *Diff) sarifLog() sarifLog {
	old, cur := d.oldAudit(), d.newAudit()
	log := buildSARIF(cur)
	run := &log.Runs[0]
	d.markBaseline(run)
	ruleIndex := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		ruleIndex[r.ID] = i
	}
	var ob *sarifBuilder
	if old.hasFleet() {
		ob = newSARIFBuilder(old)
	}
	for i := range d.Result.Findings {
		f := &d.Result.Findings[i]
		idx, ok := ruleIndex[f.RuleID]
		if f.State != diff.FindingFixed || !ok || ob == nil {
			continue // both sides run the same rules: a fixed finding's rule is there
		}
		res := ob.result(*f.Old)
		res.RuleIndex = idx
		rebaseLocations(res.Locations)
		rebaseLocations(res.RelatedLocations)
		res.BaselineState = f.State.BaselineState()
		res.Properties["diffState"] = string(f.State)
		run.Results = append(run.Results, res)
	}
	d.oldNotifications(run, ob)
	if len(run.Invocations) > 0 {
		if cut := applySARIFLimits(run, &run.Invocations[0], sarifLimitsInUse); cut != nil {
			run.Properties["resultsCut"] = addCut(run.Properties["resultsCut"], cut)
		}
	}
	c := d.Result.Count()
	run.Properties["diff"] = map[string]any{
		"version": DiffJSONVersion, "failOn": string(d.FailOn), "regressions": len(d.regressions()),
		"old": d.Result.Old.Label, "new": d.Result.New.Label, "summary": c, "hostChanges": d.jsonHosts(old, cur),
	}
	return *log
}

// addCut adds a second cut (of the diff's whole run) to the first (of
// NEW's results, made by buildSARIF), if there was one.
func addCut(prev any, cut *sarifCut) *sarifCut {
	p, ok := prev.(*sarifCut)
	if !ok || p == nil {
		return cut
	}
	sum := &sarifCut{Kept: cut.Kept, Left: p.Left + cut.Left, BySeverity: map[string]int{}, Reason: cut.Reason}
	for _, m := range []map[string]int{p.BySeverity, cut.BySeverity} {
		for k, v := range m {
			sum.BySeverity[k] += v
		}
	}
	return sum
}

// markBaseline gives each of NEW's results its baselineState, pairing
// results and findings by fingerprint in order.
func (d *Diff) markBaseline(run *sarifRun) {
	byFP := map[string][]*diff.FindingDiff{}
	for i := range d.Result.Findings {
		if f := &d.Result.Findings[i]; f.New != nil {
			byFP[f.Fingerprint] = append(byFP[f.Fingerprint], f)
		}
	}
	for i := range run.Results {
		res := &run.Results[i]
		fp := res.PartialFingerprints[sarifFingerprintKey]
		q := byFP[fp]
		if len(q) == 0 {
			continue
		}
		f := q[0]
		byFP[fp] = q[1:]
		res.BaselineState = f.State.BaselineState()
		res.Properties["diffState"] = string(f.State)
		if len(f.Changed) > 0 {
			res.Properties["changed"] = f.Changed
		}
		if d.regression(f) {
			res.Properties["regression"] = true
		}
	}
}

// oldNotifications adds OLD's files that were not read completely as
// notifications located in OLD's files (ob builds them; nil without OLD).
func (d *Diff) oldNotifications(run *sarifRun, ob *sarifBuilder) {
	if ob == nil || len(run.Invocations) == 0 {
		return
	}
	inv := &run.Invocations[0]
	for _, f := range ob.a.Fleet.Files {
		n, ok := ob.fileNotification(f)
		if !ok {
			continue
		}
		rebaseLocations(n.Locations)
		n.Message.Text = "OLD " + n.Message.Text
		if n.Properties == nil {
			n.Properties = map[string]any{}
		}
		n.Properties["side"] = "old"
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
		if f.Status == model.StatusFailed {
			inv.ExecutionSuccessful = false
		}
	}
}

// rebaseLocations points locations made for OLD's audit at OLD's root,
// and drops their artifact indexes, which name OLD's files and not the
// run's artifacts (NEW's).
func rebaseLocations(locs []sarifLocation) {
	for i := range locs {
		p := locs[i].PhysicalLocation
		if p == nil {
			continue
		}
		if p.ArtifactLocation.URIBaseID == rootBaseID {
			p.ArtifactLocation.URIBaseID = baselineBaseID
		}
		p.ArtifactLocation.Index = nil
	}
}
