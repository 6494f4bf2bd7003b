package netsh

import (
	"github.com/ipseclint/ipseclint/internal/model"
)

// addPolicy runs `add policy`.
func addPolicy(x *call) {
	name, ok := x.newName("policy", x.store().Policy(x.p.val("name").value) != nil)
	if !ok {
		return
	}
	policySettings(x, x.st.b.newPolicy(name, x.here()))
}

// setPolicy runs `set policy`.
func setPolicy(x *call) {
	pol := findPolicy(x)
	if pol == nil {
		return
	}
	if nn, ok := x.p.get("newname"); ok {
		pol.Name = nn.value
	}
	policySettings(x, pol)
}

// deletePolicy runs `delete policy`.
func deletePolicy(x *call) {
	b := x.st.b
	x.deleteNamed(func(name string) {
		if pol := b.store.Policy(name); pol != nil {
			b.removePolicy(pol)
		}
	}, func() {
		for _, pol := range append([]*model.Policy(nil), b.store.Policies...) {
			b.removePolicy(pol)
		}
	})
}

// findPolicy finds the policy of a set command by name or GUID.
func findPolicy(x *call) *model.Policy {
	s := x.store()
	return lookup(x, "policy", s.Policy, func(p *model.Policy) string { return p.GUID }, s.Policies)
}

func policySettings(x *call, pol *model.Policy) {
	if d, ok := x.p.get("description"); ok {
		pol.Description = d.value
	}
	x.setBool("mmpfs", &pol.MMPFS, nil, "")
	x.setInt("qmpermm", &pol.QMPerMM, parseCount)
	x.setInt("mmlifetime", &pol.MMLifetimeMin, parseMinutes)
	x.setInt("pollinginterval", &pol.PollingIntervalMin, parseMinutes)
	if _, ok := x.p.get("activatedefaultrule"); ok {
		on := pol.ActivateDefaultRule
		x.setBool("activatedefaultrule", &on, nil, "")
		setActivateDefault(pol, on)
	}
	setMethods(x, "mmsecmethods", &pol.MMSecMethods, parseMMMethods, nil)
	if v, ok := x.p.get("assign"); ok {
		on, err := parseBool(v.value)
		if err != nil {
			x.errorf(v.off, "assign: %v", err)
			return
		}
		x.st.assign(pol, on, x.loc(v.tagAt))
	}
}

// setDefaultRule runs `set defaultrule`.
func setDefaultRule(x *call) {
	polName, ok := x.required("policy")
	if !ok {
		return
	}
	pol := x.store().Policy(polName)
	if pol == nil {
		x.warnf(x.at, "set defaultrule: no policy %q earlier in the file; command ignored", polName)
		return
	}
	d := pol.DefaultRule()
	if d == nil {
		return
	}
	if _, ok := x.p.get("activate"); ok {
		on := d.Active
		x.setBool("activate", &on, nil, "")
		setActivateDefault(pol, on)
	}
	x.setBool("qmpfs", &d.FilterAction.QMPFS, nil, "")
	setMethods(x, "qmsecmethods", &d.FilterAction.Methods, parseQMMethods, nil)
	authSettings(x, &d.Auth)
}
