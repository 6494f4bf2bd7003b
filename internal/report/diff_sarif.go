package report

import (
	"encoding/json"
	"io"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/model"
)

// DiffSARIF writes a comparison as SARIF 2.1.0: NEW's audit as the audit
// SARIF writes it, each result with its baselineState (new, unchanged,
// updated), then OLD's fixed findings as results whose baselineState is
// absent, located in OLD's files (uriBaseId BASELINEROOT). The host
// changes and the totals are the run's properties.
type DiffSARIF struct{}

func init() { registerDiff(DiffFormat{Name: "sarif", Ext: "sarif", Printer: DiffSARIF{}}) }

// baselineBaseID is the uriBaseId of OLD's files.
const baselineBaseID = "BASELINEROOT"

// sarifFingerprintKey is the partialFingerprints key of the audit SARIF.
const sarifFingerprintKey = "ipseclint/v1"

// PrintDiff writes the SARIF log.
func (DiffSARIF) PrintDiff(w io.Writer, d *Diff) error {
	log := d.sarifLog()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func (d *Diff) sarifLog() sarifLog {
	old, cur := d.oldAudit(), d.newAudit()
	log := cur.sarifLog()
	run := &log.Runs[0]
	d.markBaseline(run)
	ruleIndex := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		ruleIndex[r.ID] = i
	}
	oldArt := map[string]int{}
	if old.hasFleet() {
		for i, f := range old.Fleet.Files {
			oldArt[f.Name] = i
		}
		if old.Fleet.Root != "" {
			if run.OriginalURIBaseIDs == nil {
				run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{}
			}
			run.OriginalURIBaseIDs[baselineBaseID] = sarifArtifactLoc{URI: fileURI(old.Fleet.Root) + "/"}
		}
	}
	for i := range d.Result.Findings {
		f := &d.Result.Findings[i]
		idx, ok := ruleIndex[f.RuleID]
		if f.State != diff.FindingFixed || !ok {
			continue // both sides run the same rules: a fixed finding's rule is there
		}
		res := old.sarifResult(*f.Old, idx, oldArt)
		rebaseLocations(res.Locations)
		rebaseLocations(res.RelatedLocations)
		res.BaselineState = f.State.BaselineState()
		res.Properties["diffState"] = string(f.State)
		run.Results = append(run.Results, res)
	}
	d.oldNotifications(run, old, oldArt)
	c := d.Result.Count()
	run.Properties["diff"] = map[string]any{
		"version": DiffJSONVersion, "failOn": string(d.FailOn), "regressions": len(d.regressions()),
		"old": d.Result.Old.Label, "new": d.Result.New.Label, "summary": c, "hostChanges": d.jsonHosts(old, cur),
	}
	return log
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
// notifications located in OLD's files.
func (d *Diff) oldNotifications(run *sarifRun, old *Audit, oldArt map[string]int) {
	if !old.hasFleet() || len(run.Invocations) == 0 {
		return
	}
	inv := &run.Invocations[0]
	for _, f := range old.Fleet.Files {
		n, ok := old.fileNotification(f, oldArt)
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
