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
		Judges:   []model.Role{model.RoleFrontEnd},
		Check:    checkWeakCrypto,
	})
}

func checkWeakCrypto(p *Pass, out *Reporter) {
	type polKey struct {
		host *model.Host
		pol  *model.Policy
	}
	var pols []polKey
	polDecisions := map[polKey][]*decision{}
	for _, d := range negotiatingRules(frontEndFlows(p, out, exchangePorts...)) {
		k := polKey{d.Host, d.Policy}
		if _, ok := polDecisions[k]; !ok {
			pols = append(pols, k)
		}
		polDecisions[k] = append(polDecisions[k], d)
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
		if why := d.Unread(); why != "" {
			out.Skip(d.Host, "whether rule %q, whose filter action %q offers weak quick-mode methods, decides %s is not established: %s", d.Rule.Name, actionName(d.Action), d.Traffic(), why)
			continue
		}
		loc := d.ActionLoc()
		fd := out.Report(d.Host, d.Subject()+" quick mode", loc,
			"rule %q of policy %q decides %s, and its filter action %q offers %s in quick mode%s",
			d.Rule.Name, d.Policy.Name, d.Traffic(), actionName(d.Action), strings.Join(weak, ", "), d.Uncertainties())
		fd.Related = d.Related(loc)
		fd.MarkUncertain(d.Uncertain()...)
	}
	for _, k := range pols {
		checkMainMode(k.host, k.pol, polDecisions[k], out)
	}
}

// checkMainMode judges the IKE methods of policy p of host h, whose rules
// decide the flows of ds by negotiating.
func checkMainMode(h *model.Host, p *model.Policy, ds []*decision, out *Reporter) {
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
		p.Name, describeTraffic(decisionFlows(ds)), strings.Join(weak, ", "))
}

// decisionFlows returns the flows of ds, in order.
func decisionFlows(ds []*decision) []flow {
	if len(ds) == 1 {
		return ds[0].Flows()
	}
	var fls []flow
	for _, d := range ds {
		fls = append(fls, d.Flows()...)
	}
	return fls
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
