//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || zos

package safetext

import "golang.org/x/sys/unix"

// terminalColumns returns the width of the terminal on fd, or 0.
func terminalColumns(fd uintptr) int {
	ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
