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
		Summary:  "A back-end's own IPSec policy does not require ESP for POP3 or IMAP4 from a front-end, so a front-end whose IPSec is missing or broken still talks to it in clear.",
		Description: "Encryption between front-end and back-end is only enforced if the back-end refuses clear traffic: when the " +
			"back-end merely accepts IPSec, a front-end whose policy was unassigned, whose IPSec service is stopped, or that was " +
			"added later without a policy sends POP3 and IMAP4 passwords in clear and the back-end answers. KB 821839 gives the " +
			"back-ends a policy that requires ESP from the front-ends. For each back-end, the rule takes its assigned policy and " +
			"evaluates a TCP packet from each front-end address to the back-end (its Exchange virtual addresses, else its own " +
			"addresses; \"me\" matches both) on port 110 and on port 143, as the IPSec driver would. The back-end requires ESP when " +
			"the deciding filter negotiates, offers at least one method with encryption, and its filter action has neither " +
			"`inpass=yes` (accept unsecured communication) nor `soft=yes` (allow unsecured communication with non-IPSec-aware " +
			"computers). The rule fires per front-end address and port when no filter matches, the filter permits, or the action " +
			"offers no encryption or accepts clear; a back-end with no policy assigned is reported once per port. A filter that " +
			"blocks the traffic is not reported (nothing crosses in clear; POP3 and IMAP4 through that front-end are broken). " +
			"The front-end addresses are the front-ends' own addresses from the registry (or ipseclint.yaml) but their NLB cluster " +
			"addresses, since connections to the back-end leave from the dedicated address: a front-end that sends from its " +
			"cluster address would be judged on the wrong source (uncertain for unusual adapter setups). Without the back-end's " +
			"policy contents, or without any front-end address, the rule is not evaluated. Weaker methods offered among encrypting " +
			"ones are left to IPSEC005 and IPSEC007, which judge the front-end's offer.",
		Remediation: "On each back-end (every node of a back-end cluster), assign a policy that requires ESP from the front-ends: " +
			"one mirrored filter per front-end address (10.0.0.11 here) and port, and an action with inpass and soft off:\n\n```bat\n" +
			"netsh ipsec static add policy name=\"Exchange BE\" assign=no mmsecmethods=\"3DES-SHA1-2\"\n" +
			"netsh ipsec static add filterlist name=\"FEs to BE\"\n" +
			"netsh ipsec static add filter filterlist=\"FEs to BE\" srcaddr=10.0.0.11 dstaddr=me protocol=TCP srcport=0 dstport=110 mirrored=yes\n" +
			"netsh ipsec static add filter filterlist=\"FEs to BE\" srcaddr=10.0.0.11 dstaddr=me protocol=TCP srcport=0 dstport=143 mirrored=yes\n" +
			"netsh ipsec static add filteraction name=\"Require ESP 3DES\" qmpfs=no inpass=no soft=no action=negotiate qmsecmethods=\"ESP[3DES,SHA1]\"\n" +
			"netsh ipsec static add rule name=\"Require ESP from FEs\" policy=\"Exchange BE\" filterlist=\"FEs to BE\" filteraction=\"Require ESP 3DES\" kerberos=yes\n" +
			"netsh ipsec static set policy name=\"Exchange BE\" assign=yes\n```\n\n" +
			"If the back-end already has such a rule, add the missing front-end's filters to its filter list, or clear the action's " +
			"flags: `netsh ipsec static set filteraction name=\"Require ESP 3DES\" inpass=no soft=no`.",
		References: []Reference{kb821839, refExchangeFEBE, refNetshIPSec},
		Check:      checkBackendNotRequiring,
	})
}

func checkBackendNotRequiring(p *Pass, out *Reporter) {
	fls := backEndFlows(p, out, 110, 143)
	reportFlows(fls, out, judgeRequired, func(fl flow, peer string, uncertain bool) string {
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
		for _, t := range fl.Match.Ties {
			if t.Rule.FilterAction.InPass {
				return flowUncertain, fmt.Sprintf("rule %q, as specific as the deciding rule %q, accepts clear traffic (inpass=yes); Windows' choice between them is not documented", t.Rule.Name, fl.Match.Rule.Name)
			}
		}
		return flowPasses, ""
	}
	return flowFails, ""
}
