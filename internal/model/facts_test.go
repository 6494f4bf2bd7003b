package model

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// treeOf builds a registry tree from "key|name|type|data" lines; type is
// sz, dword or multi (data split on commas).
func treeOf(t *testing.T, lines ...string) *RegTree {
	t.Helper()
	tree := NewRegTree()
	for _, l := range lines {
		parts := strings.SplitN(l, "|", 4)
		k := tree.EnsureKey(parts[0], Location{File: "f.reg", Key: parts[0]})
		if len(parts) < 4 {
			continue
		}
		v := &Value{Name: parts[1], Loc: Location{File: "f.reg", Key: parts[0], Value: parts[1]}}
		switch parts[2] {
		case "sz":
			v.Type, v.Data = RegSZ, UTF16String(parts[3])
		case "dword":
			var n uint32
			for _, c := range parts[3] {
				n = n*10 + uint32(c-'0')
			}
			v.Type, v.Data = RegDWORD, DWORDData(n)
		case "multi":
			v.Type, v.Data = RegMultiSZ, UTF16MultiString(strings.Split(parts[3], ","))
		default:
			t.Fatalf("type %q", parts[2])
		}
		k.SetValue(v)
	}
	return tree
}

func hostOf(t *testing.T, lines ...string) *Host {
	h := &Host{Name: "H", Registry: NewRegistry(treeOf(t, lines...))}
	h.HasSystem = h.Registry.HasKey("SYSTEM")
	h.HasSoftware = h.Registry.HasKey("SOFTWARE")
	return h
}

const cs = `SYSTEM\ControlSet002`

func TestCurrentControlSetResolution(t *testing.T) {
	h := hostOf(t, `SYSTEM\Select|Current|dword|2`,
		cs+`\Services\ClusSvc|Start|dword|2`,
		`SYSTEM\ControlSet001\Services\ClusSvc|Start|dword|4`,
		`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley|NLBSFlags|dword|1`)
	DeriveFacts(h)
	if !h.Facts.ClusterNode.Value || h.Facts.ClusterNode.Source.Key != cs+`\Services\ClusSvc` {
		t.Errorf("ClusSvc must be read from ControlSet002, the current set: %+v", h.Facts.ClusterNode)
	}
	if v := h.Registry.Value(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "nlbsflags"); v == nil {
		t.Error("a live export's CurrentControlSet key must be found, case-insensitively")
	}
	h = hostOf(t, `SYSTEM\ControlSet003\Services\ClusSvc|Start|dword|2`)
	if h.Registry.CurrentSet != 3 || !strings.Contains(h.Registry.CurrentSetNote, "only control set") {
		t.Errorf("a single control set without Select: %d %q", h.Registry.CurrentSet, h.Registry.CurrentSetNote)
	}
	h = hostOf(t, `SYSTEM\Select|Current|dword|5`, `SYSTEM\ControlSet001\Services|x|dword|1`)
	if !strings.Contains(h.Registry.CurrentSetNote, "ControlSet005, which is not in the exports") {
		t.Errorf("a Current naming a missing set must be noted: %q", h.Registry.CurrentSetNote)
	}
}

func TestOSFacts(t *testing.T) {
	for _, c := range []struct {
		version string
		want    OSFamily
	}{{"5.0", OSWin2000}, {"5.1", OSWinXP}, {"5.2", OSWin2003}, {"6.1", OSWinLater}} {
		h := hostOf(t, `SOFTWARE\Microsoft\Windows NT\CurrentVersion|CurrentVersion|sz|`+c.version)
		DeriveFacts(h)
		if !h.Facts.OS.Known || h.Facts.OS.Value.Family != c.want {
			t.Errorf("%s: %+v", c.version, h.Facts.OS)
		}
	}
	h := hostOf(t, `SYSTEM\Select|Current|dword|1`)
	h.IPSec = []*PolicyStore{{File: "ipsec.txt", Form: FormScript}}
	DeriveFacts(h)
	if !h.Facts.OS.Known || h.Facts.OS.Value.Family != OSWin2003 || !strings.Contains(h.Facts.OS.Via, "inferred") {
		t.Errorf("a netsh script implies Windows Server 2003: %+v", h.Facts.OS)
	}
	h.IPSec = []*PolicyStore{{File: "ipsec.bat", Form: FormIpsecpol}}
	DeriveFacts(h)
	if h.Facts.OS.Known {
		t.Errorf("ipsecpol (a Windows 2000 tool) must not imply Windows Server 2003: %+v", h.Facts.OS)
	}
}

func TestClusterAndNLBFacts(t *testing.T) {
	h := hostOf(t, `SYSTEM\Select|Current|dword|1`, `SYSTEM\ControlSet001\Services\ClusSvc|Start|dword|2`,
		`SOFTWARE\Microsoft\Windows NT\CurrentVersion\Cluster Server|ClusterInstallationState|dword|0`)
	DeriveFacts(h)
	if !h.Facts.ClusterNode.Known || h.Facts.ClusterNode.Value {
		t.Errorf("ClusterInstallationState 0 (not configured) wins over ClusSvc: %+v", h.Facts.ClusterNode)
	}
	h = hostOf(t, `SYSTEM\Select|Current|dword|1`, `SYSTEM\ControlSet001\Services\ClusSvc|Start|dword|4`,
		`SYSTEM\ControlSet001\Services\WLBS\Parameters|ClusterIPAddress|sz|0.0.0.0`,
		`SYSTEM\ControlSet001\Services\WLBS\Parameters\Interface\{A}|ClusterIPAddress|sz|10.0.0.10`,
		`SYSTEM\ControlSet001\Services\WLBS\Parameters\Interface\{B}|ClusterIPAddress|sz|10.0.0.10`)
	DeriveFacts(h)
	if h.Facts.ClusterNode.Value || !h.Facts.NLB.Value.Member || len(h.Facts.NLB.Value.ClusterIPs) != 1 {
		t.Errorf("NLB per adapter (2003), 0.0.0.0 ignored, duplicates merged: node %+v nlb %+v", h.Facts.ClusterNode, h.Facts.NLB)
	}
	h = hostOf(t, `SYSTEM\Select|Current|dword|1`, `SYSTEM\ControlSet001\Services\WLBS\Parameters|ClusterIPAddress|sz|10.0.0.70`)
	DeriveFacts(h)
	if !h.Facts.NLB.Value.Member || h.Facts.NLB.Value.ClusterIPs[0] != netip.MustParseAddr("10.0.0.70") {
		t.Errorf("NLB directly under Parameters (2000): %+v", h.Facts.NLB)
	}
}

func TestClusterVirtualAddresses(t *testing.T) {
	// No group "Contains" lists: the Exchange virtual server's address is
	// found through DependsOn (System Attendant -> Network Name -> IP).
	h := hostOf(t,
		`Cluster\Resources\{ip1}|Type|sz|IP Address`, `Cluster\Resources\{ip1}\Parameters|Address|sz|10.0.0.20`,
		`Cluster\Resources\{ip2}|Type|sz|IP Address`, `Cluster\Resources\{ip2}\Parameters|Address|sz|10.0.0.50`,
		`Cluster\Resources\{nn}|Type|sz|Network Name`, `Cluster\Resources\{nn}|DependsOn|multi|{ip2}`,
		`Cluster\Resources\{sa}|Type|sz|Microsoft Exchange System Attendant`, `Cluster\Resources\{sa}|DependsOn|multi|{nn}`,
		`Cluster\Groups\{g}|Name|sz|Cluster Group`)
	DeriveFacts(h)
	if len(h.Facts.Virtual) != 1 || h.Facts.Virtual[0].IP != netip.MustParseAddr("10.0.0.50") || !h.Facts.Virtual[0].Exchange {
		t.Errorf("virtual addresses: %+v", h.Facts.Virtual)
	}
	if !h.Facts.ClusterNode.Value {
		t.Errorf("a cluster hive among the files makes a cluster node: %+v", h.Facts.ClusterNode)
	}
}

func TestAddresses(t *testing.T) {
	base := `SYSTEM\ControlSet001\Services\Tcpip\Parameters\Interfaces`
	h := hostOf(t, `SYSTEM\Select|Current|dword|1`,
		base+`\{A}|EnableDHCP|dword|0`, base+`\{A}|IPAddress|multi|10.0.0.11,10.0.0.12`,
		base+`\{B}|EnableDHCP|dword|1`, base+`\{B}|IPAddress|multi|0.0.0.0`, base+`\{B}|DhcpIPAddress|sz|192.168.1.5`)
	h.Config = &HostConfig{Addresses: []netip.Addr{netip.MustParseAddr("10.9.9.9")}}
	DeriveFacts(h)
	got := h.Facts.Addresses.Value
	if len(got) != 4 || got[0] != netip.MustParseAddr("10.0.0.11") || got[3] != netip.MustParseAddr("192.168.1.5") {
		t.Errorf("addresses: %v", got)
	}
}

func TestPolicyFacts(t *testing.T) {
	local := `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`
	assigned := &Policy{Name: "FE-BE", Assigned: true, AssignLoc: Location{File: "ipsec.txt", Line: 3}}

	h := hostOf(t, `SOFTWARE\Microsoft|x|dword|1`)
	DeriveFacts(h)
	if h.Facts.Policy.Known {
		t.Errorf("a SOFTWARE export that does not cover the IPSec keys says nothing: %+v", h.Facts.Policy)
	}
	h = hostOf(t, local+`|x|dword|1`)
	DeriveFacts(h)
	if !h.Facts.Policy.Known || h.Facts.Policy.Value.State != PolicyNone {
		t.Errorf("Policy\\Local without ActivePolicy = none assigned: %+v", h.Facts.Policy)
	}
	h = hostOf(t, local+`|ActivePolicy|sz|SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local\ipsecPolicy{X}`, local+`\ipsecPolicy{X}|ipsecName|sz|FE-BE`)
	h.IPSec = []*PolicyStore{{File: "ipsec.txt", Form: FormScript, Policies: []*Policy{{Name: "fe-be"}}}}
	DeriveFacts(h)
	ap := h.Facts.Policy.Value
	if ap.State != PolicyAssigned || ap.Policy == nil || ap.ContentsFrom != "ipsec.txt" || len(ap.Notes) != 1 {
		t.Errorf("registry assignment + netsh contents by name, disagreement noted: %+v", ap)
	}
	h = hostOf(t, `SOFTWARE\Policies\Microsoft\Windows\IPSec\GPTIPSECPolicy|DSIPSECPolicyPath|sz|LDAP://CN=ipsecPolicy{Y}`, local+`|x|dword|1`)
	h.IPSec = []*PolicyStore{{File: "ipsec.txt", Form: FormScript, Policies: []*Policy{assigned}}}
	DeriveFacts(h)
	if ap := h.Facts.Policy.Value; ap.Origin != PolicyOriginGPO || ap.Policy != nil {
		t.Errorf("a domain policy wins, and a local store's dump does not hold its contents: %+v", ap)
	}
	h = hostOf(t)
	h.IPSec = []*PolicyStore{{File: "netdiag.txt", Form: FormNetdiag, Policies: []*Policy{{Name: "Block", Assigned: true, Partial: true}}}}
	DeriveFacts(h)
	if ap := h.Facts.Policy.Value; ap.State != PolicyAssigned || ap.Policy != nil || len(ap.Notes) != 1 {
		t.Errorf("netdiag names the assigned policy without its contents: %+v", ap)
	}
	h = hostOf(t)
	h.IPSec = []*PolicyStore{{File: "ipsec.txt", NoData: true}}
	DeriveFacts(h)
	if h.Facts.Policy.Known {
		t.Errorf("an empty dump means no data, not no policy: %+v", h.Facts.Policy)
	}
}

func TestParseErrorForms(t *testing.T) {
	cause := errors.New("bad")
	for _, c := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{File: "a.txt", Line: 3, Column: 7, Err: cause}, "a.txt:3:7: bad"},
		{ParseError{File: "a.txt", Line: 3, Err: cause}, "a.txt:3: bad"},
		{ParseError{File: "a.txt", Err: cause}, "a.txt: bad"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
		if !errors.Is(&c.e, cause) {
			t.Errorf("%q does not wrap its cause", c.e.Error())
		}
		if p := c.e.Problem(); p.Message != "bad" || p.Loc.Line != c.e.Line || p.Loc.File != "a.txt" {
			t.Errorf("Problem() = %+v", p)
		}
	}
}
