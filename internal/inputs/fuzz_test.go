package inputs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzArchive: whatever bytes a file holds, listing it and reading every
// entry neither panics nor hangs; each entry reads within the limits (or
// fails with a *ReadError), no entry's name is absolute or climbs out
// with "..", and every name is listed once. Seeds: zip, tar and tar.gz
// archives of the CLI test fleet's exports, nested, and damaged ones.
func FuzzArchive(f *testing.F) {
	var files []zipFile
	var tfiles []tarFile
	for _, rel := range []string{"EXFE01/system.reg", "EXFE01/ipsec.txt", "EXFE02/SYSTEM"} {
		data, err := os.ReadFile(filepath.Join("..", "cli", "testdata", "fleet", filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		data = data[:min(len(data), 8<<10)]
		files = append(files, zipFile{name: rel, data: data})
		tfiles = append(tfiles, regular(rel, data))
	}
	z := makeZip(f, files...)
	tr := makeTar(f, tfiles...)
	f.Add(z)
	f.Add(tr)
	f.Add(gz(f, tr))
	f.Add(makeZip(f, zipFile{name: "EXFE01.zip", data: z, store: true}, zipFile{name: "EXFE02.tgz", data: gz(f, tr)}, zipFile{name: "../evil", data: []byte("x")}))
	f.Add(z[:len(z)/2])
	f.Add(gz(f, tr)[:200])
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "input"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := Collect([]string{dir}, Options{MaxFileSize: 1 << 20, MaxArchiveTotal: 4 << 20, MaxArchiveEntries: 200})
		if err != nil {
			t.Fatal(err)
		}
		defer set.Close()
		seen := map[string]bool{}
		for _, e := range set.Entries {
			if seen[e.Name] {
				t.Fatalf("%q listed twice", e.Name)
			}
			seen[e.Name] = true
			for _, seg := range strings.Split(e.Name, "/") {
				if seg == ".." || seg == "" {
					t.Fatalf("entry name %q", e.Name)
				}
			}
			rc, err := e.Open()
			if err == nil {
				_, err = io.Copy(io.Discard, io.LimitReader(rc, 2<<20))
				rc.Close()
			}
			var re *ReadError
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("%s: %T %v is not a *ReadError", e.Name, err, err)
			}
		}
		for _, s := range set.Skipped {
			if s.Reason == "" || s.Kind == "" {
				t.Fatalf("skipped without a reason: %+v", s)
			}
		}
	})
}
