package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// This file holds the words the rules' messages are made of: how a flow,
// a peer, a policy's decision and the uncertainty of a verdict are said.
// Subjects and fingerprints never depend on them.

// describeFlow says in words what the policy does with an unprotected
// flow.
func describeFlow(fl flow) string {
	m := fl.Match
	var s string
	switch {
	case fl.NotApplied != "":
		s = fmt.Sprintf("policy %q is assigned but %s: it is sent in clear", fl.Host.Facts.Policy.Value.Name, fl.NotApplied)
	case noPolicy(fl):
		s = "no IPSec policy is assigned (" + fl.Host.Facts.Policy.Via + "), so it is sent in clear"
	case m.Outcome == model.MatchNone:
		s = noFilterWords(fl, "sent in clear")
	case m.Outcome == model.MatchPermit:
		s = fmt.Sprintf("%s permits it in clear (filter action %q)", ruleWords(fl), actionName(m.Action))
	case m.Outcome == model.MatchBlock:
		s = fmt.Sprintf("%s blocks it (filter action %q) instead of encrypting it", ruleWords(fl), actionName(m.Action))
	case fl.TunnelGap() != "":
		s = fl.TunnelGap()
	case !encrypts(m):
		s = fmt.Sprintf("%s negotiates only %s, which does not encrypt", ruleWords(fl), methodList(m.Methods))
	default:
		s = fmt.Sprintf("%s negotiates %s", ruleWords(fl), methodList(m.Methods))
	}
	if len(m.Uncertain) > 0 {
		s += " (uncertain: " + strings.Join(m.Uncertain, "; ") + ")"
	}
	return s
}

// noFilterWords says that no filter of the flow's policies matches it, so
// it is what happens (sent or accepted in clear), naming the dial-up rule
// whose filter does select it when that is why.
func noFilterWords(fl flow, what string) string {
	if r := dialupRuleFor(fl); r != "" {
		return fmt.Sprintf("no filter of %s that applies to LAN traffic matches it (rule %q has one for it, but applies to dial-up connections only), so it is %s", policyWords(fl), r, what)
	}
	return fmt.Sprintf("no filter of %s matches it, so it is %s", policyWords(fl), what)
}

// dialupRuleFor names the first active rule of the flow's policies that
// applies to dial-up connections only and whose filters select the flow's
// packet: the reason no filter matched is then that rule's connection
// type. "" when there is none.
func dialupRuleFor(fl flow) string {
	for _, p := range fl.Policies {
		for _, r := range p.Rules {
			if r.ConnType != model.ConnDialup || r.Default || !r.Active || r.FilterList == nil || r.FilterAction == nil {
				continue
			}
			lan := *r
			lan.ConnType = model.ConnAll
			only := &model.Policy{Name: p.Name, Store: p.Store, Rules: []*model.Rule{&lan}}
			if m := only.Match(fl.Packet()); m.Rule == &lan {
				return r.Name
			}
		}
	}
	return ""
}

// policyWords names the policies that decide a flow: "the assigned
// policy \"P\"", or with the persistent store's policies beside it.
func policyWords(fl flow) string {
	var parts []string
	for _, p := range fl.Policies {
		switch {
		case p == fl.Policy:
			parts = append(parts, fmt.Sprintf("the assigned policy %q", p.Name))
		case p.Store == model.StorePersistent:
			parts = append(parts, fmt.Sprintf("the persistent policy %q", p.Name))
		default:
			parts = append(parts, fmt.Sprintf("policy %q", p.Name))
		}
	}
	if len(parts) == 0 {
		return "the assigned policy"
	}
	return strings.Join(parts, " or ")
}

// ruleWords names the rule that decides a flow, and its policy when
// several policies apply: "rule \"R\"", "rule \"R\" of the persistent
// policy \"P\"".
func ruleWords(fl flow) string {
	m := fl.Match
	s := fmt.Sprintf("rule %q", ruleName(m.Rule))
	if len(fl.Policies) > 1 && m.Policy != nil {
		if m.Policy.Store == model.StorePersistent {
			s += fmt.Sprintf(" of the persistent policy %q", m.Policy.Name)
		} else {
			s += fmt.Sprintf(" of policy %q", m.Policy.Name)
		}
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

// peerWords names the peers of flows of one host for messages: "10.0.0.50
// (BE1, cluster hive)" or several, bounded ("..., and 12 more"); "front-end
// FE1 (10.0.0.11) to 10.0.0.50" for a back-end's flows; "the back-end
// (10.0.0.50, 10.0.0.60)", "the front-ends (FE1 10.0.0.11)" for a host
// without policy. For a not-evaluated reason (finding false) with "to" or
// "from" in front.
func peerWords(fls []flow, finding bool) string {
	first, total := flows.DistinctPeers(fls, maxPeers)
	fl := fls[0]
	inbound := fl.Side == flows.Inbound
	var names []string
	for _, p := range first {
		switch {
		case inbound && noPolicy(fl) && finding:
			names = append(names, p.Source.FrontEnd.Name+" "+p.Source.IP.String())
		case inbound:
			names = append(names, fmt.Sprintf("%s (%s)", p.Source.FrontEnd.Name, p.Source.IP))
		case noPolicy(fl) && finding:
			names = append(names, p.Target.IP.String())
		default:
			names = append(names, targetName(p.Target))
		}
	}
	if noPolicy(fl) && finding {
		list := strings.Join(names, ", ") + andMore(total-len(names))
		if inbound {
			return "the front-ends (" + list + ")"
		}
		return "the back-end (" + list + ")"
	}
	s := joinMore(names, total)
	if inbound {
		front := "front-end "
		if total > 1 {
			front = "front-ends "
		}
		s = front + s + " to " + joinAnd(inboundTargets(fls))
	}
	switch {
	case finding:
		return s
	case inbound:
		return "from " + s
	}
	return "to " + s
}

// inboundTargets lists the back-end addresses back-end flows arrive at.
func inboundTargets(fls []flow) []string {
	var out []string
	for _, fl := range fls {
		if ip := fl.Target().IP.String(); !slices.Contains(out, ip) {
			out = append(out, ip)
		}
	}
	return out
}

// joinMore joins the first names of total as joinAnd does, ending with
// "and N more" when some are left out.
func joinMore(names []string, total int) string {
	if total <= len(names) {
		return joinAnd(names)
	}
	return strings.Join(names, ", ") + andMore(total-len(names))
}

func andMore(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" and %d more", n)
}

// describeTraffic says which ports and peers flows are about: "POP3 (TCP
// 110) and IMAP4 (TCP 143) to 10.0.0.50", "... from 10.0.0.11 (EXFE01)";
// at most maxPeers peers are named.
func describeTraffic(fls []flow) string {
	var ports []string
	dir := "to"
	for _, fl := range fls {
		p := fmt.Sprintf("%s (TCP %d)", portName(fl.Port), fl.Port)
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
		if fl.Side == flows.Inbound {
			dir = "from"
		}
	}
	first, total := flows.DistinctPeers(fls, maxPeers)
	var peers []string
	for _, p := range first {
		if p.Side == flows.Inbound {
			peers = append(peers, fmt.Sprintf("%s (%s)", p.Source.IP, p.Source.FrontEnd.Name))
		} else {
			peers = append(peers, p.Target.IP.String())
		}
	}
	return joinAnd(ports) + " " + dir + " " + joinMore(peers, total)
}

// uncertainties says, for a message, why the verdict on flows may be
// wrong; "" when it is certain.
func uncertainties(fls []flow) string {
	all := uncertainReasons(fls)
	if len(all) == 0 {
		return ""
	}
	return " (uncertain: " + strings.Join(all, "; ") + ")"
}

// joinAnd joins words as English does: "a", "a and b", "a, b and c".
func joinAnd(ss []string) string {
	switch len(ss) {
	case 0:
		return ""
	case 1:
		return ss[0]
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " and " + ss[len(ss)-1]
}

// describeReply says what policy p does with the reply to a flow.
func describeReply(fl flow, m model.FilterMatch) string {
	switch m.Outcome {
	case model.MatchNone:
		return fmt.Sprintf("no filter of %s matches them, so the policy lets them pass in clear", policyWords(fl))
	case model.MatchPermit:
		return fmt.Sprintf("rule %q permits them in clear (filter action %q)", ruleName(m.Rule), actionName(m.Action))
	case model.MatchBlock:
		return fmt.Sprintf("rule %q blocks them (filter action %q), which breaks the connection", ruleName(m.Rule), actionName(m.Action))
	}
	return fmt.Sprintf("rule %q negotiates only %s for them, which does not encrypt", ruleName(m.Rule), methodList(m.Methods))
}

// describeAcceptance says why a back-end accepts a flow without ESP.
func describeAcceptance(fl flow) string {
	m := fl.Match
	var s string
	switch {
	case fl.NotApplied != "":
		s = fmt.Sprintf("policy %q is assigned but %s: it accepts clear traffic", fl.Host.Facts.Policy.Value.Name, fl.NotApplied)
	case noPolicy(fl):
		s = "no IPSec policy is assigned (" + fl.Host.Facts.Policy.Via + "), so it accepts clear traffic"
	case m.Outcome == model.MatchNone:
		s = noFilterWords(fl, "accepted in clear")
	case m.Outcome == model.MatchPermit:
		s = fmt.Sprintf("%s permits it in clear (filter action %q)", ruleWords(fl), actionName(m.Action))
	case !encrypts(m):
		s = fmt.Sprintf("%s negotiates only %s, which does not encrypt", ruleWords(fl), methodList(m.Methods))
	case m.InPass:
		s = fmt.Sprintf("%s negotiates, but its filter action %q accepts unsecured communication from a peer that starts it (inpass=yes)", ruleWords(fl), actionName(m.Action))
	default:
		s = fmt.Sprintf("%s negotiates %s", ruleWords(fl), methodList(m.Methods))
	}
	return s + uncertainties([]flow{fl})
}

// portName names the Exchange port numbers.
func portName(port uint16) string {
	switch port {
	case 80:
		return "HTTP"
	case 110:
		return "POP3"
	case 143:
		return "IMAP4"
	case 25:
		return "SMTP"
	case 389:
		return "LDAP"
	case 3268:
		return "global catalog LDAP"
	case 88:
		return "Kerberos"
	case 135:
		return "RPC"
	case 691:
		return "Exchange link state"
	}
	return fmt.Sprintf("port %d", port)
}

// roleEvidence says how a host's role was established, for messages:
// "declared in ipseclint.yaml", "inferred: ...".
func roleEvidence(h *model.Host) string {
	if h.Role.Basis == model.RoleInferred {
		return "inferred: " + h.Role.Why
	}
	return h.Role.Why
}
