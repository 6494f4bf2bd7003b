package inputs

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestZipIsReadAsAFolder(t *testing.T) {
	root := t.TempDir()
	reg, netsh := text(1, 20000), text(2, 300)
	write(t, root, "fleet.zip", makeZip(t,
		zipFile{name: "EXFE01/"},
		zipFile{name: "EXFE01/system.reg", data: reg},
		zipFile{name: "EXFE01/netsh.txt", data: netsh, store: true},
		zipFile{name: `EXBE01\system.reg`, data: reg}, // as PowerShell 5's Compress-Archive writes it
		zipFile{name: "./top.txt", data: []byte("top")},
	))
	s := collect(t, []string{root}, Options{})
	want := []string{"fleet.zip!/EXBE01/system.reg", "fleet.zip!/EXFE01/netsh.txt", "fleet.zip!/EXFE01/system.reg", "fleet.zip!/top.txt"}
	if got := names(s.Entries); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries %q, want %q (skipped %+v)", got, want, s.Skipped)
	}
	e := entryByName(t, s, "fleet.zip!/EXFE01/system.reg")
	if e.Dir != "fleet.zip!/EXFE01" || e.Archive != "fleet.zip" || e.Path != "" || e.Size != int64(len(reg)) {
		t.Errorf("entry %+v", e)
	}
	if d := entryByName(t, s, "fleet.zip!/top.txt").Dir; d != "fleet.zip!" {
		t.Errorf("Dir at the top of an archive = %q", d)
	}
	if got := readAll(t, e); !bytes.Equal(got, reg) {
		t.Error("member content differs")
	}
	if got := readAll(t, entryByName(t, s, "fleet.zip!/EXFE01/netsh.txt")); !bytes.Equal(got, netsh) {
		t.Error("stored member content differs")
	}
	if len(s.Archives) != 1 || s.Archives[0].Format != "zip" || s.Archives[0].Members != 4 || s.Archives[0].Path != filepath.Join(root, "fleet.zip") {
		t.Errorf("archives %+v", s.Archives)
	}
	if len(s.Skipped) != 0 {
		t.Errorf("skipped %+v", s.Skipped)
	}
}

func TestHeadIsRepeatable(t *testing.T) {
	root := t.TempDir()
	reg := text(1, 20000)
	write(t, root, "fleet.zip", makeZip(t, zipFile{name: "a.reg", data: reg}))
	write(t, root, "fleet.tgz", gz(t, makeTar(t, regular("a.reg", reg))))
	write(t, root, "a.reg", reg)
	s := collect(t, []string{root}, Options{})
	if len(s.Entries) != 3 {
		t.Fatalf("entries %q", names(s.Entries))
	}
	for _, e := range s.Entries {
		for i := 0; i < 3; i++ {
			head, err := e.Head(10 + i)
			if err != nil || !bytes.Equal(head, reg[:10+i]) {
				t.Errorf("%s: Head(%d) = %q, %v", e.Name, 10+i, head, err)
			}
		}
		if head, err := e.Head(1 << 20); err != nil || !bytes.Equal(head, reg) {
			t.Errorf("%s: Head past the end: %d bytes, %v", e.Name, len(head), err)
		}
	}
}

// The head of a big member of a compressed tar is read without the rest.
func TestHeadOfABigStreamedMember(t *testing.T) {
	root := t.TempDir()
	big := text(7, 6<<20)
	write(t, root, "fleet.tgz", gz(t, makeTar(t, regular("small.reg", text(1, 100)), regular("big.reg", big))))
	s := collect(t, []string{root}, Options{})
	e := entryByName(t, s, "fleet.tgz!/big.reg")
	var head []byte
	alloc := allocated(func() {
		var err error
		if head, err = e.Head(100); err != nil {
			t.Fatal(err)
		}
	})
	if !bytes.Equal(head, big[:100]) {
		t.Errorf("head %q", head)
	}
	if alloc > 2<<20 {
		t.Errorf("Head(100) of a 6 MiB member allocated %d bytes", alloc)
	}
	if got := readAll(t, e); !bytes.Equal(got, big) {
		t.Error("big member differs")
	}
	if got := readAll(t, entryByName(t, s, "fleet.tgz!/small.reg")); !bytes.Equal(got, text(1, 100)) {
		t.Error("small member differs after reading past it")
	}
}

// Archives are told by content: a zip named .reg is an archive, a text
// named .zip is a file.
func TestArchivesAreFoundByContentNotName(t *testing.T) {
	root := t.TempDir()
	write(t, root, "export.reg", makeZip(t, zipFile{name: "a.txt", data: []byte("a")}))
	write(t, root, "notes.zip", []byte("PK is not enough"))
	write(t, root, "plain.tar.gz", gz(t, []byte("gzip, but no tar inside")))
	write(t, root, "v7.bin", makeTar(t, regular("v.txt", []byte("v"))))
	write(t, root, "empty.zip", makeZip(t))
	s := collect(t, []string{root}, Options{})
	want := []string{"export.reg!/a.txt", "notes.zip", "plain.tar.gz", "v7.bin!/v.txt"}
	if got := names(s.Entries); !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	formats := map[string]string{}
	for _, a := range s.Archives {
		formats[a.Name] = a.Format
	}
	if !reflect.DeepEqual(formats, map[string]string{"export.reg": "zip", "v7.bin": "tar", "empty.zip": "zip"}) {
		t.Errorf("archives %v", formats)
	}
}

func TestSniffTarWithoutUstarMagic(t *testing.T) {
	block := makeTar(t, regular("old.txt", []byte("x")))[:512]
	v7 := append([]byte(nil), block...)
	copy(v7[257:265], make([]byte, 8)) // no magic, no version: a v7 header
	// The checksum covers the magic bytes: recompute it for the v7 header.
	var sum int
	for i, b := range v7 {
		if i >= 148 && i < 156 {
			b = ' '
		}
		sum += int(b)
	}
	copy(v7[148:156], []byte(octal(sum)))
	if got := sniff(v7); got != formatTar {
		t.Errorf("v7 header: %v", got)
	}
	v7[0] ^= 1
	if got := sniff(v7); got != formatNone {
		t.Errorf("v7 header with a bad checksum: %v", got)
	}
	if got := sniff(make([]byte, 512)); got != formatNone {
		t.Errorf("zeros: %v", got)
	}
}

func octal(n int) string {
	s := ""
	for i := 0; i < 6; i++ {
		s = string(rune('0'+n%8)) + s
		n /= 8
	}
	return s + "\x00 "
}

func TestUnsafeMemberNamesAreSkipped(t *testing.T) {
	root := t.TempDir()
	bad := map[string]string{
		"../evil":        "climbs out",
		"/abs":           "absolute path",
		"a/../../x":      "climbs out",
		`C:\x`:           "drive letter",
		`..\..\win`:      "climbs out",
		"a/../inside":    "climbs out",
		"nul\x00byte":    "NUL byte",
		"//server/share": "absolute path",
	}
	var zfs []zipFile
	var tfs []tarFile
	for n := range bad {
		zfs = append(zfs, zipFile{name: n, data: []byte("evil")})
		if !strings.Contains(n, "\x00") { // a tar name ends at a NUL
			tfs = append(tfs, regular(n, []byte("evil")))
		}
	}
	zfs = append(zfs, zipFile{name: "ok.txt", data: []byte("ok")})
	tfs = append(tfs, regular("ok.txt", []byte("ok")))
	write(t, root, "a.zip", makeZip(t, zfs...))
	write(t, root, "a.tar", makeTar(t, tfs...))
	s := collect(t, []string{root}, Options{})
	for _, arc := range []string{"a.zip", "a.tar"} {
		for n, says := range bad {
			if arc == "a.tar" && strings.Contains(n, "\x00") {
				continue
			}
			wantSkipped(t, s, arc+"!/"+n, KindUnsafeName, says)
		}
	}
	if d := skippedByName(s)["a.zip!/a/../../x"].Dir; d != "a.zip!" {
		t.Errorf("Dir of a refused member = %q", d)
	}
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"a.tar!/ok.txt", "a.zip!/ok.txt"}) {
		t.Errorf("entries %q", got)
	}
	// Nothing is ever written: the parent holds only what the test made.
	if ents, _ := os.ReadDir(filepath.Dir(root)); len(ents) != 1 {
		t.Errorf("files appeared beside the audited folder: %v", ents)
	}
}

func TestTarMembersThatAreNotFilesAreSkipped(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.tar", makeTar(t,
		tarFile{hdr: tar.Header{Name: "h/dir/", Typeflag: tar.TypeDir, Mode: 0o755}},
		regular("h/system.reg", []byte("reg")),
		tarFile{hdr: tar.Header{Name: "h/passwd", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}},
		tarFile{hdr: tar.Header{Name: "h/hard", Typeflag: tar.TypeLink, Linkname: "h/system.reg"}},
		tarFile{hdr: tar.Header{Name: "h/zero", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 5}},
		tarFile{hdr: tar.Header{Name: "h/disk", Typeflag: tar.TypeBlock, Devmajor: 8}},
		tarFile{hdr: tar.Header{Name: "h/pipe", Typeflag: tar.TypeFifo}},
		regular("h/.hidden/x", []byte("x")),
		regular("h/system.reg", []byte("again")),
	))
	write(t, root, "links.zip", makeZip(t,
		zipFile{name: "h/link", data: []byte("/etc/passwd"), mode: os.ModeSymlink | 0o777},
		zipFile{name: "h/pipe", mode: os.ModeNamedPipe | 0o644},
		zipFile{name: "h/ok", data: []byte("ok")},
	))
	s := collect(t, []string{root}, Options{})
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"a.tar!/h/system.reg", "links.zip!/h/ok"}) {
		t.Fatalf("entries %q; skipped %+v", got, s.Skipped)
	}
	if sk := wantSkipped(t, s, "a.tar!/h/passwd", KindSymlink, "not followed"); sk.Target != "/etc/passwd" {
		t.Errorf("link target %q", sk.Target)
	}
	wantSkipped(t, s, "a.tar!/h/hard", KindSymlink, "hard link")
	wantSkipped(t, s, "a.tar!/h/zero", KindDevice)
	wantSkipped(t, s, "a.tar!/h/disk", KindDevice)
	wantSkipped(t, s, "a.tar!/h/pipe", KindFIFO)
	wantSkipped(t, s, "a.tar!/h/.hidden", KindHidden)
	wantSkipped(t, s, "links.zip!/h/link", KindSymlink)
	wantSkipped(t, s, "links.zip!/h/pipe", KindFIFO)
	// The second member of the same name is reported; the first is read.
	dup := 0
	for _, sk := range s.Skipped {
		if sk.Name == "a.tar!/h/system.reg" && sk.Kind == KindDuplicate {
			dup++
		}
	}
	if dup != 1 {
		t.Errorf("duplicate member reported %d times", dup)
	}
	if got := readAll(t, entryByName(t, s, "a.tar!/h/system.reg")); string(got) != "reg" {
		t.Errorf("content %q", got)
	}
}

// TestManyMembersOfOneName: an archive holding one name six times lists
// the first and one skipped entry that counts the five others, in a zip
// and in a tar alike.
func TestManyMembersOfOneName(t *testing.T) {
	root := t.TempDir()
	var zs []zipFile
	var ts []tarFile
	for i := range 6 {
		data := []byte("copy " + strconv.Itoa(i))
		zs = append(zs, zipFile{name: "h/CLUSDB", data: data})
		ts = append(ts, regular("h/CLUSDB", data))
	}
	write(t, root, "six.zip", makeZip(t, zs...))
	write(t, root, "six.tar", makeTar(t, ts...))
	s := collect(t, []string{root}, Options{})
	for _, arc := range []string{"six.tar", "six.zip"} {
		name := arc + "!/h/CLUSDB"
		if got := readAll(t, entryByName(t, s, name)); string(got) != "copy 0" {
			t.Errorf("%s: content %q, want the first member's", name, got)
		}
		found := false
		for _, sk := range s.Skipped {
			found = found || sk.Name == name && sk.Kind == KindDuplicate && strings.Contains(sk.Reason, "5 more members of the same name")
		}
		if !found {
			t.Errorf("%s: no skipped entry counts the 5 other members: %+v", name, s.Skipped)
		}
	}
	if len(s.Entries) != 2 || len(s.Skipped) != 2 {
		t.Errorf("%d entries and %d skipped, want 2 and 2: %+v", len(s.Entries), len(s.Skipped), s.Skipped)
	}

	// The first member of the name is a link, skipped: the four regular
	// members after the one read are still counted.
	root = t.TempDir()
	link := tarFile{hdr: tar.Header{Name: "h/CLUSDB", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}
	write(t, root, "link-first.tar", makeTar(t, append([]tarFile{link}, ts[:5]...)...))
	s = collect(t, []string{root}, Options{})
	counted := false
	for _, sk := range s.Skipped {
		counted = counted || sk.Kind == KindDuplicate && strings.Contains(sk.Reason, "4 more members of the same name")
	}
	if len(s.Entries) != 1 || !counted {
		t.Errorf("after a skipped link: %d entries (want 1), skipped %+v (want the 4 other members counted)", len(s.Entries), s.Skipped)
	}
}

// TestDamagedHeaderAfterWholeMember: a tar without its end blocks and
// with part of a header after its last member, on disk and gzipped: that
// member, whose data is all there, is read; the archive is reported
// damaged after it.
func TestDamagedHeaderAfterWholeMember(t *testing.T) {
	last := bytes.Repeat([]byte("REGEDIT4\r\n"), 600) // more than the head read first
	whole := makeTar(t, regular("h/software.reg", []byte("first")), regular("h/system.reg", last))
	damaged := slices.Concat(whole[:len(whole)-1024], whole[:300]) // no end-of-archive blocks, then 300 bytes of a header
	root := t.TempDir()
	write(t, root, "cut.tar", damaged)
	write(t, root, "cut.tgz", gz(t, damaged))
	s := collect(t, []string{root}, Options{})
	for _, arc := range []string{"cut.tar", "cut.tgz"} {
		if got := readAll(t, entryByName(t, s, arc+"!/h/system.reg")); !bytes.Equal(got, last) {
			t.Errorf("%s: the whole last member reads %d bytes, want %d", arc, len(got), len(last))
		}
		damagedTold := false
		for _, sk := range s.Skipped {
			damagedTold = damagedTold || strings.HasPrefix(sk.Name, arc) && sk.Kind == KindCorrupt
		}
		if !damagedTold {
			t.Errorf("%s: the damage after the last member is not reported: %+v", arc, s.Skipped)
		}
	}
}

// A bomb-shaped member: 64 MiB of zeros deflate to about 64 KiB, a ratio
// of about 1000:1, far past 200:1. It is skipped from its header, and a
// member whose header lies about its size stops at the size it declares;
// neither is ever held in memory.
func TestZipBombIsSkippedInBoundedMemory(t *testing.T) {
	root := t.TempDir()
	bomb := deflatedMember(t, "EXFE01/bomb.reg", make([]byte, 64<<20))
	liar := bomb
	liar.hdr.Name = "EXFE01/liar.reg"
	liar.hdr.UncompressedSize64 = 100 << 10 // says 100 KiB
	write(t, root, "fleet.zip", makeRawZip(t, bomb, liar, deflatedMember(t, "EXFE01/system.reg", text(1, 5000))))
	var s *Set
	alloc := allocated(func() { s = collect(t, []string{root}, Options{}) })
	if alloc > 16<<20 {
		t.Errorf("listing allocated %d bytes", alloc)
	}
	wantSkipped(t, s, "fleet.zip!/EXFE01/bomb.reg", KindRatio, "64 MiB", "200:1")
	liarEntry := entryByName(t, s, "fleet.zip!/EXFE01/liar.reg")
	alloc = allocated(func() {
		rc, err := liarEntry.Open()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		var re *ReadError
		if !errors.As(err, &re) || re.Kind != KindCorrupt || n > 100<<10 {
			t.Errorf("reading a member longer than declared: %d bytes, %v", n, err)
		}
	})
	if alloc > 16<<20 {
		t.Errorf("reading the lying member allocated %d bytes", alloc)
	}
	if got := readAll(t, entryByName(t, s, "fleet.zip!/EXFE01/system.reg")); !bytes.Equal(got, text(1, 5000)) {
		t.Error("the member beside the bomb was not read whole")
	}
}

func TestTgzBombStopsTheStream(t *testing.T) {
	root := t.TempDir()
	write(t, root, "fleet.tgz", gz(t, makeTar(t,
		regular("EXFE01/system.reg", text(1, 3000)),
		regular("EXFE01/bomb.reg", make([]byte, 64<<20)),
		regular("EXFE01/after.reg", text(2, 3000)),
	)))
	var s *Set
	alloc := allocated(func() { s = collect(t, []string{root}, Options{}) })
	if alloc > 16<<20 {
		t.Errorf("listing allocated %d bytes", alloc)
	}
	wantSkipped(t, s, "fleet.tgz!/EXFE01/bomb.reg", KindRatio, "200:1")
	wantSkipped(t, s, "fleet.tgz", KindRatio, "after 2 members", "rest of this archive was not read")
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"fleet.tgz!/EXFE01/system.reg"}) {
		t.Errorf("entries %q", got)
	}
	if got := readAll(t, s.Entries[0]); !bytes.Equal(got, text(1, 3000)) {
		t.Error("member before the bomb differs")
	}
}

// Encrypted members are told by the flag bit in their header, written here
// as raw bytes: ipseclint has no key, so they are reported, not guessed at.
func TestEncryptedZipMemberIsReportedAndTheRestRead(t *testing.T) {
	root := t.TempDir()
	secret := []byte("\x8f\x12 ciphertext, as far as anyone can tell")
	enc := rawMember{hdr: zip.FileHeader{Name: "EXFE01/system.reg", Method: zip.Store, Flags: 0x1,
		CRC32: crc32.ChecksumIEEE(secret), CompressedSize64: uint64(len(secret)), UncompressedSize64: uint64(len(secret))}, data: secret}
	write(t, root, "fleet.zip", makeRawZip(t, enc, deflatedMember(t, "EXBE01/system.reg", text(3, 1000))))
	s := collect(t, []string{root}, Options{})
	wantSkipped(t, s, "fleet.zip!/EXFE01/system.reg", KindEncrypted, "encrypted")
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"fleet.zip!/EXBE01/system.reg"}) {
		t.Errorf("entries %q", got)
	}
}

func TestCorruptZipMembersAreReportedPerMember(t *testing.T) {
	root := t.TempDir()
	small := deflatedMember(t, "EXFE01/small.reg", text(4, 3000))
	small.data = append([]byte(nil), small.data...)
	for i := len(small.data) / 3; i < len(small.data)/3+8; i++ {
		small.data[i] ^= 0x55
	}
	big := deflatedMember(t, "EXFE01/big.reg", text(5, 200000))
	big.data = append([]byte(nil), big.data...)
	for i := len(big.data) - 40; i < len(big.data)-32; i++ {
		big.data[i] ^= 0x55
	}
	good := deflatedMember(t, "EXFE01/good.reg", text(6, 50000))
	write(t, root, "fleet.zip", makeRawZip(t, small, big, good))
	s := collect(t, []string{root}, Options{})
	// Damage within the first bytes is found while listing...
	wantSkipped(t, s, "fleet.zip!/EXFE01/small.reg", KindCorrupt, "could not be read")
	// ...damage further in when the member is read, as a ReadError.
	e := entryByName(t, s, "fleet.zip!/EXFE01/big.reg")
	rc, err := e.Open()
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	var re *ReadError
	if !errors.As(err, &re) || re.Kind != KindCorrupt || re.Name != e.Name {
		t.Errorf("reading the damaged member: %v", err)
	}
	if got := readAll(t, entryByName(t, s, "fleet.zip!/EXFE01/good.reg")); !bytes.Equal(got, text(6, 50000)) {
		t.Error("good member differs")
	}
}

func TestTruncatedArchives(t *testing.T) {
	root := t.TempDir()
	z := makeZip(t, zipFile{name: "a.reg", data: text(1, 5000)}, zipFile{name: "b.reg", data: text(2, 5000)})
	write(t, root, "cut.zip", z[:len(z)/2])
	tgz := gz(t, makeTar(t, regular("h/a.reg", text(1, 6000)), regular("h/b.reg", text(2, 60000)), regular("h/c.reg", text(3, 6000))))
	write(t, root, "cut.tgz", tgz[:len(tgz)/2])
	tr := makeTar(t, regular("h/a.reg", text(1, 6000)), regular("h/b.reg", text(2, 60000)), regular("h/c.reg", text(3, 6000)))
	write(t, root, "cut.tar", tr[:512+6144+512+30000])
	s := collect(t, []string{root}, Options{})
	wantSkipped(t, s, "cut.zip", KindCorrupt, "not a readable zip archive", "nothing in it was read")
	wantSkipped(t, s, "cut.tgz!/h/b.reg", KindCorrupt, "could not be read")
	wantSkipped(t, s, "cut.tgz", KindCorrupt, "damaged or cut short after 2 members")
	wantSkipped(t, s, "cut.tar!/h/b.reg", KindCorrupt)
	wantSkipped(t, s, "cut.tar", KindCorrupt, "cut short")
	if got, want := names(s.Entries), []string{"cut.tar!/h/a.reg", "cut.tgz!/h/a.reg"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	for _, e := range s.Entries {
		if got := readAll(t, e); !bytes.Equal(got, text(1, 6000)) {
			t.Errorf("%s differs", e.Name)
		}
	}
}

func TestNestedArchivesOneLevelDeep(t *testing.T) {
	root := t.TempDir()
	fe, be, tg, pt := text(1, 9000), text(2, 9000), text(3, 9000), text(4, 9000)
	innerZip := makeZip(t, zipFile{name: "system.reg", data: fe}, zipFile{name: "deeper.zip", data: makeZip(t, zipFile{name: "x", data: []byte("x")})})
	write(t, root, "fleet.zip", makeZip(t,
		zipFile{name: "EXFE01.zip", data: innerZip, store: true},
		zipFile{name: "EXBE01.zip", data: makeZip(t, zipFile{name: "system.reg", data: be})},
		zipFile{name: "EXBE02.tgz", data: gz(t, makeTar(t, regular("EXBE02/system.reg", tg)))},
		zipFile{name: "EXBE03.tar", data: makeTar(t, regular("system.reg", pt))},
		zipFile{name: "EXBE04.tar", data: makeTar(t, regular("system.reg", pt)), store: true},
	))
	write(t, root, "fleet.tgz", gz(t, makeTar(t,
		regular("EXFE05.zip", makeZip(t, zipFile{name: "system.reg", data: fe})),
		regular("EXFE06.tar", makeTar(t, regular("system.reg", be))),
	)))
	write(t, root, "fleet.tar", makeTar(t, regular("EXFE07.tgz", gz(t, makeTar(t, regular("system.reg", tg))))))
	s := collect(t, []string{root}, Options{})
	want := map[string][]byte{
		"fleet.tar!/EXFE07.tgz!/system.reg":        tg,
		"fleet.tgz!/EXFE05.zip!/system.reg":        fe,
		"fleet.tgz!/EXFE06.tar!/system.reg":        be,
		"fleet.zip!/EXBE01.zip!/system.reg":        be,
		"fleet.zip!/EXBE02.tgz!/EXBE02/system.reg": tg,
		"fleet.zip!/EXBE03.tar!/system.reg":        pt,
		"fleet.zip!/EXBE04.tar!/system.reg":        pt,
		"fleet.zip!/EXFE01.zip!/system.reg":        fe,
	}
	if got := names(s.Entries); !reflect.DeepEqual(got, sortedCopy(keys(want))) {
		t.Fatalf("entries %q; skipped %+v", got, s.Skipped)
	}
	for _, e := range s.Entries {
		if got := readAll(t, e); !bytes.Equal(got, want[e.Name]) {
			t.Errorf("%s differs", e.Name)
		}
	}
	e := entryByName(t, s, "fleet.zip!/EXBE02.tgz!/EXBE02/system.reg")
	if e.Dir != "fleet.zip!/EXBE02.tgz!/EXBE02" || e.Archive != "fleet.zip!/EXBE02.tgz" {
		t.Errorf("nested entry %+v", e)
	}
	wantSkipped(t, s, "fleet.zip!/EXFE01.zip!/deeper.zip", KindTooDeep, "one level")
	if len(s.Archives) != 11 {
		t.Errorf("archives %+v", s.Archives)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A compressed tar can only be read from its start: reading in Seq order
// reads it once, any order reads the right bytes, and so do readers at
// the same time.
func TestTgzMembersInAnyOrder(t *testing.T) {
	root := t.TempDir()
	var files []tarFile
	want := map[string][]byte{}
	for i := 0; i < 40; i++ {
		name := string(rune('a'+i%26)) + "/" + string(rune('A'+i/26)) + ".reg"
		data := text(i, 1000+i*300)
		files = append(files, regular(name, data))
		want["fleet.tgz!/"+name] = data
	}
	write(t, root, "fleet.tgz", gz(t, makeTar(t, files...)))
	s := collect(t, []string{root}, Options{})
	if len(s.Entries) != 40 {
		t.Fatalf("%d entries", len(s.Entries))
	}
	bySeq := append([]Entry(nil), s.Entries...)
	sortBySeq(bySeq)
	for _, e := range bySeq {
		if got := readAll(t, e); !bytes.Equal(got, want[e.Name]) {
			t.Fatalf("%s differs", e.Name)
		}
	}
	if r := restarts(s); r != 1 {
		t.Errorf("reading in Seq order started the stream %d times, want 1", r)
	}
	for i := len(bySeq) - 1; i >= 0; i-- {
		if got := readAll(t, bySeq[i]); !bytes.Equal(got, want[bySeq[i].Name]) {
			t.Fatalf("%s differs (reverse order)", bySeq[i].Name)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(s.Entries))
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(s.Entries); i += 4 {
				e := s.Entries[i]
				rc, err := e.Open()
				if err != nil {
					errs <- err.Error()
					continue
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, want[e.Name]) {
					errs <- e.Name + " differs"
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func sortBySeq(es []Entry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Seq < es[j-1].Seq; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// restarts sums how often the set's streamed archives were started.
func restarts(s *Set) int {
	n := 0
	seen := map[*archive]bool{}
	for _, e := range s.Entries {
		if e.arc != nil && !seen[e.arc] {
			seen[e.arc] = true
			n += int(e.arc.restarts.Load())
		}
	}
	return n
}

func TestArchiveLimits(t *testing.T) {
	root := t.TempDir()
	var zfs []zipFile
	for i := 0; i < 5; i++ {
		zfs = append(zfs, zipFile{name: string(rune('a'+i)) + ".reg", data: text(i, 1000)})
	}
	write(t, root, "five.zip", makeZip(t, zfs...))
	// A zip that lists more members than the limit leaves is not read at
	// all: its central directory is never loaded into memory.
	s := collect(t, []string{root}, Options{MaxArchiveEntries: 3})
	if len(s.Entries) != 0 {
		t.Errorf("entries %q", names(s.Entries))
	}
	wantSkipped(t, s, "five.zip", KindTooMany, "lists 5 members", "3 members left")
	dir2 := t.TempDir()
	write(t, dir2, "a.zip", makeZip(t, zfs...))
	write(t, dir2, "b.zip", makeZip(t, zfs...))
	s = collect(t, []string{dir2}, Options{MaxArchiveEntries: 7})
	if len(s.Entries) != 5 || !strings.HasPrefix(s.Entries[0].Name, "a.zip!/") {
		t.Errorf("entries %q, want a.zip's five", names(s.Entries))
	}
	wantSkipped(t, s, "b.zip", KindTooMany, "lists 5 members", "2 members left")

	// Refused names count too: a flood of them cannot grow the skipped list.
	var flood []tarFile
	for i := 0; i < 50; i++ {
		flood = append(flood, regular("../evil"+string(rune('a'+i%26))+string(rune('a'+i/26)), nil))
	}
	write(t, root, "flood.tar", makeTar(t, flood...))
	s = collect(t, []string{filepath.Join(root, "flood.tar")}, Options{MaxArchiveEntries: 10})
	if len(s.Skipped) != 11 {
		t.Errorf("%d skipped, want 10 refused names and the rest", len(s.Skipped))
	}
	wantSkipped(t, s, "flood.tar", KindTooMany)

	s = collect(t, []string{root}, Options{MaxArchiveTotal: 2500})
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"five.zip!/a.reg", "five.zip!/b.reg"}) {
		t.Errorf("entries %q", got)
	}
	wantSkipped(t, s, "five.zip!/c.reg", KindTooLarge, "1000 bytes", "2500 bytes", "nor the members after it")
	// Each member after it is listed on its own, from the zip's directory.
	for _, m := range []string{"five.zip!/d.reg", "five.zip!/e.reg"} {
		wantSkipped(t, s, m, KindTooLarge, "1000 bytes", "2500 bytes", "spent before it")
	}
	for _, sk := range s.Skipped {
		if sk.Name == "five.zip" {
			t.Errorf("the archive itself is skipped too: %+v", sk)
		}
	}
	// After the budget is spent, a link or a pipe is still listed as what
	// it is.
	spent := t.TempDir()
	write(t, spent, "spent.zip", makeZip(t, zipFile{name: "a.reg", data: text(0, 1000)}, zipFile{name: "b.reg", data: text(1, 1000)},
		zipFile{name: "link", data: []byte("/etc/passwd"), mode: os.ModeSymlink | 0o777}, zipFile{name: "pipe", mode: os.ModeNamedPipe | 0o644},
		zipFile{name: "c.reg", data: text(2, 1000)}))
	s = collect(t, []string{spent}, Options{MaxArchiveTotal: 1500})
	wantSkipped(t, s, "spent.zip!/b.reg", KindTooLarge, "nor the members after it")
	wantSkipped(t, s, "spent.zip!/link", KindSymlink)
	wantSkipped(t, s, "spent.zip!/pipe", KindFIFO)
	wantSkipped(t, s, "spent.zip!/c.reg", KindTooLarge, "spent before it")

	s = collect(t, []string{root}, Options{MaxFileSize: 999})
	wantSkipped(t, s, "five.zip!/a.reg", KindPastMaxSize, "1000 bytes", "999 bytes")
	if len(s.Entries) != 0 {
		t.Errorf("entries %q", names(s.Entries))
	}

	write(t, root, "h.tgz", gz(t, makeTar(t, regular("a", text(1, 3000)), regular("b", text(2, 3000)))))
	s = collect(t, []string{filepath.Join(root, "h.tgz")}, Options{MaxArchiveTotal: 4000})
	wantSkipped(t, s, "h.tgz", KindTooLarge, "4000 bytes")
}

func TestReadFromAClosedSet(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.zip", makeZip(t, zipFile{name: "x", data: []byte("x")}))
	write(t, root, "y", []byte("y"))
	s := collect(t, []string{root}, Options{})
	s.Close()
	var re *ReadError
	if _, err := entryByName(t, s, "a.zip!/x").Open(); !errors.As(err, &re) || re.Kind != KindUnreadable {
		t.Errorf("Open after Close: %v", err)
	}
	if got := readAll(t, entryByName(t, s, "y")); string(got) != "y" {
		t.Errorf("file on disk after Close: %q", got)
	}
}

func TestZipHeadersThatCannotBeRead(t *testing.T) {
	root := t.TempDir()
	data := []byte("stored data")
	lying := rawMember{hdr: zip.FileHeader{Name: "stored.reg", Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: 5 << 20}, data: data}
	aes := rawMember{hdr: zip.FileHeader{Name: "aes.reg", Method: zipAES, CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))}, data: data}
	lzma := rawMember{hdr: zip.FileHeader{Name: "lzma.reg", Method: 14, CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))}, data: data}
	write(t, root, "a.zip", makeRawZip(t, lying, aes, lzma, deflatedMember(t, "ok.reg", data)))
	s := collect(t, []string{root}, Options{})
	wantSkipped(t, s, "a.zip!/stored.reg", KindCorrupt, "impossible sizes")
	wantSkipped(t, s, "a.zip!/aes.reg", KindEncrypted)
	wantSkipped(t, s, "a.zip!/lzma.reg", KindUnsupported, "method 14")
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"a.zip!/ok.reg"}) {
		t.Errorf("entries %q", got)
	}
}

// A nested archive is charged by its members, not also by its own size.
func TestNestedArchiveIsChargedOnce(t *testing.T) {
	root := t.TempDir()
	inner := makeZip(t, zipFile{name: "a.reg", data: text(1, 3000), store: true})
	write(t, root, "outer.zip", makeZip(t, zipFile{name: "inner.zip", data: inner}))
	s := collect(t, []string{root}, Options{MaxArchiveTotal: 3500})
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"outer.zip!/inner.zip!/a.reg"}) {
		t.Errorf("entries %q; skipped %+v", got, s.Skipped)
	}
}

// Readers at the same time get the right bytes from every kind of archive.
func TestConcurrentReadsOfNestedArchives(t *testing.T) {
	root := t.TempDir()
	want := map[string][]byte{}
	var outer []zipFile
	for h := 0; h < 12; h++ {
		data := text(h, 5000+h*100)
		inner := makeZip(t, zipFile{name: "system.reg", data: data})
		kind := [...]string{".zip", ".tgz", ".tar"}[h%3]
		switch kind {
		case ".tgz":
			inner = gz(t, makeTar(t, regular("system.reg", data)))
		case ".tar":
			inner = makeTar(t, regular("system.reg", data))
		}
		name := string(rune('A'+h)) + kind
		outer = append(outer, zipFile{name: name, data: inner, store: h%2 == 0})
		want["fleet.zip!/"+name+"!/system.reg"] = data
	}
	write(t, root, "fleet.zip", makeZip(t, outer...))
	s := collect(t, []string{root}, Options{})
	if len(s.Entries) != 12 {
		t.Fatalf("entries %q skipped %+v", names(s.Entries), s.Skipped)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 3; round++ {
				for _, e := range s.Entries {
					rc, err := e.Open()
					if err != nil {
						t.Error(err)
						continue
					}
					got, err := io.ReadAll(rc)
					rc.Close()
					if err != nil || !bytes.Equal(got, want[e.Name]) {
						t.Errorf("%s: %v", e.Name, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := s.pool.openCount(); n > maxOpenArchives {
		t.Errorf("%d archives open, more than %d", n, maxOpenArchives)
	}
}

// TestArchiveOfDotIsReadAsItsFolder: `tar -cf x.tar -C dir .` names the
// archive's root "./" and every member "./…"; the root is a folder like
// the others, not a member with an empty name.
func TestArchiveOfDotIsReadAsItsFolder(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.tar", makeTar(t,
		tarFile{hdr: tar.Header{Name: "./", Typeflag: tar.TypeDir, Mode: 0o755}},
		tarFile{hdr: tar.Header{Name: "./h/", Typeflag: tar.TypeDir, Mode: 0o755}},
		regular("./h/system.reg", []byte("reg")),
	))
	write(t, root, "a.zip", makeZip(t,
		zipFile{name: "./", mode: os.ModeDir | 0o755},
		zipFile{name: "./h/ok", data: []byte("ok")},
	))
	s := collect(t, []string{root}, Options{})
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"a.tar!/h/system.reg", "a.zip!/h/ok"}) {
		t.Errorf("entries %q", got)
	}
	if len(s.Skipped) != 0 {
		t.Errorf("skipped %+v", s.Skipped)
	}
}

// TestEmptyArchiveIsListed: an archive that holds no member at all is
// listed as skipped, so that every file given is accounted for.
func TestEmptyArchiveIsListed(t *testing.T) {
	root := t.TempDir()
	write(t, root, "empty.zip", makeZip(t))
	write(t, root, "h/system.reg", []byte("REGEDIT4\r\n"))
	s := collect(t, []string{root}, Options{})
	wantSkipped(t, s, "empty.zip", KindEmpty, "holds no file")
}
