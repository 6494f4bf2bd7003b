//go:build unix

package inputs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openFlags are the flags every input file is opened with: read-only,
// non-blocking (opening a named pipe swapped in after the mode check
// returns at once instead of waiting for a writer), never becoming the
// controlling terminal, and, unless follow, refusing a link as the last
// component (the path was checked to be a regular file, not a link).
func openFlags(follow bool) int {
	flags := os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY
	if !follow {
		flags |= syscall.O_NOFOLLOW
	}
	return flags
}

// dirKey identifies a folder across the paths that reach it (device and
// inode), so that a folder met twice is recognised.
type dirKey struct {
	dev, ino uint64
	path     string
}

func keyOf(path string, fi fs.FileInfo) dirKey {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return dirKey{dev: uint64(st.Dev), ino: uint64(st.Ino)} //nolint:unconvert // the field types differ between systems
	}
	return fallbackKey(path)
}

// isLoopErr reports whether err says links form a loop.
func isLoopErr(err error) bool { return errors.Is(err, syscall.ELOOP) }
