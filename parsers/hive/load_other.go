//go:build !unix

package hive

import "os"

// load reads the whole file into memory.
func load(path string) (data []byte, release func(), err error) {
	data, err = os.ReadFile(path)
	return data, func() {}, err
}
