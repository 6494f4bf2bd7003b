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
