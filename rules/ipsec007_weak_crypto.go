package rules

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC007",
		Name:     "weak-crypto",
		Severity: SeverityWarning,
		Summary:  "The IPSec policy protecting front-end → back-end Exchange traffic offers DES or MD5, in quick mode (the data) or main mode (IKE).",
		Description: "DES (56-bit keys) can be broken by exhaustive search and MD5 has practical collisions; netsh's own help on Windows " +
			"Server 2003 calls both \"not recommended, backward compatibility only\". Windows Server 2003 offers 3DES and SHA1 instead " +
			"(it has no AES). Since the two ends settle on the first method both accept, a weak method anywhere in the list is used " +
			"whenever the peer prefers or only accepts it. For each front-end, the rule evaluates the TCP flows to every back-end " +
			"address on the Exchange ports (110, 143, 80, 25, 691) with the assigned policy and judges each rule that decides one of " +
			"them by negotiating: it fires once per rule whose filter action offers a quick-mode method with cipher DES or integrity " +
			"MD5 (ESP or AH), and once per policy whose main-mode (IKE) methods (`mmsecmethods`) use DES or MD5, since main mode " +
			"protects the keys of every quick mode. Diffie-Hellman group 1 (768-bit) is not judged. A method is used only when both " +
			"ends offer it, so the front-end's offer bounds what can be negotiated and the back-end's offers are not judged. When the " +
			"export lists no quick-mode or main-mode methods, netsh's defaults apply; those are not documented in the sources " +
			"ipseclint rests on, so that part is reported as not evaluated rather than guessed.",
		Remediation: "Offer only 3DES with SHA1, in quick mode on the filter action and in main mode on the policy (names as in the " +
			"finding), on the front-ends and the back-ends alike:\n\n```bat\n" +
			"netsh ipsec static set filteraction name=\"Require ESP 3DES\" qmsecmethods=\"ESP[3DES,SHA1]\"\n" +
			"netsh ipsec static set policy name=\"Exchange FE-BE\" mmsecmethods=\"3DES-SHA1-2\"\n```\n\n" +
			"Change both ends before a peer that only offers DES or MD5 stops negotiating: a method is used only when both ends offer it.",
		References: []Reference{kb821839, refNetshIPSec},
		Check:      checkWeakCrypto,
	})
}

func checkWeakCrypto(p *Pass, out *Reporter) {
	type polKey struct {
		host *model.Host
		pol  *model.Policy
	}
	var pols []polKey
	polFlows := map[polKey][]flow{}
	for _, d := range negotiatingRules(frontEndFlows(p, out, exchangePorts...)) {
		k := polKey{d.Host, d.Policy}
		if _, ok := polFlows[k]; !ok {
			pols = append(pols, k)
		}
		polFlows[k] = append(polFlows[k], d.Flows...)
		if why := d.NoMethods(); why != "" {
			out.Skip(d.Host, "quick mode not checked: %s", why)
			continue
		}
		var weak []string
		for _, m := range d.Action.Methods {
			if w := weakQM(m); w != "" {
				weak = append(weak, m.Text+" ("+w+")")
			}
		}
		if len(weak) == 0 {
			continue
		}
		loc := d.ActionLoc()
		fd := out.Report(d.Host, d.Subject()+" quick mode", loc,
			"rule %q of policy %q decides %s, and its filter action %q offers %s in quick mode%s",
			d.Rule.Name, d.Policy.Name, d.Traffic(), actionName(d.Action), strings.Join(weak, ", "), uncertainties(d.Flows))
		fd.Related = d.Related(loc)
		fd.MarkUncertain(d.Uncertain()...)
	}
	for _, k := range pols {
		checkMainMode(k.host, k.pol, polFlows[k], out)
	}
}

// checkMainMode judges the IKE methods of policy p of host h, which
// negotiates flows.
func checkMainMode(h *model.Host, p *model.Policy, flows []flow, out *Reporter) {
	if len(p.MMSecMethods) == 0 {
		out.Skip(h, "main mode not checked: policy %q lists no main-mode security method (mmsecmethods) in the export; netsh's defaults then apply, and ipseclint does not know them", p.Name)
		return
	}
	var weak []string
	for _, m := range p.MMSecMethods {
		if w := weakAlgs(m.Cipher, m.Integrity); w != "" {
			weak = append(weak, m.Text+" ("+w+")")
		}
	}
	if len(weak) == 0 {
		return
	}
	out.Report(h, fmt.Sprintf("policy %q main mode", p.Name), p.Loc,
		"policy %q, which negotiates IPSec for %s, offers %s in main mode (IKE), which protects the keys of every quick mode",
		p.Name, describeTraffic(flows), strings.Join(weak, ", "))
}

// weakQM names the weak algorithms of a quick-mode method, or "".
func weakQM(m model.QMMethod) string {
	var ws []string
	if strings.EqualFold(m.AH, model.AlgMD5) {
		ws = append(ws, "AH MD5")
	}
	if m.ESP != nil {
		if w := weakAlgs(m.ESP.Cipher, m.ESP.Integrity); w != "" {
			ws = append(ws, "ESP "+w)
		}
	}
	return strings.Join(ws, ", ")
}

// weakAlgs names DES and MD5 among a cipher and an integrity algorithm.
func weakAlgs(cipher, integrity string) string {
	var ws []string
	if strings.EqualFold(cipher, model.AlgDES) {
		ws = append(ws, "DES")
	}
	if strings.EqualFold(integrity, model.AlgMD5) {
		ws = append(ws, "MD5")
	}
	return strings.Join(ws, ", ")
}
