package safetext

import (
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"
)

// fder is what *os.File offers to ask the system about a terminal.
type fder interface{ Fd() uintptr }

// Width returns the number of columns to lay text out in for w: the
// terminal's width when w is a terminal whose size the system reports,
// else COLUMNS from env when it is a positive integer, else 0, meaning
// "not a terminal: no wrapping beyond the defaults". A result above
// [MaxWidth] is MaxWidth. env is os.Getenv when nil.
func Width(w io.Writer, env func(string) string) int {
	if env == nil {
		env = os.Getenv
	}
	if f, ok := w.(fder); ok && isTerminal(f.Fd()) {
		if c := terminalColumns(f.Fd()); c > 0 {
			return min(c, MaxWidth)
		}
	}
	if c, err := strconv.Atoi(strings.TrimSpace(env("COLUMNS"))); err == nil && c > 0 {
		return min(c, MaxWidth)
	}
	return 0
}

// ColorEnabled reports whether output to w should be coloured under
// --color mode (case-insensitive): "always" colours, "never" does not,
// and "auto" (or "") colours only when w is a terminal, NO_COLOR is unset
// or empty (https://no-color.org) and TERM is not "dumb". Any other mode
// is false: the command line is expected to reject it first. env is
// os.Getenv when nil.
func ColorEnabled(mode string, w io.Writer, env func(string) string) bool {
	if env == nil {
		env = os.Getenv
	}
	switch strings.ToLower(strings.TrimSpace(mode)) {
	case "always":
		return true
	case "auto", "":
		if env("NO_COLOR") != "" || env("TERM") == "dumb" {
			return false
		}
		f, ok := w.(fder)
		return ok && isTerminal(f.Fd())
	default:
		return false
	}
}

func isTerminal(fd uintptr) bool {
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// IsTerminal reports whether w is a terminal (a console, a pty).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(fder)
	return ok && isTerminal(f.Fd())
}
