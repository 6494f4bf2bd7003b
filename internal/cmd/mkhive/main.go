// Command mkhive writes an empty registry hive: a base block, one hive
// bin and a root key. No Debian tool creates an empty hive; scripts fill
// the one made here with hivexregedit (Debian libwin-hivex-perl):
//
//	mkhive -name SYSTEM -file '\SystemRoot\System32\Config\SYSTEM' -o SYSTEM
//	hivexregedit --merge --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' SYSTEM file.reg
//
// The .reg file must be UTF-8 and name every parent key in a section of
// its own (see ../shared/FORMATS.md §2).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mkhive:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("mkhive", flag.ContinueOnError)
	name := fs.String("name", "ROOT", "name of the root key node")
	file := fs.String("file", "", `file name recorded in the base block, e.g. '\SystemRoot\System32\Config\SYSTEM'`)
	minor := fs.Uint("minor", 5, "minor format version (3 or 5)")
	out := fs.String("o", "", "output file (required; never overwritten)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 0 {
		return errors.New("usage: mkhive [-name ROOT] [-file PATH] [-minor 5] -o OUTPUT")
	}
	if *minor < 2 || *minor > 6 {
		return fmt.Errorf("-minor %d: hives have minor versions 2 to 6", *minor)
	}
	h, err := hivewriter.Empty(hivewriter.Options{RootName: *name, FileName: *file, Minor: uint32(*minor)})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(h.Data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
