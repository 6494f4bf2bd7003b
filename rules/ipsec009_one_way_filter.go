package rules

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC009",
		Name:     "one-way-filter",
		Severity: SeverityWarning,
		Judges:   []model.Role{model.RoleFrontEnd, model.RoleBackEnd},
		Check:    checkOneWayFilter,
	})
}

func checkOneWayFilter(p *Pass, out *Reporter) {
	type key struct {
		host   *model.Host
		filter *model.Filter
	}
	var order []key
	bad := map[key][]flow{}
	reply := map[key]model.FilterMatch{}
	var pm packetMatcher
	for _, fl := range exchangeFlows(p, out, exchangePorts...) {
		m := fl.Match
		if len(m.Unread) > 0 {
			out.Skip(fl.Host, "%s (TCP %d): %s: rule %q may hold a filter that decides it otherwise", portName(fl.Port), fl.Port, m.Unread[0].Why, m.Unread[0].Rule.Name)
			continue
		}
		if m.Outcome != model.MatchNegotiate || m.Filter == nil || m.Filter.Mirrored || m.Rule.TunnelEndpoint != "" {
			continue // a tunnel rule's filters are one-way by design: each direction has its own
		}
		rev := pm.match(fl.Policies, fl.Reply())
		if encrypts(rev) {
			continue
		}
		if !rev.Decided() {
			out.Skip(fl.Host, "%s (TCP %d): the reply to the one-way filter %s of rule %q is not decided offline (%s)",
				portName(fl.Port), fl.Port, m.Filter, m.Rule.Name, strings.Join(rev.Uncertain, "; "))
			continue
		}
		k := key{fl.Host, m.Filter}
		if _, ok := bad[k]; !ok {
			order = append(order, k)
			reply[k] = rev
		}
		bad[k] = append(bad[k], fl)
	}
	for _, k := range order {
		flows := bad[k]
		fl := flows[0]
		rule := fl.Match.Rule
		fd := out.Report(k.host, fmt.Sprintf("filter %s in %q", k.filter.String(), rule.FilterListName), k.filter.Loc,
			"%s %s: filter %s of filter list %q (rule %q) protects %s but is not mirrored, and nothing protects the replies: %s%s",
			roleName(k.host), k.host.Name, k.filter.String(), rule.FilterListName, rule.Name, describeTraffic(flows),
			describeReply(fl, reply[k]), uncertainties(flows))
		fd.Related = fl.Related()
		fd.MarkUncertain(uncertainReasons(flows)...)
	}
}
