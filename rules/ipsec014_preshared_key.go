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
		Judges:   []model.Role{model.RoleFrontEnd, model.RoleBackEnd},
		Check:    checkPresharedKey,
	})
}

func checkPresharedKey(p *Pass, out *Reporter) {
	for _, d := range negotiatingRules(exchangeFlows(p, out, exchangePorts...)) {
		psk := pskOf(d.Rule)
		if psk == nil {
			continue
		}
		if why := d.Unread(); why != "" {
			out.Skip(d.Host, "whether rule %q, which authenticates with a pre-shared key, decides %s is not established: %s", d.Rule.Name, d.Traffic(), why)
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
