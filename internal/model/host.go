package model

import (
	"net/netip"
	"strings"
)

// Fact is one thing known about a host, with the evidence for it. Known is
// false when the exports do not tell; Via then says what was missing.
type Fact[T any] struct {
	Value T    `json:"value"`
	Known bool `json:"known"`
	// Source is where the deciding evidence was read.
	Source Location `json:"source,omitzero"`
	// Via says how the fact was found (or why it is unknown), in words.
	Via string `json:"via,omitempty"`
}

// Known returns a known fact.
func Known[T any](v T, src Location, via string) Fact[T] {
	return Fact[T]{Value: v, Known: true, Source: src, Via: via}
}

// Unknown returns an unknown fact with the reason.
func Unknown[T any](why string) Fact[T] {
	return Fact[T]{Via: why}
}

// OSFamily is the Windows release a host runs.
type OSFamily string

// The Windows releases the rules tell apart.
const (
	OSUnknown  OSFamily = ""
	OSWin2000  OSFamily = "Windows 2000"
	OSWinXP    OSFamily = "Windows XP"
	OSWin2003  OSFamily = "Windows Server 2003"
	OSWinLater OSFamily = "Windows Vista or later"
)

// OSInfo is the operating system of a host.
type OSInfo struct {
	Family      OSFamily `json:"family"`
	Version     string   `json:"version,omitempty"` // CurrentVersion: "5.0", "5.2"
	Build       string   `json:"build,omitempty"`
	ServicePack string   `json:"servicePack,omitempty"`
	ProductName string   `json:"productName,omitempty"`
	ProductType string   `json:"productType,omitempty"` // WinNT, ServerNT, LanmanNT
}

// String names the OS for people.
func (o OSInfo) String() string {
	if o.Family == OSUnknown {
		return "unknown OS"
	}
	s := string(o.Family)
	if o.ServicePack != "" {
		s += " " + o.ServicePack
	}
	return s
}

// ServiceState is a Windows service as its registry key describes it.
type ServiceState struct {
	Name  string   `json:"name"`
	Start int      `json:"start"` // 0 boot, 1 system, 2 automatic, 3 manual, 4 disabled; -1 unknown
	Loc   Location `json:"location"`
	// Disputed says how the host's exports disagree on Start, "" when
	// they do not: Start is then the later file's, and which one the
	// host uses is not known.
	Disputed string `json:"disputed,omitempty"`
}

// StartName names a service start type.
func StartName(start int) string {
	switch start {
	case 0:
		return "boot"
	case 1:
		return "system"
	case 2:
		return "automatic"
	case 3:
		return "manual"
	case 4:
		return "disabled"
	}
	return "unknown"
}

// NLBInfo describes a host's Network Load Balancing membership.
type NLBInfo struct {
	Member     bool         `json:"member"`
	ClusterIPs []netip.Addr `json:"clusterIPs,omitempty"`
}

// VirtualAddress is an address a server cluster or NLB cluster answers on
// for its members.
type VirtualAddress struct {
	IP   netip.Addr `json:"ip"`
	Mask string     `json:"mask,omitempty"`
	// Resource and Group name the cluster "IP Address" resource and its group.
	Resource string `json:"resource,omitempty"`
	Group    string `json:"group,omitempty"`
	// Exchange is true when the group is an Exchange virtual server.
	Exchange bool     `json:"exchange"`
	Origin   string   `json:"origin"` // "cluster hive", "NLB", "ipseclint.yaml"
	Loc      Location `json:"location,omitzero"`
}

// PolicyState says whether a host has an IPSec policy assigned.
type PolicyState string

// The states of IPSec policy assignment.
const (
	PolicyUnknown  PolicyState = "unknown"
	PolicyNone     PolicyState = "none"
	PolicyAssigned PolicyState = "assigned"
)

// The origins of an assigned policy (AssignedPolicy.Origin).
const (
	PolicyOriginLocal = "local"  // the local store's ActivePolicy (or a netsh export's assign=yes)
	PolicyOriginGPO   = "domain" // Group Policy: GPTIPSECPolicy, contents in the domain cache
)

// AssignedPolicy is the IPSec policy a host applies, as far as the
// exports tell: at most one local-or-domain policy (a domain policy
// assigned by Group Policy wins over the local one), plus on Windows
// Server 2003 the policies of the persistent store, which apply in
// addition ("Assigning IPSec Policies Locally").
type AssignedPolicy struct {
	State PolicyState `json:"state"`
	// Origin is "local" or "domain" (Group Policy), when assigned.
	Origin string `json:"origin,omitempty"`
	// Store is where the assigned policy's contents were read from
	// (local, domain cache, or domain for a dump of Active Directory).
	Store Store `json:"store,omitempty"`
	// Name of the assigned policy, when known.
	Name string `json:"name,omitempty"`
	// Policy holds the policy's contents when an export of them was found
	// (a netsh dump or listing, or the registry's ipsecData objects); nil
	// otherwise.
	Policy *Policy `json:"-"`
	// ContentsFrom names the evidence the contents were read from: the
	// netsh file, or "registry" with the key of the policy object.
	ContentsFrom []string `json:"contentsFrom,omitempty"`
	// Missing says what to export when the contents are not in the
	// exports (the exact registry keys, or the command).
	Missing string `json:"missing,omitempty"`
	// Persistent are the assigned policies of the persistent store, whose
	// filters apply together with the assigned policy's.
	Persistent []*Policy `json:"-"`
	// PersistentNames names them, for the outputs.
	PersistentNames []string `json:"persistent,omitempty"`
	// Overridden names a local policy that a domain policy overrides.
	Overridden string `json:"overridden,omitempty"`
	// Conflicts are the disagreements between the host's sources about
	// the policy, each with the source that won.
	Conflicts []EvidenceConflict `json:"conflicts,omitempty"`
	// Notes record what else is worth knowing about the evidence.
	Notes []string `json:"notes,omitempty"`
}

// Policies returns the policies whose filters the IPSec driver applies
// together: the persistent ones, then the assigned one (when its contents
// are known).
func (ap AssignedPolicy) Policies() []*Policy {
	out := append([]*Policy(nil), ap.Persistent...)
	if ap.Policy != nil {
		out = append(out, ap.Policy)
	}
	return out
}

// EvidenceConflict is two sources of one host that disagree on a fact a
// rule reads, and which one the audit used.
type EvidenceConflict struct {
	// What names the fact ("assigned IPSec policy", a registry value).
	What string `json:"what"`
	// Used and Other say what each source holds and where.
	Used     string   `json:"used"`
	UsedLoc  Location `json:"usedLocation,omitzero"`
	Other    string   `json:"other"`
	OtherLoc Location `json:"otherLocation,omitzero"`
	// Why says why Used won ("the registry is authoritative for what is
	// assigned").
	Why string `json:"why"`
}

// HostFacts are the facts the rules use, each with its evidence.
type HostFacts struct {
	ComputerName Fact[string]         `json:"computerName"`
	OS           Fact[OSInfo]         `json:"os"`
	ClusterNode  Fact[bool]           `json:"serverClusterNode"`
	NLB          Fact[NLBInfo]        `json:"nlb"`
	Cluster      *ClusterConfig       `json:"cluster,omitempty"`
	Exchange     Fact[[]ServiceState] `json:"exchangeServices"`
	Addresses    Fact[[]netip.Addr]   `json:"addresses"`
	Policy       Fact[AssignedPolicy] `json:"ipsecPolicy"`
	Virtual      []VirtualAddress     `json:"virtualAddresses,omitempty"`
	NLBSFlags    Fact[NLBSFlagsInfo]  `json:"nlbsFlags"`
}

// IsExchange reports whether the host runs Exchange (the information store
// or the system attendant is installed).
func (f *HostFacts) IsExchange() bool {
	for _, s := range f.Exchange.Value {
		if strings.EqualFold(s.Name, "MSExchangeIS") || strings.EqualFold(s.Name, "MSExchangeSA") {
			return true
		}
	}
	return false
}

// Clustered reports whether the host is known to be a server-cluster node
// or an NLB cluster member: front-ends reach such a back-end on a virtual
// address, which fails over.
func (f *HostFacts) Clustered() bool {
	return (f.ClusterNode.Known && f.ClusterNode.Value) || f.NLB.Value.Member
}

// Role is a host's part in the Exchange topology.
type Role string

// The roles.
const (
	RoleUnknown  Role = ""
	RoleFrontEnd Role = "frontend"
	RoleBackEnd  Role = "backend"
	RoleOther    Role = "other" // not an Exchange server (a domain controller, say)
)

// RoleBasis says how a host's role was established.
type RoleBasis string

// The ways a role is established.
const (
	RoleDeclared RoleBasis = "declared" // in ipseclint.yaml
	RoleInferred RoleBasis = "inferred" // from the exports
	RoleNotKnown RoleBasis = "unknown"  // neither: Why says what is missing
)

// RoleFact is a host's role and how it was established.
type RoleFact struct {
	Role  Role      `json:"role"`
	Basis RoleBasis `json:"basis"`
	// Why is the evidence for the role, or what is missing to tell it.
	Why string `json:"why"`
	// Weak is set for a role inferred from evidence that only suggests it
	// (an Exchange server in an NLB cluster is taken to be a front-end).
	Weak bool `json:"weak,omitempty"`
}

// Declared reports whether the role was declared in ipseclint.yaml.
func (r RoleFact) Declared() bool { return r.Basis == RoleDeclared }

// Host is one server: the files collected off it and what they say.
type Host struct {
	Name string `json:"name"`
	// NameSource says where the name came from: the registry's
	// ComputerName, or the folder name.
	NameSource string `json:"nameSource"`
	// Dir is the display name of the folder the host's files came from
	// (relative to the audited root, like file names).
	Dir   string       `json:"dir,omitempty"`
	Files []*InputFile `json:"-"`
	// Registry is the merge of every registry source of the host.
	Registry *Registry `json:"registry"`
	// HasSystem and HasSoftware say whether the SYSTEM and SOFTWARE hives
	// (or exports of them) were among the host's files.
	HasSystem   bool           `json:"hasSystem"`
	HasSoftware bool           `json:"hasSoftware"`
	IPSec       []*PolicyStore `json:"ipsec,omitempty"`
	// MissingPolicyKeys names, per store, the registry keys that would
	// have to be exported for the policy the registry assigns there to be
	// complete (its own key, or the objects it names that are absent).
	MissingPolicyKeys map[Store][]string `json:"missingPolicyKeys,omitempty"`
	Facts             HostFacts          `json:"facts"`
	Role              RoleFact           `json:"role"`
	// Config is the host's entry in ipseclint.yaml, if any.
	Config *HostConfig `json:"-"`
}

// SystemFile returns the first SYSTEM registry source of the host (a hive
// or a .reg export holding SYSTEM keys), for locating findings about it.
func (h *Host) SystemFile() *InputFile {
	return h.fileWith("SYSTEM")
}

// SoftwareFile returns the first SOFTWARE registry source of the host.
func (h *Host) SoftwareFile() *InputFile {
	return h.fileWith("SOFTWARE")
}

func (h *Host) fileWith(hive string) *InputFile {
	for _, f := range h.Files {
		if (f.Kind == KindHive || f.Kind == KindRegExport) && f.Status != StatusFailed {
			for _, m := range f.Hives {
				if strings.EqualFold(m, hive) {
					return f
				}
			}
		}
	}
	return nil
}

// NetshFile returns the first netsh file of the host that was read.
func (h *Host) NetshFile() *InputFile {
	for _, f := range h.Files {
		if f.Kind == KindNetsh && f.Status != StatusFailed {
			return f
		}
	}
	return nil
}

// Covers reports whether the host's registry exports cover the key at
// path: a hive that holds it was read, or the key itself or one of its
// ancestors appears as a key in an export. When an export does not cover
// a key, its absence from the exports says nothing about the server.
func (h *Host) Covers(path string) bool {
	p, ok := CleanKeyPath(path)
	if !ok {
		return false
	}
	if top, _, _ := strings.Cut(p, `\`); h.hasHive(top) {
		return true
	}
	for p != "" {
		if h.Registry.Key(p) != nil {
			return true
		}
		p, _ = parentPath(p)
	}
	return false
}
