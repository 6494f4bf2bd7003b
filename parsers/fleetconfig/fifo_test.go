//go:build unix

package fleetconfig

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestParseFileFIFO: a named pipe called ipseclint.yaml with no writer
// must not block the run.
func TestParseFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ipseclint.yaml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatalf("cannot make a FIFO: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ParseFile(path)
		done <- err
	}()
	select {
	case err := <-done:
		want := path + ": not a regular file (a named pipe); the configuration must be a YAML file"
		if err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ParseFile blocks on a FIFO")
	}
}

// TestReadFileFIFOAfterCheck: even opened (as when a FIFO takes the
// file's place after the check), the read does not wait for a writer.
func TestReadFileFIFOAfterCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ipseclint.yaml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatalf("cannot make a FIFO: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := openNoBlock(path)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !strings.Contains(err.Error(), "ipseclint.yaml") {
			t.Errorf("open: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("opening a FIFO blocks")
	}
}
