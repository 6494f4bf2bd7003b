package netsh

import (
	"strings"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
)

// addRule runs `add rule`; a policy the file never made is made with
// netsh's defaults (the file is then a fragment of a longer story).
func addRule(x *call) {
	name, ok1 := x.required("name")
	polName, ok2 := x.required("policy")
	_, ok3 := x.required("filterlist")
	_, ok4 := x.required("filteraction")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	pol := x.store().Policy(polName)
	if pol == nil {
		x.warnf(x.at, "add rule: policy %q was not made earlier in the file; assumed to exist with netsh's default settings", polName)
		pol = x.st.b.newPolicy(polName, x.here())
	}
	if pol.Rule(name) != nil {
		x.warnf(x.at, "add rule: policy %q already has a rule %q; netsh refuses the command", polName, name)
		return
	}
	x.st.b.made(1)
	r := &model.Rule{Name: name, PolicyName: pol.Name, Active: true, ConnType: model.ConnAll, Loc: x.here()}
	ruleSettings(x, r)
	if len(r.Auth) == 0 && !x.p.has("kerberos") && !x.p.has("psk") && !x.p.has("rootca") {
		r.Auth = []model.AuthMethod{{Kind: model.AuthKerberos, Loc: x.here()}}
	}
	if len(r.Auth) == 0 {
		x.warnf(x.at, "add rule: no authentication method left (kerberos=no and no psk or rootca)")
	}
	insertRule(pol, r)
}

// setRule runs `set rule`.
func setRule(x *call) {
	r, _ := findRule(x)
	if r == nil {
		return
	}
	if nn, ok := x.p.get("newname"); ok {
		r.Name = nn.value
	}
	ruleSettings(x, r)
}

// deleteRule runs `delete rule`: one rule by name or id, or all but the
// default response rule.
func deleteRule(x *call) {
	if x.p.has("all") || (x.p.has("name") && strings.EqualFold(x.p.val("name").value, "all")) {
		polName, ok := x.required("policy")
		if !ok {
			return
		}
		if pol := x.store().Policy(polName); pol != nil {
			keep := pol.Rules[:0]
			for _, r := range pol.Rules {
				if r.Default {
					keep = append(keep, r)
				}
			}
			pol.Rules = keep
		}
		return
	}
	if r, pol := findRule(x); r != nil {
		pol.Rules = without(pol.Rules, r)
	}
}

// insertRule adds a rule to a policy, keeping the default response rule
// last.
func insertRule(pol *model.Policy, r *model.Rule) {
	n := len(pol.Rules)
	if n > 0 && pol.Rules[n-1].Default {
		pol.Rules = append(pol.Rules[:n-1], r, pol.Rules[n-1])
		return
	}
	pol.Rules = append(pol.Rules, r)
}

// ruleSettings applies rule parameters, authentication in the order given.
func ruleSettings(x *call, r *model.Rule) {
	if v, ok := x.p.get("description"); ok {
		r.Description = v.value
	}
	if v, ok := x.p.get("filterlist"); ok {
		r.FilterListName = v.value
	}
	if v, ok := x.p.get("filteraction"); ok {
		r.FilterActionName = v.value
	}
	if v, ok := x.p.get("tunnel"); ok {
		r.TunnelEndpoint = tunnelEndpoint(x, v)
	}
	if v, ok := x.p.get("conntype"); ok {
		connType(x, r, v)
	}
	x.setBool("activate", &r.Active, &r.Doubts, "active")
	authSettings(x, &r.Auth)
}

// connType reads conntype=lan|dialup|all. netsh refuses another value,
// and so the command: the rule's connection type is then not known (not
// netsh's default, all), and says so in a doubt.
func connType(x *call, r *model.Rule, v param) {
	ct, err := parseConnType(v.value)
	if err != nil {
		x.refuse(v, "conntype", err, &r.Doubts, "connType")
		r.ConnType = ""
		return
	}
	r.ConnType = ct
	known(&r.Doubts, "connType") // set rule: known again
}

// tunnelEndpoint reads tunnel=: an address, or 0.0.0.0 / none for
// transport mode ("").
func tunnelEndpoint(x *call, v param) string {
	t := strings.TrimSpace(v.value)
	if t == "0.0.0.0" || strings.EqualFold(t, "none") {
		return ""
	}
	if t != "" {
		if _, err := parseAddr(t); err != nil {
			x.errorf(v.off, "tunnel: %v", err)
		}
	}
	return t
}

// authSettings applies kerberos=, psk= and rootca= in the order written.
// The (at most three) parameters are put in that order on the stack, by
// a stable insertion sort, as sort.Slice did in a list of their own.
func authSettings(x *call, auth *[]model.AuthMethod) {
	var buf [3]param
	given := buf[:0]
	for _, tag := range [...]string{"kerberos", "psk", "rootca"} {
		if v, ok := x.p.get(tag); ok {
			given = append(given, v)
		}
	}
	for i := 1; i < len(given); i++ {
		for j := i; j > 0 && given[j].tagAt < given[j-1].tagAt; j-- {
			given[j], given[j-1] = given[j-1], given[j]
		}
	}
	for _, v := range given {
		switch v.tag {
		case "kerberos":
			on, err := parseBool(v.value)
			if err != nil {
				x.errorf(v.off, "kerberos: %v", err)
				continue
			}
			*auth = removeAuth(*auth, model.AuthMethod{Kind: model.AuthKerberos})
			if on {
				*auth = append(*auth, model.AuthMethod{Kind: model.AuthKerberos, Loc: x.loc(v.off)})
			}
		case "psk":
			*auth = removeAuth(*auth, model.AuthMethod{Kind: model.AuthPreshared})
			if v.value != "" {
				*auth = append(*auth, model.AuthMethod{Kind: model.AuthPreshared, KeyLength: utf8.RuneCountInString(v.value), Loc: x.loc(v.off)})
			}
		case "rootca":
			ca := model.AuthMethod{Kind: model.AuthCertificate, CA: rootCAName(v.value), Loc: x.loc(v.off)}
			*auth = append(removeAuth(*auth, ca), ca)
		}
	}
}

// rootCAName drops the certmap:/excludecaname: options of a rootca value.
func rootCAName(v string) string {
	for _, opt := range []string{" certmap:", " excludecaname:"} {
		if i := strings.Index(strings.ToLower(v), opt); i >= 0 {
			v = v[:i]
		}
	}
	return strings.TrimSpace(v)
}

func removeAuth(list []model.AuthMethod, m model.AuthMethod) []model.AuthMethod {
	out := list[:0:0]
	for _, a := range list {
		if a.Kind != m.Kind || !strings.EqualFold(a.CA, m.CA) {
			out = append(out, a)
		}
	}
	return out
}

// findRule finds the rule of `set rule`/`delete rule` by name or id, and
// its policy.
func findRule(x *call) (*model.Rule, *model.Policy) {
	polName, ok := x.required("policy")
	if !ok {
		return nil, nil
	}
	pol := x.store().Policy(polName)
	if pol == nil {
		x.warnf(x.at, "%s: no policy %q earlier in the file; command ignored", x.name, polName)
		return nil, nil
	}
	if n, ok := x.p.get("name"); ok {
		if r := pol.Rule(n.value); r != nil && !r.Default {
			return r, pol
		}
		x.warnf(x.at, "%s: policy %q has no rule %q earlier in the file; command ignored", x.name, polName, n.value)
		return nil, nil
	}
	if id, ok := x.p.get("id"); ok {
		return ruleByID(x, pol, id), pol
	}
	x.errorf(x.at, "%s: name or id is required", x.name)
	return nil, nil
}

// ruleByID finds a rule by its id=. Rule ids count the policy's rules in
// order, the default response rule excluded (uncertain: netsh numbers
// them itself).
func ruleByID(x *call, pol *model.Policy, id param) *model.Rule {
	n, err := parseCount(id.value)
	if err != nil {
		x.errorf(id.off, "id: %v", err)
		return nil
	}
	i := 0
	for _, r := range pol.Rules {
		if r.Default {
			continue
		}
		if i++; i == n {
			return r
		}
	}
	x.warnf(x.at, "%s: policy %q has no rule %d in this file; command ignored", x.name, x.p.val("policy").value, n)
	return nil
}
