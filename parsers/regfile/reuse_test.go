package regfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// encodeResult writes everything a result holds, the values' data
// included.
func encodeResult(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%+v|%d|%d|%d\n", r.Header, r.Encoding, r.KeysSeen, r.KeysKept, r.ValuesKept)
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error %+v\n", *e)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning %+v\n", w)
	}
	for _, k := range r.Tree.Keys() {
		fmt.Fprintf(&b, "[%s] %+v\n", k.Path, k.Loc)
		for _, v := range k.Values {
			fmt.Fprintf(&b, "  %q %v %x %+v\n", v.Name, v.Type, v.Data, v.Loc)
		}
	}
	return b.String()
}

// TestResultsOutliveTheBuffersReused: the parser reuses its buffers
// (decoded lines, names, strings, data) from file to file, and shares
// the names it interns; what a result holds must not be a piece of a
// buffer used again. Every .reg fixture of the repository is parsed and
// its result written down; then every other one is parsed; the first
// results, written again, must not have changed.
func TestResultsOutliveTheBuffersReused(t *testing.T) {
	var files []string
	for _, root := range []string{"../../testdata", "../../rules/testdata", "testdata"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".reg") {
				files = append(files, p)
			}
			return nil
		})
	}
	type kept struct {
		name, encoded string
		res           *Result
	}
	var results []kept
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Parse(bytes.NewReader(data), f, Options{})
		if err != nil {
			continue
		}
		clear(data)
		results = append(results, kept{f, encodeResult(res), res})
	}
	if len(results) < 200 {
		t.Fatalf("only %d .reg fixtures parsed", len(results))
	}
	for _, r := range results {
		if encodeResult(r.res) != r.encoded {
			t.Errorf("%s: the result changed once other files were parsed", r.name)
		}
	}
}
