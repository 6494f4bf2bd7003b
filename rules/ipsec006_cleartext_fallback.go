package rules

func init() {
	register(&Rule{
		ID:       "IPSEC006",
		Name:     "cleartext-fallback",
		Severity: SeverityWarning,
		Summary:  "The rule that decides front-end → back-end Exchange traffic allows it in clear: its filter action falls back to clear (soft=yes) or accepts unsecured inbound traffic (inpass=yes).",
		Description: "A filter action that negotiates can still let traffic pass unencrypted. With `soft=yes` (\"Allow unsecured " +
			"communication with non-IPSec-aware computers\") the front-end sends in clear when the back-end does not answer IKE, " +
			"within seconds and silently: a back-end whose policy was unassigned or whose IPSec service stopped receives POP3 and " +
			"IMAP4 passwords in clear. With `inpass=yes` (\"Accept unsecured communication, but always respond using IPSec\") the " +
			"front-end accepts the back-end's packets in clear, so the back-end's replies (the messages themselves) may cross the " +
			"network readable. For each front-end, the rule evaluates the TCP flows to every back-end address on the Exchange ports " +
			"(110, 143, 80, 25, 691) with the assigned policy and fires once per rule that decides one of them by negotiating and " +
			"whose filter action has soft or inpass set. The flags are read as netsh writes them (`soft=`, `inpass=` of `add|set " +
			"filteraction`, or the `show all` listing's labels, of which only part of the English layout is confirmed by a real capture); " +
			"the registry's binary ipsecData, where how \"soft\" is stored is uncertain (MS-GPIPSEC), is not read. The back-end's own inpass and soft are IPSEC010's (it requires " +
			"ESP from the front-ends), so they are not reported here.",
		Remediation: "Clear both flags on the filter action named in the finding, on every front-end (netsh on Windows Server 2003):\n\n```bat\n" +
			"netsh ipsec static set filteraction name=\"Require ESP 3DES\" soft=no inpass=no\n```\n\n" +
			"In the IP Security Policies snap-in: the filter action's Security Methods tab, clear \"Accept unsecured communication, " +
			"but always respond using IPSec\" and \"Allow unsecured communication with non-IPSec-aware computers\".",
		References: []Reference{kb821839, refNetshIPSec, refGPIPSEC},
		Check:      checkCleartextFallback,
	})
}

func checkCleartextFallback(p *Pass, out *Reporter) {
	for _, d := range negotiatingRules(frontEndFlows(p, out, exchangePorts...)) {
		if doubt := d.Action.Doubts.About("soft"); doubt != nil {
			out.Skip(d.Host, "whether filter action %q of rule %q falls back to clear is not established: %s", actionName(d.Action), d.Rule.Name, doubt.Reason)
			continue
		}
		if !d.Action.Soft {
			continue
		}
		loc := d.ActionLoc()
		fd := out.Report(d.Host, d.Subject(), loc,
			"rule %q of policy %q decides %s, and its filter action %q falls back to clear when the back-end does not answer IKE (soft=yes): the front-end, which starts these connections, then sends them in clear%s",
			d.Rule.Name, d.Policy.Name, d.Traffic(), actionName(d.Action), uncertainties(d.Flows))
		fd.Related = d.Related(loc)
		fd.MarkUncertain(d.Uncertain()...)
	}
}
