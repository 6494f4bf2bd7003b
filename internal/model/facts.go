package model

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/slab"
)

// Registry paths the host facts read.
const (
	KeySelect          = `SYSTEM\Select`
	KeyComputerName    = `SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName`
	KeyProductOptions  = `SYSTEM\CurrentControlSet\Control\ProductOptions`
	KeyServices        = `SYSTEM\CurrentControlSet\Services`
	KeyTcpipInterfaces = `SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces`
	KeyWLBSParameters  = `SYSTEM\CurrentControlSet\Services\WLBS\Parameters`
	KeyCurrentVersion  = `SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	KeyClusterServer   = `SOFTWARE\Microsoft\Windows NT\CurrentVersion\Cluster Server`
	KeyIPSecPolicy     = `SOFTWARE\Policies\Microsoft\Windows\IPSec`
	KeyIPSecLocal      = `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`
	KeyIPSecGPT        = `SOFTWARE\Policies\Microsoft\Windows\IPSec\GPTIPSECPolicy`
	// KeyOakley holds the IKE (Oakley) settings of the IPSec service,
	// NLBSFlags among them (KB 821839).
	KeyOakley = `SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`
)

// ExchangeServiceNames are the services that show an Exchange 2003 server.
var ExchangeServiceNames = []string{"MSExchangeSA", "MSExchangeIS", "MSExchangeMTA", "RESvc", "POP3Svc", "IMAP4Svc"}

// FactKeys are the registry subtrees the host facts read; parsers keep
// them, with the keys each rule declares.
func FactKeys() []string {
	keys := []string{KeySelect, KeyComputerName, KeyProductOptions, KeyTcpipInterfaces, `SYSTEM\CurrentControlSet\Services\WLBS`, KeyClusterServer,
		`SYSTEM\CurrentControlSet\Services\ClusSvc`, `SYSTEM\CurrentControlSet\Services\HTTP`,
		KeyCurrentVersion, KeyIPSecPolicy, KeyOakley}
	for _, s := range ExchangeServiceNames {
		keys = append(keys, KeyServices+`\`+s)
	}
	return append(keys, ClusterKeys...)
}

// DeriveFacts fills h.Facts from h's registry, IPSec exports and
// configuration. It never fails: what the exports do not tell stays
// unknown, with the reason.
func DeriveFacts(h *Host) {
	r := h.Registry
	f := &h.Facts
	f.ComputerName = ReadComputerName(r)
	f.OS = osInfo(h)
	f.Cluster = ReadClusterConfig(r)
	f.ClusterNode = clusterNode(h, f.Cluster)
	f.NLB = nlbInfo(h)
	f.Exchange = exchangeServices(h)
	f.Addresses = addresses(h)
	f.Policy = assignedPolicy(h)
	f.NLBSFlags = readNLBSFlags(h)
	f.Virtual = f.Cluster.VirtualAddresses()
	for _, ip := range f.NLB.Value.ClusterIPs {
		f.Virtual = append(f.Virtual, VirtualAddress{IP: ip, Origin: "NLB", Exchange: true, Loc: f.NLB.Source})
	}
}

// maxComputerName is the longest ComputerName taken as a name: a DNS
// host name has at most 255 characters (Windows' NetBIOS computer names
// at most 15).
const maxComputerName = 255

// ReadComputerName reads the host's name from the registry.
func ReadComputerName(r *Registry) Fact[string] {
	v := r.Value(KeyComputerName, "ComputerName")
	if s, ok := v.AsString(); ok && strings.TrimSpace(s) != "" {
		if n := utf8.RuneCountInString(s); n > maxComputerName {
			return Unknown[string](fmt.Sprintf("ComputerName is %d characters long, longer than any Windows computer name (%d at most, as a DNS name): not used", n, maxComputerName))
		}
		return Known(strings.TrimSpace(s), v.Loc, `SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName`)
	}
	return Unknown[string]("ComputerName is not in the exports")
}

func osInfo(h *Host) Fact[OSInfo] {
	r := h.Registry
	info := OSInfo{}
	info.ProductType = stringValue(r, KeyProductOptions, "ProductType")
	ver := r.Value(KeyCurrentVersion, "CurrentVersion")
	if s, ok := ver.AsString(); ok && s != "" {
		info.Version = strings.TrimSpace(s)
		info.Build = stringValue(r, KeyCurrentVersion, "CurrentBuildNumber")
		info.ServicePack = stringValue(r, KeyCurrentVersion, "CSDVersion")
		info.ProductName = stringValue(r, KeyCurrentVersion, "ProductName")
		info.Family = familyOf(info.Version)
		return Known(info, ver.Loc, fmt.Sprintf(`SOFTWARE\Microsoft\Windows NT\CurrentVersion\CurrentVersion = %q`, info.Version))
	}
	// No SOFTWARE hive: a netsh ipsec export implies Windows Server 2003
	// (Windows 2000 has no netsh ipsec context).
	for _, s := range h.IPSec {
		if (s.Form == FormScript || s.Form == FormShowAll) && !s.NoData {
			info.Family = OSWin2003
			return Known(info, Location{File: s.File}, "inferred: a netsh ipsec export exists, and Windows 2000 has no netsh ipsec context (no SOFTWARE export to confirm the version)")
		}
	}
	if h.HasSoftware {
		return Unknown[OSInfo](`SOFTWARE\Microsoft\Windows NT\CurrentVersion\CurrentVersion is not in the SOFTWARE export`)
	}
	return Unknown[OSInfo]("no SOFTWARE hive or export, which holds the Windows version")
}

func familyOf(version string) OSFamily {
	switch {
	case version == "5.0":
		return OSWin2000
	case version == "5.1":
		return OSWinXP
	case version == "5.2":
		return OSWin2003
	case strings.HasPrefix(version, "6.") || strings.HasPrefix(version, "10."):
		return OSWinLater
	}
	return OSUnknown
}

// service reads a service's start type, or returns nil when its key is
// absent from the exports.
func service(r *Registry, name string) *ServiceState {
	p := KeyServices + `\` + name
	if !r.HasKey(p) {
		return nil
	}
	st := &ServiceState{Name: name, Start: -1, Disputed: r.ConflictOn(p, "Start").Disputed()}
	if v := r.Value(p, "Start"); v != nil {
		if n, ok := v.AsDWORD(); ok {
			st.Start = int(n)
		}
		st.Loc = v.Loc
	} else if k := r.Key(p); k != nil {
		st.Loc = k.Loc
	}
	return st
}

// Service returns the registry state of service name on the host, or nil
// when its key is not in the exports.
func (h *Host) Service(name string) *ServiceState { return service(h.Registry, name) }

// clusterNode tells whether the host is a server-cluster (MSCS) node, on
// positive evidence only: a cluster hive among its files, the cluster
// software's ClusterInstallationState = 2 ("configured, and has
// participated in the cluster as an active node", MS-CMRP §3.1.3.1), or
// Services\ClusSvc\Parameters naming the cluster. The Cluster service's
// start type alone proves nothing: Windows Server 2003 installs ClusSvc on
// every server (MS-CMRP §3.1.3.2 makes a node's ClusSvc not disabled a
// necessary condition, not a sufficient one), and state 1 is also what an
// evicted node is left with (MC-CCFG §3.1.4.1).
func clusterNode(h *Host, c *ClusterConfig) Fact[bool] {
	r := h.Registry
	if c != nil {
		return Known(true, clusterHiveLocation(h), "a cluster hive (CLUSDB, HKLM\\Cluster) is among the host's files")
	}
	state := r.Value(KeyClusterServer, "ClusterInstallationState")
	if n, ok := state.AsDWORD(); ok && n == 2 {
		return Known(true, state.Loc, "ClusterInstallationState = 2 (configured, has been an active cluster node)")
	}
	for _, name := range []string{"ClusterName", "NodeName"} { // naming the cluster, or the node
		if v := r.Value(KeyServices+`\ClusSvc\Parameters`, name); v != nil {
			if s, ok := v.AsString(); ok && strings.TrimSpace(s) != "" {
				return Known(true, v.Loc, fmt.Sprintf("Services\\ClusSvc\\Parameters\\%s = %q", name, strings.TrimSpace(s)))
			}
		}
	}
	var weak []string
	if n, ok := state.AsDWORD(); ok {
		weak = append(weak, fmt.Sprintf("ClusterInstallationState = %d, which does not show an active node", n))
	}
	if st := service(r, "ClusSvc"); st != nil && st.Start >= 0 && st.Start != 4 {
		weak = append(weak, fmt.Sprintf("Services\\ClusSvc\\Start = %d (%s), which alone proves nothing: Windows Server 2003 installs the Cluster service on every server", st.Start, StartName(st.Start)))
	}
	if h.HasSystem || h.HasSoftware {
		// An abridged export leaves out what is not there: no cluster
		// evidence in it is taken as no cluster.
		why := "no cluster hive, no ClusterInstallationState = 2 and no ClusSvc\\Parameters\\ClusterName or NodeName among the exports"
		if len(weak) > 0 {
			why += " (" + strings.Join(weak, "; ") + ")"
		}
		return Known(false, Location{}, why)
	}
	return Unknown[bool]("no SYSTEM or SOFTWARE hive or export, which would show cluster membership")
}

// clusterHiveLocation names the host's cluster hive or export.
func clusterHiveLocation(h *Host) Location {
	for _, f := range h.Files {
		if f.Kind != KindHive && f.Kind != KindRegExport {
			continue
		}
		for _, m := range f.Hives {
			if strings.EqualFold(m, "Cluster") {
				return f.Location("Cluster")
			}
		}
	}
	return Location{}
}

func nlbInfo(h *Host) Fact[NLBInfo] {
	r := h.Registry
	var info NLBInfo
	var src Location
	add := func(path string) {
		v := r.Value(path, "ClusterIPAddress")
		s, ok := v.AsString()
		if !ok {
			return
		}
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil || ip.IsUnspecified() {
			return
		}
		info.Member = true
		if src.IsZero() {
			src = v.Loc
		}
		for _, have := range info.ClusterIPs {
			if have == ip {
				return
			}
		}
		info.ClusterIPs = append(info.ClusterIPs, ip)
	}
	add(KeyWLBSParameters) // Windows 2000
	for _, ifc := range r.Subkeys(KeyWLBSParameters + `\Interface`) {
		add(KeyWLBSParameters + `\Interface\` + ifc) // Windows Server 2003, per adapter
	}
	if info.Member {
		return Known(info, src, "Services\\WLBS\\Parameters ClusterIPAddress")
	}
	if h.HasSystem {
		return Known(info, Location{}, "no NLB cluster IP address under Services\\WLBS\\Parameters")
	}
	return Unknown[NLBInfo]("no SYSTEM hive or export, which holds Services\\WLBS")
}

// retainedServices holds the hosts' Exchange services, which stay.
var retainedServices slab.Slab[ServiceState]

func exchangeServices(h *Host) Fact[[]ServiceState] {
	if !h.HasSystem {
		return Unknown[[]ServiceState]("no SYSTEM hive or export, which holds the services")
	}
	var out []ServiceState
	for _, name := range ExchangeServiceNames {
		if st := service(h.Registry, name); st != nil {
			out = append(out, *st)
		}
	}
	// The fact stays with the host for the whole audit: no room to grow,
	// and among what stays (see slab).
	out = slab.Copy(&retainedServices, out)
	via := "no Exchange service in Services"
	if len(out) > 0 {
		via = "Services\\" + out[0].Name
		return Known(out, out[0].Loc, via)
	}
	// None found in a SYSTEM export: taken as none installed, as an
	// abridged export (the keys an audit reads, one by one) says by
	// leaving them out. A cluster node whose hive runs an Exchange virtual
	// server is a back-end all the same (roleOf).
	return Known(out, Location{}, via)
}

func addresses(h *Host) Fact[[]netip.Addr] {
	r := h.Registry
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	var src Location
	add := func(v *Value) {
		ss, _ := v.AsStrings()
		for _, s := range ss {
			ip, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil || ip.IsUnspecified() || seen[ip] {
				continue
			}
			seen[ip] = true
			out = append(out, ip)
			if src.IsZero() {
				src = v.Loc
			}
		}
	}
	for _, ifc := range r.Subkeys(KeyTcpipInterfaces) {
		p := KeyTcpipInterfaces + `\` + ifc
		if n, ok := r.Value(p, "EnableDHCP").AsDWORD(); ok && n == 1 {
			add(r.Value(p, "DhcpIPAddress"))
		} else {
			add(r.Value(p, "IPAddress"))
		}
	}
	if h.Config != nil {
		for _, ip := range h.Config.Addresses {
			if !seen[ip] {
				seen[ip] = true
				out = append(out, ip)
				if src.IsZero() {
					src = h.Config.Loc
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	if len(out) > 0 {
		return Known(out, src, "Services\\Tcpip\\Parameters\\Interfaces")
	}
	if h.HasSystem {
		return Unknown[[]netip.Addr]("no static or DHCP address under Services\\Tcpip\\Parameters\\Interfaces")
	}
	return Unknown[[]netip.Addr]("no SYSTEM hive or export, which holds Services\\Tcpip")
}

// NLBSFlagsInfo is Oakley\NLBSFlags as a host's exports show it. Only
// REG_DWORD 1 in the control set in use is documented (KB 821839): it
// makes a Windows Server 2003 front-end's IPSec recover from a clustered
// back-end's failover in about 2 minutes instead of about 6.
type NLBSFlagsInfo struct {
	// Set is true for REG_DWORD 1 in the current control set.
	Set bool `json:"set"`
	// Value is the value in the current control set, nil when absent.
	Value *Value `json:"value,omitempty"`
	// Elsewhere is the value in a control set Windows does not use, when
	// the current one lacks it.
	Elsewhere *Value `json:"elsewhere,omitempty"`
	// Found says in words what was found when it is not set ("is
	// absent", "is REG_DWORD 0x00000000 (0)", ...).
	Found string `json:"found,omitempty"`
}

// readNLBSFlags reads Oakley\NLBSFlags; unknown when the exports do not
// cover the Oakley key.
func readNLBSFlags(h *Host) Fact[NLBSFlagsInfo] {
	if !h.HasSystem {
		return Unknown[NLBSFlagsInfo]("no SYSTEM hive or export among the host's files, which holds Services\\PolicyAgent\\Oakley")
	}
	if !h.Covers(KeyOakley) {
		return Unknown[NLBSFlagsInfo]("the SYSTEM export does not include Services\\PolicyAgent: export HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent")
	}
	if c := h.Registry.ConflictOn(KeyOakley, "NLBSFlags"); c != nil {
		return Unknown[NLBSFlagsInfo](c.Disputed() + ": which one the host uses is not known")
	}
	v := h.Registry.Value(KeyOakley, "NLBSFlags")
	info := NLBSFlagsInfo{Value: v}
	n, ok := v.AsDWORD()
	switch {
	case ok && v.Type == RegDWORD && n == 1:
		info.Set = true
		return Known(info, v.Loc, "Oakley\\NLBSFlags = REG_DWORD 1")
	case v == nil:
		info.Found = "is absent"
		if other := nlbsFlagsElsewhere(h.Registry); other != nil {
			info.Elsewhere = other
			info.Found = fmt.Sprintf("is absent from the current control set (%s); it is set (%s) only in %s, which Windows does not use",
				currentSetName(h.Registry), other.Display(), controlSetOf(other.Loc.Key))
			return Known(info, other.Loc, "Oakley\\NLBSFlags "+info.Found)
		}
	case ok && v.Type == RegDWORD && n != 0:
		info.Found = fmt.Sprintf("is %s, an undocumented value", v.Display())
	case ok && v.Type == RegDWORD:
		info.Found = "is " + v.Display()
	default:
		info.Found = fmt.Sprintf("is %s, not a REG_DWORD", v.Display())
	}
	loc := Location{}
	if v != nil {
		loc = v.Loc
	} else if k := h.Registry.Key(KeyOakley); k != nil {
		loc = k.Loc
		loc.Value = ""
	} else {
		loc = h.SystemFile().Location(KeyOakley)
	}
	return Known(info, loc, "Oakley\\NLBSFlags "+info.Found)
}

// nlbsFlagsElsewhere returns NLBSFlags of a control set other than the
// current one, or nil.
func nlbsFlagsElsewhere(r *Registry) *Value {
	for _, set := range r.Tree.Subkeys("SYSTEM") {
		n, ok := controlSetNumber(set)
		if !ok || n == r.CurrentSet {
			continue
		}
		if v := r.Tree.Key(`SYSTEM\` + set + `\Services\PolicyAgent\Oakley`).Value("NLBSFlags"); v != nil {
			return v
		}
	}
	return nil
}

// currentSetName names the current control set for messages.
func currentSetName(r *Registry) string {
	if n := r.CurrentSet; n > 0 {
		return ControlSetName(n) + ", as SYSTEM\\Select\\Current says"
	}
	return "CurrentControlSet"
}

// controlSetOf returns the control set a key path lies in ("ControlSet002").
func controlSetOf(key string) string {
	parts := strings.SplitN(key, `\`, 3)
	if len(parts) >= 2 {
		return parts[1]
	}
	return key
}
