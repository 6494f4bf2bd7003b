package fleetgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The local IPSec store as `netsh ipsec static dump` writes it back.
type (
	filter struct {
		src, dst         string // "me", "any" or an IPv4 address
		srcMask, dstMask string // masks of address endpoints
		proto            string
		srcPort, dstPort int
		mirrored         bool
		desc             string
	}
	filterList struct {
		name, desc string
		filters    []filter
	}
	filterAction struct {
		name, desc, action  string // action: permit, block or negotiate
		qmpfs, inpass, soft bool
		qmsec               string
	}
	ipsecRule struct {
		name, policy, list, action string
		active                     bool
	}
	ipsecPolicy struct {
		name, desc, mmsec   string
		defaultRule, assign bool
	}
	ipsecStore struct {
		policies []ipsecPolicy
		lists    []*filterList
		actions  []filterAction
		rules    []ipsecRule
	}
)

func (st *ipsecStore) filterCount() int {
	n := 0
	for _, l := range st.lists {
		n += len(l.filters)
	}
	return n
}

// The back-end range every front-end policy covers, and the front-end
// range every back-end policy requires ESP from.
const (
	backEndNet, backEndMask   = "172.16.0.0", "255.240.0.0"
	frontEndNet, frontEndMask = "10.0.0.0", "255.0.0.0"
)

// exchangePorts are the TCP ports of front-end to back-end traffic.
var exchangePorts = []struct {
	port int
	name string
}{{110, "POP3"}, {143, "IMAP4"}, {80, "HTTP"}, {25, "SMTP"}, {691, "Exchange link state"}}

const builtinQM = "ESP[3DES,SHA1] ESP[3DES,MD5] ESP[DES,SHA1] ESP[DES,MD5]"

// builtinStore holds the default policies, filter lists and filter
// actions of a Windows Server 2003 local store, none assigned.
func builtinStore() *ipsecStore {
	st := &ipsecStore{
		lists: []*filterList{
			{name: "All ICMP Traffic", desc: "Matches all ICMP packets between this computer and any other computer.",
				filters: []filter{{src: "me", dst: "any", proto: "ICMP", mirrored: true}}},
			{name: "All IP Traffic", desc: "Matches all IP packets from this computer to any other computer, except broadcast, multicast, Kerberos, RSVP and ISAKMP (IKE).",
				filters: []filter{{src: "me", dst: "any", proto: "ANY", mirrored: true}}},
		},
		actions: []filterAction{
			{name: "Permit", desc: "Permit unsecured IP packets to pass through.", action: "permit"},
			{name: "Request Security (Optional)", desc: "Accepts unsecured communication, but requests clients to establish trust and security methods. Will communicate insecurely to untrusted clients if they do not respond with an IPSec security method.",
				action: "negotiate", inpass: true, soft: true, qmsec: builtinQM},
			{name: "Require Security", desc: "Accepts unsecured communication, but always requires clients to establish trust and security methods. Will NOT communicate with untrusted clients.",
				action: "negotiate", inpass: true, qmsec: builtinQM},
		},
	}
	for _, p := range builtinPolicies {
		st.policies = append(st.policies, ipsecPolicy{name: p.name, desc: p.desc, defaultRule: true,
			mmsec: "3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1 DES-MD5-1"})
	}
	for _, p := range builtinPolicies[1:] {
		action := "Request Security (Optional)"
		if strings.HasPrefix(p.name, "Secure") {
			action = "Require Security"
		}
		st.rules = append(st.rules,
			ipsecRule{name: p.name + ": All IP Traffic", policy: p.name, list: "All IP Traffic", action: action, active: true},
			ipsecRule{name: p.name + ": All ICMP Traffic", policy: p.name, list: "All ICMP Traffic", action: "Permit", active: true})
	}
	return st
}

// exchangeAction is the filter action protecting Exchange traffic, and
// the main-mode methods of the policy, with the host's faults.
func exchangeAction(h *host, rng *rand.Rand) (filterAction, string) {
	act := filterAction{name: "Require ESP 3DES", desc: "Negotiate ESP 3DES/SHA1, no fallback to clear",
		action: "negotiate", qmsec: "ESP[3DES,SHA1]:100000k/3600s"}
	mm := "3DES-SHA1-2"
	if h.has(FaultAHOffered) {
		act.qmsec += " AH[SHA1]:100000k/3600s"
	}
	if h.has(FaultSoftFallback) {
		act.soft = rng.IntN(2) == 0
		act.inpass = !act.soft
	}
	if h.has(FaultWeakCrypto) {
		switch rng.IntN(3) {
		case 0:
			act.qmsec += " ESP[3DES,MD5]:100000k/3600s"
		case 1:
			act.qmsec += " ESP[DES,SHA1]:100000k/3600s"
		default:
			mm = "3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1"
		}
	}
	return act, mm
}

// frontEndStore is a front-end's store: Exchange traffic to the
// back-end range encrypted (as its faults allow), NetBIOS and SMB from
// outside blocked, domain controllers and management servers permitted.
func frontEndStore(h *host, rng *rand.Rand) *ipsecStore {
	st := builtinStore()
	if !hasOwnPolicy(h) {
		return st
	}
	name, desc := ownPolicy(h)
	act, mm := exchangeAction(h, rng)
	st.policies = append(st.policies, ipsecPolicy{name: name, desc: desc, mmsec: mm, assign: policyAssigned(h)})
	st.actions = append(st.actions, act, filterAction{name: "Block", desc: "Block IP packets", action: "block"})
	mail := &filterList{name: "FE to BE mail", desc: "Exchange mail protocols to the back-end servers"}
	web := mail
	if h.has(FaultHTTPRuleInactive) || rng.IntN(2) == 0 {
		web = &filterList{name: "FE to BE HTTP", desc: "Outlook Web Access to the back-end servers"}
	}
	var imap *filterList
	if h.has(FaultIMAP4Permitted) {
		imap = &filterList{name: "FE to BE IMAP4 (troubleshooting)", desc: "IMAP4 to the back-end servers, permitted while troubleshooting"}
	}
	for _, p := range exchangePorts {
		f := filter{src: "me", dst: backEndNet, dstMask: backEndMask, proto: "TCP", dstPort: p.port, mirrored: true,
			desc: p.name + " to the back-end servers"}
		if p.port == 110 && h.has(FaultOneWayFilter) {
			f.mirrored = false
		}
		switch {
		case p.port == 143 && imap != nil:
			imap.filters = append(imap.filters, f)
		case p.port == 80:
			web.filters = append(web.filters, f)
		default:
			mail.filters = append(mail.filters, f)
		}
	}
	st.addRule(name, "Encrypt mail to BE", mail, act.name, true)
	if web != mail {
		st.addRule(name, "Encrypt HTTP to BE", web, act.name, !h.has(FaultHTTPRuleInactive))
	}
	if imap != nil {
		st.addRule(name, "IMAP4 to BE (troubleshooting)", imap, "Permit", true)
	}
	block := &filterList{name: "Block NetBIOS and SMB", desc: "NetBIOS and SMB from any computer to this front-end"}
	for _, p := range []struct {
		proto string
		port  int
	}{{"UDP", 137}, {"UDP", 138}, {"TCP", 139}, {"TCP", 445}} {
		block.filters = append(block.filters, filter{src: "any", dst: "me", proto: p.proto, dstPort: p.port, mirrored: true,
			desc: fmt.Sprintf("%s %d", p.proto, p.port)})
	}
	st.addRule(name, "Block NetBIOS and SMB", block, "Block", true)
	fillPermits(st, h, name, rng)
	return st
}

// backEndStore is a back-end's store: ESP required for Exchange traffic
// from the front-end range (without IMAP4 when it does not require it),
// the heartbeat, domain controllers and management servers permitted.
func backEndStore(h *host, rng *rand.Rand) *ipsecStore {
	st := builtinStore()
	name, desc := ownPolicy(h)
	act, mm := exchangeAction(h, rng)
	st.policies = append(st.policies, ipsecPolicy{name: name, desc: desc, mmsec: mm, assign: policyAssigned(h)})
	st.actions = append(st.actions, act)
	fes := &filterList{name: "FEs to BE", desc: "Front-end servers to this server and its virtual servers"}
	for _, p := range exchangePorts {
		if p.port == 143 && h.has(FaultBackendNotRequiring) {
			continue
		}
		fes.filters = append(fes.filters, filter{src: frontEndNet, srcMask: frontEndMask, dst: "me", proto: "TCP",
			dstPort: p.port, mirrored: true, desc: p.name + " from the front-ends"})
	}
	st.addRule(name, "Require ESP from FEs", fes, act.name, true)
	if c := h.cluster; c != nil {
		peer := heartbeatNet(c, byte(3-h.node))
		hb := &filterList{name: "Cluster heartbeat", desc: "Cluster service traffic on the private network"}
		hb.filters = append(hb.filters, filter{src: "me", dst: peer.String(), dstMask: "255.255.255.255", proto: "UDP",
			dstPort: 3343, mirrored: true, desc: "Heartbeat to the other node"})
		st.addRule(name, "Permit cluster heartbeat", hb, "Permit", true)
	}
	fillPermits(st, h, name, rng)
	return st
}

func (st *ipsecStore) addRule(policy, name string, l *filterList, action string, active bool) {
	st.lists = append(st.lists, l)
	st.rules = append(st.rules, ipsecRule{name: name, policy: policy, list: l.name, action: action, active: active})
}

// management are the kinds of management servers hosts talk to.
var management = []struct {
	desc, proto string
	port        int
}{
	{"Operations Manager", "TCP", 1270}, {"Backup server", "TCP", 10000}, {"SNMP manager", "UDP", 162},
	{"Syslog collector", "UDP", 514}, {"Antivirus console", "TCP", 8081}, {"Software distribution", "TCP", 2701},
}

// fillPermits brings the dump to the host's number of filters with
// permit filters: domain controllers of this and other sites, and
// management servers in 10.255.0.0/16. None of them matches traffic
// between front-ends and back-ends.
func fillPermits(st *ipsecStore, h *host, policy string, rng *rand.Rand) {
	left := max(h.filters-st.filterCount(), 2)
	ndc := 2 + (left-2)/2
	dcs := &filterList{name: "Domain controllers", desc: "Active Directory, DNS and Kerberos"}
	for k := range ndc {
		s := newSite((h.site.index + k/2) % MaxSites)
		dcs.filters = append(dcs.filters, filter{src: "me", dst: s.dcs()[k%2].String(), dstMask: "255.255.255.255",
			proto: "ANY", mirrored: true, desc: fmt.Sprintf("%sDC%02d (%s)", s.code, k%2+1, s.city)})
	}
	st.addRule(policy, "Permit domain controllers", dcs, "Permit", true)
	if left-ndc == 0 {
		return
	}
	mgmt := &filterList{name: "Management servers", desc: "Monitoring, backup and software distribution"}
	for k := range left - ndc {
		m := management[rng.IntN(len(management))]
		mgmt.filters = append(mgmt.filters, filter{src: "me", dst: fmt.Sprintf("10.255.%d.%d", k/250, k%250+1),
			dstMask: "255.255.255.255", proto: m.proto, dstPort: m.port, mirrored: true, desc: fmt.Sprintf("%s %d", m.desc, k+1)})
	}
	st.addRule(policy, "Permit management servers", mgmt, "Permit", true)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// text writes the store as `netsh ipsec static dump` does: a netsh
// script of add commands between pushd and popd, assignments last. The
// comment lines and the order of the sections follow the form netsh
// writes as far as its documentation shows it; no capture of a real dump
// was at hand to confirm them.
func (st *ipsecStore) text() string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\r\n")
	}
	rule := "# ------------------------------------------------------------------"
	line("%s\r\n# IPSec Configuration\r\n%s", rule, rule)
	line("pushd ipsec static")
	line("")
	line("set store location=local")
	line("")
	for _, p := range st.policies {
		line(`add policy name="%s" description="%s" mmpfs=no qmpermm=0 mmlifetime=480 activatedefaultrule=%s pollinginterval=180 assign=no mmsecmethods="%s"`,
			p.name, p.desc, yesNo(p.defaultRule), p.mmsec)
	}
	for _, l := range st.lists {
		line("")
		line(`add filterlist name="%s" description="%s"`, l.name, l.desc)
		for _, f := range l.filters {
			line("%s", filterText(l.name, f))
		}
	}
	line("")
	for _, a := range st.actions {
		line("%s", actionText(a))
	}
	line("")
	for _, r := range st.rules {
		line(`add rule name="%s" policy="%s" filterlist="%s" filteraction="%s" conntype=all activate=%s kerberos=yes`,
			r.name, r.policy, r.list, r.action, yesNo(r.active))
	}
	line("")
	for _, p := range st.policies {
		if p.assign {
			line(`set policy name="%s" assign=yes`, p.name)
		}
	}
	line("popd")
	return b.String()
}

func filterText(list string, f filter) string {
	var b strings.Builder
	fmt.Fprintf(&b, `add filter filterlist="%s" srcaddr=%s dstaddr=%s`, list, f.src, f.dst)
	if f.desc != "" {
		fmt.Fprintf(&b, ` description="%s"`, f.desc)
	}
	fmt.Fprintf(&b, " protocol=%s mirrored=%s", f.proto, yesNo(f.mirrored))
	if f.srcMask != "" {
		b.WriteString(" srcmask=" + f.srcMask)
	}
	if f.dstMask != "" {
		b.WriteString(" dstmask=" + f.dstMask)
	}
	fmt.Fprintf(&b, " srcport=%d dstport=%d", f.srcPort, f.dstPort)
	return b.String()
}

func actionText(a filterAction) string {
	if a.action != "negotiate" {
		return fmt.Sprintf(`add filteraction name="%s" description="%s" action=%s`, a.name, a.desc, a.action)
	}
	return fmt.Sprintf(`add filteraction name="%s" description="%s" qmpfs=%s inpass=%s soft=%s action=negotiate qmsecmethods="%s"`,
		a.name, a.desc, yesNo(a.qmpfs), yesNo(a.inpass), yesNo(a.soft), a.qmsec)
}
