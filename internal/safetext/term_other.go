//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || zos || windows)

package safetext

// terminalColumns returns 0: this system has no way to ask.
func terminalColumns(uintptr) int { return 0 }
