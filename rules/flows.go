package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipseclint/ipseclint/model"
)

// Protocol numbers.
const protoTCP = 6

// flow is one front-end → back-end TCP flow and what the front-end's
// assigned IPSec policy does with it.
type flow struct {
	Host   *model.Host
	Policy *model.Policy // nil when the host has no policy assigned
	Target model.Target
	Port   uint16
	Match  model.FilterMatch
}

// Protected reports whether the flow is encrypted: the deciding filter
// negotiates, and at least one offered method is ESP with a cipher.
func (fl flow) Protected() bool {
	if fl.Match.Outcome != model.MatchNegotiate {
		return false
	}
	for _, m := range fl.Match.Methods {
		if m.Confidential() {
			return true
		}
	}
	return false
}

// frontEndFlows evaluates, for every front-end, the TCP flows to every
// back-end address on each port. Front-ends whose policy cannot be judged
// are reported as not evaluated; a front-end with no policy assigned
// yields flows with a nil Policy and MatchNone.
func frontEndFlows(f *model.Fleet, out *Reporter, ports ...uint16) []flow {
	skipUnknownRoles(f, out)
	frontends := f.WithRole(model.RoleFrontEnd)
	if len(frontends) == 0 {
		return nil
	}
	targets, gaps := f.BackendTargets()
	if len(targets) == 0 {
		why := "no back-end is among the exports and no backends.virtual_addresses is declared in ipseclint.yaml"
		if len(gaps) > 0 {
			why = "the back-end's addresses are unknown: " + strings.Join(gaps, "; ")
		}
		for _, h := range frontends {
			out.Skip(h, "%s", why)
		}
		return nil
	}
	var flows []flow
	for _, h := range frontends {
		pol, ok := policyToJudge(h, out)
		if !ok {
			continue
		}
		for _, port := range ports {
			for _, t := range targets {
				fl := flow{Host: h, Policy: pol, Target: t, Port: port}
				if pol == nil {
					fl.Match = model.FilterMatch{Outcome: model.MatchNone}
				} else {
					fl.Match = pol.Match(model.Packet{SrcIsMe: true, Me: h.Facts.Addresses.Value,
						Dst: t.IP, Protocol: protoTCP, DstPort: port})
				}
				flows = append(flows, fl)
			}
		}
	}
	return flows
}

// policyToJudge returns the host's assigned policy (nil when none is
// assigned), or ok=false after reporting why it cannot be judged.
func policyToJudge(h *model.Host, out *Reporter) (*model.Policy, bool) {
	pf := h.Facts.Policy
	switch {
	case !pf.Known:
		out.Skip(h, "whether an IPSec policy is assigned is unknown: %s", pf.Via)
		return nil, false
	case pf.Value.State == model.PolicyNone:
		return nil, true
	case pf.Value.Policy == nil:
		out.Skip(h, "IPSec policy %q is assigned (%s) but its contents are not in the exports: add the output of `netsh ipsec static dump` from this host", pf.Value.Name, pf.Via)
		return nil, false
	}
	return pf.Value.Policy, true
}

// flowLocation points at what decides the flow: the filter, else the
// rule, else the assigning line or the file that shows no policy.
func flowLocation(fl flow) model.Location {
	switch {
	case fl.Match.Filter != nil && !fl.Match.Filter.Loc.IsZero():
		return fl.Match.Filter.Loc
	case fl.Match.Rule != nil && !fl.Match.Rule.Loc.IsZero():
		return fl.Match.Rule.Loc
	case fl.Policy != nil && !fl.Policy.AssignLoc.IsZero():
		return fl.Policy.AssignLoc
	case fl.Policy != nil:
		return fl.Policy.Loc
	}
	if src := fl.Host.Facts.Policy.Source; !src.IsZero() {
		return src
	}
	if nf := fl.Host.NetshFile(); nf != nil {
		return model.Location{File: nf.Path}
	}
	if sf := fl.Host.SoftwareFile(); sf != nil {
		return model.Location{File: sf.Path}
	}
	return model.Location{}
}

// flowRelated lists the rule and filter action behind a flow's verdict.
func flowRelated(fl flow) []model.Location {
	var locs []model.Location
	if fl.Match.Rule != nil && fl.Match.Filter != nil && !fl.Match.Rule.Loc.IsZero() {
		locs = append(locs, fl.Match.Rule.Loc)
	}
	if fl.Match.Action != nil && !fl.Match.Action.Loc.IsZero() {
		locs = append(locs, fl.Match.Action.Loc)
	}
	return locs
}

// describeFlow says in words what the policy does with an unprotected
// flow.
func describeFlow(fl flow) string {
	m := fl.Match
	var s string
	switch {
	case fl.Policy == nil:
		s = "no IPSec policy is assigned (" + fl.Host.Facts.Policy.Via + "), so it is sent in clear"
	case m.Outcome == model.MatchNone:
		s = fmt.Sprintf("no filter of the assigned policy %q matches it, so it is sent in clear", fl.Policy.Name)
	case m.Outcome == model.MatchPermit:
		s = fmt.Sprintf("rule %q permits it in clear (filter action %q)", ruleName(m.Rule), actionName(m.Action))
	case m.Outcome == model.MatchBlock:
		s = fmt.Sprintf("rule %q blocks it (filter action %q) instead of encrypting it", ruleName(m.Rule), actionName(m.Action))
	case m.Outcome == model.MatchNegotiate:
		s = fmt.Sprintf("rule %q negotiates only %s, which does not encrypt", ruleName(m.Rule), methodList(m.Methods))
	}
	if len(m.Uncertain) > 0 {
		s += " (uncertain: " + strings.Join(m.Uncertain, "; ") + ")"
	}
	return s
}

func ruleName(r *model.Rule) string {
	if r == nil {
		return "?"
	}
	return r.Name
}

func actionName(a *model.FilterAction) string {
	if a == nil {
		return "?"
	}
	return a.Name
}

func methodList(ms []model.QMMethod) string {
	if len(ms) == 0 {
		return "no security method"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.Text
	}
	return strings.Join(parts, " ")
}

// targetName names a back-end address for messages.
func targetName(t model.Target) string {
	s := t.IP.String()
	if t.Backend != "" {
		s += " (" + t.Backend + ", " + t.Origin + ")"
	} else {
		s += " (" + t.Origin + ")"
	}
	return s
}

func flowSubject(fl flow) string {
	if fl.Policy == nil {
		return fmt.Sprintf("tcp/%d", fl.Port)
	}
	return fmt.Sprintf("tcp/%d -> %s", fl.Port, fl.Target.IP)
}

// reportUnprotected reports every flow that is not encrypted. Flows of a
// host without any policy are reported once per port, listing every
// address.
func reportUnprotected(flows []flow, out *Reporter, why string) {
	type key struct {
		host string
		port uint16
	}
	noPolicy := map[key][]netip.Addr{}
	var order []flow
	for _, fl := range flows {
		if fl.Protected() {
			continue
		}
		if fl.Policy == nil {
			k := key{fl.Host.Name, fl.Port}
			if _, ok := noPolicy[k]; !ok {
				order = append(order, fl)
			}
			noPolicy[k] = append(noPolicy[k], fl.Target.IP)
			continue
		}
		order = append(order, fl)
	}
	for _, fl := range order {
		to := targetName(fl.Target)
		if fl.Policy == nil {
			ips := noPolicy[key{fl.Host.Name, fl.Port}]
			parts := make([]string, len(ips))
			for i, ip := range ips {
				parts[i] = ip.String()
			}
			to = "the back-end (" + strings.Join(parts, ", ") + ")"
		}
		f := out.Report(fl.Host, flowSubject(fl), flowLocation(fl),
			"%s (TCP %d) from front-end %s to %s is not encrypted: %s; %s",
			portName(fl.Port), fl.Port, fl.Host.Name, to, describeFlow(fl), why)
		f.Related = flowRelated(fl)
	}
}
