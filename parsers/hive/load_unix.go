//go:build unix

package hive

import (
	"io"
	"math"
	"os"
	"syscall"
)

// load maps the file into memory read-only, so that opening a hive costs
// nothing for the pages that are never read (the keys the rules need lie
// in a few hundred of a big hive's thousands of pages). A read fault on
// the mapping (the file shrinking underneath) becomes a panic that read
// recovers from (see read). Files that cannot be mapped are read whole.
func load(path string) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return loadFile(f)
}

// loadFile maps an open file (see load); the caller closes f.
func loadFile(f *os.File) (data []byte, release func(), err error) {
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if st.Mode().IsRegular() && size > 0 && size <= math.MaxInt {
		if m, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE); err == nil {
			return m, func() { _ = syscall.Munmap(m) }, nil
		}
	}
	data, err = io.ReadAll(f)
	return data, func() {}, err
}
