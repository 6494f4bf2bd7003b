package inputs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// noHang runs f and fails the test if it does not return.
func noHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return: it blocked", what)
	}
}

func TestFindUpwardLikeGolangciLint(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "fleet", "site", "EXFE01")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := write(t, root, "fleet/ipseclint.yaml", []byte("hosts: {}"))
	names := []string{"ipseclint.yaml", ".ipseclint.yaml"}

	found, ok := FindUpward(deep, names...)
	if !ok || found.Path != cfg || len(found.Skipped) != 0 {
		t.Fatalf("FindUpward = %+v, %v; want %s", found, ok, cfg)
	}
	// The second name counts too, and the nearest folder wins.
	near := write(t, root, "fleet/site/.ipseclint.yaml", []byte("hosts: {}"))
	if found, ok := FindUpward(deep, names...); !ok || found.Path != near {
		t.Errorf("FindUpward = %+v, want %s", found, near)
	}
	// A link to a regular configuration is used.
	shared := write(t, root, "shared.yaml", []byte("x"))
	link := filepath.Join(deep, "ipseclint.yaml")
	symlink(t, shared, link)
	if found, ok := FindUpward(deep, names...); !ok || found.Path != link {
		t.Errorf("link to a regular file: %+v", found)
	}
	if found, ok := FindUpward(filepath.Join(root, "elsewhere"), "no-such-name.yaml"); ok || found.Path != "" {
		t.Errorf("nothing to find: %+v", found)
	}
}

// A pipe or a link to /dev/zero named ipseclint.yaml is reported and
// passed over, never opened.
func TestFindUpwardSkipsFilesThatAreNotRegular(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "fleet", "EXFE01")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := write(t, root, "ipseclint.yaml", []byte("hosts: {}"))
	if err := syscall.Mkfifo(filepath.Join(root, "fleet", "ipseclint.yaml"), 0o644); err != nil {
		t.Skip("cannot make a FIFO here: " + err.Error())
	}
	symlink(t, "/dev/zero", filepath.Join(deep, "ipseclint.yaml"))
	if err := os.Mkdir(filepath.Join(deep, ".ipseclint.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	var found Found
	var ok bool
	noHang(t, "FindUpward", func() { found, ok = FindUpward(deep, "ipseclint.yaml", ".ipseclint.yaml") })
	if !ok || found.Path != cfg {
		t.Fatalf("found %+v", found)
	}
	if len(found.Skipped) != 3 {
		t.Fatalf("skipped %+v", found.Skipped)
	}
	zero, dir, fifo := found.Skipped[0], found.Skipped[1], found.Skipped[2]
	if zero.Kind != KindDevice || zero.Target != "/dev/zero" || !strings.Contains(zero.Reason, "link to a character device") {
		t.Errorf("link to /dev/zero: %+v", zero)
	}
	if dir.Kind != KindIrregular || !strings.Contains(dir.Reason, "folder") {
		t.Errorf("folder: %+v", dir)
	}
	if fifo.Kind != KindFIFO || fifo.Path != filepath.Join(root, "fleet", "ipseclint.yaml") {
		t.Errorf("FIFO: %+v", fifo)
	}
}

func TestReadFileLimited(t *testing.T) {
	root := t.TempDir()
	small := write(t, root, "ipseclint.yaml", []byte("hosts: {}\n"))
	data, err := ReadFileLimited(small, 1<<20)
	if err != nil || string(data) != "hosts: {}\n" {
		t.Errorf("ReadFileLimited = %q, %v", data, err)
	}
	big := write(t, root, "big.yaml", make([]byte, 3000))
	if _, err := ReadFileLimited(big, 1000); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1000 bytes") || !strings.Contains(err.Error(), "3000 bytes") {
		t.Errorf("past the limit: %v", err)
	}
	fifo := filepath.Join(root, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("cannot make a FIFO here: " + err.Error())
	}
	zero := filepath.Join(root, "zero.yaml")
	symlink(t, "/dev/zero", zero)
	for _, p := range []string{fifo, zero, "/dev/zero", root} {
		noHang(t, "ReadFileLimited("+p+")", func() {
			if _, err := ReadFileLimited(p, 1<<20); !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: %v, want ErrNotRegular", p, err)
			}
		})
	}
	if _, err := ReadFileLimited(filepath.Join(root, "missing"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// The open is race-safe: a pipe swapped in after the mode was checked is
// opened without blocking and refused.
func TestOpenRegularRefusesAPipeSwappedIn(t *testing.T) {
	root := t.TempDir()
	fifo := filepath.Join(root, "p")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("cannot make a FIFO here: " + err.Error())
	}
	noHang(t, "opening a FIFO", func() {
		f, err := os.OpenFile(fifo, openFlags(false), 0)
		if err != nil {
			t.Fatalf("non-blocking open of a FIFO: %v", err)
		}
		f.Close()
	})
	if _, _, err := openRegular(fifo, false); !errors.Is(err, ErrNotRegular) {
		t.Errorf("openRegular(FIFO) = %v", err)
	}
	link := filepath.Join(root, "l")
	symlink(t, write(t, root, "f", []byte("x")), link)
	if _, _, err := openRegular(link, false); err == nil {
		t.Error("a link was opened where none may be")
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{
		1:       "1 byte",
		1000:    "1000 bytes",
		1 << 30: "1 GiB (1073741824 bytes)",
		1536:    "1.5 KiB (1536 bytes)",
		8 << 30: "8 GiB (8589934592 bytes)",
	} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

// A pipe is never even opened: a writer waiting for a reader to open it
// stays waiting while the pipe is listed, looked for and refused.
func TestAPipeIsNeverOpened(t *testing.T) {
	root := t.TempDir()
	fifo := filepath.Join(root, "ipseclint.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("cannot make a FIFO here: " + err.Error())
	}
	opened := make(chan struct{})
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0) // blocks until a reader opens the pipe
		if err == nil {
			f.Close()
		}
		close(opened)
	}()
	time.Sleep(100 * time.Millisecond) // let the writer reach its open
	noHang(t, "looking at a pipe", func() {
		if _, err := ReadFileLimited(fifo, 100); !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadFileLimited: %v", err)
		}
		if _, ok := FindUpward(root, "ipseclint.yaml"); ok {
			t.Error("FindUpward took a pipe")
		}
		collect(t, []string{root, fifo}, Options{})
	})
	select {
	case <-opened:
		t.Error("the pipe was opened for reading")
	case <-time.After(200 * time.Millisecond):
	}
	// Let the writer go.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	<-opened
	r.Close()
}
