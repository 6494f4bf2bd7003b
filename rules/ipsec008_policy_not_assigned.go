package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC008",
		Name:     "policy-not-assigned",
		Severity: SeverityWarning,
		Judges:   []model.Role{model.RoleFrontEnd, model.RoleBackEnd},
		// The built-in policies' keys are not kept: localPolicies leaves
		// them out by their GUID whatever their name, and every Windows
		// local store holds the three.
		Keeps: []model.KeepSpec{{Key: model.KeyIPSecLocal, Subkeys: "ipsecPolicy", Except: builtinPolicyKeys(), Values: []string{"ipsecName"}}},
		Check: checkPolicyNotAssigned,
	})
}

func checkPolicyNotAssigned(p *Pass, out *Reporter) {
	exchangeFlows(p, out) // reports what could not be evaluated
	var pm packetMatcher
	for _, h := range p.Fleet.Hosts {
		if !isExchangeRole(h) {
			continue
		}
		pf := h.Facts.Policy
		switch {
		case pf.Known && pf.Value.State == model.PolicyNone:
			reportUnassignedPolicies(h, p.Flows.OfHost(h), &pm, out)
		case pf.Known && pf.Value.Policy != nil:
			reportInactiveRules(h, pf.Value.Policy, p.Flows.OfHost(h), &pm, out)
		}
	}
}

// storedPolicy is a policy of a host's local store.
type storedPolicy struct {
	Name   string
	Loc    model.Location
	Policy *model.Policy // nil when only the registry names it
}

// localPolicies lists the policies of h's local store but the built-in
// ones: from the netsh exports, then those only the registry names.
func localPolicies(h *model.Host) []storedPolicy {
	var out []storedPolicy
	have := func(name string) bool {
		for _, p := range out {
			if strings.EqualFold(p.Name, name) {
				return true
			}
		}
		return false
	}
	for _, s := range h.IPSec {
		if s.NoData || s.Store != model.StoreLocal {
			continue
		}
		for _, p := range s.Policies {
			if p.Partial || isBuiltinPolicy(p.GUID, p.Name) || have(p.Name) || !complete(p) {
				continue
			}
			out = append(out, storedPolicy{Name: p.Name, Loc: p.Loc, Policy: p})
		}
	}
	for _, sub := range h.Registry.Subkeys(model.KeyIPSecLocal) {
		if len(sub) < len("ipsecPolicy{") || !strings.EqualFold(sub[:len("ipsecPolicy")], "ipsecPolicy") {
			continue
		}
		key := model.KeyIPSecLocal + `\` + sub
		name := sub
		loc := valueLocation(h, key, "ipsecName", h.SoftwareFile())
		if v := h.Registry.Value(key, "ipsecName"); v != nil {
			if s, ok := v.AsString(); ok && strings.TrimSpace(s) != "" {
				name = strings.TrimSpace(s)
			}
		}
		if isBuiltinPolicy(sub[len("ipsecPolicy"):], name) || have(name) {
			continue
		}
		out = append(out, storedPolicy{Name: name, Loc: loc})
	}
	return out
}

func roleName(h *model.Host) string {
	if h.Role.Role == model.RoleBackEnd {
		return "back-end"
	}
	return "front-end"
}

func reportUnassignedPolicies(h *model.Host, flows []flow, pm *packetMatcher, out *Reporter) {
	for _, sp := range localPolicies(h) {
		var would []flow
		if sp.Policy != nil {
			for _, fl := range flows {
				if encrypts(pm.matchPolicy(sp.Policy, fl.Packet())) {
					would = append(would, fl)
				}
			}
		}
		effect := ""
		switch {
		case sp.Policy == nil:
			effect = " (its contents are not in the exports: add the output of `netsh ipsec static dump`)"
		case len(would) > 0:
			effect = "; assigned, it would encrypt " + describeTraffic(would)
			if st := h.Service("PolicyAgent"); st != nil && st.Disputed == "" && st.Start == 4 {
				effect += ", once the IPSec service (PolicyAgent), disabled now, is enabled"
			}
		case len(flows) > 0:
			effect = "; as it stands it would not encrypt the host's Exchange traffic either"
		}
		out.Report(h, fmt.Sprintf("policy %q", sp.Name), sp.Loc,
			"%s %s has no IPSec policy assigned (%s), but its local store holds policy %q, which therefore does nothing%s",
			roleName(h), h.Name, h.Facts.Policy.Via, sp.Name, effect)
	}
}

func reportInactiveRules(h *model.Host, pol *model.Policy, flows []flow, pm *packetMatcher, out *Reporter) {
	for _, r := range pol.Rules {
		if r.Default || r.Active {
			continue
		}
		on, act := withRuleActive(pol, r)
		var would []flow
		var related []model.Location
		maybe := "" // why the active copy may decide a flow, where it may
		for _, fl := range flows {
			if fl.Policy != pol || fl.Encrypted() {
				continue
			}
			m := pm.matchPolicy(on, fl.Packet())
			if m.Rule == act && encrypts(m) {
				would = append(would, fl)
				if m.Filter != nil {
					related = appendLoc(related, m.Filter.Loc)
				}
			} else if why := maybeDecidedBy(m, act); why != "" && maybe == "" {
				maybe = why
			}
		}
		if len(would) == 0 && maybe == "" {
			continue
		}
		if d := r.Doubts.About("active"); d != nil {
			out.Skip(h, "whether rule %q of the assigned policy %q is active was not understood (%s)", r.Name, pol.Name, d.Reason)
			continue
		}
		if len(would) == 0 {
			out.Skip(h, "rule %q of the assigned policy %q is inactive, and what it would do activated is not established (%s)", r.Name, pol.Name, maybe)
			continue
		}
		if r.FilterAction != nil {
			related = appendLoc(related, r.FilterAction.Loc)
		}
		fd := out.Report(h, fmt.Sprintf("rule %q", r.Name), r.Loc,
			"rule %q of the assigned policy %q on %s %s is inactive; activated, it would encrypt %s, which the policy does not encrypt as it stands",
			r.Name, pol.Name, roleName(h), h.Name, describeTraffic(would))
		fd.Related = related
	}
}

// maybeDecidedBy returns why rule r may decide the match m (it is among
// the filters that may match, its effect not established), "" when it is
// not.
func maybeDecidedBy(m model.FilterMatch, r *model.Rule) string {
	for _, c := range m.Maybe {
		if c.Rule == r {
			return c.Why
		}
	}
	return ""
}

// withRuleActive returns a copy of p in which rule r is active, and r's
// active copy.
func withRuleActive(p *model.Policy, r *model.Rule) (*model.Policy, *model.Rule) {
	cp := *p
	cp.Rules = make([]*model.Rule, len(p.Rules))
	var act *model.Rule
	for i, x := range p.Rules {
		cp.Rules[i] = x
		if x == r {
			y := *x
			y.Active = true // the question is what it would do if active: no doubt left about that
			y.Doubts = slices.DeleteFunc(slices.Clone(x.Doubts), func(d model.Doubt) bool { return d.Field == "active" })
			act = &y
			cp.Rules[i] = act
		}
	}
	return &cp, act
}

// complete reports whether a policy's contents are known: a registry
// policy object without its data or its rules is only a name.
func complete(p *model.Policy) bool {
	return p.Doubts.About("object") == nil && p.Doubts.About("rules") == nil
}
