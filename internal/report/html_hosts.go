package report

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// The HTML page's host sections: each host's role, OS, facts with their
// evidence, files, failover estimates, findings and not-evaluated checks.

type htmlHost struct {
	Anchor, Name, NameSource, Dir string
	Role, RoleBasis, RoleWhy      string
	RoleWeak                      bool
	OS                            string
	Counts                        string
	Facts                         []htmlFact
	Files                         []htmlFile
	Failover                      []htmlFailover
	Findings                      []htmlFinding
	NotEvaluated                  []htmlNotEvaluated
}

// htmlFact is one fact of a host with its evidence.
type htmlFact struct {
	Name, Value string
	Known       bool
	Evidence    string // where the deciding evidence was read
	Via         string // how the fact was found, or why it is unknown
	Details     []string
}

type htmlFile struct {
	Name, Kind, Detail, Status, StatusLabel, Reason string
	Problems                                        []htmlProblem
	MoreProblems                                    int // problems not listed
	Notes                                           []string
}

type htmlProblem struct{ Location, Message string }

type htmlFailover struct {
	Backend, Estimate, Why, Location, Uncertain string
	// Addresses are the first addresses the estimate holds for, Others
	// says how many more ("and 16 other addresses").
	Addresses []string
	Others    string
	Class     string // fast, slow, na, unknown
}

type htmlFinding struct {
	Anchor                     string
	RuleID, RuleName, RuleHref string
	FixHref                    string // the rule's remediation and references
	Severity                   string
	Message, Location          string
	Related                    []string
	Subject, Fingerprint       string
	Uncertain                  []string
	Suppressed                 *htmlSuppression
}

type htmlSuppression struct{ Reason, Ticket, Expires, Location string }

type htmlNotEvaluated struct {
	Anchor, RuleID, RuleHref, Reason string
}

// htmlFleetWide is what the rules said about no one host.
type htmlFleetWide struct {
	Findings     []htmlFinding
	NotEvaluated []htmlNotEvaluated
}

// maxListed is how many problems or notes of one file the page lists.
const maxListed = 20

// htmlHosts returns the host sections, and what concerns no one host.
func (a *Audit) htmlHosts() ([]htmlHost, htmlFleetWide) {
	findings := map[string][]rules.Finding{}
	for _, f := range a.Outcome.Findings {
		findings[f.Host] = append(findings[f.Host], f)
	}
	notEvaluated := map[string][]rules.NotEvaluated{}
	for _, n := range a.Outcome.NotEvaluated {
		notEvaluated[n.Host] = append(notEvaluated[n.Host], n)
	}
	failovers := a.hostIndex().failovers
	addrs := newAddressLists()
	var out []htmlHost
	for i, h := range a.Fleet.Hosts {
		hh := a.htmlHost(h, findings[h.Name], len(notEvaluated[h.Name]), a.failoverViews(failovers[h], addrs))
		hh.Anchor = hostAnchor(i)
		hh.Findings = a.htmlFindings(hh.Anchor, findings[h.Name])
		hh.NotEvaluated = htmlNotEvaluatedOf(hh.Anchor, notEvaluated[h.Name])
		delete(findings, h.Name)
		delete(notEvaluated, h.Name)
		out = append(out, hh)
	}
	// Whatever is left names no host of the fleet: the fleet-wide
	// entries (Host ""), in outcome order.
	var fleet htmlFleetWide
	var restF []rules.Finding
	for _, f := range a.Outcome.Findings {
		if _, left := findings[f.Host]; left {
			restF = append(restF, f)
		}
	}
	var restN []rules.NotEvaluated
	for _, n := range a.Outcome.NotEvaluated {
		if _, left := notEvaluated[n.Host]; left {
			restN = append(restN, n)
		}
	}
	fleet.Findings = a.htmlFindings(fleetScope, restF)
	fleet.NotEvaluated = htmlNotEvaluatedOf(fleetScope, restN)
	return out, fleet
}

// htmlHost renders host h, given its findings, the number of its
// not-evaluated checks and its failover estimates (all grouped by host
// once for the fleet).
func (a *Audit) htmlHost(h *model.Host, fs []rules.Finding, ne int, fo []failoverView) htmlHost {
	counts := map[rules.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	hh := htmlHost{Name: show(h.Name), NameSource: show(h.NameSource), Dir: show(h.Dir),
		Role: roleName(h.Role.Role), RoleBasis: string(h.Role.Basis), RoleWhy: show(h.Role.Why), RoleWeak: h.Role.Weak,
		OS: "unknown OS", Facts: a.htmlFacts(h)}
	if hh.RoleBasis == "" {
		hh.RoleBasis = string(model.RoleNotKnown)
	}
	if h.Facts.OS.Known {
		hh.OS = show(h.Facts.OS.Value.String())
	}
	hh.Counts = fmt.Sprintf("%s, %s, %s; %s not evaluated",
		plural(counts[rules.SeverityError], "error", "errors"), plural(counts[rules.SeverityWarning], "warning", "warnings"),
		plural(counts[rules.SeverityNote], "note", "notes"), plural(ne, "check", "checks"))
	for _, f := range h.Files {
		hh.Files = append(hh.Files, a.htmlFile(f))
	}
	for _, f := range fo {
		hh.Failover = append(hh.Failover, htmlFailover{Backend: show(f.shownBackends()), Addresses: showAll(f.shown()), Others: show(f.othersText()), Estimate: show(f.Estimate),
			Why: show(f.Why), Location: show(f.Location), Uncertain: show(f.Uncertain), Class: failoverClass(f.Estimate)})
	}
	return hh
}

func failoverClass(estimate string) string {
	switch estimate {
	case flows.FailoverFast:
		return "fast"
	case flows.FailoverSlow:
		return "slow"
	case flows.FailoverNotApplicable:
		return "na"
	}
	return "unknown"
}

// htmlFindings renders the findings of one scope (a host, or the fleet);
// the k-th finding of a rule in the scope is anchored scope-RULE-k.
func (a *Audit) htmlFindings(scope string, fs []rules.Finding) []htmlFinding {
	var out []htmlFinding
	k := map[string]int{}
	for _, f := range fs {
		k[f.RuleID]++
		hf := htmlFinding{Anchor: findingAnchor(scope, f.RuleID, k[f.RuleID]), RuleID: show(f.RuleID), RuleName: show(f.RuleName),
			RuleHref: "#" + ruleAnchor(f.RuleID), FixHref: "#" + ruleAnchor(f.RuleID) + "-fix", Severity: string(f.Severity), Message: show(f.Message),
			Location: show(a.locationText(f.Loc)), Subject: show(f.Subject), Fingerprint: show(f.Fingerprint), Uncertain: showAll(f.Uncertain)}
		for _, r := range f.Related {
			hf.Related = append(hf.Related, show(a.locationText(r)))
		}
		if s := f.Suppressed; s != nil {
			hf.Suppressed = &htmlSuppression{Reason: show(s.Reason), Ticket: show(s.Ticket), Expires: show(s.Expires), Location: show(a.locationText(s.Loc))}
		}
		out = append(out, hf)
	}
	return out
}

func htmlNotEvaluatedOf(scope string, ns []rules.NotEvaluated) []htmlNotEvaluated {
	var out []htmlNotEvaluated
	k := map[string]int{}
	for _, n := range ns {
		k[n.RuleID]++
		out = append(out, htmlNotEvaluated{Anchor: notEvaluatedAnchor(scope, n.RuleID, k[n.RuleID]), RuleID: show(n.RuleID),
			RuleHref: "#" + ruleAnchor(n.RuleID), Reason: show(n.Reason)})
	}
	return out
}

func (a *Audit) htmlFile(f *model.InputFile) htmlFile {
	hf := htmlFile{Name: show(f.Name), Kind: show(string(f.Kind)), Detail: show(f.Detail), Status: show(string(f.Status)),
		StatusLabel: fileStatusLabel(f.Status), Reason: show(f.Reason)}
	for i, p := range f.Problems {
		if i == maxListed {
			hf.MoreProblems = len(f.Problems) - maxListed
			break
		}
		hf.Problems = append(hf.Problems, htmlProblem{Location: show(a.locationText(p.Loc)), Message: show(p.Message)})
	}
	notes := f.Notes
	if len(notes) > maxListed {
		notes = append(notes[:maxListed:maxListed], fmt.Sprintf("... and %d more notes (see `ipseclint dump`)", len(f.Notes)-maxListed))
	}
	hf.Notes = showAll(notes)
	return hf
}

// htmlFacts lists a host's facts, each with its evidence.
func (a *Audit) htmlFacts(h *model.Host) []htmlFact {
	f := &h.Facts
	facts := []htmlFact{
		factOf(a, "ComputerName", f.ComputerName, func(s string) string { return s }),
		factOf(a, "Operating system", f.OS, osText),
		factOf(a, "Server-cluster node", f.ClusterNode, clusterNodeText),
		factOf(a, "NLB", f.NLB, nlbText),
		factOf(a, "Exchange services", f.Exchange, servicesText),
		factOf(a, "Addresses", f.Addresses, addressesText),
	}
	for _, v := range f.Virtual {
		facts = append(facts, a.virtualFact(v))
	}
	if c := f.Cluster; c != nil && len(c.Nodes) > 0 {
		facts = append(facts, htmlFact{Name: "Cluster nodes", Known: true, Value: show(strings.Join(c.Nodes, ", ")), Via: "the cluster hive"})
	}
	facts = append(facts, a.policyFact(f.Policy), factOf(a, "NLBSFlags", f.NLBSFlags, nlbsFlagsText))
	return facts
}

// factOf renders fact f; value says the value in words.
func factOf[T any](a *Audit, name string, f model.Fact[T], value func(T) string) htmlFact {
	out := htmlFact{Name: name, Known: f.Known, Value: "unknown", Via: show(f.Via)}
	if f.Known {
		out.Value = show(value(f.Value))
	}
	if !f.Source.IsZero() {
		out.Evidence = show(a.locationText(f.Source))
	}
	return out
}

func osText(o model.OSInfo) string {
	s := o.String()
	var more []string
	if o.ProductName != "" {
		more = append(more, o.ProductName)
	}
	if o.Version != "" {
		more = append(more, "version "+o.Version)
	}
	if o.Build != "" {
		more = append(more, "build "+o.Build)
	}
	if o.ProductType != "" {
		more = append(more, o.ProductType)
	}
	if len(more) > 0 {
		s += " (" + strings.Join(more, ", ") + ")"
	}
	return s
}

func clusterNodeText(b bool) string {
	if b {
		return "yes: a server-cluster (MSCS) node"
	}
	return "no"
}

func nlbText(n model.NLBInfo) string {
	if !n.Member {
		return "not an NLB member"
	}
	if len(n.ClusterIPs) == 0 {
		return "NLB member"
	}
	return "NLB member; cluster addresses " + joinAddrs(n.ClusterIPs)
}

func servicesText(ss []model.ServiceState) string {
	if len(ss) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		parts = append(parts, s.Name+" ("+model.StartName(s.Start)+")")
	}
	return strings.Join(parts, ", ")
}

func addressesText(ips []netip.Addr) string {
	if len(ips) == 0 {
		return "none"
	}
	return joinAddrs(ips)
}

func joinAddrs(ips []netip.Addr) string {
	parts := make([]string, 0, len(ips))
	for _, ip := range ips {
		parts = append(parts, ip.String())
	}
	return strings.Join(parts, ", ")
}

func nlbsFlagsText(n model.NLBSFlagsInfo) string {
	if n.Set {
		return "set: " + n.Value.Display()
	}
	return "not set: " + n.Found
}

func (a *Audit) virtualFact(v model.VirtualAddress) htmlFact {
	val := v.IP.String()
	if v.Mask != "" {
		val += " mask " + v.Mask
	}
	var more []string
	if v.Resource != "" {
		more = append(more, "resource "+v.Resource)
	}
	if v.Group != "" {
		more = append(more, "group "+v.Group)
	}
	if v.Exchange {
		more = append(more, "Exchange virtual server")
	}
	if len(more) > 0 {
		val += " (" + strings.Join(more, ", ") + ")"
	}
	out := htmlFact{Name: "Virtual address", Known: true, Value: show(val), Via: show("from the " + v.Origin)}
	if !v.Loc.IsZero() {
		out.Evidence = show(a.locationText(v.Loc))
	}
	return out
}

// policyFact renders the assigned IPSec policy with its store and the
// evidence for its contents.
func (a *Audit) policyFact(f model.Fact[model.AssignedPolicy]) htmlFact {
	out := factOf(a, "Assigned IPSec policy", f, policyText)
	if !f.Known {
		return out
	}
	p := f.Value
	var d []string
	if len(p.ContentsFrom) > 0 {
		d = append(d, "contents read from "+strings.Join(p.ContentsFrom, ", "))
	}
	if p.Missing != "" {
		d = append(d, "contents not in the exports: "+p.Missing)
	}
	if len(p.PersistentNames) > 0 {
		d = append(d, "persistent store, applied in addition: "+strings.Join(p.PersistentNames, ", "))
	}
	if p.Overridden != "" {
		d = append(d, "overrides the local policy "+p.Overridden)
	}
	for _, c := range p.Conflicts {
		d = append(d, fmt.Sprintf("conflicting evidence on %s: used %s (%s), not %s (%s): %s",
			c.What, c.Used, a.locationText(c.UsedLoc), c.Other, a.locationText(c.OtherLoc), c.Why))
	}
	d = append(d, p.Notes...)
	out.Details = showAll(d)
	return out
}

func policyText(p model.AssignedPolicy) string {
	switch p.State {
	case model.PolicyNone:
		return "none assigned"
	case model.PolicyAssigned:
	default:
		return string(p.State)
	}
	s := "assigned"
	if p.Name != "" {
		s += fmt.Sprintf(": %q", p.Name)
	}
	var more []string
	if p.Origin != "" {
		more = append(more, "origin "+p.Origin)
	}
	if p.Store != "" {
		more = append(more, "store "+string(p.Store))
	}
	if len(more) > 0 {
		s += " (" + strings.Join(more, ", ") + ")"
	}
	return s
}
