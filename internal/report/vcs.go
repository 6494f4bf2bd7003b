package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// VCS is the git work tree an audited folder lies in, as SARIF's
// versionControlProvenance names it.
type VCS struct {
	// Root is the work tree's top folder (absolute): the folder that
	// holds .git.
	Root string
	// RepositoryURI is remote "origin"'s URL as an absolute URI, without
	// any user name or password; "" when the repository has no origin.
	RepositoryURI string
	// Revision is the commit HEAD names (40 or 64 hex digits); "" for a
	// branch with no commit yet.
	Revision string
	// Branch is HEAD's branch ("main"); "" when HEAD is detached.
	Branch string
}

// maxGitFile bounds what FindVCS reads of any one file under .git: HEAD,
// refs, config and packed-refs of real repositories are far smaller.
const maxGitFile = 16 << 20

// FindVCS looks for the git work tree dir lies in, from dir up to the
// file system's root, and reads its HEAD, branch and origin from the
// .git folder (or, in a linked work tree or submodule, the .git file's
// "gitdir:" and that folder's "commondir"), without running git. It
// returns nil and no error when dir is in no work tree; an error when a
// .git is found but cannot be read.
func FindVCS(dir string) (*VCS, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		dotgit := filepath.Join(d, ".git")
		if _, err := os.Lstat(dotgit); err == nil {
			v, err := readWorkTree(d, dotgit)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", dotgit, err)
			}
			return v, nil
		}
		if filepath.Dir(d) == d {
			return nil, nil
		}
	}
}

// readWorkTree reads the work tree whose top is root and whose .git is
// dotgit (a folder, or a file naming one).
func readWorkTree(root, dotgit string) (*VCS, error) {
	gitDir, err := resolveGitDir(dotgit)
	if err != nil {
		return nil, err
	}
	common := gitDir
	if data, err := readGitFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(data))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = filepath.Clean(c)
	}
	head, err := readGitFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return nil, err
	}
	v := &VCS{Root: root}
	h := strings.TrimSpace(string(head))
	if ref, ok := strings.CutPrefix(h, "ref:"); ok {
		ref = strings.TrimSpace(ref)
		v.Branch = strings.TrimPrefix(ref, "refs/heads/")
		v.Revision = resolveRef(ref, gitDir, common)
	} else if isObjectID(h) {
		v.Revision = h
	}
	if cfg, err := readGitFile(filepath.Join(common, "config")); err == nil {
		v.RepositoryURI = repositoryURI(originURL(cfg), root)
	}
	return v, nil
}

// resolveGitDir returns the git folder of a .git entry: the folder
// itself, or the one a .git file's "gitdir: PATH" line names (relative
// to the file's folder).
func resolveGitDir(dotgit string) (string, error) {
	st, err := os.Stat(dotgit)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return dotgit, nil
	}
	data, err := readGitFile(dotgit)
	if err != nil {
		return "", err
	}
	p, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !ok {
		return "", errors.New(`a .git file without a "gitdir:" line`)
	}
	p = strings.TrimSpace(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(dotgit), p)
	}
	return filepath.Clean(p), nil
}

// readGitFile reads a small file under .git, refusing anything that is
// not a regular file (a FIFO planted there must not block the audit).
func readGitFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxGitFile))
}

// resolveRef returns the commit a ref names: a loose ref in the work
// tree's own git folder or the common one (following one level of
// symbolic ref), else packed-refs; "" when neither has it.
func resolveRef(ref, gitDir, common string) string {
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
		return ""
	}
	for depth := 0; depth < 5; depth++ {
		next := ""
		for _, dir := range []string{gitDir, common} {
			data, err := readGitFile(filepath.Join(dir, filepath.FromSlash(ref)))
			if err != nil {
				continue
			}
			s := strings.TrimSpace(string(data))
			if isObjectID(s) {
				return s
			}
			if r, ok := strings.CutPrefix(s, "ref:"); ok {
				next = strings.TrimSpace(r)
			}
			break
		}
		if next == "" {
			break
		}
		ref = next
	}
	return packedRef(common, ref)
}

// packedRef looks ref up in packed-refs ("<id> <ref>" lines; "^<id>"
// lines peel the tag above them and are skipped).
func packedRef(common, ref string) string {
	data, err := readGitFile(filepath.Join(common, "packed-refs"))
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		id, name, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if ok && name == ref && isObjectID(id) {
			return id
		}
	}
	return ""
}

// isObjectID reports whether s is a SHA-1 or SHA-256 object name.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// originURL returns the url of [remote "origin"] in a git config file.
func originURL(cfg []byte) string {
	inOrigin := false
	sc := bufio.NewScanner(bytes.NewReader(cfg))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inOrigin = strings.EqualFold(strings.Join(strings.Fields(line), " "), `[remote "origin"]`)
			continue
		}
		if !inOrigin {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(key), "url") {
			return strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	return ""
}

// repositoryURI makes a remote URL an absolute URI without credentials:
// "https://user:token@host/r.git" loses "user:token@", an scp-like
// "git@host:owner/r.git" becomes "ssh://git@host/owner/r.git" (the user
// of an ssh URL is kept: it is not a secret), a local path a file: URI
// (relative paths are taken from the work tree's root). "" when url is
// empty or cannot be made one.
func repositoryURI(raw, root string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if u.User != nil {
			if u.Scheme == "ssh" || u.Scheme == "git+ssh" {
				u.User = url.User(u.User.Username())
			} else {
				u.User = nil
			}
		}
		u.RawQuery, u.Fragment = "", ""
		return u.String()
	}
	// scp-like syntax: [user@]host:path, with no slash before the colon.
	if i := strings.IndexByte(raw, ':'); i > 1 && !strings.ContainsAny(raw[:i], `/\`) {
		u := &url.URL{Scheme: "ssh", Host: raw[:i], Path: "/" + strings.TrimPrefix(raw[i+1:], "/")}
		if at := strings.LastIndexByte(u.Host, '@'); at >= 0 {
			u.User, u.Host = url.User(u.Host[:at]), u.Host[at+1:]
		}
		return u.String()
	}
	p := raw
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	return fileURI(filepath.Clean(p))
}
