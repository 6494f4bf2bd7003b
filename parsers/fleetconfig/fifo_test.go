//go:build unix

package fleetconfig

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// fifo makes a named pipe called ipseclint.yaml, with no writer.
func fifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ipseclint.yaml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatalf("cannot make a FIFO: %v", err)
	}
	return path
}

// returns runs f and fails the test if it has not returned in 10 s (a
// guard against hanging, not a timing).
func returns(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocks on a FIFO", what)
		return nil
	}
}

// TestParseFileFIFO: a FIFO named ipseclint.yaml must not block the run.
func TestParseFileFIFO(t *testing.T) {
	path := fifo(t)
	err := returns(t, "ParseFile", func() error {
		_, err := ParseFile(path)
		return err
	})
	want := path + ": not a regular file (a named pipe); the configuration must be a YAML file"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestOpenFIFO: even should a FIFO take the file's place after the
// regular-file check, opening it does not wait for a writer.
func TestOpenFIFO(t *testing.T) {
	path := fifo(t)
	err := returns(t, "opening", func() error {
		f, err := openNoBlock(path)
		if err == nil {
			f.Close()
		}
		return err
	})
	if err != nil {
		t.Errorf("open: %v", err)
	}
}
