// Package fleetgen writes realistic fleets of Exchange 2003 servers'
// exports, as an auditor receives them, for benchmarks and end-to-end
// tests of the audit: one folder per host named after its ComputerName,
// and an ipseclint.yaml at the top.
//
// The fleet is spread over sites (one per Options.HostsPerSite hosts).
// Every site has a 2-node Windows Server 2003 back-end server cluster with
// an Exchange virtual server (EVS) address in its cluster hive, front-ends
// load-balanced by NLB, and, in larger sites, stand-alone back-ends
// (declared in ipseclint.yaml, since nothing in their exports tells them
// from front-ends); some sites also keep a 2-node Windows 2000 back-end
// cluster. Front-ends live in 10.0.0.0/8, back-ends in 172.16.0.0/12, so
// that one policy covers every back-end of the organisation, as Exchange
// 2003 front-ends talk to every back-end.
//
// Each host has system.reg and software.reg (regedit version 5 exports,
// written by parsers/regfile/regtest) or, on a share of hosts, binary
// SYSTEM and SOFTWARE hives (internal/hivewriter); cluster nodes also have
// cluster.reg or CLUSDB; Windows Server 2003 hosts have the output of
// `netsh ipsec static dump` (OEM code page 850, or UTF-16LE from a
// PowerShell capture) with 10 to 200 filters. Registry exports are padded
// with keys of a real server that the audit does not read (services,
// TCP/IP interfaces, environment, installed updates).
//
// Each host is either clean (it passes every rule) or carries one or two
// Faults, chosen from the seed; Stats.Manifest lists them. The same
// Options always give byte-identical files.
//
// In detail: sites of 12 hosts or more keep a Windows 2000 cluster (the
// first site always, others one time in twelve), sites of 20 or more 0 to
// 2 stand-alone back-ends; about 40% of front-ends and 50% of Windows
// Server 2003 back-ends are clean; 15% of hosts come as hives (and the
// first back-end node always), 25% of dumps as UTF-16LE. A fleet of N
// hosts holds about N × 25 KB of .reg exports and N × 45 KB in all.
//
// The fleet benchmarks (bench_test.go) audit 1,000 and 10,000 hosts, and
// read the same files as `cat > /dev/null` would in the same run (the
// floor):
//
//	go test ./internal/fleetgen -run '^$' -bench 'Fleet' -benchtime 1x -timeout 30m
//
// For one case's peak RSS and CPU, run the compiled test binary on it
// alone under /usr/bin/time -v (the fleet is generated in the process
// first; "Maximum resident set size" includes that):
//
//	go test -c -o /tmp/fleetgen.test ./internal/fleetgen
//	/usr/bin/time -v /tmp/fleetgen.test -test.run '^$' -test.bench 'Fleet/hosts=10000$' -test.benchtime 1x
//
// or audit a fleet written by cmd/genfleet with the ipseclint binary
// under /usr/bin/time -v, beside `time cat` of its files.
package fleetgen

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// Options say which fleet to write.
type Options struct {
	// Hosts is the number of hosts (at least 1).
	Hosts int
	// Seed picks the layout and the faults; the same seed gives the same
	// files.
	Seed uint64
	// HostsPerSite is about how many hosts one site holds: 40 when zero,
	// at most MaxHostsPerSite.
	HostsPerSite int
}

// Limits of the address plan: a site's front-ends share one /24, and the
// back-ends of site s live in 172.(16+s/256).(s%256).0/24.
const (
	DefaultHostsPerSite = 40
	MaxHostsPerSite     = 150
	MaxSites            = 16 * 256
)

// Role is the part a host plays in the Exchange topology.
type Role string

// The roles.
const (
	RoleFrontEnd Role = "frontend"
	RoleBackEnd  Role = "backend"
)

// Fault is one misconfiguration written into a host's exports. Each is
// meant to make one rule fire (named in its comment), sometimes others
// that follow from it.
type Fault string

// The faults.
const (
	FaultNLBSFlagsMissing    Fault = "nlbsflags-missing"      // Oakley\NLBSFlags absent or 0 on a front-end (IPSEC001)
	FaultIMAP4Permitted      Fault = "imap4-permitted"        // IMAP4 to the back-ends permitted in clear (IPSEC002)
	FaultHTTPRuleInactive    Fault = "http-rule-inactive"     // the rule encrypting HTTP is inactive (IPSEC004, IPSEC008)
	FaultAHOffered           Fault = "ah-offered"             // the filter action also offers AH, no encryption (IPSEC005)
	FaultSoftFallback        Fault = "soft-fallback"          // soft=yes or inpass=yes (IPSEC006)
	FaultWeakCrypto          Fault = "weak-crypto"            // DES or MD5 offered in quick or main mode (IPSEC007)
	FaultPolicyNotAssigned   Fault = "policy-not-assigned"    // the Exchange policy exists but is not assigned (IPSEC008 and the flow rules)
	FaultNoPolicy            Fault = "no-policy"              // only the built-in policies, none assigned (IPSEC002, IPSEC004)
	FaultOneWayFilter        Fault = "one-way-filter"         // the POP3 filter is not mirrored (IPSEC009)
	FaultBackendNotRequiring Fault = "backend-not-requiring"  // a back-end's policy has no IMAP4 filter (IPSEC010)
	FaultKerberosExempt      Fault = "kerberos-exempt"        // NoDefaultExempt 0 or 2 (IPSEC011)
	FaultPolicyAgentOff      Fault = "policyagent-disabled"   // PolicyAgent Start 4 (IPSEC012; no filter applied: IPSEC002/004 on a front-end, IPSEC010 on a back-end)
	FaultFrontEndClusterNode Fault = "frontend-cluster-node"  // a front-end made a server-cluster node, declared a front-end (IPSEC013)
	FaultWin2000Policy       Fault = "win2000-cluster-policy" // a Windows 2000 cluster node with a policy assigned (IPSEC003)
)

// HostSpec is one host of the fleet as planned.
type HostSpec struct {
	Name string // ComputerName, and the folder's name
	Site string // site code, e.g. "ZRH1"
	Role Role
	// Windows2000 is set for Windows 2000 hosts (no netsh dump: Windows
	// 2000 has no netsh ipsec context).
	Windows2000 bool
	// Hives is set when the registry is written as binary hives.
	Hives bool
	// Declared is set when ipseclint.yaml declares the host's role.
	Declared bool
	// Address is the host's own (dedicated) address.
	Address netip.Addr
	// Faults are the misconfigurations written; none for a clean host.
	Faults []Fault
}

// Stats say what Write wrote.
type Stats struct {
	Hosts int
	Sites int
	Files int   // files written, ipseclint.yaml included
	Bytes int64 // bytes written, ipseclint.yaml included
	// Manifest lists every host, in name order.
	Manifest []HostSpec
}

// ConfigName is the fleet configuration's file name.
const ConfigName = "ipseclint.yaml"

// Write writes the fleet into dir, which is created when absent and must
// be empty when present.
func Write(dir string, opts Options) (Stats, error) {
	hosts, sites, err := plan(opts)
	if err != nil {
		return Stats{}, err
	}
	if err := prepareDir(dir); err != nil {
		return Stats{}, err
	}
	st := Stats{Hosts: len(hosts), Sites: len(sites)}
	cfg := configText(opts, hosts)
	if err := os.WriteFile(filepath.Join(dir, ConfigName), cfg, 0o644); err != nil {
		return Stats{}, err
	}
	st.Files, st.Bytes = 1, int64(len(cfg))
	files, bytes, err := writeHosts(dir, hosts, opts.Seed)
	if err != nil {
		return Stats{}, err
	}
	st.Files += files
	st.Bytes += bytes
	for _, h := range hosts {
		st.Manifest = append(st.Manifest, h.HostSpec)
	}
	sort.Slice(st.Manifest, func(i, j int) bool { return st.Manifest[i].Name < st.Manifest[j].Name })
	return st, nil
}

func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("fleetgen: %s is not empty (%d entries); write a fleet into a new folder", dir, len(entries))
	}
	return nil
}

// writeHosts writes every host's folder with GOMAXPROCS workers. Each
// host's content depends only on the seed and the host, so the files do
// not depend on the order the workers run in; the first error in host
// order is returned.
func writeHosts(dir string, hosts []*host, seed uint64) (files int, bytes int64, err error) {
	type result struct {
		files int
		bytes int64
		err   error
	}
	results := make([]result, len(hosts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				n, b, err := writeHost(filepath.Join(dir, hosts[i].Name), hosts[i], seed)
				results[i] = result{n, b, err}
			}
		}()
	}
	for i := range hosts {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			return 0, 0, fmt.Errorf("fleetgen: host %s: %w", hosts[i].Name, r.err)
		}
		files += r.files
		bytes += r.bytes
	}
	return files, bytes, nil
}
