package rules

import (
	"fmt"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC010",
		Name:     "backend-not-requiring",
		Severity: SeverityWarning,
		Judges:   []model.Role{model.RoleBackEnd},
		Check:    checkBackendNotRequiring,
	})
}

func checkBackendNotRequiring(p *Pass, out *Reporter) {
	reportFlows(backEndFlows(p, out), out, onPorts(judgeRequired, 110, 143), func(fl flow, peer string, uncertain bool) string {
		does := "does not require"
		if uncertain {
			does = "may not require"
		}
		return fmt.Sprintf("back-end %s %s ESP for %s (TCP %d) from %s: %s; a front-end whose own IPSec is missing or broken still gets through without encryption",
			fl.Host.Name, does, portName(fl.Port), fl.Port, peer, describeAcceptance(fl))
	})
}

// judgeRequired judges whether the back-end's policy insists on
// encryption for a flow from a front-end: the deciding filter
// negotiates, offers a method with encryption, and does not accept clear
// traffic from a peer that starts it (inpass). Fallback to clear (soft)
// is the initiator's and does not matter here: the front-end starts the
// connection. A filter that blocks is not reported (nothing crosses in
// clear; POP3 and IMAP4 through that front-end are broken).
func judgeRequired(fl flow) (judgement, string) {
	v, why := fl.Verdict()
	switch {
	case v == flows.Undetermined:
		return flowUnknown, why
	case fl.Match.Outcome == model.MatchBlock && v != flows.Uncertain:
		return flowPasses, ""
	case v == flows.Uncertain:
		return flowUncertain, why
	case v == flows.Encrypted && fl.Match.InPass:
		return flowFails, ""
	case v == flows.Encrypted:
		if why, doubtful := doubtfulPass(fl); doubtful {
			return flowUnknown, why
		}
		for _, t := range fl.Match.Ties {
			if t.Rule.FilterAction.InPass {
				return flowUncertain, fmt.Sprintf("rule %q, as specific as the deciding rule %q, accepts clear traffic (inpass=yes); Windows' choice between them is not documented", t.Rule.Name, fl.Match.Rule.Name)
			}
		}
		return flowPasses, ""
	}
	return flowFails, ""
}
