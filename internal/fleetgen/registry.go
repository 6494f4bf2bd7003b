package fleetgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// regKeys builds a registry tree.
type regKeys struct{ tree *model.RegTree }

func newRegKeys() regKeys { return regKeys{tree: model.NewRegTree()} }

// key adds the key at path (HKLM-relative) with values; parents need no
// section of their own: every writer writes them.
func (r regKeys) key(path string, values ...*model.Value) {
	k := r.tree.EnsureKey(path, model.Location{})
	for _, v := range values {
		k.SetValue(v)
	}
}

func sz(name, s string) *model.Value {
	return &model.Value{Name: name, Type: model.RegSZ, Data: model.UTF16String(s)}
}

func expand(name, s string) *model.Value {
	return &model.Value{Name: name, Type: model.RegExpandSZ, Data: model.UTF16String(s)}
}

func multi(name string, ss ...string) *model.Value {
	return &model.Value{Name: name, Type: model.RegMultiSZ, Data: model.UTF16MultiString(ss)}
}

func dw(name string, n uint32) *model.Value {
	return &model.Value{Name: name, Type: model.RegDWORD, Data: model.DWORDData(n)}
}

func bin(name string, data []byte) *model.Value {
	return &model.Value{Name: name, Type: model.RegBinary, Data: data}
}

func guid(rng *rand.Rand) string {
	return fmt.Sprintf("{%08X-%04X-%04X-%04X-%012X}", rng.Uint32(), rng.Uint32()&0xFFFF,
		rng.Uint32()&0xFFFF, rng.Uint32()&0xFFFF, rng.Uint64()&0xFFFFFFFFFFFF)
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// adapters are the GUIDs of a host's network adapters: public, private
// (cluster heartbeat) and an unused one left on DHCP.
type adapters struct{ public, private, spare string }

// systemTree is the host's HKLM\SYSTEM: cs is "CurrentControlSet" for an
// export from the live registry, "ControlSet001" for a hive.
func systemTree(h *host, rng *rand.Rand, cs string) *model.RegTree {
	r := newRegKeys()
	base := `SYSTEM\` + cs
	nics := adapters{public: guid(rng), private: guid(rng), spare: guid(rng)}
	r.key(base+`\Control\ComputerName\ComputerName`, sz("ComputerName", h.Name))
	suite := []string{"Terminal Server"}
	if h.Role == RoleBackEnd {
		suite = []string{"Enterprise", "Terminal Server"}
	}
	r.key(base+`\Control\ProductOptions`, sz("ProductType", "ServerNT"), multi("ProductSuite", suite...))
	environment(r, base, rng)
	svc := base + `\Services`
	paddingServices(r, svc, h, rng)
	exchangeServices(r, svc, h)
	ipsecServices(r, svc, h, rng)
	clusterService(r, svc, h)
	tcpip(r, svc, h, nics, rng)
	if h.nlb != nil {
		wlbs(r, svc, h, nics.public)
	}
	r.key(`SYSTEM\Select`, dw("Current", 1), dw("Default", 1), dw("Failed", 0), dw("LastKnownGood", 2))
	return r.tree
}

func environment(r regKeys, base string, rng *rand.Rand) {
	cpus := []string{"2", "4", "8"}[rng.IntN(3)]
	r.key(base+`\Control\Session Manager\Environment`,
		expand("ComSpec", `%SystemRoot%\system32\cmd.exe`), expand("windir", `%SystemRoot%`), sz("OS", "Windows_NT"),
		sz("NUMBER_OF_PROCESSORS", cpus), sz("PROCESSOR_ARCHITECTURE", "x86"),
		sz("PROCESSOR_IDENTIFIER", "x86 Family 15 Model 4 Stepping 3, GenuineIntel"), sz("PROCESSOR_LEVEL", "15"),
		sz("PROCESSOR_REVISION", "0403"))
}

// service is one Windows service or driver key.
type service struct {
	name, display, image, group, object, desc string
	typ, start                                uint32
	depends                                   []string
}

// serviceSD is the security descriptor a service's Security subkey holds
// (self-relative; owner and group SYSTEM; access for SYSTEM,
// Administrators, Interactive, Power Users, Authenticated Users). The
// audit never reads it: it gives the padding its real shape.
var serviceSD = []byte{
	0x01, 0x00, 0x14, 0x80, 0x90, 0x00, 0x00, 0x00, 0x9c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
	0x30, 0x00, 0x00, 0x00, 0x02, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x80, 0x14, 0x00,
	0xff, 0x01, 0x0f, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x60, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0xfd, 0x01, 0x02, 0x00,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00,
	0xff, 0x01, 0x0f, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x20, 0x00, 0x00, 0x00,
	0x20, 0x02, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x8d, 0x01, 0x02, 0x00, 0x01, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0xfd, 0x01, 0x02, 0x00,
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x20, 0x00, 0x00, 0x00, 0x23, 0x02, 0x00, 0x00,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x12, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05, 0x12, 0x00, 0x00, 0x00,
}

// addService writes a service key; with full, also its Security and Enum
// subkeys, as a real server's registry holds them (the audited services
// go without, to keep exports near the size the issue measured).
func addService(r regKeys, svc string, s service, full bool) {
	p := svc + `\` + s.name
	values := []*model.Value{dw("Type", s.typ), dw("Start", s.start), dw("ErrorControl", 1)}
	if s.image != "" {
		values = append(values, expand("ImagePath", s.image))
	}
	if s.display != "" {
		values = append(values, sz("DisplayName", s.display))
	}
	if s.group != "" {
		values = append(values, sz("Group", s.group))
	}
	if len(s.depends) > 0 {
		values = append(values, multi("DependOnService", s.depends...))
	}
	if s.object != "" {
		values = append(values, sz("ObjectName", s.object))
	}
	if s.desc != "" {
		values = append(values, sz("Description", s.desc))
	}
	r.key(p, values...)
	if !full {
		return
	}
	r.key(p+`\Security`, bin("Security", serviceSD))
	r.key(p+`\Enum`, sz("0", `Root\LEGACY_`+strings.ToUpper(s.name)+`\0000`), dw("Count", 1), dw("NextInstance", 1))
}

// paddingServices writes a random share of a real server's other
// services: what makes an export's size, and what the audit skips.
func paddingServices(r regKeys, svc string, h *host, rng *rand.Rand) {
	n := rng.IntN(3)
	for _, i := range rng.Perm(len(otherServices))[:n] {
		s := otherServices[i]
		if h.Windows2000 && s.name == "HTTP" {
			continue
		}
		addService(r, svc, s, true)
	}
}

// exchangeServices writes Exchange 2003's services: on a cluster node the
// cluster starts them (manual), on other servers they start
// automatically; POP3 and IMAP4 run on the front-ends only.
func exchangeServices(r regKeys, svc string, h *host) {
	store, pop := uint32(startAuto), uint32(startDisabled)
	if h.cluster != nil {
		store = startManual
	}
	if h.Role == RoleFrontEnd {
		pop = startAuto
	}
	const exbin = `"C:\Program Files\Exchsrvr\bin\`
	for _, s := range []service{
		{name: "MSExchangeSA", display: "Microsoft Exchange System Attendant", image: exbin + `mad.exe"`, typ: ownProcess, start: store, object: "LocalSystem"},
		{name: "MSExchangeIS", display: "Microsoft Exchange Information Store", image: exbin + `store.exe"`, typ: ownProcess, start: store, object: "LocalSystem"},
		{name: "MSExchangeMTA", display: "Microsoft Exchange MTA Stacks", typ: ownProcess, start: startManual, object: "LocalSystem"},
		{name: "RESvc", display: "Microsoft Exchange Routing Engine", typ: sharedProcess, start: startAuto, object: "LocalSystem"},
		{name: "POP3Svc", display: "Microsoft Exchange POP3", typ: sharedProcess, start: pop, object: "LocalSystem"},
		{name: "IMAP4Svc", display: "Microsoft Exchange IMAP4", typ: sharedProcess, start: pop, object: "LocalSystem"},
		{name: "SMTPSVC", display: "Simple Mail Transfer Protocol (SMTP)", typ: sharedProcess, start: startAuto, object: "LocalSystem"},
		{name: "W3SVC", display: "World Wide Web Publishing Service", typ: sharedProcess, start: startAuto, object: "LocalSystem"},
	} {
		addService(r, svc, s, false)
	}
}

// ipsecServices writes the IPSec driver (NoDefaultExempt) and the policy
// agent (its Start, and Oakley\NLBSFlags on Windows Server 2003).
func ipsecServices(r regKeys, svc string, h *host, rng *rand.Rand) {
	ipsec := service{name: "IPSec", display: "IPSEC driver", group: "PNP_TDI", typ: kernelDriver, start: startSystem}
	addService(r, svc, ipsec, false)
	switch {
	case h.has(FaultKerberosExempt):
		r.key(svc+`\IPSec`, dw("NoDefaultExempt", []uint32{0, 2}[rng.IntN(2)]))
	case h.Windows2000:
		r.key(svc+`\IPSec`, dw("NoDefaultExempt", 1)) // KB 254728
	default:
		if n := rng.IntN(3); n > 0 { // absent: 3 is Windows Server 2003's default
			r.key(svc+`\IPSec`, dw("NoDefaultExempt", []uint32{1, 3}[n-1]))
		}
	}
	agent := service{name: "PolicyAgent", display: "IPSEC Services", image: `%SystemRoot%\system32\lsass.exe`,
		typ: sharedProcess, start: startAuto, object: "LocalSystem"}
	if h.Windows2000 {
		agent.display = "IPSEC Policy Agent"
	}
	if h.has(FaultPolicyAgentOff) {
		agent.start = 4 // disabled: no filter is applied (a manual start would only make verdicts uncertain)
	}
	addService(r, svc, agent, false)
	if h.Windows2000 {
		return
	}
	oakley := []*model.Value{dw("EnableLogging", 0)}
	switch {
	case h.Role != RoleFrontEnd:
	case !h.has(FaultNLBSFlagsMissing):
		oakley = append(oakley, dw("NLBSFlags", 1))
	case rng.IntN(3) == 0:
		oakley = append(oakley, dw("NLBSFlags", 0))
	}
	r.key(svc+`\PolicyAgent\Oakley`, oakley...)
}

// clusterService writes ClusSvc: installed but disabled, as Windows
// Server 2003 Enterprise leaves it, unless the host is a cluster node.
func clusterService(r regKeys, svc string, h *host) {
	s := service{name: "ClusSvc", display: "Cluster Service", image: `%SystemRoot%\Cluster\clussvc.exe`, typ: ownProcess,
		start: startDisabled, object: organisation + `\svc-cluster`}
	name := ""
	switch {
	case h.cluster != nil:
		name = h.cluster.name
	case h.has(FaultFrontEndClusterNode):
		name = h.site.code + "FECL1"
	}
	if name != "" {
		s.start = startAuto
	}
	addService(r, svc, s, false)
	if name != "" {
		r.key(svc+`\ClusSvc\Parameters`, sz("ClusterName", name), sz("NodeName", h.Name))
	}
}

// tcpip writes Tcpip\Parameters and one key per adapter: the public one
// (with the NLB cluster address beside the dedicated one on front-ends),
// the heartbeat on cluster nodes, and a spare adapter left on DHCP.
func tcpip(r regKeys, svc string, h *host, nics adapters, rng *rand.Rand) {
	p := svc + `\Tcpip\Parameters`
	r.key(p, sz("NV Hostname", h.Name), sz("Hostname", h.Name), sz("Domain", domain), sz("NV Domain", domain),
		sz("SearchList", ""), expand("DataBasePath", `%SystemRoot%\System32\drivers\etc`), dw("ForwardBroadcasts", 0),
		dw("IPEnableRouter", 0), dw("UseDomainNameDevolution", 1), dw("EnableICMPRedirect", 1),
		dw("DeadGWDetectDefault", 1), dw("DontAddDefaultGatewayDefault", 0), dw("SynAttackProtect", uint32(2*rng.IntN(2))))
	ips, masks := []string{h.Address.String()}, []string{"255.255.255.0"}
	if h.nlb != nil {
		ips, masks = append(ips, h.nlb.ip.String()), append(masks, "255.255.255.0")
	}
	gw := netip.AddrFrom4([4]byte{h.Address.As4()[0], h.Address.As4()[1], h.Address.As4()[2], 1})
	dns := h.site.dcs()
	ifc := p + `\Interfaces\`
	staticAdapter(r, ifc+nics.public, ips, masks, []string{gw.String()}, dns[0].String()+","+dns[1].String())
	if h.cluster != nil {
		hb := heartbeatNet(h.cluster, byte(h.node))
		staticAdapter(r, ifc+nics.private, []string{hb.String()}, []string{"255.255.255.0"}, nil, "")
	}
	r.key(ifc+nics.spare, dw("UseZeroBroadcast", 0), dw("EnableDeadGWDetect", 1), dw("EnableDHCP", 1),
		sz("DhcpIPAddress", "0.0.0.0"), sz("DhcpSubnetMask", "255.0.0.0"), sz("DhcpServer", "255.255.255.255"),
		dw("Lease", 0), dw("LeaseObtainedTime", 0), dw("T1", 0), dw("T2", 0), dw("LeaseTerminatesTime", 0),
		multi("IPAddress", "0.0.0.0"), multi("SubnetMask", "0.0.0.0"), multi("DefaultGateway"),
		sz("NameServer", ""), sz("Domain", ""), dw("RegistrationEnabled", 1), dw("RegisterAdapterName", 0))
}

func staticAdapter(r regKeys, key string, ips, masks, gws []string, dns string) {
	metric := make([]string, len(gws))
	for i := range metric {
		metric[i] = "0"
	}
	r.key(key, dw("UseZeroBroadcast", 0), dw("EnableDeadGWDetect", 1), dw("EnableDHCP", 0),
		multi("IPAddress", ips...), multi("SubnetMask", masks...), multi("DefaultGateway", gws...),
		multi("DefaultGatewayMetric", metric...), sz("NameServer", dns), sz("Domain", ""),
		dw("RegistrationEnabled", 1), dw("RegisterAdapterName", 0), multi("TCPAllowedPorts", "0"),
		multi("UDPAllowedPorts", "0"), multi("RawIPAllowedProtocols", "0"), multi("NTEContextList", "0x00000002"))
}

// wlbs writes Network Load Balancing on a front-end, per adapter as
// Windows Server 2003 keeps it.
func wlbs(r regKeys, svc string, h *host, adapter string) {
	addService(r, svc, service{name: "WLBS", display: "Network Load Balancing", group: "PNP_TDI", typ: kernelDriver,
		start: startManual}, false)
	r.key(svc+`\WLBS\Parameters\Interface\`+adapter,
		sz("ClusterIPAddress", h.nlb.ip.String()), sz("ClusterNetworkMask", "255.255.255.0"), sz("ClusterName", h.nlb.name),
		sz("DedicatedIPAddress", h.Address.String()), sz("DedicatedNetworkMask", "255.255.255.0"),
		dw("HostPriority", uint32(h.nlbHost)), dw("ClusterModeOnStart", 1), dw("MulticastSupportEnable", 0),
		dw("NumberOfRules", 1), dw("ClusterModeSuspendOnStart", 0))
}

// heartbeatNet returns address .last of a cluster's private (heartbeat)
// network: 192.168.1.0/24, or 192.168.2.0/24 for a site's Windows 2000
// cluster. Private networks are not routed, so every site reuses them.
func heartbeatNet(c *cluster, last byte) netip.Addr {
	k := byte(1)
	if c.w2k {
		k = 2
	}
	return netip.AddrFrom4([4]byte{192, 168, k, last})
}
