package model

import (
	"fmt"
	"strings"
)

// registryPolicyEvidence is what the SOFTWARE registry says about the
// assigned IPSec policy.
type registryPolicyEvidence struct {
	covered bool   // the exports cover the IPSec policy keys
	origin  string // PolicyOriginLocal or PolicyOriginGPO when assigned
	name    string
	id      string // ipsecPolicy{GUID} or the directory path
	loc     Location
}

func readRegistryPolicy(h *Host) registryPolicyEvidence {
	r := h.Registry
	ev := registryPolicyEvidence{}
	ev.covered = h.Covers(KeyIPSecLocal)
	if v := r.Value(KeyIPSecGPT, "DSIPSECPolicyPath"); v != nil {
		if s, ok := v.AsString(); ok && strings.TrimSpace(s) != "" {
			ev.covered, ev.origin, ev.id, ev.loc = true, PolicyOriginGPO, strings.TrimSpace(s), v.Loc
			ev.name = stringValue(r, KeyIPSecGPT, "DSIPSECPolicyName")
			return ev
		}
	}
	if v := r.Value(KeyIPSecLocal, "ActivePolicy"); v != nil {
		if s, ok := v.AsString(); ok && strings.TrimSpace(s) != "" {
			ev.covered, ev.origin, ev.id, ev.loc = true, PolicyOriginLocal, strings.TrimSpace(s), v.Loc
			// ActivePolicy holds the registry path of the policy object.
			key := s
			if i := strings.LastIndexByte(s, '\\'); i >= 0 {
				key = s[i+1:]
			}
			ev.name = stringValue(r, KeyIPSecLocal+`\`+key, "ipsecName")
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

// netshPolicy returns the assigned policy of the host's netsh exports, the
// store holding it, and whether any export holds data at all.
func netshPolicy(h *Host) (*Policy, *PolicyStore, bool) {
	anyData := false
	for _, s := range h.IPSec {
		if s.NoData {
			continue
		}
		anyData = true
		if p := s.Assigned(); p != nil {
			return p, s, true
		}
	}
	return nil, nil, anyData
}

// policyNamed finds a policy by name in the host's netsh exports.
func policyNamed(h *Host, name string) (*Policy, *PolicyStore) {
	if name == "" {
		return nil, nil
	}
	for _, s := range h.IPSec {
		if p := s.Policy(name); p != nil {
			return p, s
		}
	}
	return nil, nil
}

// assignedPolicy combines the registry and netsh evidence. Positive
// evidence wins: a policy that either source shows assigned is assigned
// (the other's silence is noted); a domain policy wins over a local one,
// as Windows applies it.
func assignedPolicy(h *Host) Fact[AssignedPolicy] {
	reg := readRegistryPolicy(h)
	np, ns, netshData := netshPolicy(h)
	ap := AssignedPolicy{State: PolicyUnknown}
	switch {
	case reg.origin != "":
		ap.State, ap.Origin, ap.Name = PolicyAssigned, reg.origin, reg.name
		p, s := policyNamed(h, reg.name)
		if p == nil && reg.origin == PolicyOriginLocal && np != nil {
			p, s = np, ns
			ap.Notes = append(ap.Notes, fmt.Sprintf("the registry names the assigned policy %q, the netsh export assigns %q", reg.id, np.Name))
		}
		if p != nil && (reg.origin == PolicyOriginLocal || s.Store == StoreDomain) {
			ap.Policy, ap.ContentsFrom = p, s.File
			if !p.Assigned {
				ap.Notes = append(ap.Notes, fmt.Sprintf("the netsh export shows policy %q as not assigned; the registry shows it assigned", p.Name))
			}
		}
		if ap.Name == "" {
			ap.Name = reg.id
		}
		via := "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local\\ActivePolicy"
		if reg.origin == PolicyOriginGPO {
			via = "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\GPTIPSECPolicy\\DSIPSECPolicyPath (domain policy)"
		}
		return Known(ap.withoutPartialContents(), reg.loc, via)
	case np != nil:
		ap.State, ap.Origin, ap.Name, ap.Policy, ap.ContentsFrom = PolicyAssigned, PolicyOriginLocal, np.Name, np, ns.File
		if reg.covered {
			ap.Notes = append(ap.Notes, fmt.Sprintf("the netsh export assigns %q but the registry names no active policy", np.Name))
		}
		loc := np.AssignLoc
		if loc.IsZero() {
			loc = np.Loc
		}
		return Known(ap.withoutPartialContents(), loc, "netsh: policy "+np.Name+" assign=yes")
	case reg.covered || netshData:
		ap.State = PolicyNone
		var via []string
		var loc Location
		if netshData {
			via = append(via, "no policy is assigned in the netsh export")
			for _, s := range h.IPSec {
				if !s.NoData {
					loc = Location{File: s.File}
					break
				}
			}
		}
		if reg.covered {
			via = append(via, "the registry names no active IPSec policy")
			if k := h.Registry.Key(KeyIPSecLocal); k != nil && loc.IsZero() {
				loc = k.Loc
			}
		}
		return Known(ap, loc, strings.Join(via, "; "))
	}
	why := "no netsh IPSec export and no SOFTWARE registry with the IPSec policy keys"
	for _, s := range h.IPSec {
		if s.NoData {
			why = "the netsh export holds no data (empty dump or IPsec errors) and the registry does not say"
		}
	}
	return Fact[AssignedPolicy]{Value: ap, Via: why}
}

// withoutPartialContents drops contents that an export only names (netdiag
// output gives the assigned policy's name, not its rules): rules must not
// judge a policy whose filters they cannot see.
func (ap AssignedPolicy) withoutPartialContents() AssignedPolicy {
	if ap.Policy != nil && ap.Policy.Partial {
		ap.Notes = append(ap.Notes, fmt.Sprintf("%s names policy %q but does not hold its rules and filters", ap.ContentsFrom, ap.Policy.Name))
		ap.Policy, ap.ContentsFrom = nil, ""
	}
	return ap
}
