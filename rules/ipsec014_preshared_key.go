package rules

import (
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC014",
		Name:     "preshared-key-authentication",
		Severity: SeverityWarning,
		Summary:  "A rule that protects front-end ↔ back-end Exchange traffic authenticates IKE with a pre-shared key, which Microsoft recommends against: it is weak, and stored in plain text.",
		Description: "IKE main mode authenticates the two ends before any quick mode protects POP3, IMAP4 or HTTP. With a pre-shared key " +
			"(netsh `psk=`, ipsecpol `-a PRESHARE:`, the snap-in's \"Use this string to protect the key exchange\") every host that " +
			"shares the key can impersonate every other, and the key is stored in clear: in the registry's IPSec policy objects (the " +
			"`ipsecData` of the rule, MS-GPIPSEC §2.2.1.3.1), where anyone who can read `HKLM\\SOFTWARE` reads it, and in readable " +
			"form in Active Directory for a domain policy. Microsoft's Windows Server 2003 help (\"Preshared key authentication\") " +
			"recommends against it except for testing. The rule takes every rule of the effective policy (persistent and assigned, " +
			"from netsh exports or decoded from the registry) that decides a front-end → back-end flow on the Exchange ports (110, " +
			"143, 80, 25, 691) by negotiating, as the front-end's policy sees it and as the back-end's does, and fires once per rule " +
			"whose authentication methods include a pre-shared key. Kerberos and certificate methods listed before the key do not " +
			"help: a peer may choose any method both ends offer. The key itself is never printed, in any output: only that one is " +
			"present and its length.",
		Remediation: "Authenticate with Kerberos (both servers in the same forest, as Exchange front-ends and back-ends are) or " +
			"with certificates, on the front-ends and the back-ends, and remove the key (netsh on Windows Server 2003; name the " +
			"rule and policy as in the finding):\n\n```bat\n" +
			"netsh ipsec static set rule name=\"Encrypt POP3 IMAP4 to BE\" policy=\"Exchange FE-BE\" kerberos=yes psk=\n```\n\n" +
			"In the IP Security Policies snap-in: the rule's Authentication Methods tab, remove \"Preshared key\" and add Kerberos. " +
			"On Windows 2000, the same tab; `ipsecpol -a KERBEROS` when the policy is made with ipsecpol. Then change the key on " +
			"any other system that used it: it was readable by anyone who could read the registry.",
		References: []Reference{refPresharedKey, kb821839, refGPIPSEC},
		Check:      checkPresharedKey,
	})
}

func checkPresharedKey(p *Pass, out *Reporter) {
	for _, d := range negotiatingRules(exchangeFlows(p, out, exchangePorts...)) {
		psk := pskOf(d.Rule)
		if psk == nil {
			continue
		}
		length := ""
		if psk.KeyLength > 0 {
			length = fmt.Sprintf(" (%d characters, not shown)", psk.KeyLength)
		}
		loc := psk.Loc
		if loc.IsZero() {
			loc = d.Rule.Loc
		}
		fd := out.Report(d.Host, d.Subject()+" authentication", loc,
			"%s %s: rule %q of policy %q decides %s and authenticates IKE with a pre-shared key%s, which Microsoft recommends against: it is weak, and stored in plain text in the policy",
			roleName(d.Host), d.Host.Name, d.Rule.Name, d.Policy.Name, d.Traffic(), length)
		fd.Related = d.Related(loc)
		fd.MarkUncertain(d.Uncertain()...)
	}
}

// pskOf returns the rule's pre-shared key method, or nil.
func pskOf(r *model.Rule) *model.AuthMethod {
	for i := range r.Auth {
		if r.Auth[i].Kind == model.AuthPreshared {
			return &r.Auth[i]
		}
	}
	return nil
}
