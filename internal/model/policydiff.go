package model

import (
	"fmt"
	"sort"
	"strings"
)

// PolicyChange is one difference between two descriptions of a policy:
// an object added or removed, or one field of an object that differs.
type PolicyChange struct {
	// Object names the policy object: `policy "P"`, `rule "R"`, `filter
	// list "L"`, `filter me:any -> 10.0.0.50:110 tcp in "L"`, `filter
	// action "A"`.
	Object string `json:"object"`
	// Field is the field that differs; "" when the whole object was added
	// or removed.
	Field string `json:"field,omitempty"`
	// Old and New are the values in the first and the second description;
	// "" where the object is absent.
	Old string `json:"old"`
	New string `json:"new"`
	// OldLoc and NewLoc say where each side is written.
	OldLoc Location `json:"oldLocation,omitzero"`
	NewLoc Location `json:"newLocation,omitzero"`
}

// String renders the change for people.
func (c PolicyChange) String() string {
	switch {
	case c.Field == "" && c.Old == "":
		return c.Object + " added"
	case c.Field == "" && c.New == "":
		return c.Object + " removed"
	}
	return fmt.Sprintf("%s: %s %s → %s", c.Object, c.Field, c.Old, c.New)
}

// policyObject is one object of a policy as DiffPolicies compares it:
// its fields as text, and where it is written.
type policyObject struct {
	fields map[string]string
	loc    Location
}

// DiffPolicies compares two descriptions of a policy (the same policy in
// two sources, or one host's policy in two collections) object by object
// and field by field: the policy's main-mode settings, each rule (by
// name), filter list (by name), filter (by its addresses, protocol and
// ports, within its list) and filter action (by name). Locations, GUIDs,
// descriptions and fields either side is in doubt about are not compared.
// The changes are sorted by object and field.
func DiffPolicies(old, cur *Policy) []PolicyChange {
	a, b := policyObjects(old), policyObjects(cur)
	var out []PolicyChange
	for key, oa := range a {
		ob, ok := b[key]
		if !ok {
			out = append(out, PolicyChange{Object: key, Old: summary(oa), OldLoc: oa.loc})
			continue
		}
		for field, va := range oa.fields {
			vb, ok := ob.fields[field]
			if ok && va != vb {
				out = append(out, PolicyChange{Object: key, Field: field, Old: va, New: vb, OldLoc: oa.loc, NewLoc: ob.loc})
			}
		}
	}
	for key, ob := range b {
		if _, ok := a[key]; !ok {
			out = append(out, PolicyChange{Object: key, New: summary(ob), NewLoc: ob.loc})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Object != out[j].Object {
			return out[i].Object < out[j].Object
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// summary renders an added or removed object's fields on one line.
func summary(o policyObject) string {
	keys := make([]string, 0, len(o.fields))
	for k := range o.fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + o.fields[k]
	}
	return strings.Join(parts, " ")
}

// policyObjects flattens a policy into its objects.
func policyObjects(p *Policy) map[string]policyObject {
	out := map[string]policyObject{}
	if p == nil {
		return out
	}
	mm := make([]string, len(p.MMSecMethods))
	for i, m := range p.MMSecMethods {
		mm[i] = fmt.Sprintf("%s-%s-%d", m.Cipher, m.Integrity, m.DHGroup)
	}
	out[fmt.Sprintf("policy %q", p.Name)] = policyObject{loc: p.Loc, fields: withoutDoubts(p.Doubts, map[string]string{
		"mmpfs": fmt.Sprint(p.MMPFS), "mmSecMethods": strings.Join(mm, " "), "activateDefaultRule": fmt.Sprint(p.ActivateDefaultRule),
	})}
	for _, r := range p.Rules {
		if r.Default {
			continue
		}
		out[fmt.Sprintf("rule %q", r.Name)] = policyObject{loc: r.Loc, fields: withoutDoubts(r.Doubts, ruleFields(r))}
		if l := r.FilterList; l != nil {
			addFilterList(out, l)
		}
		if a := r.FilterAction; a != nil {
			out[fmt.Sprintf("filter action %q", a.Name)] = policyObject{loc: a.Loc, fields: withoutDoubts(a.Doubts, actionFields(a))}
		}
	}
	return out
}

func ruleFields(r *Rule) map[string]string {
	auth := make([]string, len(r.Auth))
	for i, m := range r.Auth {
		auth[i] = string(m.Kind)
		if m.CA != "" {
			auth[i] += ":" + m.CA
		}
	}
	return map[string]string{
		"active": fmt.Sprint(r.Active), "connType": string(r.ConnType), "tunnel": r.TunnelEndpoint,
		"filterList": strings.ToLower(r.FilterListName), "filterAction": strings.ToLower(r.FilterActionName), "auth": strings.Join(auth, " "),
	}
}

func addFilterList(out map[string]policyObject, l *FilterList) {
	out[fmt.Sprintf("filter list %q", l.Name)] = policyObject{loc: l.Loc, fields: map[string]string{"filters": fmt.Sprint(len(l.Filters))}}
	for _, f := range l.Filters {
		if len(f.Doubts) > 0 {
			continue
		}
		out[fmt.Sprintf("filter %s in %q", f, l.Name)] = policyObject{loc: f.Loc, fields: map[string]string{"mirrored": fmt.Sprint(f.Mirrored)}}
	}
}

func actionFields(a *FilterAction) map[string]string {
	ms := make([]string, len(a.Methods))
	for i, m := range a.Methods {
		ms[i] = methodKey(m)
	}
	return map[string]string{
		"action": string(a.Action), "inpass": fmt.Sprint(a.InPass), "soft": fmt.Sprint(a.Soft),
		"qmpfs": fmt.Sprint(a.QMPFS), "qmSecMethods": strings.Join(ms, " "),
	}
}

// methodKey writes a quick-mode method by its algorithms and lifetimes,
// whatever its text's spelling.
func methodKey(m QMMethod) string {
	var s string
	switch {
	case m.AH != "" && m.ESP != nil:
		s = fmt.Sprintf("AH[%s]+ESP[%s,%s]", m.AH, m.ESP.Cipher, m.ESP.Integrity)
	case m.AH != "":
		s = fmt.Sprintf("AH[%s]", m.AH)
	case m.ESP != nil:
		s = fmt.Sprintf("ESP[%s,%s]", m.ESP.Cipher, m.ESP.Integrity)
	default:
		s = m.Text
	}
	if m.LifetimeKB > 0 || m.LifetimeSec > 0 {
		s += fmt.Sprintf(":%dk/%ds", m.LifetimeKB, m.LifetimeSec)
	}
	return s
}

// withoutDoubts drops the fields the evidence is in doubt about.
func withoutDoubts(ds Doubts, fields map[string]string) map[string]string {
	for _, d := range ds {
		delete(fields, d.Field)
	}
	return fields
}
