package rules

import "github.com/ipseclint/ipseclint/internal/model"

func init() {
	register(&Rule{
		ID:       "IPSEC006",
		Name:     "cleartext-fallback",
		Severity: SeverityWarning,
		Judges:   []model.Role{model.RoleFrontEnd},
		Check:    checkCleartextFallback,
	})
}

func checkCleartextFallback(p *Pass, out *Reporter) {
	for _, d := range negotiatingRules(frontEndFlows(p, out, exchangePorts...)) {
		doubt := d.Action.Doubts.About("soft")
		if why := d.Unread(); why != "" && (d.Action.Soft || doubt != nil) {
			out.Skip(d.Host, "whether rule %q decides %s, with a filter action %q that may fall back to clear, is not established: %s", d.Rule.Name, d.Traffic(), actionName(d.Action), why)
			continue
		}
		if doubt != nil {
			out.Skip(d.Host, "whether filter action %q of rule %q falls back to clear is not established: %s", actionName(d.Action), d.Rule.Name, doubt.Reason)
			continue
		}
		if !d.Action.Soft {
			continue
		}
		loc := d.ActionLoc()
		fd := out.Report(d.Host, d.Subject(), loc,
			"rule %q of policy %q decides %s, and its filter action %q falls back to clear when the back-end does not answer IKE (soft=yes): the front-end, which starts these connections, then sends them in clear%s",
			d.Rule.Name, d.Policy.Name, d.Traffic(), actionName(d.Action), d.Uncertainties())
		fd.Related = d.Related(loc)
		fd.MarkUncertain(d.Uncertain()...)
	}
}
