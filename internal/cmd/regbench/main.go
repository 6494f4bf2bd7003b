// Command regbench parses one .reg export the way `ipseclint audit` does
// (keeping only the keys the audit reads) and prints what it read. It
// exists to time the parser against iconv (internal/bench/bench-reg.sh) until the
// audit command can be timed directly.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/regfile"
)

func main() {
	all := flag.Bool("all", false, "keep every key instead of the keys the audit reads")
	codepage := flag.String("codepage", "", "code page of 8-bit exports (default cp1252)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: regbench [-all] [-codepage CP] FILE.reg")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	opts := regfile.Options{CodePage: *codepage}
	if !*all {
		opts.Filter = model.NewKeyFilter(model.FactKeys()...)
	}
	res, err := regfile.ParseFile(flag.Arg(0), opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "regbench:", err)
		os.Exit(1)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("%s: %s, %s: %d keys seen, %d kept, %d values, %d errors, %d warnings (Go heap obtained from the OS: %.1f MiB)\n",
		flag.Arg(0), res.Header, res.Encoding, res.KeysSeen, res.KeysKept, res.ValuesKept,
		len(res.Errors), len(res.Warnings), float64(ms.HeapSys)/(1<<20))
	for _, e := range res.Errors {
		fmt.Fprintln(os.Stderr, e)
	}
}
