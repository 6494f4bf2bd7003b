//go:build !unix

package inputs

import (
	"io/fs"
	"os"
	"strings"
)

// openFlags are the flags every input file is opened with. Without Unix's
// O_NONBLOCK the mode checks before and after opening are the guard.
func openFlags(bool) int { return os.O_RDONLY }

// dirKey identifies a folder across the paths that reach it: here by its
// path with links resolved.
type dirKey struct {
	dev, ino uint64
	path     string
}

func keyOf(path string, _ fs.FileInfo) dirKey { return fallbackKey(path) }

// isLoopErr reports whether err says links form a loop.
func isLoopErr(err error) bool {
	return err != nil && strings.Contains(err.Error(), "too many")
}
