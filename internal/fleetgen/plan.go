package fleetgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
)

// Organisation-wide names.
const (
	domain       = "contoso.local"
	organisation = "Contoso"
)

// cities name the sites; the accented ones make the OEM netsh dumps
// really code page 850.
var cities = []struct{ code, name string }{
	{"ZRH", "Zürich"}, {"MUC", "München"}, {"GVA", "Genève"}, {"MMX", "Malmö"}, {"VIE", "Wien"},
	{"PAR", "Paris"}, {"LYS", "Lyon"}, {"MAD", "Madrid"}, {"ODB", "Córdoba"}, {"LIS", "Lisboa"},
	{"GRU", "São Paulo"}, {"AMS", "Amsterdam"}, {"BRU", "Bruxelles"}, {"CPH", "København"},
	{"OSL", "Oslo"}, {"HEL", "Helsinki"}, {"DUS", "Düsseldorf"}, {"FRA", "Frankfurt"},
	{"HAM", "Hamburg"}, {"MIL", "Milano"}, {"ROM", "Roma"}, {"BCN", "Barcelona"}, {"LON", "London"},
	{"DUB", "Dublin"}, {"NYC", "New York"}, {"CHI", "Chicago"}, {"YTO", "Toronto"},
	{"YMQ", "Montréal"}, {"MEX", "México"}, {"SYD", "Sydney"}, {"SIN", "Singapore"}, {"TYO", "Tokyo"},
}

// site is one Exchange routing group's location: its front-end subnet
// 10.(s/256).(s%256).0/24 and back-end subnet 172.(16+s/256).(s%256).0/24.
type site struct {
	index int
	code  string // "ZRH1"
	city  string // "Zürich"
}

func newSite(i int) *site {
	c := cities[i%len(cities)]
	return &site{index: i, code: fmt.Sprintf("%s%d", c.code, i/len(cities)+1), city: c.name}
}

// frontNet returns address .last of the site's front-end subnet.
func (s *site) frontNet(last byte) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(s.index / 256), byte(s.index % 256), last})
}

// backNet returns address .last of the site's back-end subnet.
func (s *site) backNet(last byte) netip.Addr {
	return netip.AddrFrom4([4]byte{172, byte(16 + s.index/256), byte(s.index % 256), last})
}

// dcs are the site's domain controllers.
func (s *site) dcs() []netip.Addr { return []netip.Addr{s.frontNet(2), s.frontNet(3)} }

// nlbCluster is a front-end NLB cluster.
type nlbCluster struct {
	name string
	ip   netip.Addr
}

// cluster is a back-end server cluster with one Exchange virtual server.
type cluster struct {
	name      string // "ZRH1EXCL1"
	evs       string // "ZRH1EVS1"
	ip, evsIP netip.Addr
	nodes     [2]string
	w2k       bool
	// id seeds the cluster hive's GUIDs: both nodes hold the same hive.
	id uint64
}

// host is one host of the plan.
type host struct {
	HostSpec
	site       *site
	nlb        *nlbCluster // nil when not an NLB member
	nlbHost    int         // the host's NLB host priority (unique in its cluster)
	cluster    *cluster    // nil when not a back-end cluster node
	node       int         // 1 or 2 on a cluster node
	filters    int         // filters in the netsh dump
	netshUTF16 bool
	netshName  string
}

func (h *host) has(f Fault) bool { return slices.Contains(h.Faults, f) }

// plan lays the fleet out: sites, hosts, faults and file forms, all
// drawn from one generator in a fixed order.
func plan(opts Options) ([]*host, []*site, error) {
	per := opts.HostsPerSite
	if per == 0 {
		per = DefaultHostsPerSite
	}
	if opts.Hosts < 1 {
		return nil, nil, fmt.Errorf("fleetgen: %d hosts: want at least 1", opts.Hosts)
	}
	if per < 1 || per > MaxHostsPerSite {
		return nil, nil, fmt.Errorf("fleetgen: %d hosts per site: want 1 to %d (one /24 of front-ends per site)", per, MaxHostsPerSite)
	}
	nSites := (opts.Hosts + per - 1) / per
	if nSites > MaxSites {
		return nil, nil, fmt.Errorf("fleetgen: %d hosts at %d per site make %d sites: the address plan holds %d", opts.Hosts, per, nSites, MaxSites)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eedf1ee7))
	var hosts []*host
	sites := make([]*site, nSites)
	for i := range nSites {
		n := opts.Hosts / nSites
		if i < opts.Hosts%nSites {
			n++
		}
		sites[i] = newSite(i)
		hosts = append(hosts, layoutSite(sites[i], n, rng)...)
	}
	assignFaults(hosts, rng)
	for _, h := range hosts {
		pickForms(h, rng)
	}
	// The first back-end node always comes as hives (SYSTEM, SOFTWARE,
	// CLUSDB), so that every fleet holds each kind of file.
	hosts[0].Hives = !hosts[0].Windows2000
	return hosts, sites, nil
}

// layoutSite places n hosts in a site: the back-end cluster first, then
// (in bigger sites) a Windows 2000 cluster and stand-alone back-ends, and
// front-ends in NLB clusters of up to 16 for the rest.
func layoutSite(s *site, n int, rng *rand.Rand) []*host {
	var hs []*host
	add := func(h *host) {
		if len(hs) < n {
			hs = append(hs, h)
		}
	}
	for _, h := range clusterNodes(s, 1, false) {
		add(h)
	}
	if n >= 12 && (s.index == 0 || rng.IntN(12) == 0) {
		for _, h := range clusterNodes(s, 2, true) {
			add(h)
		}
	}
	if n >= 20 {
		for k := range rng.IntN(3) {
			add(standalone(s, k+1))
		}
	}
	fes := n - len(hs)
	nlbs := (fes + 15) / 16
	for j := range fes {
		add(frontEnd(s, j, nlbs))
	}
	return hs
}

func clusterNodes(s *site, k int, w2k bool) []*host {
	prefix := "BE"
	if w2k {
		prefix = "W2KBE"
	}
	c := &cluster{
		name: fmt.Sprintf("%sEXCL%d", s.code, k), evs: fmt.Sprintf("%sEVS%d", s.code, k),
		ip: s.backNet(byte(10 + 10*k)), evsIP: s.backNet(byte(40 + 10*k)), w2k: w2k,
		id: uint64(s.index)<<8 | uint64(k),
	}
	var out []*host
	for i := range 2 {
		c.nodes[i] = fmt.Sprintf("%s%s%02d", s.code, prefix, i+1)
		out = append(out, &host{
			HostSpec: HostSpec{Name: c.nodes[i], Site: s.code, Role: RoleBackEnd, Windows2000: w2k,
				Address: s.backNet(byte(11 + 10*k + i))},
			site: s, cluster: c, node: i + 1,
		})
	}
	return out
}

func standalone(s *site, k int) *host {
	return &host{
		HostSpec: HostSpec{Name: fmt.Sprintf("%sMBX%02d", s.code, k), Site: s.code, Role: RoleBackEnd,
			Declared: true, Address: s.backNet(byte(40 + k))},
		site: s,
	}
}

func frontEnd(s *site, j, nlbs int) *host {
	c := j % nlbs
	return &host{
		HostSpec: HostSpec{Name: fmt.Sprintf("%sFE%02d", s.code, j+1), Site: s.code, Role: RoleFrontEnd,
			Address: s.frontNet(byte(101 + j))},
		site:    s,
		nlbHost: j/nlbs + 1,
		nlb:     &nlbCluster{name: fmt.Sprintf("mail%d-%s.contoso.com", c+1, strings.ToLower(s.code)), ip: s.frontNet(byte(10 + c))},
	}
}

// The faults a host of each role may carry, dealt like cards so that
// every fault appears once before any appears twice.
var (
	frontEndFaults = []Fault{FaultNLBSFlagsMissing, FaultIMAP4Permitted, FaultHTTPRuleInactive, FaultAHOffered,
		FaultSoftFallback, FaultWeakCrypto, FaultPolicyNotAssigned, FaultNoPolicy, FaultOneWayFilter,
		FaultKerberosExempt, FaultPolicyAgentOff, FaultFrontEndClusterNode}
	backEndFaults = []Fault{FaultBackendNotRequiring, FaultKerberosExempt, FaultPolicyAgentOff, FaultPolicyNotAssigned}
)

type deck struct {
	cards []Fault
	next  int
	rng   *rand.Rand
}

func newDeck(cards []Fault, rng *rand.Rand) *deck {
	return &deck{cards: slices.Clone(cards), rng: rng}
}

func (d *deck) draw() Fault {
	if d.next == 0 {
		d.rng.Shuffle(len(d.cards), func(i, j int) { d.cards[i], d.cards[j] = d.cards[j], d.cards[i] })
	}
	f := d.cards[d.next]
	d.next = (d.next + 1) % len(d.cards)
	return f
}

// Shares of clean hosts among Windows Server 2003 hosts.
const (
	cleanFrontEnds = 0.40
	cleanBackEnds  = 0.50
)

// assignFaults gives each host its faults. Windows 2000 cluster nodes
// always carry an assigned policy (unsupported there), and half of them a
// disabled PolicyAgent; other hosts are clean or draw a fault, and a
// quarter of those a second one that does not hide the first.
func assignFaults(hosts []*host, rng *rand.Rand) {
	decks := map[Role]*deck{RoleFrontEnd: newDeck(frontEndFaults, rng), RoleBackEnd: newDeck(backEndFaults, rng)}
	clean := map[Role]float64{RoleFrontEnd: cleanFrontEnds, RoleBackEnd: cleanBackEnds}
	for _, h := range hosts {
		switch {
		case h.Windows2000:
			h.Faults = []Fault{FaultWin2000Policy}
			if rng.IntN(2) == 0 {
				h.Faults = append(h.Faults, FaultPolicyAgentOff)
			}
		case rng.Float64() < clean[h.Role]:
		default:
			first := decks[h.Role].draw()
			h.Faults = []Fault{first}
			if rng.IntN(4) == 0 {
				if second, ok := secondFault(h.Role, first, rng); ok {
					h.Faults = append(h.Faults, second)
				}
			}
		}
		if h.has(FaultFrontEndClusterNode) {
			h.nlb, h.Declared = nil, true // NLB and server clusters do not mix on one host
		}
	}
}

// secondFault picks a fault that adds to first without hiding it: with no
// policy assigned, the faults of an assigned policy cannot show.
func secondFault(role Role, first Fault, rng *rand.Rand) (Fault, bool) {
	var pool []Fault
	switch {
	case first == FaultNoPolicy || first == FaultPolicyNotAssigned:
		if role == RoleFrontEnd {
			pool = []Fault{FaultNLBSFlagsMissing}
		}
	case role == RoleFrontEnd:
		pool = []Fault{FaultNLBSFlagsMissing, FaultKerberosExempt, FaultPolicyAgentOff}
	default:
		pool = []Fault{FaultKerberosExempt, FaultPolicyAgentOff}
	}
	pool = slices.DeleteFunc(pool, func(f Fault) bool { return f == first })
	if len(pool) == 0 {
		return "", false
	}
	return pool[rng.IntN(len(pool))], true
}

// Shares of the file forms.
const (
	hiveShare       = 0.15 // registry as binary hives
	utf16NetshShare = 0.25 // netsh captured through PowerShell
)

var netshNames = []string{"ipsec.txt", "ipsec.txt", "ipsec.txt", "ipsec-dump.txt", "netsh-ipsec-static.txt"}

// pickForms picks the host's file forms and the size of its netsh dump:
// 10 to 200 filters, most dumps near the small end.
func pickForms(h *host, rng *rand.Rand) {
	h.Hives = !h.Windows2000 && rng.Float64() < hiveShare
	h.netshUTF16 = rng.Float64() < utf16NetshShare
	h.netshName = netshNames[rng.IntN(len(netshNames))]
	u := rng.Float64()
	h.filters = 10 + int(190*u*u*u*u*u*u)
}

// configText is the fleet's ipseclint.yaml: the code page of the OEM
// netsh dumps, and the roles the exports cannot tell.
func configText(opts Options, hosts []*host) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# ipseclint configuration of a fleet written by internal/fleetgen (%d hosts, seed %d).\n", len(hosts), opts.Seed)
	b.WriteString("# The netsh dumps captured with `cmd > file` are in the servers' OEM code page.\n")
	b.WriteString("# Stand-alone back-ends are not server-cluster nodes, so nothing in their exports\n")
	b.WriteString("# tells them from front-ends; front-ends made server-cluster nodes would be taken\n")
	b.WriteString("# for back-ends. Both are declared.\n")
	b.WriteString("codepage: cp850\nhosts:\n")
	var declared []string
	for _, h := range hosts {
		if h.Declared {
			declared = append(declared, fmt.Sprintf("  %s: {role: %s}\n", h.Name, h.Role))
		}
	}
	slices.Sort(declared)
	if len(declared) == 0 {
		return []byte(strings.Replace(b.String(), "hosts:\n", "hosts: {}\n", 1))
	}
	b.WriteString(strings.Join(declared, ""))
	return []byte(b.String())
}
