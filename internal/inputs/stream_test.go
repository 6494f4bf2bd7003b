package inputs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
)

// A large member of a compressed tar is streamed, never held whole: read
// through Open, it costs a small fraction of its size, and the bytes are
// right. A second large member opened while the first is still open (by
// the same goroutine) is read through a cursor of its own: no deadlock,
// no mix-up.
func TestLargeTgzMembersAreStreamed(t *testing.T) {
	root := t.TempDir()
	a, b := bytes.Repeat(text(1, 1<<20), 8), bytes.Repeat(text(2, 1<<20), 3)
	write(t, root, "fleet.tgz", gz(t, makeTar(t, regular("EXFE01/system.reg", a), regular("EXFE02/system.reg", b))))
	s := collect(t, []string{root}, Options{})
	ea, eb := entryByName(t, s, "fleet.tgz!/EXFE01/system.reg"), entryByName(t, s, "fleet.tgz!/EXFE02/system.reg")
	var sum int64
	alloc := allocated(func() {
		rc, err := ea.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		n, err := io.Copy(io.Discard, rc)
		if err != nil {
			t.Fatal(err)
		}
		sum = n
	})
	if sum != int64(len(a)) {
		t.Fatalf("read %d bytes of %d", sum, len(a))
	}
	if alloc > 3<<20 {
		t.Errorf("reading an 8 MiB member allocated %d bytes: it was held in memory", alloc)
	}
	ra, err := eb.Open()
	if err != nil {
		t.Fatal(err)
	}
	rb, err := ea.Open() // an earlier member while the cursor is taken
	if err != nil {
		t.Fatal(err)
	}
	gotA, errA := io.ReadAll(rb)
	gotB, errB := io.ReadAll(ra)
	rb.Close()
	ra.Close()
	if errA != nil || errB != nil || !bytes.Equal(gotA, a) || !bytes.Equal(gotB, b) {
		t.Errorf("members read at the same time differ (errors %v, %v)", errA, errB)
	}
	if got := readAll(t, eb); !bytes.Equal(got, b) {
		t.Error("member differs when read again")
	}
}

// A nested archive that could only be read from memory (a compressed
// zip inside a zip, anything inside a compressed tar) is skipped past
// maxNestedLoad, with its size named, instead of being loaded.
func TestLargeNestedArchivesAreNotLoaded(t *testing.T) {
	defer func(old int64) { maxNestedLoad = old }(maxNestedLoad)
	maxNestedLoad = 1 << 20
	root := t.TempDir()
	inner := makeZip(t, zipFile{name: "system.reg", data: randomish(int(maxNestedLoad) + 1000), store: true})
	write(t, root, "fleet.zip", makeZip(t, zipFile{name: "EXFE01.zip", data: inner}))
	write(t, root, "fleet.tgz", gz(t, makeTar(t, regular("EXFE02.zip", inner))))
	write(t, root, "fleet.tar", makeTar(t, regular("EXFE03.zip", inner)))
	s := collect(t, []string{root}, Options{})
	for _, name := range []string{"fleet.zip!/EXFE01.zip", "fleet.tgz!/EXFE02.zip"} {
		wantSkipped(t, s, name, KindTooLarge, "held in memory", fmt.Sprintf("(%d bytes)", len(inner)), "1 MiB (1048576 bytes)")
	}
	// A tar on disk gives random access to the zip inside: it is read.
	if got := names(s.Entries); len(got) != 1 || got[0] != "fleet.tar!/EXFE03.zip!/system.reg" {
		t.Errorf("entries %q", got)
	}
}

// randomish is n bytes that deflate hardly compresses.
func randomish(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9E3779B97F4A7C15)
	for i := 0; i+8 <= n; i += 8 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		binary.LittleEndian.PutUint64(b[i:], x)
	}
	return b
}

// A zip's central directory is checked before archive/zip loads it: one
// that lists more members than the limit leaves, or that takes far more
// bytes than that many members could need (a count that understates what
// is there), is refused whole, with the numbers.
func TestZipCentralDirectoryIsBoundedBeforeItIsRead(t *testing.T) {
	root := t.TempDir()
	long := strings.Repeat("n", 40000)
	write(t, root, "long.zip", makeZip(t, zipFile{name: long + "1"}, zipFile{name: long + "2"}))
	s := collect(t, []string{root}, Options{MaxArchiveEntries: 2})
	wantSkipped(t, s, "long.zip", KindTooMany, "central directory takes", "2 members")
	if len(s.Entries) != 0 {
		t.Errorf("entries %q", names(s.Entries))
	}

	// The end record says 1 member; the directory holds 200.
	var zfs []zipFile
	for i := 0; i < 200; i++ {
		zfs = append(zfs, zipFile{name: strings.Repeat("x", 600) + string(rune('a'+i%26)) + string(rune('a'+i/26))})
	}
	data := makeZip(t, zfs...)
	end := bytes.LastIndex(data, sigEnd)
	binary.LittleEndian.PutUint16(data[end+8:], 1)
	binary.LittleEndian.PutUint16(data[end+10:], 1)
	write(t, root, "under.zip", data)
	s = collect(t, []string{root + "/under.zip"}, Options{MaxArchiveEntries: 20})
	wantSkipped(t, s, "under.zip", KindTooMany, "central directory takes")
}
