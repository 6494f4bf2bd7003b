package inputs

// Every fixture here is made by the test that uses it, with os, archive/zip,
// archive/tar and compress/gzip; nothing is committed under testdata.

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// write makes a file (and its folders) under dir.
func write(t testing.TB, dir, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// collect runs Collect and fails the test if it does not return: a hang
// is the failure these tests exist to catch.
func collect(t *testing.T, args []string, opts Options) *Set {
	t.Helper()
	type result struct {
		set *Set
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := Collect(args, opts)
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Collect(%q): %v", args, r.err)
		}
		t.Cleanup(func() { r.set.Close() })
		return r.set
	case <-time.After(30 * time.Second):
		t.Fatalf("Collect(%q) did not return: it blocked on an input", args)
	}
	return nil
}

func names(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
	}
	return out
}

func skippedByName(s *Set) map[string]Skipped {
	m := map[string]Skipped{}
	for _, sk := range s.Skipped {
		m[sk.Name] = sk
	}
	return m
}

func entryByName(t *testing.T, s *Set, name string) Entry {
	t.Helper()
	for _, e := range s.Entries {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no entry %q; entries: %q; skipped: %+v", name, names(s.Entries), s.Skipped)
	return Entry{}
}

// wantSkipped checks that name was skipped as kind, with a reason
// holding every one of words.
func wantSkipped(t *testing.T, s *Set, name string, kind Kind, words ...string) Skipped {
	t.Helper()
	sk, ok := skippedByName(s)[name]
	if !ok {
		t.Fatalf("%q not skipped; entries %q; skipped %+v", name, names(s.Entries), s.Skipped)
	}
	if sk.Kind != kind {
		t.Errorf("%q skipped as %q (%s), want %q", name, sk.Kind, sk.Reason, kind)
	}
	for _, w := range words {
		if !strings.Contains(sk.Reason, w) {
			t.Errorf("%q: reason %q does not say %q", name, sk.Reason, w)
		}
	}
	for _, e := range s.Entries {
		if e.Name == name {
			t.Errorf("%q is both skipped and an entry", name)
		}
	}
	return sk
}

func readAll(t *testing.T, e Entry) []byte {
	t.Helper()
	rc, err := e.Open()
	if err != nil {
		t.Fatalf("Open %s: %v", e.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", e.Name, err)
	}
	return data
}

// openFDs counts this process's open file descriptors (Linux).
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd on this system: " + err.Error())
	}
	return len(ents)
}

// allocated returns how many bytes f allocates.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// zipFile is a member for makeZip.
type zipFile struct {
	name  string
	data  []byte
	store bool
	mode  fs.FileMode
}

func makeZip(t testing.TB, files ...zipFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: time.Unix(1e9, 0)}
		if f.store {
			hdr.Method = zip.Store
		}
		if f.mode != 0 {
			hdr.SetMode(f.mode)
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawMember is a zip member written as raw bytes with a header the test
// chooses (sizes, flags, CRC), for members that lie or are damaged.
type rawMember struct {
	hdr  zip.FileHeader
	data []byte
}

func makeRawZip(t testing.TB, members ...rawMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		hdr := m.hdr
		w, err := zw.CreateRaw(&hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflatedMember is a raw deflated member with an honest header.
func deflatedMember(t testing.TB, name string, data []byte) rawMember {
	t.Helper()
	comp := deflate(t, data)
	return rawMember{hdr: zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(comp)), UncompressedSize64: uint64(len(data))}, data: comp}
}

// tarFile is a member for makeTar; a zero Typeflag means a regular file.
type tarFile struct {
	hdr  tar.Header
	data []byte
}

func regular(name string, data []byte) tarFile {
	return tarFile{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(1e9, 0)}, data: data}
}

func makeTar(t testing.TB, files ...tarFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := f.hdr
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// text makes n bytes of varied text that compresses like a real export.
func text(seed, n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "\"Value%d_%d\"=dword:%08x\r\n", seed, i, (i*2654435761+seed)&0xffffffff)
	}
	return b.Bytes()[:n]
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
