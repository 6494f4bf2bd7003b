// Command genfleet writes a realistic fleet of Exchange 2003 servers'
// exports (see internal/fleetgen) for timing the audit and trying it on a
// whole estate. The same flags give the same files.
//
//	go run ./internal/cmd/genfleet -hosts 10000 -seed 1 -o /tmp/fleet10k
//	ipseclint audit /tmp/fleet10k
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ipseclint/ipseclint/internal/fleetgen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("genfleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	hosts := fs.Int("hosts", 1000, "number of hosts")
	seed := fs.Uint64("seed", 1, "random seed: picks the layout and each host's faults")
	perSite := fs.Int("per-site", fleetgen.DefaultHostsPerSite, fmt.Sprintf("hosts per site (1 to %d)", fleetgen.MaxHostsPerSite))
	out := fs.String("o", "", "folder to write the fleet into (required; created, must be empty)")
	manifest := fs.String("manifest", "", "also write every host's role and faults as JSON to this file (outside the fleet)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: genfleet -hosts N [-seed N] [-per-site N] [-manifest FILE] -o DIR")
		return 2
	}
	st, err := fleetgen.Write(*out, fleetgen.Options{Hosts: *hosts, Seed: *seed, HostsPerSite: *perSite})
	if err != nil {
		fmt.Fprintln(stderr, "genfleet:", err)
		return 1
	}
	if *manifest != "" {
		data, err := json.MarshalIndent(st.Manifest, "", "  ")
		if err == nil {
			err = os.WriteFile(*manifest, append(data, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "genfleet:", err)
			return 1
		}
	}
	clean := 0
	for _, h := range st.Manifest {
		if len(h.Faults) == 0 {
			clean++
		}
	}
	fmt.Fprintf(stdout, "%s: %d hosts in %d sites (%d clean), %d files, %d bytes\n", *out, st.Hosts, st.Sites, clean, st.Files, st.Bytes)
	return 0
}
