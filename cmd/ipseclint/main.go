// Command ipseclint audits Windows Server 2003 / Exchange Server 2003
// IPSec configuration offline, from registry exports, binary hives and
// netsh dumps collected off the servers (Microsoft KB 821839).
package main

import (
	"os"

	"github.com/ipseclint/ipseclint/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
