package model

import (
	"fmt"
	"strings"
)

// registryAssignment is one assignment the registry records: the local
// store's ActivePolicy, or Group Policy's GPTIPSECPolicy.
type registryAssignment struct {
	id   string // the value: ipsecPolicy{GUID} path or LDAP path
	name string // the policy's name, where the registry gives it
	loc  Location
}

// registryPolicyEvidence is what the SOFTWARE registry says about the
// assigned IPSec policy.
type registryPolicyEvidence struct {
	covered bool // the exports cover the IPSec policy keys
	local   registryAssignment
	domain  registryAssignment
}

func readRegistryPolicy(h *Host) registryPolicyEvidence {
	r := h.Registry
	ev := registryPolicyEvidence{covered: h.Covers(KeyIPSecLocal)}
	if v := r.Value(KeyIPSecGPT, "DSIPSECPolicyPath"); v != nil {
		if s, ok := v.AsString(); ok && strings.TrimSpace(s) != "" {
			ev.covered = true
			ev.domain = registryAssignment{id: strings.TrimSpace(s), name: stringValue(r, KeyIPSecGPT, "DSIPSECPolicyName"), loc: v.Loc}
		}
	}
	if v := r.Value(KeyIPSecLocal, "ActivePolicy"); v != nil {
		if s, ok := v.AsString(); ok && strings.TrimSpace(s) != "" {
			ev.covered = true
			ev.local = registryAssignment{id: strings.TrimSpace(s), loc: v.Loc}
			// ActivePolicy holds the registry path of the policy object.
			key := s
			if i := strings.LastIndexByte(s, '\\'); i >= 0 {
				key = s[i+1:]
			}
			ev.local.name = stringValue(r, KeyIPSecLocal+`\`+key, "ipsecName")
		}
	}
	return ev
}

func (h *Host) hasHive(name string) bool {
	for _, f := range h.Files {
		if f.Kind != KindHive || f.Status == StatusFailed {
			continue
		}
		for _, m := range f.Hives {
			if strings.EqualFold(m, name) {
				return true
			}
		}
	}
	return false
}

// netshEvidence is what the host's netsh exports say, store by store.
type netshEvidence struct {
	local      []*Policy // assigned policies of local-store exports, one per file
	localStore []*PolicyStore
	localData  bool // some local-store export holds data
	domain     []*PolicyStore
	persistent []*Policy // assigned policies of the persistent store
	noData     bool      // an export says it holds no data
}

func readNetsh(h *Host) netshEvidence {
	var ev netshEvidence
	for _, s := range h.IPSec {
		if s.Source == SourceRegistry {
			continue
		}
		if s.NoData {
			ev.noData = true
			continue
		}
		switch s.Store {
		case StoreDomain:
			ev.domain = append(ev.domain, s)
		case StorePersistent:
			for _, p := range s.Policies {
				if p.Assigned && !p.Partial {
					ev.persistent = append(ev.persistent, p)
				}
			}
		default:
			ev.localData = true
			ev.localStore = append(ev.localStore, s)
			if p := s.Assigned(); p != nil {
				ev.local = append(ev.local, p)
			}
		}
	}
	return ev
}

// registryPolicy returns the policy the registry's decoded objects hold
// in store, assigned (ActivePolicy, or the cached domain policy
// GPTIPSECPolicy names), when its contents are there: a policy object
// without its data or its rules is not.
func registryPolicy(h *Host, store Store) *Policy {
	for _, s := range h.IPSec {
		if s.Source == SourceRegistry && s.Store == store {
			if p := s.Assigned(); p != nil && p.Doubts.About("object") == nil && p.Doubts.About("rules") == nil {
				return p
			}
		}
	}
	return nil
}

// missingKeys says which registry keys to export for the policy the
// registry assigns in store, or "" when the decoder named none.
func missingKeys(h *Host, store Store) string {
	keys := h.MissingPolicyKeys[store]
	if len(keys) == 0 {
		return ""
	}
	if len(keys) > 3 {
		keys = append(keys[:3:3], fmt.Sprintf("and %d more", len(keys)-3))
	}
	return "export " + strings.Join(keys, ", ")
}

// assignedPolicy combines the registry and netsh evidence into the
// policy the host applies. The registry is authoritative for what is
// assigned: a domain policy (GPTIPSECPolicy) wins over the local
// ActivePolicy, and a netsh export that disagrees is reported as a
// conflict. Without registry evidence, a local-store netsh export's
// assign=yes tells; a dump of the domain store says nothing about the
// host. Persistent-store policies apply in addition.
func assignedPolicy(h *Host) Fact[AssignedPolicy] {
	reg := readRegistryPolicy(h)
	ns := readNetsh(h)
	var f Fact[AssignedPolicy]
	switch {
	case reg.domain.id != "":
		f = domainAssigned(h, reg, ns)
	case reg.local.id != "":
		f = localAssigned(h, reg, ns)
	case reg.covered:
		f = registryNone(h, ns)
	default:
		f = netshOnly(h, ns)
	}
	for _, p := range ns.persistent {
		f.Value.Persistent = append(f.Value.Persistent, p)
		f.Value.PersistentNames = append(f.Value.PersistentNames, p.Name)
	}
	return f
}

// domainAssigned is the policy Group Policy assigned: its contents come
// from the registry's domain cache, else from a dump of the domain store
// that holds a policy of that name.
func domainAssigned(h *Host, reg registryPolicyEvidence, ns netshEvidence) Fact[AssignedPolicy] {
	ap := AssignedPolicy{State: PolicyAssigned, Origin: PolicyOriginGPO, Name: reg.domain.name}
	if ap.Name == "" {
		ap.Name = reg.domain.id
	}
	if p := registryPolicy(h, StoreDomainCache); p != nil {
		ap.use(p, StoreDomainCache, "registry "+p.Loc.Key)
	} else if p, s := policyIn(ns.domain, ap.Name); p != nil {
		ap.use(p, StoreDomain, s.File)
		note := fmt.Sprintf("the contents of domain policy %q come from %s, a dump of Active Directory, which may differ from the copy the host applies (the registry's Policy\\Cache)", ap.Name, s.File)
		ap.Notes = append(ap.Notes, note)
		markOtherCopy(p, note)
	} else {
		ap.Missing = `the domain policy's cached copy: export HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec (it holds GPTIPSECPolicy and Policy\Cache), e.g. reg export HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec ipsec-policy.reg; a netsh ipsec static dump shows the local store, not this policy`
		if keys := missingKeys(h, StoreDomainCache); keys != "" {
			ap.Missing = "the domain policy's cached copy is not complete in the exports: " + keys + ` (reg export HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec holds them all); a netsh ipsec static dump shows the local store, not this policy`
		}
	}
	switch {
	case reg.local.id != "":
		ap.Overridden = reg.local.name
		if ap.Overridden == "" {
			ap.Overridden = reg.local.id
		}
	case len(ns.local) > 0:
		ap.Overridden = ns.local[0].Name
	}
	if ap.Overridden != "" {
		ap.Notes = append(ap.Notes, fmt.Sprintf("the local policy %q is overridden by the domain policy %q", ap.Overridden, ap.Name))
	}
	return Known(ap.withoutPartialContents(), reg.domain.loc, `SOFTWARE\Policies\Microsoft\Windows\IPSec\GPTIPSECPolicy\DSIPSECPolicyPath (domain policy)`)
}

// markOtherCopy records on each rule of p that p is not the copy the host
// applies (a doubt on "appliedCopy"), so that every match the rule takes
// part in says so in its Uncertain.
func markOtherCopy(p *Policy, why string) {
	for _, r := range p.Rules {
		if r.Doubts.About("appliedCopy") == nil {
			r.Doubts = append(r.Doubts, Doubt{Field: "appliedCopy", Loc: p.Loc, Reason: why})
		}
	}
}

// localAssigned is the policy the local store's ActivePolicy names; a
// netsh export of the local store that assigns another is a conflict the
// registry wins.
func localAssigned(h *Host, reg registryPolicyEvidence, ns netshEvidence) Fact[AssignedPolicy] {
	ap := AssignedPolicy{State: PolicyAssigned, Origin: PolicyOriginLocal, Store: StoreLocal, Name: reg.local.name}
	if ap.Name == "" {
		ap.Name = reg.local.id
	}
	regPol := registryPolicy(h, StoreLocal)
	netPol, netStore := policyIn(ns.localStore, ap.Name)
	for _, other := range ns.local {
		if !strings.EqualFold(other.Name, ap.Name) {
			ap.Conflicts = append(ap.Conflicts, EvidenceConflict{What: "assigned IPSec policy",
				Used: fmt.Sprintf("%q (ActivePolicy)", ap.Name), UsedLoc: reg.local.loc,
				Other: fmt.Sprintf("%q (assign=yes)", other.Name), OtherLoc: assignLoc(other),
				Why: "the registry is authoritative for what is assigned"})
		}
	}
	if netPol != nil && !netPol.Assigned {
		ap.Conflicts = append(ap.Conflicts, EvidenceConflict{What: "assigned IPSec policy",
			Used: fmt.Sprintf("%q is assigned (ActivePolicy)", ap.Name), UsedLoc: reg.local.loc,
			Other: fmt.Sprintf("%q is not assigned", netPol.Name), OtherLoc: netPol.Loc,
			Why: "the registry is authoritative for what is assigned"})
	}
	switch {
	case regPol != nil:
		ap.use(regPol, StoreLocal, "registry "+regPol.Loc.Key)
		if netPol != nil {
			ap.compare(regPol, netPol, netStore.File)
		}
	case netPol != nil:
		ap.use(netPol, StoreLocal, netStore.File)
	default:
		ap.Missing = localMissing(h)
		if keys := missingKeys(h, StoreLocal); keys != "" {
			ap.Missing = keys + "; or " + ap.Missing
		}
	}
	return Known(ap.withoutPartialContents(), reg.local.loc, `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local\ActivePolicy`)
}

// registryNone is a registry that covers the policy keys and assigns
// nothing; a netsh export that assigns a policy is a conflict it wins.
func registryNone(h *Host, ns netshEvidence) Fact[AssignedPolicy] {
	ap := AssignedPolicy{State: PolicyNone}
	loc := Location{}
	if k := h.Registry.Key(KeyIPSecLocal); k != nil {
		loc = k.Loc
	}
	for _, p := range ns.local {
		ap.Conflicts = append(ap.Conflicts, EvidenceConflict{What: "assigned IPSec policy",
			Used: "no policy assigned (no ActivePolicy, no GPTIPSECPolicy)", UsedLoc: loc,
			Other: fmt.Sprintf("%q assigned (assign=yes)", p.Name), OtherLoc: assignLoc(p),
			Why: "the registry is authoritative for what is assigned"})
	}
	return Known(ap, loc, "the registry names no active IPSec policy")
}

// netshOnly decides from netsh exports alone.
func netshOnly(h *Host, ns netshEvidence) Fact[AssignedPolicy] {
	distinct := map[string]*Policy{}
	var order []*Policy
	for _, p := range ns.local {
		if _, ok := distinct[strings.ToLower(p.Name)]; !ok {
			distinct[strings.ToLower(p.Name)] = p
			order = append(order, p)
		}
	}
	switch {
	case len(order) > 1:
		names := make([]string, len(order))
		for i, p := range order {
			names[i] = fmt.Sprintf("%q (%s)", p.Name, assignLoc(p))
		}
		return Unknown[AssignedPolicy]("the netsh exports assign different policies (" + strings.Join(names, ", ") + ") and no SOFTWARE registry export says which one the host applies")
	case len(order) == 1:
		np := order[0]
		ap := AssignedPolicy{State: PolicyAssigned, Origin: PolicyOriginLocal, Store: StoreLocal, Name: np.Name}
		ap.use(np, StoreLocal, storeFile(ns.localStore, np))
		return Known(ap.withoutPartialContents(), assignLoc(np), "netsh: policy "+np.Name+" assign=yes")
	case ns.localData:
		loc := Location{File: ns.localStore[0].File}
		return Known(AssignedPolicy{State: PolicyNone}, loc, "no policy is assigned in the netsh export")
	case len(ns.domain) > 0:
		return Unknown[AssignedPolicy]("the only netsh export is a dump of the domain store (set store location=domain, " + ns.domain[0].File + "), which shows Active Directory's policies, not the one the host applies; only the registry (GPTIPSECPolicy) says that")
	case ns.noData:
		return Unknown[AssignedPolicy]("the netsh export holds no data (empty dump or IPsec errors) and the registry does not say")
	}
	return Unknown[AssignedPolicy]("no netsh IPSec export and no SOFTWARE registry with the IPSec policy keys")
}

// use takes p as the assigned policy's contents.
func (ap *AssignedPolicy) use(p *Policy, store Store, from string) {
	ap.Policy, ap.Store = p, store
	ap.ContentsFrom = append(ap.ContentsFrom, from)
}

// compare reports where a netsh export describes the registry's policy
// otherwise; equal descriptions are one policy with two pieces of
// evidence.
func (ap *AssignedPolicy) compare(regPol, netPol *Policy, netFile string) {
	changes := DiffPolicies(netPol, regPol)
	if len(changes) == 0 {
		ap.ContentsFrom = append(ap.ContentsFrom, netFile)
		return
	}
	for _, c := range changes {
		ap.Conflicts = append(ap.Conflicts, EvidenceConflict{What: "policy " + c.Object + fieldSuffix(c.Field),
			Used: orAbsent(c.New) + " (registry)", UsedLoc: c.NewLoc, Other: orAbsent(c.Old) + " (" + netFile + ")", OtherLoc: c.OldLoc,
			Why: "the registry holds what the Policy Agent applies"})
	}
}

func fieldSuffix(f string) string {
	if f == "" {
		return ""
	}
	return " " + f
}

func orAbsent(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// localMissing says what to export for a local policy's contents.
func localMissing(h *Host) string {
	if os := h.Facts.OS; os.Known && os.Value.Family == OSWin2000 {
		return `Windows 2000 has no netsh ipsec context: export HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec (reg export, or reg save HKLM\SOFTWARE), which holds the policy's objects`
	}
	return `add the output of netsh ipsec static dump, or export HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec (the local store's objects)`
}

// policyIn finds a policy by name in stores.
func policyIn(stores []*PolicyStore, name string) (*Policy, *PolicyStore) {
	if name == "" {
		return nil, nil
	}
	for _, s := range stores {
		if p := s.Policy(name); p != nil {
			return p, s
		}
	}
	return nil, nil
}

func storeFile(stores []*PolicyStore, p *Policy) string {
	for _, s := range stores {
		for _, q := range s.Policies {
			if q == p {
				return s.File
			}
		}
	}
	return ""
}

// assignLoc is where a policy was assigned, else where it is written.
func assignLoc(p *Policy) Location {
	if !p.AssignLoc.IsZero() {
		return p.AssignLoc
	}
	return p.Loc
}

// withoutPartialContents drops contents that an export only names (netdiag
// output gives the assigned policy's name, not its rules): rules must not
// judge a policy whose filters they cannot see.
func (ap AssignedPolicy) withoutPartialContents() AssignedPolicy {
	if ap.Policy != nil && ap.Policy.Partial {
		ap.Notes = append(ap.Notes, fmt.Sprintf("%s names policy %q but does not hold its rules and filters", strings.Join(ap.ContentsFrom, ", "), ap.Policy.Name))
		ap.Policy, ap.ContentsFrom = nil, nil
		if ap.Missing == "" {
			ap.Missing = "add the output of netsh ipsec static dump (netdiag names the policy only)"
		}
	}
	return ap
}
