// Command genreg writes a big .reg export shaped like a Windows Server
// 2003 HKLM export (regedit version 5: UTF-16LE with BOM, CRLF), for
// timing the parser (internal/bench/bench-reg.sh). The same seed gives the same
// file.
//
//	go run ./internal/cmd/genreg -size 200MB -o /tmp/hklm.reg
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

func main() {
	sizeFlag := flag.String("size", "200MB", "approximate file size: bytes, or with a kB, MB, GB (powers of 1000) or KiB, MiB, GiB suffix")
	out := flag.String("o", "", "file to write (required)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	if err != nil || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genreg -size 200MB -o FILE [-seed N]")
		if err != nil {
			fmt.Fprintln(os.Stderr, "genreg:", err)
		}
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genreg:", err)
		os.Exit(1)
	}
	n, err := regtest.GenerateExport(f, size, *seed)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genreg:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d bytes\n", *out, n)
}

// parseSize reads "200MB", "64MiB", "1e6" or "12345".
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(n * mult), nil
}
