package fleetgen

import (
	"io/fs"
	"os"
	"path/filepath"
)

// SampleFile is one file of a fleet Sample read back.
type SampleFile struct {
	Path string // relative to the fleet's folder, slash-separated
	Data []byte
}

// Sample writes the fleet of opts into a temporary folder, reads back
// the files whose base name match accepts (sorted by path), and removes
// the folder: the inputs of a parser's benchmark on files shaped as an
// audit meets them (many small exports rather than one large one).
func Sample(opts Options, match func(name string) bool) ([]SampleFile, error) {
	dir, err := os.MkdirTemp("", "fleetgen-sample-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, err := Write(dir, opts); err != nil {
		return nil, err
	}
	var out []SampleFile
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || !match(d.Name()) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		out = append(out, SampleFile{Path: filepath.ToSlash(rel), Data: data})
		return nil
	})
	return out, err
}

// SampleSize is the number of bytes of files: what a benchmark over them
// reads per iteration (testing.B.SetBytes).
func SampleSize(files []SampleFile) int64 {
	var size int64
	for _, f := range files {
		size += int64(len(f.Data))
	}
	return size
}
