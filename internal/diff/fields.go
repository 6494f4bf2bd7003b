package diff

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// This file renders each audited fact of a host as the fields of an
// object: the values the comparison sees, with their evidence.

func osFields(f model.Fact[model.OSInfo]) []field {
	family := factValue(f, func(o model.OSInfo) string { return orUnknown(string(o.Family)) })
	sp := factValue(f, func(o model.OSInfo) string { return orNone(o.ServicePack) })
	build := factValue(f, func(o model.OSInfo) string { return orUnknown(strings.TrimSpace(o.Version + " " + o.Build)) })
	return []field{{name: "family", v: family}, {name: "servicePack", v: sp}, {name: "build", v: build}}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// roleFields are the role and how it was established; a declared role's
// evidence is the host's entry in the configuration.
func roleFields(h *model.Host) []field {
	var loc model.Location
	if h.Role.Declared() && h.Config != nil {
		loc = h.Config.RoleLoc
		if loc.IsZero() {
			loc = h.Config.Loc
		}
	}
	role := Value{Text: orUnknown(string(h.Role.Role)), Detail: h.Role.Why, Loc: loc}
	basis := Value{Text: string(h.Role.Basis), Detail: h.Role.Why, Loc: loc}
	if h.Role.Weak {
		basis.Text += " (weak evidence)"
	}
	return []field{{name: "role", v: role}, {name: "basis", v: basis}}
}

// clusterFields are the server-cluster membership and, from a cluster
// hive, the cluster's nodes.
func clusterFields(f *model.HostFacts) []field {
	node := factValue(f.ClusterNode, func(b bool) string { return fmt.Sprint(b) })
	nodes := Value{Text: "(no cluster hive)"}
	if f.Cluster != nil {
		nodes = Value{Text: orNone(strings.Join(f.Cluster.Nodes, ", ")), Loc: node.Loc}
	}
	return []field{{name: "node", v: node}, {name: "nodes", v: nodes}}
}

// virtualObjects are the virtual addresses the host answers on, one
// object each.
func virtualObjects(vs []model.VirtualAddress) []object {
	var out []object
	seen := map[string]bool{}
	for _, v := range vs {
		name := v.IP.String()
		if seen[name] {
			continue // an address both the cluster hive and NLB name: the first
		}
		seen[name] = true
		val := func(s string) Value { return Value{Text: orNone(s), Loc: v.Loc} }
		out = append(out, object{kind: KindVirtualAddress, name: name, fields: []field{
			{name: "origin", v: val(v.Origin)}, {name: "mask", v: val(v.Mask)}, {name: "resource", v: val(v.Resource)},
			{name: "group", v: val(v.Group)}, {name: "exchange", v: val(fmt.Sprint(v.Exchange))},
		}})
	}
	return out
}

// nlbsFlags is Oakley\NLBSFlags as the registry holds it in the current
// control set (and elsewhere, when only another set has it).
func nlbsFlags(f model.Fact[model.NLBSFlagsInfo]) Value {
	return factValue(f, func(n model.NLBSFlagsInfo) string {
		if n.Value == nil && n.Elsewhere != nil {
			return fmt.Sprintf("(absent; %s in %s)", n.Elsewhere.Display(), n.Elsewhere.Loc.Key)
		}
		return n.Value.Display()
	})
}

// policyAgentStart is the IPSec service's start type.
func policyAgentStart(h *model.Host) Value {
	st := h.Service("PolicyAgent")
	switch {
	case st != nil && st.Start >= 0:
		return Value{Text: fmt.Sprintf("%s (%d)", model.StartName(st.Start), st.Start), Loc: st.Loc}
	case st != nil:
		v := h.Registry.Value(rules.KeyPolicyAgent, "Start")
		if v == nil {
			return Value{Text: "(absent)", Detail: "Services\\PolicyAgent has no Start value", Loc: st.Loc}
		}
		return Value{Text: v.Display(), Detail: "not a REG_DWORD", Loc: st.Loc}
	}
	if v, unknown := uncovered(h, rules.KeyPolicyAgent, "Services\\PolicyAgent"); unknown {
		return v
	}
	return Value{Text: "(absent)", Detail: "Services\\PolicyAgent is not in the SYSTEM export"}
}

// uncovered returns the unknown value of a SYSTEM key's value, and true,
// when the exports do not cover the key.
func uncovered(h *model.Host, key, name string) (Value, bool) {
	switch {
	case !h.HasSystem:
		return Value{Text: "unknown", Detail: "no SYSTEM hive or export"}, true
	case !h.Covers(key):
		return Value{Text: "unknown", Detail: "the SYSTEM export does not include " + name}, true
	}
	return Value{}, false
}

// noDefaultExempt is the IPSec driver's default exemptions setting as the
// evidence gives it: netsh's ipsecexempt when an export sets it (it wins,
// as for rule IPSEC011), else the registry's NoDefaultExempt. An absent
// value is shown as absent: the Windows default it stands for follows
// from the OS, which is compared on its own.
func noDefaultExempt(h *model.Host) Value {
	for _, s := range h.IPSec {
		if s.IPSecExempt != nil {
			return Value{Text: fmt.Sprint(s.IPSecExempt.Value), Detail: "netsh ipsec dynamic set config property=ipsecexempt", Loc: s.IPSecExempt.Loc}
		}
	}
	if v := h.Registry.Value(rules.KeyIPSecDriver, "NoDefaultExempt"); v != nil {
		return Value{Text: v.Display(), Detail: "Services\\IPSEC\\NoDefaultExempt", Loc: v.Loc}
	}
	if v, unknown := uncovered(h, rules.KeyIPSecDriver, "Services\\IPSEC"); unknown {
		return v
	}
	return Value{Text: "(absent)", Detail: "the Windows default applies (0 on Windows 2000 and XP, 3 on Windows Server 2003)"}
}

// assignedFields are the assigned policy: whether one is, from where,
// read from which store, its name and the persistent store's policies.
func assignedFields(f model.Fact[model.AssignedPolicy]) []field {
	v := func(text func(model.AssignedPolicy) string) Value { return factValue(f, text) }
	return []field{
		{name: "state", v: v(func(a model.AssignedPolicy) string { return string(a.State) })},
		{name: "origin", v: v(func(a model.AssignedPolicy) string { return orNone(a.Origin) })},
		{name: "store", v: v(func(a model.AssignedPolicy) string { return orNone(string(a.Store)) })},
		{name: "name", v: v(func(a model.AssignedPolicy) string { return orNone(a.Name) })},
		{name: "persistent", v: v(func(a model.AssignedPolicy) string { return orNone(strings.Join(a.PersistentNames, ", ")) })},
	}
}

// failoverObjects are the failover estimates of a front-end, one object
// per clustered back-end address (internal/flows, KB 821839).
func failoverObjects(h *model.Host, out rules.Outcome) []object {
	var objs []object
	for _, f := range out.Failover {
		if f.FrontEnd != h {
			continue
		}
		why := f.Why
		if f.Uncertain != "" {
			why += " (uncertain: " + f.Uncertain + ")"
		}
		// The reason is compared too: the same estimate for another
		// reason (a second defect where there was one) is a change to see.
		for _, t := range f.Targets { // one estimate holds for each of its addresses
			name := t.IP.String()
			if !t.IP.IsValid() {
				name = t.Backend + " (virtual addresses unknown)"
			}
			objs = append(objs, object{kind: KindFailover, name: name, fields: []field{
				{name: "estimate", v: Value{Text: f.Estimate, Detail: why, Loc: f.Loc}, key: f.Estimate + "\x00" + why},
				{name: "backend", v: Value{Text: orUnknown(t.Backend)}},
			}})
		}
	}
	return objs
}
