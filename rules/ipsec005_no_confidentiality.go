package rules

import (
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC005",
		Name:     "no-confidentiality",
		Severity: SeverityError,
		Judges:   []model.Role{model.RoleFrontEnd},
		Check:    checkNoConfidentiality,
	})
}

func checkNoConfidentiality(p *Pass, out *Reporter) {
	for _, d := range negotiatingRules(frontEndFlows(p, out, exchangePorts...)) {
		if why := d.NoMethods(); why != "" {
			out.Skip(d.Host, "%s", why)
			continue
		}
		var weak, doubtful []model.QMMethod
		for _, m := range d.Action.Methods {
			switch {
			case m.Doubt != "":
				doubtful = append(doubtful, m)
			case !m.Confidential():
				weak = append(weak, m)
			}
		}
		if len(weak) == 0 && len(doubtful) == 0 {
			continue
		}
		if why := d.Unread(); why != "" {
			out.Skip(d.Host, "whether rule %q, whose filter action %q offers methods that do not encrypt, decides %s is not established: %s", d.Rule.Name, actionName(d.Action), d.Traffic(), why)
			continue
		}
		var doubts []string
		for _, m := range doubtful {
			doubts = append(doubts, fmt.Sprintf("whether %s encrypts is not established: %s", m.Text, m.Doubt))
		}
		weak = append(weak, doubtful...)
		loc := d.ActionLoc()
		verb := "offers"
		if len(weak) == len(d.Action.Methods) {
			verb = "offers only"
		}
		names := make([]string, len(weak))
		for i, m := range weak {
			names[i] = m.Text
		}
		which := "which does not encrypt: negotiation may settle on it"
		if len(weak) > 1 {
			which = "which do not encrypt: negotiation may settle on them"
		}
		if len(doubtful) > 0 {
			// Not established either way: say "may" (the doubts say why).
			which = "which may not encrypt: negotiation may settle on it"
			if len(weak) > 1 {
				which = "which may not encrypt: negotiation may settle on them"
			}
		}
		fd := out.Report(d.Host, d.Subject(), loc,
			"rule %q of policy %q decides %s, and its filter action %q %s %s, %s and send the traffic readable%s",
			d.Rule.Name, d.Policy.Name, d.Traffic(), actionName(d.Action), verb, joinAnd(names), which, d.Uncertainties())
		fd.Related = d.Related(loc)
		fd.MarkUncertain(d.Uncertain()...)
		fd.MarkUncertain(doubts...)
	}
}
