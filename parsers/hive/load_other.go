//go:build !unix

package hive

import (
	"io"
	"os"
)

// load reads the whole file into memory.
func load(path string) (data []byte, release func(), err error) {
	data, err = os.ReadFile(path)
	return data, func() {}, err
}

// loadFile reads an open file whole; the caller closes f.
func loadFile(f *os.File) (data []byte, release func(), err error) {
	data, err = io.ReadAll(f)
	return data, func() {}, err
}
