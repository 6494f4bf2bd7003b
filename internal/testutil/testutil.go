// Package testutil finds what tests need outside the repository: the real
// sample exports in ../shared/samples and registry tools such as
// hivexregedit. Where something is missing a test skips with a clear
// message, except under CI (IPSECLINT_CI=1, set by .ci/run), where a
// missing sample or tool is a failure: CI must run every check.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// InCI reports whether the tests run under .ci/run, where nothing may be skipped.
func InCI() bool { return os.Getenv("IPSECLINT_CI") == "1" }

// RepoRoot returns the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// SamplesDir returns the shared real-sample folder (../shared/samples
// beside the clone, or $IPSECLINT_SAMPLES). Outside CI the test is skipped
// when it is absent.
func SamplesDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("IPSECLINT_SAMPLES")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared", "samples")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		msg := "real samples not found at " + dir + " (they sit beside the clone as ../shared/samples; set IPSECLINT_SAMPLES to point elsewhere)"
		if InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// Sample returns the path of one file under the samples folder.
func Sample(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(SamplesDir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("sample %s: %v", rel, err)
	}
	return p
}

// Tool returns the path of an external program (hivexregedit, reged,
// reglookup, npx). Outside CI the test is skipped when it is not installed.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := name + " is not installed (Debian package " + debianPackage + "; .ci/run installs it)"
		if InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// Fixtures lists the repository's fixture files whose names end in ext
// (any case): under testdata/, rules/testdata/ and dir's own testdata/.
func Fixtures(t testing.TB, dir, ext string) []string {
	t.Helper()
	root := RepoRoot(t)
	var files []string
	for _, d := range []string{filepath.Join(root, "testdata"), filepath.Join(root, "rules", "testdata"), filepath.Join(dir, "testdata")} {
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(strings.ToLower(p), ext) && !strings.EqualFold(e.Name(), "README"+ext) {
				files = append(files, p)
			}
			return nil
		})
	}
	return files
}

// ResultsOutliveReuse checks that a parser reusing its buffers from file
// to file keeps no piece of them in its results: parse reads each file
// and returns a function that writes down what its result holds (nil
// when it does not read the file); the file's bytes are zeroed, every
// other file is parsed, and each result is written down again. It
// returns how many files were read.
func ResultsOutliveReuse(t testing.TB, files []string, parse func(name string, data []byte) func() string) int {
	t.Helper()
	type kept struct {
		name, before string
		encode       func() string
	}
	var results []kept
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if encode := parse(f, data); encode != nil {
			results = append(results, kept{f, encode(), encode})
		}
		clear(data) // nor a piece of its input
	}
	for _, r := range results {
		if r.encode() != r.before {
			t.Errorf("%s: the result changed once other files were parsed", r.name)
		}
	}
	return len(results)
}
