package model

import (
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
)

// Fleet is everything one audit read: the hosts, every input file met
// (read, partly read, failed or skipped), and the auditor's configuration.
type Fleet struct {
	// Root is the folder paths are reported relative to.
	Root   string       `json:"root"`
	Hosts  []*Host      `json:"hosts"`
	Files  []*InputFile `json:"files"`
	Config *FleetConfig `json:"config,omitempty"`
}

// Host returns the host of that name (case-insensitive), or nil.
func (f *Fleet) Host(name string) *Host {
	for _, h := range f.Hosts {
		if strings.EqualFold(h.Name, name) {
			return h
		}
	}
	return nil
}

// WithRole returns the hosts that have role r, in fleet order.
func (f *Fleet) WithRole(r Role) []*Host {
	var out []*Host
	for _, h := range f.Hosts {
		if h.Role.Role == r {
			out = append(out, h)
		}
	}
	return out
}

// AssignRoles gives every host its role: the one declared in
// ipseclint.yaml, else one inferred from positive evidence in the exports.
// The front-end/back-end role lives in Active Directory, not in the
// registry, so the inference is narrow: an Exchange server that is a
// server-cluster (MSCS) node is a back-end (front-ends are not supported
// on server clusters, KB 837852); an Exchange server that is an NLB member
// is a front-end (Exchange 2003 front-ends are load-balanced with NLB,
// KB 837852; back-ends hold mailboxes and are clustered, not
// load-balanced), which is weaker evidence and said so; a host without
// Exchange services is "other". Everything else stays unknown, with what
// is missing, and rules that need a role say so.
func (f *Fleet) AssignRoles() {
	for _, h := range f.Hosts {
		h.Role = roleOf(f, h)
	}
}

func roleOf(f *Fleet, h *Host) RoleFact {
	if h.Config != nil && h.Config.Role != RoleUnknown {
		return RoleFact{Role: h.Config.Role, Basis: RoleDeclared, Why: "declared in " + configName(f)}
	}
	x, node, nlb := h.Facts.Exchange, h.Facts.ClusterNode, h.Facts.NLB
	switch {
	case !h.Facts.IsExchange() && node.Known && node.Value && h.Facts.Cluster.HasExchange():
		// The services are not in the exports, but the host's cluster
		// hive runs an Exchange virtual server: an Exchange cluster node,
		// and front-ends are not clustered (KB 837852).
		return inferred(RoleBackEnd, "server-cluster node ("+node.Via+") whose cluster hive holds an Exchange virtual server's resources (the Exchange services are not in the exports: "+x.Via+"); front-ends are not clustered (KB 837852)")
	case !x.Known && strings.EqualFold(stringValue(h.Registry, KeyProductOptions, "ProductType"), "WinNT"):
		// Exchange 2003 needs a server edition; WinNT is a workstation's.
		return inferred(RoleOther, "a workstation (Control\\ProductOptions\\ProductType = WinNT): Exchange 2003 runs on server editions only")
	case !x.Known:
		return RoleFact{Basis: RoleNotKnown, Why: x.Via}
	case !h.Facts.IsExchange():
		return inferred(RoleOther, "no Exchange information store or system attendant service")
	case node.Known && node.Value && nlb.Known && nlb.Value.Member:
		// Cluster membership points to a back-end, NLB membership to a
		// front-end: neither is taken over the other.
		return RoleFact{Basis: RoleNotKnown, Why: "Exchange server that is both a server-cluster node (" + node.Via + ") and an NLB member (" + nlb.Via + "): the first points to a back-end, the second to a front-end; declare its role in ipseclint.yaml"}
	case node.Known && node.Value:
		return inferred(RoleBackEnd, "Exchange server on a server-cluster node ("+node.Via+")")
	case nlb.Known && nlb.Value.Member:
		r := inferred(RoleFrontEnd, "Exchange server in an NLB cluster ("+nlb.Via+"): Exchange 2003 front-ends are load-balanced with NLB, back-ends are not (KB 837852); the role itself is recorded in Active Directory, not in the registry")
		r.Weak = true
		return r
	case !node.Known:
		return RoleFact{Basis: RoleNotKnown, Why: "Exchange server, but whether it is a server-cluster node is unknown (" + node.Via + ")"}
	case !nlb.Known:
		return RoleFact{Basis: RoleNotKnown, Why: "Exchange server that is not a server-cluster node; whether it is an NLB member is unknown (" + nlb.Via + "); declare its role in ipseclint.yaml"}
	}
	return RoleFact{Basis: RoleNotKnown, Why: "Exchange server that is neither a server-cluster node nor an NLB member: whether it is a front-end or a stand-alone back-end is recorded in Active Directory, not in the registry; declare its role in ipseclint.yaml"}
}

func inferred(r Role, why string) RoleFact { return RoleFact{Role: r, Basis: RoleInferred, Why: why} }

func configName(f *Fleet) string {
	if f.Config != nil && f.Config.File != "" {
		return filepath.Base(f.Config.File)
	}
	return "ipseclint.yaml"
}

// Target is an address front-ends send Exchange traffic to.
type Target struct {
	IP netip.Addr `json:"ip"`
	// Backend names the back-end host, when known.
	Backend string `json:"backend,omitempty"`
	// Origin says why the address is a target: "cluster hive", "NLB",
	// "ipseclint.yaml", "back-end's own address".
	Origin string   `json:"origin"`
	Loc    Location `json:"location,omitzero"`
}

// BackendGap is a back-end whose addresses are unknown: the front-ends'
// traffic to it cannot be evaluated.
type BackendGap struct {
	Host *Host
	// Why says what is missing ("HX3: clustered, but no cluster hive
	// ...").
	Why string
}

// Clustered reports whether the back-end is a server-cluster node or an
// NLB cluster member: front-ends reach it on a virtual address, which
// fails over.
func (g BackendGap) Clustered() bool { return g.Host.Facts.Clustered() }

// BackendTargets returns the addresses front-ends talk to: the virtual
// addresses of clustered back-ends (cluster hive, NLB cluster IP, or
// backends.virtual_addresses) and the own addresses of back-ends that are
// not clustered. gaps lists back-ends whose addresses are unknown.
func (f *Fleet) BackendTargets() (targets []Target, gaps []BackendGap) {
	seen := map[netip.Addr]bool{}
	add := func(t Target) {
		if !t.IP.IsValid() || seen[t.IP] {
			return
		}
		seen[t.IP] = true
		targets = append(targets, t)
	}
	if f.Config != nil {
		for _, ip := range f.Config.BackendVirtualAddresses {
			add(Target{IP: ip, Origin: "backends.virtual_addresses in " + configName(f), Loc: f.Config.BackendVirtualLoc})
		}
	}
	for _, h := range f.WithRole(RoleBackEnd) {
		n := len(targets)
		clustered := h.Facts.Clustered()
		for _, va := range h.Facts.Virtual {
			add(Target{IP: va.IP, Backend: h.Name, Origin: va.Origin, Loc: va.Loc})
		}
		if !clustered {
			for _, ip := range h.Facts.Addresses.Value {
				add(Target{IP: ip, Backend: h.Name, Origin: "back-end's own address", Loc: h.Facts.Addresses.Source})
			}
		}
		if c := h.Facts.Cluster; c != nil && c.UnplacedExchange != "" {
			gaps = append(gaps, BackendGap{Host: h, Why: h.Name + ": " + c.UnplacedExchange})
		}
		if len(targets) == n && len(h.Facts.Virtual) == 0 {
			switch {
			case clustered && (f.Config == nil || len(f.Config.BackendVirtualAddresses) == 0):
				gaps = append(gaps, BackendGap{Host: h, Why: h.Name + ": clustered, but no cluster hive among its files and no backends.virtual_addresses declared"})
			case !clustered && !h.Facts.Addresses.Known:
				gaps = append(gaps, BackendGap{Host: h, Why: h.Name + ": " + h.Facts.Addresses.Via})
			}
		}
	}
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].IP.Less(targets[j].IP) })
	return targets, gaps
}

// BackendClustered reports whether the fleet's back-end is a server
// cluster or NLB cluster, and the evidence.
func (f *Fleet) BackendClustered() (bool, string) {
	for _, h := range f.WithRole(RoleBackEnd) {
		if h.Facts.ClusterNode.Known && h.Facts.ClusterNode.Value {
			return true, h.Name + " is a server-cluster node"
		}
		if h.Facts.NLB.Value.Member {
			return true, h.Name + " is an NLB cluster member"
		}
	}
	if f.Config != nil && len(f.Config.BackendVirtualAddresses) > 0 {
		return true, "backends.virtual_addresses is declared in " + configName(f)
	}
	return false, ""
}
