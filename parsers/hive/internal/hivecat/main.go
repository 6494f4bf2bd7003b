// Command hivecat prints what parsers/hive reads from hive files: one
// line per value (HKLM path, name, type, data in hex), then a summary
// line, the notes and the damage, each starting with "#".
// With -k it reads only the given subtrees, as the audit does. It exists
// for the side-by-side benchmark against reglookup (internal/bench/bench-hive.sh)
// and for looking at a hive by hand.
//
//	hivecat [-k 'SYSTEM\CurrentControlSet\Services\IPSEC' ...] [-q] HIVE...
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/hive"
)

type keyList []string

func (k *keyList) String() string     { return strings.Join(*k, ",") }
func (k *keyList) Set(s string) error { *k = append(*k, s); return nil }

func main() {
	var keys keyList
	flag.Var(&keys, "k", "subtree to read (HKLM path; repeatable); default: everything")
	quiet := flag.Bool("q", false, "print only a summary line per file")
	flag.Parse()
	var filter *model.KeyFilter
	if len(keys) > 0 {
		filter = model.NewKeyFilter(keys...)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	status := 0
	for _, p := range flag.Args() {
		res, err := hive.Open(p, hive.Options{Filter: filter})
		if err != nil {
			fmt.Fprintln(out, "UNREADABLE:", err)
			status = 1
			continue
		}
		values := printTree(out, res.Tree, res.Mount, *quiet)
		fmt.Fprintf(out, "# %s: hive=%q mount=%q keys=%d values=%d currentSet=%d damage=%d\n", p, res.Hive, res.Mount, res.Tree.Len(), values, res.CurrentSet, len(res.Damage))
		for _, n := range res.Notes {
			fmt.Fprintln(out, "# note:", n)
		}
		for _, d := range res.Damage {
			fmt.Fprintf(out, "# damage: %s: %s\n", d.Loc, d.Message)
		}
	}
	if err := out.Flush(); err != nil && status == 0 {
		status = 1
	}
	os.Exit(status) //nolint:gocritic // out is flushed above; the deferred Flush is for the early returns
}

// printTree prints the values of the key at path and of every key below
// it, depth first, and returns how many there were. (It walks subkey
// lists rather than sorting every path with RegTree.Keys, which is
// slow on big trees.)
func printTree(out *bufio.Writer, t *model.RegTree, path string, quiet bool) int {
	n := 0
	if k := t.Key(path); k != nil {
		for _, v := range k.Values {
			n++
			if !quiet {
				fmt.Fprintf(out, "%s\t%s\t%s\t%x\n", k.Path, v.Name, v.Type, v.Data)
			}
		}
	}
	for _, name := range t.Subkeys(path) {
		n += printTree(out, t, path+`\`+name, quiet)
	}
	return n
}
