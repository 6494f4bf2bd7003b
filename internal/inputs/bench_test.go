package inputs

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"
)

// benchFleet writes n hosts of three 8 KiB files each, as a folder, a
// zip, a zip of per-host zips and a tgz, and returns their paths.
func benchFleet(b *testing.B, n int) map[string]string {
	b.Helper()
	root := b.TempDir()
	var zfs, nested []zipFile
	var tfs []tarFile
	for h := 0; h < n; h++ {
		host := fmt.Sprintf("EX%05d", h)
		var hostFiles []zipFile
		for _, f := range []string{"system.reg", "software.reg", "netsh.txt"} {
			data := text(h, 8<<10)
			write(b, root, "folder/"+host+"/"+f, data)
			zfs = append(zfs, zipFile{name: host + "/" + f, data: data})
			hostFiles = append(hostFiles, zipFile{name: f, data: data})
			tfs = append(tfs, regular(host+"/"+f, data))
		}
		nested = append(nested, zipFile{name: host + ".zip", data: makeZip(b, hostFiles...), store: true})
	}
	write(b, root, "fleet.zip", makeZip(b, zfs...))
	write(b, root, "zips.zip", makeZip(b, nested...))
	write(b, root, "fleet.tgz", gz(b, makeTar(b, tfs...)))
	return map[string]string{
		"folder": filepath.Join(root, "folder"), "zip": filepath.Join(root, "fleet.zip"),
		"zip-of-zips": filepath.Join(root, "zips.zip"), "tgz": filepath.Join(root, "fleet.tgz"),
	}
}

// BenchmarkCollect lists 1,000 hosts (3,000 files, 24 MiB) and reads
// every entry's head and then all of it, in Seq order, as an audit would.
func BenchmarkCollect(b *testing.B) {
	paths := benchFleet(b, 1000)
	for _, kind := range []string{"folder", "zip", "zip-of-zips", "tgz"} {
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			var total int64
			for i := 0; i < b.N; i++ {
				s, err := Collect([]string{paths[kind]}, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(s.Entries) != 3000 {
					b.Fatalf("%d entries, %d skipped", len(s.Entries), len(s.Skipped))
				}
				bySeq := append([]Entry(nil), s.Entries...)
				sortBySeq(bySeq)
				for _, e := range bySeq {
					if _, err := e.Head(16 << 10); err != nil {
						b.Fatal(err)
					}
					rc, err := e.Open()
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.Copy(io.Discard, rc)
					rc.Close()
					if err != nil {
						b.Fatal(err)
					}
					total += n
				}
				s.Close()
			}
			b.SetBytes(total / int64(b.N))
			b.ReportMetric(float64(3000*b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
