package rules

func init() {
	register(&Rule{
		ID:       "IPSEC004",
		Name:     "http-unencrypted",
		Severity: SeverityWarning,
		Summary:  "HTTP (TCP 80) traffic from a front-end to a back-end is not encrypted by IPSec ESP, so the message stream (Outlook Web Access) crosses the network in clear.",
		Description: "An Exchange 2003 front-end proxies Outlook Web Access to the back-end over HTTP on TCP 80, and SSL cannot be used " +
			"between front-end and back-end: every message a user reads or sends through OWA crosses the network readable. (The " +
			"front-end authenticates to the back-end with Kerberos or NTLM where the back-end accepts it, so HTTP does not carry " +
			"passwords in clear the way POP3 and IMAP4 do; it carries the messages.) KB 821839 names encrypting TCP 80 as the second " +
			"step, after POP3 and IMAP4 (IPSEC002). For each " +
			"front-end, the rule takes the assigned IPSec policy (from a netsh dump or listing) and evaluates a TCP packet from the " +
			"front-end to every back-end address on port 80 as the IPSec driver would: the most specific filter of the active rules " +
			"decides. The back-end addresses are found as for IPSEC002 (cluster hive, NLB, backends.virtual_addresses, or a " +
			"non-clustered back-end's own addresses). Each address is reported when no filter matches, the filter permits or blocks " +
			"HTTP, or a tunnel rule ends short of the back-end; a front-end with no policy assigned is reported once. A rule that " +
			"negotiates only methods without encryption is IPSEC005's finding, and a policy that offers encryption among weaker " +
			"methods passes here (IPSEC005 and IPSEC007 judge the methods). Where the evidence cannot tell (a filter on a DNS name or " +
			"on the host's DNS, WINS, DHCP or gateway servers that could decide the traffic, an action that lists no methods), the " +
			"address is not evaluated, with the reason; where two equally specific filters disagree, the finding is a warning marked " +
			"uncertain. Without the assigned policy's contents the rule is not evaluated. It is a warning, not an error as for " +
			"POP3 and IMAP4, because KB 821839 treats HTTP as the second level of protection.",
		Remediation: "On each front-end, add TCP 80 to the filter list of the rule that encrypts POP3 and IMAP4 (one mirrored filter per " +
			"back-end address; replace 10.0.0.50 with the back-end's virtual address), or make a rule for it:\n\n```bat\n" +
			"netsh ipsec static add filter filterlist=\"FE to BE POP3 IMAP4\" srcaddr=me dstaddr=10.0.0.50 protocol=TCP srcport=0 dstport=80 mirrored=yes\n```\n\n" +
			"With no such rule yet:\n\n```bat\n" +
			"netsh ipsec static add filterlist name=\"FE to BE HTTP\"\n" +
			"netsh ipsec static add filter filterlist=\"FE to BE HTTP\" srcaddr=me dstaddr=10.0.0.50 protocol=TCP srcport=0 dstport=80 mirrored=yes\n" +
			"netsh ipsec static add filteraction name=\"Require ESP 3DES\" qmpfs=no inpass=no soft=no action=negotiate qmsecmethods=\"ESP[3DES,SHA1]\"\n" +
			"netsh ipsec static add rule name=\"Encrypt HTTP to BE\" policy=\"Exchange FE-BE\" filterlist=\"FE to BE HTTP\" filteraction=\"Require ESP 3DES\" kerberos=yes\n```\n\n" +
			"Remove any permit rule whose filter is more specific for TCP 80, and give the back-ends a policy that requires ESP from the front-ends on TCP 80.",
		References: []Reference{kb821839, refExchangeFEBE},
		Check:      checkHTTP,
	})
}

func checkHTTP(p *Pass, out *Reporter) {
	flows := frontEndFlows(p, out, 80)
	reportUnprotected(flows, out, "HTTP carries the message stream of Outlook Web Access")
}
