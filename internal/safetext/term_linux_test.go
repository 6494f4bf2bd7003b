package safetext

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair and returns its terminal side with
// the given size. It skips the test when the system has no /dev/ptmx (a
// minimal container), which the message says.
func openPTY(t *testing.T, cols, rows uint16) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test terminal detection with: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows}); err != nil {
		t.Fatalf("set pty size: %v", err)
	}
	return tty
}

func TestWidthOfTerminal(t *testing.T) {
	tty := openPTY(t, 123, 40)
	if got := Width(tty, envOf("COLUMNS", "50")); got != 123 {
		t.Errorf("Width(pty of 123 columns, COLUMNS=50) = %d, want 123", got)
	}
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{}); err != nil {
		t.Fatal(err)
	}
	if got := Width(tty, envOf("COLUMNS", "50")); got != 50 {
		t.Errorf("Width(pty reporting no size, COLUMNS=50) = %d, want 50", got)
	}
	if got := Width(tty, envOf()); got != 0 {
		t.Errorf("Width(pty reporting no size, no COLUMNS) = %d, want 0", got)
	}
}

func TestColorEnabledOnTerminal(t *testing.T) {
	tty := openPTY(t, 80, 24)
	cases := []struct {
		mode string
		env  []string
		want bool
	}{
		{"auto", nil, true},
		{"Auto", []string{"NO_COLOR", ""}, true}, // empty NO_COLOR does not count
		{"auto", []string{"NO_COLOR", "1"}, false},
		{"auto", []string{"TERM", "dumb"}, false},
		{"never", nil, false},
		{"always", nil, true},
	}
	for _, c := range cases {
		if got := ColorEnabled(c.mode, tty, envOf(c.env...)); got != c.want {
			t.Errorf("ColorEnabled(%q, pty, %v) = %v, want %v", c.mode, c.env, got, c.want)
		}
	}
}
