package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
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
	if st := h.Service("ClusSvc"); st == nil || st.Start != 2 || st.Loc.Key != cs+`\Services\ClusSvc` {
		t.Errorf("ClusSvc must be read from ControlSet002, the current set: %+v", st)
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
	gpt := `SOFTWARE\Policies\Microsoft\Windows\IPSec\GPTIPSECPolicy|DSIPSECPolicyPath|sz|LDAP://CN=ipsecPolicy{Y},CN=IP Security,CN=System,DC=contoso,DC=com`
	activeX := local + `|ActivePolicy|sz|SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local\ipsecPolicy{X}`
	nameX := local + `\ipsecPolicy{X}|ipsecName|sz|FE-BE`
	store := func(file string, st Store, pols ...*Policy) *PolicyStore {
		return &PolicyStore{File: file, Source: SourceNetsh, Form: FormScript, Store: st, Policies: pols}
	}
	pol := func(name string, assigned bool) *Policy {
		return &Policy{Name: name, Assigned: assigned, AssignLoc: Location{File: "ipsec.txt", Line: 3}}
	}
	cases := []struct {
		name   string
		reg    []string
		stores []*PolicyStore
		check  func(t *testing.T, f Fact[AssignedPolicy])
	}{
		{"a SOFTWARE export that does not cover the IPSec keys says nothing", []string{`SOFTWARE\Microsoft|x|dword|1`}, nil,
			func(t *testing.T, f Fact[AssignedPolicy]) { want(t, !f.Known, f) }},
		{"Policy\\Local without ActivePolicy: none assigned", []string{local + `|x|dword|1`}, nil,
			func(t *testing.T, f Fact[AssignedPolicy]) { want(t, f.Known && f.Value.State == PolicyNone, f) }},
		{"registry assigns, netsh holds the contents unassigned: conflict, registry wins", []string{activeX, nameX},
			[]*PolicyStore{store("ipsec.txt", StoreLocal, pol("fe-be", false))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				ap := f.Value
				want(t, ap.State == PolicyAssigned && ap.Policy != nil && len(ap.ContentsFrom) == 1 && ap.ContentsFrom[0] == "ipsec.txt" && len(ap.Conflicts) == 1, f)
			}},
		{"registry assigns X, netsh assigns Y: conflict, X's contents missing", []string{activeX, nameX},
			[]*PolicyStore{store("ipsec.txt", StoreLocal, pol("Other", true))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				ap := f.Value
				want(t, ap.State == PolicyAssigned && ap.Name == "FE-BE" && ap.Policy == nil && ap.Missing != "" && len(ap.Conflicts) == 1 && strings.Contains(ap.Conflicts[0].Other, "Other"), f)
			}},
		{"registry assigns nothing, netsh assigns: conflict, none", []string{local + `|x|dword|1`},
			[]*PolicyStore{store("ipsec.txt", StoreLocal, pol("FE-BE", true))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				want(t, f.Value.State == PolicyNone && len(f.Value.Conflicts) == 1, f)
			}},
		{"a domain policy wins; a local store's dump does not hold its contents", []string{gpt, activeX, nameX},
			[]*PolicyStore{store("ipsec.txt", StoreLocal, pol("FE-BE", true))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				ap := f.Value
				want(t, ap.Origin == PolicyOriginGPO && ap.Policy == nil && strings.Contains(ap.Missing, `Policy\Cache`) && !strings.Contains(ap.Missing, "netsh ipsec static dump,") && ap.Overridden == "FE-BE", f)
			}},
		{"a domain policy's contents from a dump of the domain store, noted", []string{gpt, `SOFTWARE\Policies\Microsoft\Windows\IPSec\GPTIPSECPolicy|DSIPSECPolicyName|sz|Corp IPSec`},
			[]*PolicyStore{store("ad.txt", StoreDomain, pol("Corp IPSec", true))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				ap := f.Value
				want(t, ap.Name == "Corp IPSec" && ap.Policy != nil && ap.Store == StoreDomain && len(ap.Notes) == 1, f)
			}},
		{"a dump of the domain store alone says nothing about the host", nil,
			[]*PolicyStore{store("ad.txt", StoreDomain, pol("Corp IPSec", true))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				want(t, !f.Known && strings.Contains(f.Via, "domain store"), f)
			}},
		{"two local exports that assign different policies, no registry: unknown", nil,
			[]*PolicyStore{store("a.txt", StoreLocal, pol("A", true)), store("b.txt", StoreLocal, pol("B", true))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				want(t, !f.Known && strings.Contains(f.Via, "different policies"), f)
			}},
		{"a persistent policy applies with the assigned one", nil,
			[]*PolicyStore{store("ipsec.txt", StorePersistent, pol("Boot", true)), store("ipsec.txt", StoreLocal, pol("FE-BE", true))},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				ps := f.Value.Policies()
				want(t, f.Value.Name == "FE-BE" && len(ps) == 2 && ps[0].Name == "Boot" && ps[1].Name == "FE-BE", f)
			}},
		{"netdiag names the assigned policy without its contents", nil,
			[]*PolicyStore{{File: "netdiag.txt", Source: SourceNetsh, Form: FormNetdiag, Store: StoreLocal, Policies: []*Policy{{Name: "Block", Assigned: true, Partial: true}}}},
			func(t *testing.T, f Fact[AssignedPolicy]) {
				ap := f.Value
				want(t, ap.State == PolicyAssigned && ap.Policy == nil && len(ap.Notes) == 1, f)
			}},
		{"an empty dump means no data, not no policy", nil, []*PolicyStore{{File: "ipsec.txt", Source: SourceNetsh, NoData: true}},
			func(t *testing.T, f Fact[AssignedPolicy]) { want(t, !f.Known, f) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := hostOf(t, c.reg...)
			h.IPSec = c.stores
			DeriveFacts(h)
			c.check(t, h.Facts.Policy)
		})
	}
}

func want(t *testing.T, ok bool, f Fact[AssignedPolicy]) {
	t.Helper()
	if !ok {
		t.Errorf("got %+v", f)
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
		if p := c.e.Problem(); p.Message != "bad" || int(p.Loc.Line) != c.e.Line || p.Loc.File != "a.txt" {
			t.Errorf("Problem() = %+v", p)
		}
	}
}

// TestCurrentControlSetAliasConflict checks that a live export's
// CurrentControlSet value that differs from the hive's ControlSet00N value
// is recorded as a conflict, with the value Value returns kept.
func TestCurrentControlSetAliasConflict(t *testing.T) {
	h := hostOf(t, `SYSTEM\Select|Current|dword|1`,
		`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley|NLBSFlags|dword|0`,
		`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley|NLBSFlags|dword|1`)
	cs := h.Registry.Conflicts
	if len(cs) != 1 {
		t.Fatalf("conflicts = %+v, want one", cs)
	}
	if n, _ := cs[0].Kept.AsDWORD(); n != 1 || cs[0].Kept != h.Registry.Value(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "NLBSFlags") {
		t.Errorf("kept %+v, want the value Value returns (1)", cs[0].Kept)
	}
}

// TestClusterNodeNeedsPositiveEvidence checks that a host is a
// server-cluster node only on positive evidence (MS-CMRP §3.1.3.1/2).
func TestClusterNodeNeedsPositiveEvidence(t *testing.T) {
	sel := `SYSTEM\Select|Current|dword|1`
	state := `SOFTWARE\Microsoft\Windows NT\CurrentVersion\Cluster Server|ClusterInstallationState|dword|`
	for _, c := range []struct {
		name  string
		lines []string
		known bool
		node  bool
		via   string
	}{
		{"ClusSvc automatic alone proves nothing", []string{sel, `SYSTEM\ControlSet001\Services\ClusSvc|Start|dword|2`}, true, false, "alone proves nothing"},
		{"installation state 2: configured and active", []string{sel, state + "2"}, true, true, "ClusterInstallationState = 2"},
		{"installation state 1: also left on an evicted node", []string{sel, state + "1"}, true, false, "does not show an active node"},
		{"ClusSvc\\Parameters naming the cluster", []string{sel, `SYSTEM\ControlSet001\Services\ClusSvc\Parameters|ClusterName|sz|EXCLUSTER`}, true, true, "EXCLUSTER"},
		{"no SYSTEM or SOFTWARE: unknown", []string{`Cluster\Nodes|x|dword|1`}, false, false, "no SYSTEM or SOFTWARE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := hostOf(t, c.lines...)
			DeriveFacts(h)
			f := h.Facts.ClusterNode
			if f.Known != c.known || f.Value != c.node || !strings.Contains(f.Via, c.via) {
				t.Errorf("got %+v, want known %v node %v via ~%q", f, c.known, c.node, c.via)
			}
		})
	}
	h := hostOf(t, sel)
	h.Files = []*InputFile{{Name: "BE1/CLUSDB", Kind: KindHive, Binary: true, Hives: []string{"Cluster"}}}
	h.Registry.Tree.EnsureKey(`Cluster\Resources\{R1}`, Location{}).SetValue(&Value{Name: "Type", Type: RegSZ, Data: UTF16String("IP Address")})
	DeriveFacts(h)
	if f := h.Facts.ClusterNode; !f.Value || f.Source.File != "BE1/CLUSDB" {
		t.Errorf("a cluster hive among the host's files: %+v", f)
	}
}

// TestKeyValuesByName: a key finds its values by name case-insensitively
// whether it holds few (searched in order) or many (indexed), and
// replacing or deleting one keeps the others found.
func TestKeyValuesByName(t *testing.T) {
	for _, n := range []int{3, indexFrom, 3 * indexFrom} {
		k := &Key{Path: "K"}
		for i := range n {
			k.SetValue(&Value{Name: fmt.Sprintf("Name%d", i), Type: RegDWORD, Data: DWORDData(uint32(i))})
		}
		k.SetValue(&Value{Name: "NAME1", Type: RegDWORD, Data: DWORDData(100)})
		k.SetValue(&Value{Name: "Straße", Type: RegSZ})
		if len(k.Values) != n+1 {
			t.Fatalf("%d values: %d held after a replacement and an addition", n, len(k.Values))
		}
		if v := k.Value("name1"); v == nil || v.Name != "NAME1" {
			t.Errorf("%d values: name1 is %+v, want the replacement", n, v)
		}
		if k.Value("STRASSE") != nil || k.Value("straße") == nil {
			t.Errorf("%d values: non-ASCII names are matched as strings.ToLower matches them", n)
		}
		k.DeleteValue("name0")
		if k.Value("Name0") != nil || k.Value(fmt.Sprintf("name%d", n-1)) == nil {
			t.Errorf("%d values: after deleting Name0, Name0 = %v and the last is %v", n, k.Value("Name0"), k.Value(fmt.Sprintf("name%d", n-1)))
		}
	}
}

// TestRetainedTreeSubkeys: a retained tree, which has no children index,
// lists the same subkeys as the tree it came from, and takes keys again.
func TestRetainedTreeSubkeys(t *testing.T) {
	full := NewRegTree()
	for _, p := range []string{`SOFTWARE\Policies\Local\ipsecPolicy{1}`, `SOFTWARE\Policies\Local\ipsecNFA{2}\Deeper`, `SOFTWARE\Policies\local\IPSECPOLICY{1}\sub`, `SYSTEM\Select`} {
		full.EnsureKey(p, Location{})
	}
	cut := full.Retain(NewRetention(KeepSpec{Key: `SOFTWARE`}), func(Location) bool { return false })
	for _, p := range []string{"", "SOFTWARE", `SOFTWARE\Policies\Local`, `SOFTWARE\Policies\Local\ipsecNFA{2}`} {
		want := full.Subkeys(p)
		if p == "" {
			want = []string{"SOFTWARE"}
		}
		if got := cut.Subkeys(p); !slices.Equal(got, want) {
			t.Errorf("Subkeys(%q) = %q, want %q", p, got, want)
		}
	}
	cut.EnsureKey(`SOFTWARE\Policies\Other`, Location{})
	if got := cut.Subkeys(`SOFTWARE\Policies`); !slices.Equal(got, []string{"Local", "Other"}) {
		t.Errorf("after EnsureKey: %q", got)
	}
}

// TestAddrKindWrittenByName: an address kind is a number in memory and
// its name everywhere it is written: String, fmt, JSON (both ways).
func TestAddrKindWrittenByName(t *testing.T) {
	names := map[AddrKind]string{0: "", AddrIP: "ip", AddrMe: "me", AddrAny: "any", AddrDNSName: "dns-name", AddrDNS: "dns",
		AddrWINS: "wins", AddrDHCP: "dhcp", AddrGateway: "gateway", AddrUnknown: "unknown"}
	for k, name := range names {
		b, err := json.Marshal(Address{Kind: k})
		if err != nil || k.String() != name || fmt.Sprintf("%s|%v|%q", k, k, k) != fmt.Sprintf("%s|%s|%q", name, name, name) ||
			string(b) != `{"kind":"`+name+`"}` {
			t.Errorf("kind %d: String %q, JSON %s (%v), want %q", k, k, b, err, name)
		}
		var back Address
		if err := json.Unmarshal(b, &back); err != nil || back.Kind != k {
			t.Errorf("kind %q read back as %d (%v)", name, back.Kind, err)
		}
	}
	var k AddrKind
	if err := k.UnmarshalText([]byte("subnet")); err == nil {
		t.Error("an unknown kind's name was read")
	}
}
