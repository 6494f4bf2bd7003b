package rules

func init() {
	register(&Rule{
		ID:       "IPSEC002",
		Name:     "pop3-imap4-unencrypted",
		Severity: SeverityError,
		Summary:  "POP3 (TCP 110) or IMAP4 (TCP 143) traffic from a front-end to a back-end is not encrypted by IPSec ESP, so user passwords cross the network in clear.",
		Description: "Exchange 2003 front-ends proxy POP3 and IMAP4 to the back-end in clear text, with basic authentication: every user's " +
			"password crosses the wire readable, and SSL cannot be used between front-end and back-end. KB 821839 protects this traffic " +
			"with an IPSec policy on the front-end whose rule negotiates ESP with encryption (transport mode). For each front-end, the " +
			"rule takes the assigned IPSec policy (from a netsh dump or listing, assignment confirmed by the registry where present) " +
			"and evaluates a TCP packet from the front-end to every back-end address on port 110 and on port 143 as the IPSec driver " +
			"would: the most specific filter of the active rules decides. The back-end addresses are the virtual addresses of a " +
			"clustered back-end (cluster hive IP Address resources of the Exchange virtual server, NLB cluster IP, or " +
			"backends.virtual_addresses in ipseclint.yaml) and the own addresses of a back-end that is not clustered. Each port and " +
			"address is reported separately when no filter matches, the filter permits or blocks, or the action offers no method with " +
			"encryption (AH only, or ESP with cipher None). A policy that offers encryption among weaker methods passes here and is " +
			"reported by the rules on security methods. Without a netsh export of the assigned policy's contents the rule is not evaluated.",
		Remediation: "On each front-end, assign a policy with a rule whose filters cover front-end → back-end TCP 110 and 143 " +
			"(mirrored) and whose action requires ESP with 3DES. With netsh on Windows Server 2003 (replace 10.0.0.50 with the " +
			"back-end's virtual address; add one filter per address):\n\n```bat\n" +
			"netsh ipsec static add policy name=\"Exchange FE-BE\" assign=no\n" +
			"netsh ipsec static add filterlist name=\"FE to BE POP3 IMAP4\"\n" +
			"netsh ipsec static add filter filterlist=\"FE to BE POP3 IMAP4\" srcaddr=me dstaddr=10.0.0.50 protocol=TCP srcport=0 dstport=110 mirrored=yes\n" +
			"netsh ipsec static add filter filterlist=\"FE to BE POP3 IMAP4\" srcaddr=me dstaddr=10.0.0.50 protocol=TCP srcport=0 dstport=143 mirrored=yes\n" +
			"netsh ipsec static add filteraction name=\"Require ESP 3DES\" qmpfs=no inpass=no soft=no action=negotiate qmsecmethods=\"ESP[3DES,SHA1]\"\n" +
			"netsh ipsec static add rule name=\"Encrypt POP3 IMAP4 to BE\" policy=\"Exchange FE-BE\" filterlist=\"FE to BE POP3 IMAP4\" filteraction=\"Require ESP 3DES\" kerberos=yes\n" +
			"netsh ipsec static set policy name=\"Exchange FE-BE\" assign=yes\n```\n\n" +
			"Give the back-ends a matching policy that requires ESP inbound on 110 and 143 from the front-ends.",
		References: []Reference{kb821839, refFilterOrdering, refAssignLocally, refNLBDedicatedIP},
		Check:      checkPOP3IMAP4,
	})
}

func checkPOP3IMAP4(p *Pass, out *Reporter) {
	flows := frontEndFlows(p, out, 110, 143)
	reportUnprotected(flows, out, "POP3 and IMAP4 carry user passwords with basic authentication")
}
