package netsh

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResultsOutliveTheBuffersReused: the parser reuses its buffers
// (lines, tokens, commands) from file to file; what a result holds must
// not be a piece of them. Every netsh fixture of the repository is
// parsed, its result encoded; then every other one is parsed; the first
// results, encoded again, must not have changed.
func TestResultsOutliveTheBuffersReused(t *testing.T) {
	var files []string
	for _, root := range []string{"../../testdata", "../../rules/testdata", "testdata"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".txt") && !strings.EqualFold(d.Name(), "README.txt") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 50 {
		t.Fatalf("only %d netsh fixtures found", len(files))
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
		res, err := Parse(data, f, Options{KeepText: true})
		if err != nil {
			continue // not IPSec text
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		clear(data) // the parser keeps nothing of its input either
		results = append(results, kept{f, string(b), res})
	}
	if len(results) < 50 {
		t.Fatalf("only %d fixtures parsed", len(results))
	}
	for _, r := range results {
		b, _ := json.Marshal(r.res)
		if string(b) != r.encoded {
			t.Errorf("%s: the result changed once other files were parsed", r.name)
		}
	}
}
