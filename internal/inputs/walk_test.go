package inputs

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestFolderFilesAreListedWithDisplayNames(t *testing.T) {
	root := t.TempDir()
	write(t, root, "EXFE01/system.reg", []byte("REGEDIT4\r\n"))
	write(t, root, "EXFE01/sub/netsh.txt", []byte("netsh"))
	write(t, root, "README.txt", []byte("readme"))
	s := collect(t, []string{root}, Options{})
	if s.Root != root {
		t.Errorf("Root = %q, want %q", s.Root, root)
	}
	want := []string{"EXFE01/sub/netsh.txt", "EXFE01/system.reg", "README.txt"}
	if got := names(s.Entries); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries %q, want %q", got, want)
	}
	e := entryByName(t, s, "EXFE01/system.reg")
	if e.Dir != "EXFE01" || e.Path != filepath.Join(root, "EXFE01", "system.reg") || e.Size != 10 || e.Archive != "" {
		t.Errorf("entry %+v", e)
	}
	if d := entryByName(t, s, "README.txt").Dir; d != "." {
		t.Errorf("Dir of a file in the root = %q, want \".\"", d)
	}
	if got := readAll(t, e); string(got) != "REGEDIT4\r\n" {
		t.Errorf("content %q", got)
	}
	head, err := e.Head(4)
	if err != nil || string(head) != "REGE" {
		t.Errorf("Head(4) = %q, %v", head, err)
	}
	if len(s.Skipped) != 0 {
		t.Errorf("skipped %+v", s.Skipped)
	}
}

func TestRootOfFilesAndFolders(t *testing.T) {
	root := t.TempDir()
	a := write(t, root, "fleet/EXFE01/system.reg", []byte("x"))
	b := write(t, root, "fleet/EXBE01/system.reg", []byte("y"))
	s := collect(t, []string{a, b}, Options{})
	if want := filepath.Join(root, "fleet"); s.Root != want {
		t.Errorf("Root = %q, want %q", s.Root, want)
	}
	if got, want := names(s.Entries), []string{"EXBE01/system.reg", "EXFE01/system.reg"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	one := collect(t, []string{a}, Options{})
	if want := filepath.Dir(a); one.Root != want || len(one.Entries) != 1 || one.Entries[0].Name != "system.reg" {
		t.Errorf("single file: Root %q entries %q", one.Root, names(one.Entries))
	}
}

// Pipes, sockets, devices and links to them are never opened: each would
// block os.Open (a FIFO, /dev/stdin) or never end (/dev/zero).
func TestSpecialFilesAreSkippedWithoutBlocking(t *testing.T) {
	root := t.TempDir()
	write(t, root, "EXFE01/system.reg", []byte("REGEDIT4"))
	fifo := filepath.Join(root, "EXFE01", "pipe.reg")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("cannot make a FIFO here: " + err.Error())
	}
	ln, err := net.Listen("unix", filepath.Join(root, "EXFE01", "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	symlink(t, "/dev/stdin", filepath.Join(root, "EXFE01", "stdin.reg"))
	symlink(t, "/dev/zero", filepath.Join(root, "EXFE01", "zero.reg"))
	symlink(t, "/dev/null", filepath.Join(root, "EXFE01", "null.reg"))
	symlink(t, "pipe.reg", filepath.Join(root, "EXFE01", "to-pipe.reg"))

	s := collect(t, []string{root, fifo}, Options{})
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"EXFE01/system.reg"}) {
		t.Fatalf("entries %q", got)
	}
	wantSkipped(t, s, "EXFE01/pipe.reg", KindFIFO, "named pipe")
	wantSkipped(t, s, "EXFE01/sock", KindSocket, "socket")
	wantSkipped(t, s, "EXFE01/zero.reg", KindDevice, "link to a character device")
	wantSkipped(t, s, "EXFE01/null.reg", KindDevice, "link to a character device")
	wantSkipped(t, s, "EXFE01/to-pipe.reg", KindFIFO, "link to a named pipe")
	// /dev/stdin is whatever the test's standard input is: a device or a pipe.
	if sk := skippedByName(s)["EXFE01/stdin.reg"]; sk.Kind != KindDevice && sk.Kind != KindFIFO && sk.Kind != KindSocket {
		t.Errorf("link to /dev/stdin: %+v", sk)
	}
	if sk := skippedByName(s)["EXFE01/zero.reg"]; sk.Target != "/dev/zero" || sk.Path == "" {
		t.Errorf("link target not recorded: %+v", sk)
	}
	if len(s.Skipped) != 6 {
		t.Errorf("skipped %d, want 6 (the FIFO given twice is reported once): %+v", len(s.Skipped), s.Skipped)
	}
}

func TestLinksLeavingTheRootAreNotFollowed(t *testing.T) {
	base := t.TempDir()
	secret := write(t, base, "outside/secret.reg", []byte("secret"))
	root := filepath.Join(base, "fleet")
	inside := write(t, root, "EXFE01/system.reg", []byte("inside"))
	symlink(t, secret, filepath.Join(root, "EXFE01", "abs.reg"))
	symlink(t, "../../outside/secret.reg", filepath.Join(root, "EXFE01", "rel.reg"))
	symlink(t, "system.reg", filepath.Join(root, "EXFE01", "alias.reg"))
	symlink(t, "missing.reg", filepath.Join(root, "EXFE01", "dangling.reg"))

	s := collect(t, []string{root}, Options{})
	wantSkipped(t, s, "EXFE01/abs.reg", KindOutsideRoot, "leaves the audited folder", secret)
	sk := wantSkipped(t, s, "EXFE01/rel.reg", KindOutsideRoot, "../../outside/secret.reg")
	if sk.Target != "../../outside/secret.reg" {
		t.Errorf("Target = %q", sk.Target)
	}
	wantSkipped(t, s, "EXFE01/dangling.reg", KindMissing, "does not exist")
	alias := entryByName(t, s, "EXFE01/alias.reg")
	if alias.Link != "system.reg" || alias.Path != inside {
		t.Errorf("link inside the root: %+v", alias)
	}
	if got := readAll(t, alias); string(got) != "inside" {
		t.Errorf("alias content %q", got)
	}
	// A link named on the command line is held to the same rule.
	given := collect(t, []string{inside, filepath.Join(root, "EXFE01", "abs.reg")}, Options{})
	wantSkipped(t, given, "abs.reg", KindOutsideRoot)
}

func TestFolderLinksAndLoopsAreReportedOnce(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "fleet")
	write(t, root, "EXFE01/system.reg", []byte("x"))
	write(t, root, "other/b.reg", []byte("y"))
	symlink(t, ".", filepath.Join(root, "EXFE01", "self"))
	symlink(t, "..", filepath.Join(root, "EXFE01", "up"))
	symlink(t, "../other", filepath.Join(root, "EXFE01", "sibling"))
	symlink(t, "b", filepath.Join(root, "EXFE01", "a"))
	symlink(t, "a", filepath.Join(root, "EXFE01", "b"))
	symlink(t, root, filepath.Join(root, "root-link"))
	link := filepath.Join(base, "fleet-link")
	symlink(t, root, link)

	s := collect(t, []string{root, link, filepath.Join(root, "EXFE01")}, Options{})
	if s.Root != base {
		t.Fatalf("Root = %q, want %q", s.Root, base)
	}
	wantSkipped(t, s, "fleet/EXFE01/self", KindLoop, "enclosing folder")
	wantSkipped(t, s, "fleet/EXFE01/up", KindLoop, "enclosing folder")
	wantSkipped(t, s, "fleet/root-link", KindLoop, "enclosing folder")
	wantSkipped(t, s, "fleet/EXFE01/a", KindLoop, "loop")
	wantSkipped(t, s, "fleet/EXFE01/b", KindLoop, "loop")
	wantSkipped(t, s, "fleet/EXFE01/sibling", KindSymlink, "folder, not followed")
	// The folder given again through a link is the same folder: listed once.
	wantSkipped(t, s, "fleet-link", KindDuplicate, `same folder as "fleet"`)
	if got, want := names(s.Entries), []string{"fleet/EXFE01/system.reg", "fleet/other/b.reg"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	if len(s.Skipped) != 7 {
		t.Errorf("%d skipped, want 7: %+v", len(s.Skipped), s.Skipped)
	}
}

func TestHiddenEntriesAreSkipped(t *testing.T) {
	root := t.TempDir()
	write(t, root, ".git/config", []byte("x"))
	write(t, root, ".git/objects/ab/cdef", []byte("x"))
	write(t, root, "EXFE01/.DS_Store", []byte("x"))
	write(t, root, "EXFE01/system.reg", []byte("x"))
	write(t, root, ".ipseclint.yaml", []byte("hosts: {}"))
	s := collect(t, []string{root}, Options{AllowHidden: []string{".IPSECLINT.yaml"}})
	wantSkipped(t, s, ".git", KindHidden, "hidden")
	wantSkipped(t, s, "EXFE01/.DS_Store", KindHidden)
	if len(s.Skipped) != 2 {
		t.Errorf("the hidden folder is one skip, not one per file: %+v", s.Skipped)
	}
	if got, want := names(s.Entries), []string{".ipseclint.yaml", "EXFE01/system.reg"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
}

func TestEmptyFileIsAnEntry(t *testing.T) {
	root := t.TempDir()
	write(t, root, "empty.reg", nil)
	s := collect(t, []string{root}, Options{})
	e := entryByName(t, s, "empty.reg")
	if e.Size != 0 {
		t.Errorf("size %d", e.Size)
	}
	head, err := e.Head(512)
	if err != nil || len(head) != 0 {
		t.Errorf("Head = %q, %v", head, err)
	}
	if got := readAll(t, e); len(got) != 0 {
		t.Errorf("content %q", got)
	}
}

// An 8 GiB sparse file costs nothing to make and must cost nothing to
// skip: only its first bytes are looked at (for an archive's magic).
func TestFileOverTheSizeLimitIsSkippedUnread(t *testing.T) {
	root := t.TempDir()
	big := filepath.Join(root, "EXFE01", "huge.reg")
	write(t, root, "EXFE01/huge.reg", nil)
	if err := os.Truncate(big, 8<<30); err != nil {
		t.Skip("cannot make a sparse 8 GiB file here: " + err.Error())
	}
	write(t, root, "EXFE01/small.reg", bytes.Repeat([]byte("x"), 2000))
	var s *Set
	alloc := allocated(func() { s = collect(t, []string{root}, Options{}) })
	sk := wantSkipped(t, s, "EXFE01/huge.reg", KindPastMaxSize, "8 GiB (8589934592 bytes)", "1 GiB (1073741824 bytes)")
	if sk.Size != 8<<30 || sk.Limit != DefaultMaxFileSize {
		t.Errorf("sizes not recorded: %+v", sk)
	}
	if alloc > 8<<20 {
		t.Errorf("listing allocated %d bytes: the big file was read", alloc)
	}
	small := collect(t, []string{root}, Options{MaxFileSize: 1000})
	wantSkipped(t, small, "EXFE01/small.reg", KindPastMaxSize, "2000 bytes", "1000 bytes")
	if len(small.Entries) != 0 {
		t.Errorf("entries %q", names(small.Entries))
	}
}

func TestInvalidUTF8NamesSurviveExactly(t *testing.T) {
	root := t.TempDir()
	dir := "EX\xfeFE01"
	file := "sys\xfftem\x01.reg"
	if err := os.Mkdir(filepath.Join(root, dir), 0o755); err != nil {
		t.Skip("the file system refuses invalid UTF-8 names: " + err.Error())
	}
	write(t, root, dir+"/"+file, []byte("x"))
	s := collect(t, []string{root}, Options{})
	e := entryByName(t, s, dir+"/"+file)
	if e.Dir != dir || !bytes.Equal([]byte(e.Name), []byte(dir+"/"+file)) {
		t.Errorf("name bytes changed: %q dir %q", e.Name, e.Dir)
	}
}

func TestOrderIsDeterministicByteOrder(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"b/x.reg", "B/x.reg", "a/z.reg", "a/Z.reg", "a.reg", "a-b/c.reg", "\xc3\xa9/x.reg"} {
		write(t, root, n, []byte(n))
	}
	s1 := collect(t, []string{filepath.Join(root, "b"), root, filepath.Join(root, "a")}, Options{})
	s2 := collect(t, []string{filepath.Join(root, "a"), filepath.Join(root, "B"), root}, Options{})
	got := names(s1.Entries)
	want := []string{"B/x.reg", "a-b/c.reg", "a.reg", "a/Z.reg", "a/z.reg", "b/x.reg", "\xc3\xa9/x.reg"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	if !reflect.DeepEqual(names(s2.Entries), got) {
		t.Errorf("argument order changed the list: %q vs %q", names(s2.Entries), got)
	}
}

func TestPathsFromStandardInput(t *testing.T) {
	root := t.TempDir()
	a := write(t, root, "EXFE01/system.reg", []byte("x"))
	b := write(t, root, "EXBE01/system.reg", []byte("y"))
	missing := filepath.Join(root, "EXFE02", "gone.reg")
	list := a + "\r\n\r\n   \n" + b + "\n" + missing + "\n" + a
	s := collect(t, []string{"-"}, Options{Stdin: strings.NewReader(list)})
	if got, want := names(s.Entries), []string{"EXBE01/system.reg", "EXFE01/system.reg"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	wantSkipped(t, s, "EXFE02/gone.reg", KindMissing, "no such file")

	// As find lists a tree: hidden parts are skipped as a walk skips them.
	write(t, root, ".git/config", []byte("x"))
	write(t, root, ".git/HEAD", []byte("x"))
	found := strings.Join([]string{root, filepath.Join(root, ".git"), filepath.Join(root, ".git", "config"), filepath.Join(root, ".git", "HEAD"), a}, "\n")
	s = collect(t, []string{"-"}, Options{Stdin: strings.NewReader(found)})
	wantSkipped(t, s, ".git", KindHidden)
	if len(s.Skipped) != 1 || len(s.Entries) != 2 {
		t.Errorf("find-style list: entries %q skipped %+v", names(s.Entries), s.Skipped)
	}

	empty := collect(t, []string{"-"}, Options{Stdin: strings.NewReader("\n\n")})
	if len(empty.Entries)+len(empty.Skipped) != 0 {
		t.Errorf("empty list: %+v", empty)
	}
	for name, tc := range map[string]struct {
		args  []string
		stdin string
		noIn  bool
		says  string
	}{
		"no paths":      {args: nil, says: "no paths"},
		"no stdin":      {args: []string{"-"}, noIn: true, says: "there is none"},
		"dash twice":    {args: []string{"-", "-"}, stdin: a, says: "more than once"},
		"line too long": {args: []string{"-"}, stdin: a + "\n" + strings.Repeat("x", MaxLineLength+1), says: "line 2: longer than"},
		"NUL byte":      {args: []string{"-"}, stdin: a + "\x00b\n", says: "line 1: holds a NUL"},
	} {
		opts := Options{Stdin: strings.NewReader(tc.stdin)}
		if tc.noIn {
			opts.Stdin = nil
		}
		_, err := Collect(tc.args, opts)
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: error %v, want a usage error saying %q", name, err, tc.says)
		}
	}
}

func TestMaxFilesSkipsTheRestInNameOrder(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"d.reg", "a.reg", "c.reg", "b.reg"} {
		write(t, root, n, []byte(n))
	}
	s := collect(t, []string{root}, Options{MaxFiles: 2})
	if got := names(s.Entries); !reflect.DeepEqual(got, []string{"a.reg", "b.reg"}) {
		t.Errorf("entries %q", got)
	}
	wantSkipped(t, s, "c.reg", KindTooMany, "4 files found", "limit of 2 files")
	wantSkipped(t, s, "d.reg", KindTooMany)
}

func TestSameFileTwiceIsListedOnce(t *testing.T) {
	root := t.TempDir()
	a := write(t, root, "EXFE01/system.reg", []byte("x"))
	s := collect(t, []string{root, a, filepath.Join(root, "EXFE01", "..", "EXFE01")}, Options{})
	if len(s.Entries) != 1 || len(s.Skipped) != 0 {
		t.Errorf("entries %q skipped %+v", names(s.Entries), s.Skipped)
	}
}

func TestPathThatCannotBeExamined(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.reg", []byte("x"))
	long := filepath.Join(root, strings.Repeat("n", 300))
	s := collect(t, []string{root, long}, Options{})
	wantSkipped(t, s, strings.Repeat("n", 300), KindUnreadable, "could not be examined", "too long")
}

func TestUnreadableFolderAndFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("permissions do not stop root")
	}
	root := t.TempDir()
	write(t, root, "locked/x.reg", []byte("x"))
	f := write(t, root, "EXFE01/secret.reg", []byte("x"))
	if err := os.Chmod(filepath.Join(root, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(root, "locked"), 0o755)
	if err := os.Chmod(f, 0); err != nil {
		t.Fatal(err)
	}
	s := collect(t, []string{root}, Options{})
	wantSkipped(t, s, "locked", KindUnreadable, "permission denied")
	wantSkipped(t, s, "EXFE01/secret.reg", KindUnreadable, "permission denied")
}

// A file swapped for a pipe after it was listed fails to open at once.
func TestOpenRechecksTheFile(t *testing.T) {
	root := t.TempDir()
	p := write(t, root, "EXFE01/system.reg", []byte("x"))
	s := collect(t, []string{root}, Options{})
	e := entryByName(t, s, "EXFE01/system.reg")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("cannot make a FIFO here: " + err.Error())
	}
	var err error
	noHang(t, "Open of a FIFO", func() { _, err = e.Open() })
	var re *ReadError
	if !errors.As(err, &re) || re.Kind != KindIrregular || re.Name != "EXFE01/system.reg" {
		t.Errorf("Open of a file swapped for a FIFO: %v", err)
	}
	if _, err := e.Head(10); err == nil {
		t.Error("Head of a FIFO succeeded")
	}
	// A file that grew past the limit after listing is refused too.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	write(t, root, "EXFE01/system.reg", bytes.Repeat([]byte("y"), 100))
	e.limit = 10
	if _, err := e.Open(); !errors.As(err, &re) || re.Kind != KindTooLarge {
		t.Errorf("Open of a file grown past the limit: %v", err)
	}
}

func TestNoDescriptorOrGoroutineLeaks(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 20; i++ {
		write(t, root, fmt.Sprintf("EXFE%02d/system.reg", i), text(i, 3000))
	}
	write(t, root, "fleet.zip", makeZip(t, zipFile{name: "EXBE01/system.reg", data: text(1, 5000)}, zipFile{name: "inner.tgz", data: gz(t, makeTar(t, regular("EXBE02/a.reg", text(2, 7000))))}))
	write(t, root, "fleet.tgz", gz(t, makeTar(t, regular("EXBE03/a.reg", text(3, 9000)), regular("EXBE03/b.reg", text(4, 9000)))))
	runtime.GC()
	fds, routines := openFDs(t), runtime.NumGoroutine()
	for round := 0; round < 2; round++ {
		s, err := Collect([]string{root}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Entries) != 24 {
			t.Fatalf("entries %q skipped %+v", names(s.Entries), s.Skipped)
		}
		for _, e := range s.Entries {
			readAll(t, e)
			if _, err := e.Head(100); err != nil {
				t.Fatal(err)
			}
			rc, err := e.Open() // opened, not read, closed
			if err != nil {
				t.Fatal(err)
			}
			rc.Close()
		}
		s.Close()
		if n := s.pool.openCount(); n != 0 {
			t.Errorf("%d archives still open after Close", n)
		}
	}
	if got := openFDs(t); got != fds {
		t.Errorf("open descriptors %d before, %d after", fds, got)
	}
	if got := runtime.NumGoroutine(); got > routines {
		t.Errorf("goroutines %d before, %d after", routines, got)
	}
}

// TestSniffSeesEachListedFilesHead checks Options.Sniff: it is given the
// first HeadSize bytes of every file on disk listed as an entry (all of
// a shorter one), its answer lands on that entry whatever the number of
// files read at once, and it is not asked about an archive, its members,
// or a file past MaxFileSize.
func TestSniffSeesEachListedFilesHead(t *testing.T) {
	root := t.TempDir()
	var want []string
	heads := map[string]string{}
	for i := range 40 {
		name := fmt.Sprintf("EX%02d/system.reg", i)
		data := fmt.Sprintf("%02d%s", i, strings.Repeat("-", i/2))
		write(t, root, name, []byte(data))
		want = append(want, name)
		heads[name] = data[:min(len(data), 20)]
	}
	write(t, root, "EX05/big.reg", bytes.Repeat([]byte("b"), 5000))
	write(t, root, "hosts.zip", makeZip(t, zipFile{name: "EXFE99/system.reg", data: []byte("member")}))
	var mu sync.Mutex
	asked := 0
	sniff := func(head []byte) any {
		mu.Lock()
		asked++
		mu.Unlock()
		return string(head) // a copy: the buffer is the listing's
	}
	s := collect(t, []string{root}, Options{Sniff: sniff, HeadSize: 20, MaxFileSize: 4096})
	wantSkipped(t, s, "EX05/big.reg", KindPastMaxSize, "5000 bytes", "4096 bytes")
	for _, name := range want {
		e := entryByName(t, s, name)
		if got, _ := e.Sniffed.(string); got != heads[name] {
			t.Errorf("%s: sniffed %q, want %q (its first 20 bytes at most)", name, got, heads[name])
		}
	}
	m := entryByName(t, s, "hosts.zip!/EXFE99/system.reg")
	if m.Sniffed != nil {
		t.Errorf("archive member sniffed by the listing: %v", m.Sniffed)
	}
	if asked != len(want) {
		t.Errorf("Sniff called %d times, want %d (the listed files on disk only)", asked, len(want))
	}
	if plain := collect(t, []string{root}, Options{}); entryByName(t, plain, want[0]).Sniffed != nil {
		t.Error("Sniffed set without Options.Sniff")
	}
}
