package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/report"
)

// The commits of the fake repositories.
var (
	commitA = strings.Repeat("a1", 20)
	commitB = strings.Repeat("b2", 20)
)

// fakeGit writes a .git folder at dir/.git: files maps paths under it to
// their content.
func fakeGit(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, ".git", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, p, text)
	}
}

const originConfig = `[core]
	repositoryformatversion = 0
[remote "upstream"]
	url = https://example.com/other.git
[remote "origin"]
	url = https://deploy:s3cret-token@github.com/contoso/ipsec-exports.git
	fetch = +refs/heads/*:refs/remotes/origin/*
`

// TestFindVCS reads HEAD, the branch's commit and origin from .git
// folders and files made by hand, as git lays them out.
func TestFindVCS(t *testing.T) {
	t.Run("loose ref", func(t *testing.T) {
		top := t.TempDir()
		fakeGit(t, top, map[string]string{"HEAD": "ref: refs/heads/main\n", "refs/heads/main": commitA + "\n", "config": originConfig})
		sub := filepath.Join(top, "exports", "fleet")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		v := findVCS(t, sub)
		want := report.VCS{Root: top, RepositoryURI: "https://github.com/contoso/ipsec-exports.git", Revision: commitA, Branch: "main"}
		if *v != want {
			t.Errorf("FindVCS = %+v, want %+v (without the token)", *v, want)
		}
	})
	t.Run("packed ref and scp-like origin", func(t *testing.T) {
		top := t.TempDir()
		fakeGit(t, top, map[string]string{
			"HEAD":        "ref: refs/heads/audit/2026\n",
			"packed-refs": "# pack-refs with: peeled fully-peeled sorted\n" + commitB + " refs/heads/audit/2026\n^" + commitA + "\n",
			"config":      "[remote \"origin\"]\n\turl = git@github.com:contoso/exports.git\n",
		})
		v := findVCS(t, top)
		if v.Revision != commitB || v.Branch != "audit/2026" || v.RepositoryURI != "ssh://git@github.com/contoso/exports.git" {
			t.Errorf("FindVCS = %+v", *v)
		}
	})
	t.Run("detached HEAD, no origin", func(t *testing.T) {
		top := t.TempDir()
		fakeGit(t, top, map[string]string{"HEAD": commitA + "\n", "config": "[core]\n\tbare = false\n"})
		v := findVCS(t, top)
		if v.Revision != commitA || v.Branch != "" || v.RepositoryURI != "" {
			t.Errorf("FindVCS = %+v", *v)
		}
	})
	t.Run("linked work tree", func(t *testing.T) {
		// git worktree add: the work tree's .git is a file naming
		// .git/worktrees/NAME in the main repository, whose commondir
		// leads back to the shared refs and config.
		main := t.TempDir()
		fakeGit(t, main, map[string]string{
			"HEAD": "ref: refs/heads/main\n", "refs/heads/main": commitA + "\n", "config": originConfig,
			"refs/heads/review":          commitB + "\n",
			"worktrees/review/HEAD":      "ref: refs/heads/review\n",
			"worktrees/review/commondir": "../..\n",
		})
		wt := t.TempDir()
		rel, err := filepath.Rel(wt, filepath.Join(main, ".git", "worktrees", "review"))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(wt, ".git"), "gitdir: "+rel+"\n")
		v := findVCS(t, wt)
		want := report.VCS{Root: wt, RepositoryURI: "https://github.com/contoso/ipsec-exports.git", Revision: commitB, Branch: "review"}
		if *v != want {
			t.Errorf("FindVCS = %+v, want %+v", *v, want)
		}
	})
	t.Run("no work tree", func(t *testing.T) {
		v, err := report.FindVCS(t.TempDir())
		if err != nil || v != nil {
			t.Errorf("FindVCS outside a work tree = %+v, %v", v, err)
		}
	})
	t.Run("broken .git file", func(t *testing.T) {
		top := t.TempDir()
		write(t, filepath.Join(top, ".git"), "not a gitdir line\n")
		if _, err := report.FindVCS(top); err == nil {
			t.Error("no error for a .git file without gitdir:")
		}
	})
}

func findVCS(t *testing.T, dir string) *report.VCS {
	t.Helper()
	v, err := report.FindVCS(dir)
	if err != nil || v == nil {
		t.Fatalf("FindVCS(%s) = %v, %v", dir, v, err)
	}
	return v
}
