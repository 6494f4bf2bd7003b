package rules

import (
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC009",
		Name:     "one-way-filter",
		Severity: SeverityWarning,
		Summary:  "A filter that protects front-end → back-end Exchange traffic is not mirrored, and no other filter protects the replies.",
		Description: "An IPSec filter matches one direction unless it is mirrored (`mirrored=yes`, netsh's default): a filter " +
			"\"me → back-end TCP 110\" that is not mirrored protects the front-end's requests, but nothing in that policy protects " +
			"the back-end's replies, which carry the messages, so they are sent or accepted in clear as far as that host's policy " +
			"goes; netsh makes filters mirrored unless told `mirrored=no`. The rule evaluates the TCP flows on the Exchange ports " +
			"(110, 143, 80, 25, 691) front-end → back-end as the front-end's assigned policy sees them, and as the back-end's sees " +
			"them (from each front-end address). For each flow decided by a negotiating filter that is not mirrored, it evaluates " +
			"the reply (addresses and ports swapped, the front-end's port taken as an ephemeral one) with the same policy: when the " +
			"filter that decides the reply does not negotiate a method with encryption, there is no reverse twin, and the rule fires " +
			"once per filter. A mirrored filter elsewhere in the policy that covers the replies counts as a twin, since the most " +
			"specific filter decides. How Windows pairs the inbound and outbound security associations of a one-way filter is not " +
			"documented in the sources ipseclint rests on, so the finding says what the policy asks for, not what reaches the wire.",
		Remediation: "netsh cannot change a filter: delete it and add it again mirrored (the same fields as in the finding; here a " +
			"front-end's POP3 filter):\n\n```bat\n" +
			"netsh ipsec static delete filter filterlist=\"FE to BE\" srcaddr=me dstaddr=10.0.0.50 protocol=TCP srcport=0 dstport=110\n" +
			"netsh ipsec static add filter filterlist=\"FE to BE\" srcaddr=me dstaddr=10.0.0.50 protocol=TCP srcport=0 dstport=110 mirrored=yes\n```\n\n" +
			"In the IP Security Policies snap-in: the filter's Addresses tab, \"Mirrored. Match packets with the exact opposite " +
			"source and destination addresses\".",
		References: []Reference{kb821839, refNetshIPSec, refFilterOrdering},
		Check:      checkOneWayFilter,
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
	for _, fl := range exchangeFlows(p, out, exchangePorts...) {
		m := fl.Match
		if m.Outcome != model.MatchNegotiate || m.Filter == nil || m.Filter.Mirrored || m.Rule.TunnelEndpoint != "" {
			continue // a tunnel rule's filters are one-way by design: each direction has its own
		}
		rev := model.MatchPolicies(fl.Policies, fl.Reply())
		if encrypts(rev) || !rev.Decided() {
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
