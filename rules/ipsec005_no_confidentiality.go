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
		Summary:  "The rule that decides front-end → back-end Exchange traffic offers a security method without encryption (AH, or ESP with cipher None), which negotiation may settle on.",
		Description: "IPSec only hides POP3 and IMAP4 passwords and the message stream when the negotiated quick-mode method is ESP with " +
			"a cipher: AH and ESP with cipher None authenticate packets but leave them readable. A filter action offers its methods " +
			"in order and the two ends settle on the first one both accept, so a method without encryption anywhere in the list is " +
			"used whenever the peer prefers or only accepts it (a back-end left with an AH-only action, say). For each front-end, " +
			"the rule evaluates the TCP flows to every back-end address on the Exchange ports (110 POP3, 143 IMAP4, 80 HTTP, 25 " +
			"SMTP, 691 link state) with the assigned policy, takes each rule that decides one of them by negotiating (the most " +
			"specific filter of the active rules wins, so a broad rule overridden by a more specific one is not judged), and fires " +
			"once per rule whose filter action lists a method without encryption: AH, AH+ESP with cipher None, or ESP with cipher " +
			"None. A method is used only when both ends offer it, so the front-end's offer bounds what can be negotiated; the " +
			"back-end's own offers are therefore not judged here (IPSEC010 judges what the back-end requires). A filter action that " +
			"lists no method in the export (netsh's defaults apply, which ipseclint does not know) is reported as not evaluated. " +
			"Flows that are not negotiated at all are IPSEC002's and IPSEC004's.",
		Remediation: "Offer only ESP with 3DES in the filter action (replace the action's name with the one named in the finding), on " +
			"the front-ends and the back-ends:\n\n```bat\n" +
			"netsh ipsec static set filteraction name=\"Require ESP 3DES\" qmsecmethods=\"ESP[3DES,SHA1]\"\n```\n\n" +
			"If the action is shared with rules that must keep AH (traffic to domain controllers, say), make a new action for the " +
			"Exchange rule instead:\n\n```bat\n" +
			"netsh ipsec static add filteraction name=\"Require ESP 3DES\" qmpfs=no inpass=no soft=no action=negotiate qmsecmethods=\"ESP[3DES,SHA1]\"\n" +
			"netsh ipsec static set rule name=\"Encrypt POP3 IMAP4 to BE\" policy=\"Exchange FE-BE\" filteraction=\"Require ESP 3DES\"\n```",
		References: []Reference{kb821839, refNetshIPSec},
		Check:      checkNoConfidentiality,
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
		fd := out.Report(d.Host, d.Subject(), loc,
			"rule %q of policy %q decides %s, and its filter action %q %s %s, %s and send the traffic readable%s",
			d.Rule.Name, d.Policy.Name, d.Traffic(), actionName(d.Action), verb, joinAnd(names), which, uncertainties(d.Flows))
		fd.Related = d.Related(loc)
		fd.MarkUncertain(d.Uncertain()...)
		fd.MarkUncertain(doubts...)
	}
}
