//go:build unix

// Hostile inputs, through the whole command (issue 11: "No input can
// hang, exhaust, escape, forge or leak"). Every hostile file is made by
// the test itself in t.TempDir(): named pipes, sockets, links to devices,
// sparse files, archives shaped like zip bombs, names holding terminal
// escapes, exports holding pre-shared keys. Nothing is committed.
//
// Each test asserts the exit code and the accounting of the files (the
// JSON report's files[]: status and reason), and, where the point is
// exhaustion, the peak memory of the built binary (measured with
// getrusage; the binary is built once per test run, into a temporary
// folder). A test that would hang fails after hangLimit instead.
package cli_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/policywriter"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/parsers/netsh"
)

// hangLimit is how long one run may take before the test calls it a hang.
const hangLimit = 10 * time.Second

// hFile is a file of the JSON report.
type hFile struct {
	URI      string `json:"uri"`
	Host     string `json:"host"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
	Problems []struct {
		Location struct {
			URI    string `json:"uri"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"location"`
		Message string `json:"message"`
	} `json:"problems"`
	Notes []string `json:"notes"`
}

// hReport is the part of the JSON report these tests read.
type hReport struct {
	Files []hFile `json:"files"`
	Hosts []struct {
		Name         string `json:"name"`
		Role         string `json:"role"`
		RoleDeclared bool   `json:"roleDeclared"`
	} `json:"hosts"`
	Findings []struct {
		RuleID   string `json:"ruleId"`
		Host     string `json:"host"`
		Message  string `json:"message"`
		Location struct {
			URI  string `json:"uri"`
			Text string `json:"text"`
		} `json:"location"`
	} `json:"findings"`
}

func parseReport(t *testing.T, out string) hReport {
	t.Helper()
	var rep hReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("the JSON report does not parse: %v\n%.2000s", err, out)
	}
	return rep
}

// files maps each file of the report, by its name's exact bytes, to its
// entry; a name listed twice is an error (everything is listed exactly
// once).
func (r hReport) files(t *testing.T) map[string]hFile {
	t.Helper()
	m := map[string]hFile{}
	for _, f := range r.Files {
		name, err := safetext.UnName(f.URI) // JSON writes names with safetext.Name
		if err != nil {
			t.Errorf("files[]: %q: %v", f.URI, err)
		}
		if _, dup := m[name]; dup {
			t.Errorf("%q is listed twice in files[]", name)
		}
		m[name] = f
	}
	return m
}

// wantFile checks that name is listed with status and a reason holding
// every word (a reason is required for any status but read).
func wantFile(t *testing.T, files map[string]hFile, name, status string, words ...string) hFile {
	t.Helper()
	f, ok := files[name]
	if !ok {
		var names []string
		for n := range files {
			names = append(names, n)
		}
		t.Errorf("%q is not in files[] (%q)", name, names)
		return f
	}
	if f.Status != status {
		t.Errorf("%s: status %s (%s), want %s", name, f.Status, f.Reason, status)
	}
	if status != "read" && strings.TrimSpace(f.Reason) == "" {
		t.Errorf("%s: %s with no reason", name, f.Status)
	}
	text := f.Reason
	for _, p := range f.Problems {
		text += "\n" + p.Message
	}
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s: %q does not say %q", name, text, w)
		}
	}
	return f
}

// guarded runs ipseclint in-process and fails the test, instead of
// hanging it, when the run takes longer than hangLimit.
func guarded(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := cli.MainWithInput(args, stdin, &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	select {
	case r := <-done:
		return r
	case <-time.After(hangLimit):
		t.Fatalf("ipseclint %s did not finish in %s: it hangs", strings.Join(args, " "), hangLimit)
		return result{}
	}
}

// never is a standard input that never yields a byte nor ends.
func never(t *testing.T) io.Reader {
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	return r
}

// copyFleet copies the CLI test fleet (see testdata/README.md) to a new
// folder and returns it.
func copyFleet(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fleet")
	if err := os.CopyFS(dir, os.DirFS(testFleet)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func hostileWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// --- the built binary, for peak memory and a real standard input ---

var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binary returns the ipseclint binary, built once per test run.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "ipseclint-hostile-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "ipseclint")
		cmd := exec.Command("go", "build", "-o", built.path, "github.com/ipseclint/ipseclint/cmd/ipseclint")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// binRun is what one run of the binary did.
type binRun struct {
	code      int
	stdout    string // the first capLen bytes
	stdoutLen int64  // all of it
	stderr    string
	peakRSS   int64 // bytes
}

const capLen = 4 << 20

// capped keeps the first capLen bytes written and counts them all.
type capped struct {
	buf bytes.Buffer
	n   int64
}

func (c *capped) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if room := capLen - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// runBinary runs the built binary with stdin (nil: none) and returns its
// exit code, output and peak resident memory; a run past limit is a hang.
// The peak is an upper bound: the child starts sharing the test
// process's memory (Go starts children with vfork), so the test's own
// resident memory counts too; it is given back to the system first, and
// its peak reset. So a test that compares a peak does not call
// t.Parallel: the memory of tests running beside it would count.
func runBinary(t *testing.T, limit time.Duration, stdin *os.File, args ...string) binRun {
	t.Helper()
	debug.FreeOSMemory()
	// Linux gives a child, when it execs, the peak of the memory it
	// shared until then: the test process's. Writing 5 to clear_refs
	// (Linux 4.0 and later) resets that peak to what is resident now.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var out, errb capped
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = stdin
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("ipseclint %s did not finish in %s: it hangs", strings.Join(args, " "), limit)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	r := binRun{code: cmd.ProcessState.ExitCode(), stdout: out.buf.String(), stdoutLen: out.n, stderr: errb.buf.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.peakRSS = int64(ru.Maxrss) //nolint:unconvert // int32 on some systems
		if runtime.GOOS == "linux" {
			r.peakRSS *= 1024 // Linux counts kilobytes, the BSDs bytes
		}
	}
	return r
}

// peakBelow fails when a run's peak memory reached limit bytes.
func peakBelow(t *testing.T, what string, r binRun, limit int64) {
	t.Helper()
	if r.peakRSS == 0 {
		t.Fatalf("%s: peak memory not measured", what)
	}
	t.Logf("%s: peak RSS %.1f MiB", what, float64(r.peakRSS)/(1<<20))
	if raceDetector {
		t.Logf("%s: built with the race detector, whose shadow memory the limit does not allow for: not compared", what)
		return
	}
	if r.peakRSS >= limit {
		t.Errorf("%s: peak RSS %d MiB, want under %d MiB", what, r.peakRSS>>20, limit>>20)
	}
}

// --- Hang ---

// TestHostileSpecialFilesDoNotHang: a named pipe among the inputs, the
// configuration as a named pipe, links to /dev/stdin, /dev/zero and
// /dev/null, a Unix socket: each is listed as skipped with its reason,
// none is opened, and the audit of the rest finishes. The binary's
// standard input is a pipe nobody writes to, so that /dev/stdin is one.
func TestHostileSpecialFilesDoNotHang(t *testing.T) {
	t.Parallel() // most of its time is spent in another process (ipseclint, the multitool, a browser): it overlaps the others
	dir := copyFleet(t)
	os.Remove(filepath.Join(dir, "ipseclint.yaml"))
	mkfifo(t, filepath.Join(dir, "ipseclint.yaml"))
	fe := filepath.Join(dir, "EXFE01")
	mkfifo(t, filepath.Join(fe, "pipe.reg"))
	symlink(t, "/dev/stdin", filepath.Join(fe, "stdin.reg"))
	symlink(t, "/dev/zero", filepath.Join(fe, "zero.reg"))
	symlink(t, "/dev/null", filepath.Join(fe, "null.txt"))
	l, err := net.Listen("unix", filepath.Join(fe, "agent.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	check := func(t *testing.T, code int, out string) {
		t.Helper()
		if code != cli.ExitOK {
			t.Errorf("exit code %d, want 0 (--fail-on none; special files are not inputs)", code)
		}
		files := parseReport(t, out).files(t)
		wantFile(t, files, "EXFE01/pipe.reg", "skipped", "named pipe", "not opened")
		wantFile(t, files, "EXFE01/zero.reg", "skipped", "link to a character device", "not opened")
		wantFile(t, files, "EXFE01/null.txt", "skipped", "link to a character device", "not opened")
		wantFile(t, files, "EXFE01/agent.sock", "skipped", "socket", "not opened")
		wantFile(t, files, "EXFE01/stdin.reg", "skipped", "not")
		if f := wantFile(t, files, "ipseclint.yaml", "skipped", "named pipe"); f.Kind != "config" {
			t.Errorf("ipseclint.yaml: kind %q, want config", f.Kind)
		}
		wantFile(t, files, "EXFE01/system.reg", "read")
	}
	t.Run("in-process", func(t *testing.T) {
		r := guarded(t, never(t), "audit", "-f", "json", "--fail-on", "none", dir)
		check(t, r.code, r.stdout)
	})
	t.Run("binary, standard input a silent pipe", func(t *testing.T) {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pw.Close()
		defer pr.Close()
		r := runBinary(t, hangLimit, pr, "audit", "-f", "json", "--fail-on", "none", dir)
		check(t, r.code, r.stdout)
		f := parseReport(t, r.stdout).files(t)["EXFE01/stdin.reg"]
		if !strings.Contains(f.Reason, "link to a named pipe") {
			t.Errorf("stdin.reg: %q, want it named a link to a named pipe", f.Reason)
		}
	})
	t.Run("--config a pipe or a device", func(t *testing.T) {
		for _, cfg := range []string{filepath.Join(dir, "ipseclint.yaml"), "/dev/zero", "/dev/stdin"} {
			r := guarded(t, never(t), "audit", "--config", cfg, dir)
			if r.code != cli.ExitIncomplete || !strings.Contains(r.stderr, "not a regular file") || r.stdout != "" {
				t.Errorf("--config %s: exit code %d, stderr %q, stdout %d bytes", cfg, r.code, r.stderr, len(r.stdout))
			}
		}
	})
	t.Run("paths given that are special files", func(t *testing.T) {
		r := guarded(t, never(t), "audit", "-f", "json", "--fail-on", "none", filepath.Join(fe, "pipe.reg"), "/dev/zero", filepath.Join(fe, "system.reg"))
		rep := parseReport(t, r.stdout)
		n := 0
		for _, f := range rep.Files {
			if f.Kind != "config" && f.Status == "skipped" && (strings.Contains(f.Reason, "named pipe") || strings.Contains(f.Reason, "character device")) {
				n++
			}
		}
		if r.code != cli.ExitOK || n != 2 {
			t.Errorf("exit code %d, %d special files skipped (want 2): %+v", r.code, n, rep.Files)
		}
	})
}

// --- Escape ---

// TestHostileLinksDoNotEscape: a link to a file outside the audited
// folder is not followed (its content reaches no output), a link to an
// enclosing folder and two links pointing at each other are reported
// once each, and the rest is read.
func TestHostileLinksDoNotEscape(t *testing.T) {
	dir := copyFleet(t)
	outside := filepath.Join(t.TempDir(), "secret.reg")
	hostileWrite(t, outside, []byte("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=\"OUTSIDE99\"\r\n"))
	fe := filepath.Join(dir, "EXFE01")
	symlink(t, outside, filepath.Join(fe, "outside.reg"))
	symlink(t, "../..", filepath.Join(fe, "up"))
	symlink(t, "loopb", filepath.Join(fe, "loopa"))
	symlink(t, "loopa", filepath.Join(fe, "loopb"))
	symlink(t, "/etc", filepath.Join(fe, "etc"))

	r := guarded(t, never(t), "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitOK {
		t.Errorf("exit code %d, want 0", r.code)
	}
	files := parseReport(t, r.stdout).files(t)
	wantFile(t, files, "EXFE01/outside.reg", "skipped", "leaves the audited folder", "not followed")
	wantFile(t, files, "EXFE01/up", "skipped", "loop")
	wantFile(t, files, "EXFE01/loopa", "skipped", "loop")
	wantFile(t, files, "EXFE01/loopb", "skipped", "loop")
	wantFile(t, files, "EXFE01/etc", "skipped", "link to a folder, not followed")
	wantFile(t, files, "EXFE01/system.reg", "read")
	if len(files) != 16+5 {
		t.Errorf("%d files listed, want the fleet's 16 and the 5 links", len(files))
	}
	for _, format := range []string{"table", "json", "sarif", "github", "junit"} {
		out := guarded(t, never(t), "audit", "-f", format, "--fail-on", "none", dir).stdout
		if strings.Contains(out, "OUTSIDE99") || strings.Contains(out, "/etc/") {
			t.Errorf("%s: shows what lies outside the audited folder", format)
		}
	}
}

// zipMember is a member of a hand-made zip: data written as given, with
// the header as given (so that it may lie).
type zipMember struct {
	hdr  zip.FileHeader
	data []byte
	raw  bool // data is the compressed bytes and hdr holds the sizes and CRC
}

func makeZip(t *testing.T, members ...zipMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		hdr := m.hdr
		var w io.Writer
		var err error
		if m.raw {
			w, err = zw.CreateRaw(&hdr)
		} else {
			if hdr.Method == 0 && !strings.HasSuffix(hdr.Name, "/") {
				hdr.Method = zip.Deflate
			}
			w, err = zw.CreateHeader(&hdr)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func member(name string, data []byte) zipMember {
	return zipMember{hdr: zip.FileHeader{Name: name, Modified: time.Unix(1e9, 0)}, data: data}
}

type tarMember struct {
	hdr  tar.Header
	data []byte
}

func makeTar(t *testing.T, members ...tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		hdr := m.hdr
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(m.data))
		}
		hdr.Mode, hdr.ModTime = 0o644, time.Unix(1e9, 0)
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarFile(name string, data []byte) tarMember {
	return tarMember{hdr: tar.Header{Name: name}, data: data}
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fleetFile reads a file of the CLI test fleet.
func fleetFile(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testFleet, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tree lists every path under dir with its size, for telling that a run
// wrote nothing.
func tree(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	m := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		m[p] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHostileArchiveNamesDoNotEscape: archive members named with an
// absolute path, a drive letter or "..", in zip, tar and tar.gz, are
// each reported (failed, with the reason) and not read; links inside
// archives are not followed; the members beside them are read; and the
// run writes nothing anywhere (the folder around the audited one is
// unchanged, and the run's working folder too).
func TestHostileArchiveNamesDoNotEscape(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "audit")
	sys := fleetFile(t, "EXFE01/system.reg")
	evil := []byte("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\r\n\"Current\"=dword:00000001\r\n")
	hostileWrite(t, filepath.Join(dir, "fleet.zip"), makeZip(t,
		member("EXFE01/system.reg", sys),
		member("/tmp/evil-abs.reg", evil),
		member("../evil-up.reg", evil),
		member("EXFE01/../../evil-up2.reg", evil),
		member(`..\evil-back.reg`, evil),
		member("C:/evil-drive.reg", evil),
	))
	hostileWrite(t, filepath.Join(dir, "fleet.tar"), makeTar(t,
		tarFile("EXFE02/system.reg", sys),
		tarFile("../evil-up.reg", evil),
		tarFile("/evil-abs.reg", evil),
		tarMember{hdr: tar.Header{Name: "EXFE02/passwd.reg", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}},
		tarMember{hdr: tar.Header{Name: "EXFE02/hard.reg", Typeflag: tar.TypeLink, Linkname: "../../etc/passwd"}},
	))
	hostileWrite(t, filepath.Join(dir, "fleet.tgz"), gzipped(t, makeTar(t,
		tarFile("EXFE03/system.reg", sys),
		tarFile("../../evil-up.reg", evil),
	)))
	before, cwd := tree(t, base), t.TempDir()
	t.Chdir(cwd)

	r := guarded(t, never(t), "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Errorf("exit code %d, want 2 (refused members are inputs not read)", r.code)
	}
	files := parseReport(t, r.stdout).files(t)
	for name, why := range map[string]string{
		"fleet.zip!//tmp/evil-abs.reg":         "absolute path",
		"fleet.zip!/../evil-up.reg":            `climbs out of the archive with ".."`,
		"fleet.zip!/EXFE01/../../evil-up2.reg": `climbs out of the archive with ".."`,
		`fleet.zip!/..\evil-back.reg`:          `climbs out of the archive with ".."`,
		"fleet.zip!/C:/evil-drive.reg":         "drive letter",
		"fleet.tar!/../evil-up.reg":            `climbs out of the archive with ".."`,
		"fleet.tar!//evil-abs.reg":             "absolute path",
		"fleet.tgz!/../../evil-up.reg":         `climbs out of the archive with ".."`,
		"fleet.tar!/EXFE02/passwd.reg":         "link inside the archive, not followed",
		"fleet.tar!/EXFE02/hard.reg":           "hard link inside the archive, not followed",
		"fleet.zip!/EXFE01/system.reg":         "",
		"fleet.tar!/EXFE02/system.reg":         "",
		"fleet.tgz!/EXFE03/system.reg":         "",
	} {
		switch {
		case why == "":
			wantFile(t, files, name, "read")
		case strings.Contains(why, "link"):
			wantFile(t, files, name, "skipped", why)
		default:
			wantFile(t, files, name, "failed", why, "not read")
		}
	}
	if after := tree(t, base); len(after) != len(before) {
		t.Errorf("the run wrote files: %d paths before, %d after", len(before), len(after))
	}
	if left := tree(t, cwd); len(left) != 1 {
		t.Errorf("the run wrote into its working folder: %v", left)
	}
}

// --- Exhaust ---

// peakLimit is the most memory any hostile run may take.
const peakLimit = 150 << 20

// writeStream writes head, then n bytes of fill (repeated), then tail,
// without holding the file in memory.
func writeStream(t *testing.T, path string, head string, fill []byte, n int64, tail string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat(fill, max(1, (1<<20)/len(fill)))
	if _, err := f.WriteString(head); err != nil {
		t.Fatal(err)
	}
	for left := n; left > 0; {
		k := min(left, int64(len(chunk)))
		if _, err := f.Write(chunk[:k]); err != nil {
			t.Fatal(err)
		}
		left -= k
	}
	if _, err := f.WriteString(tail); err != nil {
		t.Fatal(err)
	}
}

// TestHostileHugeOneLineNetsh: a 200 MB netsh file that is one line is
// read in bounded memory; the line is a syntax error at line 1, column 1,
// saying the line length limit; the file is partly read.
func TestHostileHugeOneLineNetsh(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "EXFE01")
	writeStream(t, filepath.Join(dir, "ipsec.txt"), `netsh ipsec static add policy name="`, []byte("A"), 200<<20, `" assign=yes`)
	r := runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Errorf("exit code %d, want 2", r.code)
	}
	f := wantFile(t, parseReport(t, r.stdout).files(t), "ipsec.txt", "partial", "longer than 65536 bytes")
	if len(f.Problems) != 1 || f.Problems[0].Location.Line != 1 || f.Problems[0].Location.Column != 1 {
		t.Errorf("problems %+v, want one at line 1, column 1", f.Problems)
	}
	peakBelow(t, "200 MB one-line netsh file", r, peakLimit)
	if r.stdoutLen > 1<<20 {
		t.Errorf("the report is %d bytes", r.stdoutLen)
	}

	// A million lines that are all mistakes: the errors kept are bounded
	// (the report once grew by 250 bytes a line), and so is memory.
	writeStream(t, filepath.Join(dir, "ipsec.txt"), "pushd ipsec static\n", []byte("add bogus thing=1\n"), 18<<20, "popd\n")
	r = runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	f = wantFile(t, parseReport(t, r.stdout).files(t), "ipsec.txt", "partial", "more errors not listed")
	if len(f.Problems) != 1001 {
		t.Errorf("%d problems listed, want 1000 and the count of the rest", len(f.Problems))
	}
	peakBelow(t, "a million bad netsh lines", r, peakLimit)
	if r.stdoutLen > 1<<20 {
		t.Errorf("the report of a million bad lines is %d bytes", r.stdoutLen)
	}
}

// TestHostileHugeSparseFiles: files of 8 GiB (sparse) are not read, past
// --max-file-size's default of 1 GiB, with both sizes named; a .reg
// header at the start changes nothing. A small --max-file-size applies
// the same way. The configuration is bounded too: one of 2 GiB is
// refused, named with its size.
func TestHostileHugeSparseFiles(t *testing.T) {
	dir := copyFleet(t)
	sparse := func(rel, head string, size int64) {
		f, err := os.Create(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(head); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Skipf("no sparse files here: %v", err)
		}
	}
	sparse("EXFE01/huge.bin", "", 8<<30)
	sparse("EXFE01/huge.reg", "Windows Registry Editor Version 5.00\r\n\r\n", 8<<30)
	r := runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitOK {
		t.Errorf("exit code %d, want 0 (files past --max-file-size are skipped, as asked)", r.code)
	}
	files := parseReport(t, r.stdout).files(t)
	for _, name := range []string{"EXFE01/huge.bin", "EXFE01/huge.reg"} {
		wantFile(t, files, name, "skipped", "8 GiB (8589934592 bytes)", "1 GiB (1073741824 bytes)", "not read")
	}
	wantFile(t, files, "EXFE01/system.reg", "read")
	peakBelow(t, "8 GiB sparse files", r, 64<<20)

	r = runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", "--max-file-size", "1000", filepath.Join(dir, "EXFE01"))
	files = parseReport(t, r.stdout).files(t)
	wantFile(t, files, "system.reg", "skipped", "past the limit of 1000 bytes", "not read")

	sparse("ipseclint.yaml", "hosts:\n", 2<<30)
	r = runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Errorf("a 2 GiB configuration: exit code %d, want 2", r.code)
	}
	wantFile(t, parseReport(t, r.stdout).files(t), "ipseclint.yaml", "failed", "2 GiB")
	peakBelow(t, "2 GiB configuration", r, 64<<20)

	// A hive is mapped, not copied into memory: EXFE02's SYSTEM hive
	// grown to 900 MB (its base block and bins first, zeros after) is read
	// in the memory its few pages need.
	if err := os.Truncate(filepath.Join(dir, "ipseclint.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(dir, "EXFE02", "SYSTEM"), 900<<20); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	r = runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	wantFile(t, parseReport(t, r.stdout).files(t), "EXFE02/SYSTEM", "read")
	peakBelow(t, "a 900 MB hive", r, 64<<20)
}

// TestHostileConfigLinkedToDevZero: ipseclint.yaml linked to /dev/zero is
// never read (it would never end): it is listed as a configuration
// skipped, with the reason, once; --config /dev/zero is a usage error.
func TestHostileConfigLinkedToDevZero(t *testing.T) {
	dir := copyFleet(t)
	os.Remove(filepath.Join(dir, "ipseclint.yaml"))
	symlink(t, "/dev/zero", filepath.Join(dir, "ipseclint.yaml"))
	r := runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitOK {
		t.Errorf("exit code %d, want 0", r.code)
	}
	f := wantFile(t, parseReport(t, r.stdout).files(t), "ipseclint.yaml", "skipped", "link to a character device", "not opened")
	if f.Kind != "config" {
		t.Errorf("kind %q, want config", f.Kind)
	}
	peakBelow(t, "configuration linked to /dev/zero", r, 64<<20)
	r = runBinary(t, hangLimit, nil, "audit", "--config", "/dev/zero", dir)
	if r.code != cli.ExitIncomplete || !strings.Contains(r.stderr, "/dev/zero: not a regular file: a character device") {
		t.Errorf("--config /dev/zero: exit code %d, stderr %q", r.code, r.stderr)
	}
}

// TestHostileHugeRegValue: a 50 MB hex(1) value (NLBSFlags, a value the
// rules read) written over continuation lines is truncated at 1 MiB as it
// is read: memory stays bounded, the file is partly read with the
// truncation at the value's line, the table stays small, and the dump
// shows the value cut to its first 1 MiB.
func TestHostileHugeRegValue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fleet")
	if err := os.CopyFS(filepath.Join(dir, "EXFE01"), os.DirFS(filepath.Join(testFleet, "EXFE01"))); err != nil {
		t.Fatal(err)
	}
	hostileWrite(t, filepath.Join(dir, "ipseclint.yaml"), fleetFile(t, "ipseclint.yaml"))
	sys := string(fleetFile(t, "EXFE01/system.reg"))
	at := strings.Index(sys, `"EnableLogging"=dword:00000000`)
	if at < 0 {
		t.Fatal("EXFE01/system.reg has no EnableLogging line to put the value after")
	}
	line := 1 + strings.Count(sys[:at], "\n") + 1
	head := sys[:at] + "\"EnableLogging\"=dword:00000000\n\"NLBSFlags\"=hex(1):45,00,\\\n"
	const decoded = 50 << 20
	fill := []byte("  41,00,41,00,41,00,41,00,41,00,41,00,41,00,41,00,41,00,41,00,41,00,41,00,41,\\\n") // 25 bytes a line
	writeStream(t, filepath.Join(dir, "EXFE01", "system.reg"), head, fill, decoded/25*int64(len(fill)), "  00,00,00,00\n"+sys[at+len(`"EnableLogging"=dword:00000000`):])

	r := runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Errorf("exit code %d, want 2", r.code)
	}
	f := wantFile(t, parseReport(t, r.stdout).files(t), "EXFE01/system.reg", "partial", `"NLBSFlags"`, "truncated", "1 MiB")
	if len(f.Problems) != 1 || f.Problems[0].Location.Line != line {
		t.Errorf("problems %+v, want the truncation at line %d", f.Problems, line)
	}
	peakBelow(t, "50 MB hex(1) value", r, peakLimit)

	// The table does not print the value: it stays small.
	tbl := runBinary(t, hangLimit, nil, "audit", "--fail-on", "none", dir)
	if tbl.stdoutLen > 256<<10 {
		t.Errorf("the table is %d bytes: it prints the value", tbl.stdoutLen)
	}

	d := runBinary(t, hangLimit, nil, "dump", dir)
	peakBelow(t, "dump of the 50 MB value", d, peakLimit)
	if d.stdoutLen > 8<<20 {
		t.Errorf("the dump is %d bytes: the value is not capped", d.stdoutLen)
	}
	if !strings.Contains(d.stdout, `"NLBSFlags"`) || !strings.Contains(d.stdout, `REG_SZ \"EA`) {
		t.Errorf("the dump does not show the (truncated) value")
	}
}

// deflated compresses data with deflate.
func deflated(t *testing.T, data []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawMember is a deflated member with the header given: sizes and CRC as
// the test says, whatever the data is.
func rawMember(name string, comp []byte, size uint64, crc uint32, flags uint16) zipMember {
	return zipMember{raw: true, data: comp, hdr: zip.FileHeader{Name: name, Method: zip.Deflate, Flags: flags,
		CRC32: crc, CompressedSize64: uint64(len(comp)), UncompressedSize64: size, Modified: time.Unix(1e9, 0)}}
}

// noise is n bytes deflate cannot compress.
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// TestHostileArchiveBombs: archives shaped like bombs and damaged
// archives are read within their limits, each problem reported on the
// member it concerns while the rest is read:
//
//   - bomb.zip: a member of 256 MiB of zeros (ratio about 1000:1), a
//     member whose header declares 64 KiB but which inflates to 40 MiB,
//     an encrypted member, a member whose data is not deflate, one whose
//     CRC is wrong, and EXFE01's system.reg, which is read;
//   - many.zip: 12,000 members, more than the 10,000 all archives may
//     list together: refused whole, before its directory is loaded;
//   - nested.zip: zips in a zip (one level is read): EXFE02's system.reg
//     inside one is read, a ratio bomb inside another is refused, a zip
//     in a zip in a zip is too deep;
//   - total.zip: members declaring 900 MiB each, at a ratio under the
//     limit, until the 4 GiB all members may hold together is spent;
//   - bomb.tgz: EXFE03's system.reg, then 64 MiB of zeros: the stream
//     stops at the ratio limit, after system.reg was listed;
//   - cut.tgz: a tar.gz cut in the middle: the member before the cut is
//     read, the archive is reported damaged.
//
// Peak memory stays bounded and the run is quick.
func TestHostileArchiveBombs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fleet")
	writeBombs(t, dir) // the big buffers are garbage once it returns
	r := runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Errorf("exit code %d, want 2", r.code)
	}
	peakBelow(t, "archive bombs", r, peakLimit)
	files := parseReport(t, r.stdout).files(t)
	for _, name := range []string{"bomb.zip!/EXFE01/system.reg", "nested.zip!/EXFE02.zip!/system.reg", "bomb.tgz!/EXFE03/system.reg", "cut.tgz!/EXFE04/system.reg"} {
		wantFile(t, files, name, "read")
	}
	wantFile(t, files, "bomb.zip!/EXFE01/zeros.reg", "failed", "256 MiB", "200:1", "zip bomb")
	wantFile(t, files, "bomb.zip!/EXFE01/liar.reg", "failed", "64 KiB", "header declares")
	wantFile(t, files, "bomb.zip!/EXFE01/locked.reg", "failed", "encrypted")
	wantFile(t, files, "bomb.zip!/EXFE01/broken.reg", "failed", "could not be read")
	wantFile(t, files, "bomb.zip!/EXFE01/badcrc.reg", "failed", "checksum")
	wantFile(t, files, "many.zip", "failed", "lists 12000 members", "nothing in it was read")
	wantFile(t, files, "nested.zip!/bomb.zip!/zeros.reg", "failed", "zip bomb")
	wantFile(t, files, "nested.zip!/deep.zip!/deeper.zip", "failed", "only one level of nesting")
	wantFile(t, files, "total.zip!/part4.bin", "failed", "more than 4 GiB (4294967296 bytes)")
	wantFile(t, files, "total.zip!/part5.bin", "failed", "spent before it")
	wantFile(t, files, "bomb.tgz", "failed", "zip bomb")
	wantFile(t, files, "cut.tgz", "failed", "cut short")
	for _, f := range files {
		if strings.HasPrefix(f.URI, "many.zip!/") {
			t.Errorf("%s is listed: many.zip should not have been read at all", f.URI)
		}
	}
}

// writeBombs writes the archives TestHostileArchiveBombs reads.
func writeBombs(t *testing.T, dir string) {
	sys := func(h string) []byte {
		return bytes.ReplaceAll(fleetFile(t, "EXFE01/system.reg"), []byte(`"ComputerName"="EXFE01"`), []byte(`"ComputerName"="`+h+`"`))
	}
	zeros := make([]byte, 256<<20)
	zbomb := deflated(t, zeros, flate.BestSpeed)
	regHead := []byte("Windows Registry Editor Version 5.00\r\n\r\n")
	liar := append(append([]byte{}, regHead...), bytes.Repeat([]byte("; padding\r\n"), (40<<20)/11)...)
	good := sys("EXFE01")
	hostileWrite(t, filepath.Join(dir, "bomb.zip"), makeZip(t,
		member("EXFE01/system.reg", good),
		rawMember("EXFE01/zeros.reg", zbomb, uint64(len(zeros)), crc32.ChecksumIEEE(zeros), 0),
		rawMember("EXFE01/liar.reg", deflated(t, liar, flate.BestCompression), 64<<10, crc32.ChecksumIEEE(liar[:64<<10]), 0),
		rawMember("EXFE01/locked.reg", deflated(t, good, flate.BestSpeed), uint64(len(good)), crc32.ChecksumIEEE(good), 0x1),
		rawMember("EXFE01/broken.reg", noise(4000), 9000, 0, 0),
		rawMember("EXFE01/badcrc.reg", deflated(t, good, flate.BestSpeed), uint64(len(good)), crc32.ChecksumIEEE(good)^1, 0),
	))
	var many []zipMember
	for i := 0; i < 12000; i++ {
		many = append(many, member(fmt.Sprintf("m/%05d", i), nil))
	}
	hostileWrite(t, filepath.Join(dir, "many.zip"), makeZip(t, many...))
	hostileWrite(t, filepath.Join(dir, "nested.zip"), makeZip(t,
		member("EXFE02.zip", makeZip(t, member("system.reg", sys("EXFE02")))),
		member("bomb.zip", makeZip(t, rawMember("zeros.reg", zbomb, uint64(len(zeros)), crc32.ChecksumIEEE(zeros), 0))),
		member("deep.zip", makeZip(t, member("deeper.zip", makeZip(t, member("system.reg", good))))),
	))
	stored := deflated(t, noise(5<<20), flate.NoCompression) // valid deflate, 5 MiB
	var total []zipMember
	for i := 0; i < 6; i++ {
		total = append(total, rawMember(fmt.Sprintf("part%d.bin", i), stored, 900<<20, 0, 0))
	}
	hostileWrite(t, filepath.Join(dir, "total.zip"), makeZip(t, total...))
	hostileWrite(t, filepath.Join(dir, "bomb.tgz"), gzipped(t, makeTar(t, tarFile("EXFE03/system.reg", sys("EXFE03")), tarFile("EXFE03/zeros.reg", zeros[:64<<20]))))
	cut := gzipped(t, makeTar(t, tarFile("EXFE04/system.reg", sys("EXFE04")), tarFile("EXFE04/more.reg", noise(256<<10))))
	hostileWrite(t, filepath.Join(dir, "cut.tgz"), cut[:len(cut)/2])
}

// --- Forge ---

// Hostile text: terminal escapes (CSI colour, OSC window title ended by
// BEL), a line break that would start a table row of its own, a bidi
// override, and bytes that are not UTF-8.
const (
	forgedRow = "| error | IPSEC999 | forged |"
	escCSI    = "\x1b[31m"
	escOSC    = "\x1b]0;pwned\x07"
	bidi      = "\u202e"
)

// forgeFleet writes a host whose folder name holds an OSC sequence, whose
// files are named with a forged table row after a line break, a bidi
// override and invalid UTF-8 (each with a syntax error, so that every
// output names it), and whose ComputerName (hex(1), UTF-16) holds a CSI
// sequence, a line break and a forged row. It returns the root and the
// raw names of the files, relative to it.
func forgeFleet(t *testing.T) (string, []string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "fleet")
	host := "EX" + escOSC + "FE01"
	if err := os.CopyFS(filepath.Join(root, host), os.DirFS(filepath.Join(testFleet, "EXFE01"))); err != nil {
		t.Fatal(err)
	}
	name := "EX" + escCSI + "FE\n" + forgedRow + "\n" + bidi + "01"
	var hexName strings.Builder
	for _, r := range name {
		fmt.Fprintf(&hexName, "%02x,%02x,", byte(r), byte(r>>8))
	}
	sysPath := filepath.Join(root, host, "system.reg")
	sys, err := os.ReadFile(sysPath)
	if err != nil {
		t.Fatal(err)
	}
	sys = bytes.Replace(sys, []byte(`"ComputerName"="EXFE01"`), []byte(`"ComputerName"=hex(1):`+hexName.String()+"00,00"), 1)
	hostileWrite(t, sysPath, sys)
	bad := []byte("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\r\n\"Current\"=dword:zz\r\n")
	names := []string{"evil\n" + forgedRow + "\n.reg", "bidi" + bidi + "gpj.reg", "bad\xff\xfe.reg", escCSI + "red.reg"}
	var rel []string
	for _, n := range names {
		hostileWrite(t, filepath.Join(root, host, n), bad)
		rel = append(rel, host+"/"+n)
	}
	return root, rel
}

// rawControls returns the control characters, bidi controls and invalid
// UTF-8 that s holds raw (line breaks and tabs excepted).
func rawControls(s string) []string {
	var found []string
	if !utf8.ValidString(s) {
		found = append(found, "invalid UTF-8")
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			found = append(found, fmt.Sprintf("%U", r))
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
			found = append(found, fmt.Sprintf("%U", r))
		}
	}
	return found
}

// TestHostileNamesCannotForge: names and ComputerName values holding
// escapes, line breaks, bidi overrides and invalid UTF-8 reach no
// terminal-bound output raw (table, github, junit), a line break never
// forges a table row or a workflow command, the JUnit XML stays well
// formed, and JSON and SARIF keep every name recoverable to its exact
// bytes (safetext.Name in JSON, percent-encoding in SARIF URIs).
func TestHostileNamesCannotForge(t *testing.T) {
	root, names := forgeFleet(t)
	outs := map[string]result{}
	for _, format := range []string{"table", "github", "junit", "json", "sarif", "html"} {
		outs[format] = guarded(t, never(t), "audit", "-f", format, "--fail-on", "none", "--color", "always", root)
		if outs[format].code != cli.ExitIncomplete {
			t.Errorf("%s: exit code %d, want 2 (the files with syntax errors)", format, outs[format].code)
		}
		if c := rawControls(outs[format].stderr); len(c) > 0 {
			t.Errorf("%s: standard error holds %v raw", format, c)
		}
	}
	forgeCheckTable(t, outs["table"].stdout)
	if c := rawControls(outs["html"].stdout); len(c) > 0 {
		t.Errorf("html: holds %v raw", c)
	}
	forgeCheckGitHub(t, outs["github"].stdout)
	forgeCheckJUnit(t, outs["junit"].stdout)
	forgeCheckJSON(t, outs["json"].stdout, names)
	forgeCheckSARIF(t, outs["sarif"].stdout, names)
}

// forgedLine matches a line that starts like a finding row of IPSEC999
// (cells of a wrapped row start with "|" and blanks too).
var forgedLine = regexp.MustCompile(`^[|\s]*error\s*\|\s*IPSEC999`)

func forgeCheckTable(t *testing.T, out string) {
	t.Helper()
	if c := rawControls(out); len(c) > 0 {
		t.Errorf("table: holds %v raw", c)
	}
	for _, line := range strings.Split(out, "\n") {
		if forgedLine.MatchString(line) {
			t.Errorf("table: a line break in a name forged a row: %q", line)
		}
	}
}

func forgeCheckGitHub(t *testing.T, out string) {
	t.Helper()
	if c := rawControls(out); len(c) > 0 {
		t.Errorf("github: holds %v raw", c)
	}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "::") {
			t.Errorf("github: a line that is not a workflow command: %q", line)
		}
	}
}

func forgeCheckJUnit(t *testing.T, out string) {
	t.Helper()
	if c := rawControls(out); len(c) > 0 {
		t.Errorf("junit: holds %v raw", c)
	}
	dec := xml.NewDecoder(strings.NewReader(out))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("junit: not well-formed XML: %v", err)
			break
		}
	}
}

func forgeCheckJSON(t *testing.T, out string, names []string) {
	t.Helper()
	rep := parseReport(t, out)
	got := map[string]bool{}
	for _, f := range rep.Files {
		raw, err := safetext.UnName(f.URI)
		if err != nil {
			t.Errorf("json: %q: %v", f.URI, err)
		}
		got[raw] = true
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("json: no file whose uri recovers %q", n)
		}
	}
}

func forgeCheckSARIF(t *testing.T, out string, names []string) {
	t.Helper()
	var log struct {
		Runs []struct {
			Artifacts []struct {
				Location struct{ URI string } `json:"location"`
			} `json:"artifacts"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("sarif: %v", err)
	}
	got := map[string]bool{}
	for _, a := range log.Runs[0].Artifacts {
		raw, err := url.PathUnescape(a.Location.URI)
		if err != nil {
			t.Errorf("sarif: %q: %v", a.Location.URI, err)
		}
		got[raw] = true
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("sarif: no artifact whose uri recovers %q", n)
		}
	}
}

// --- Leak ---

// leakForms are pre-shared keys in every form the inputs hold one, each
// in its own host folder, each key made of words found nowhere else.
// They are written by writeLeakFleet.
var leakForms = []struct {
	host string
	key  string
	what string
}{
	{"NETSH01", "Quagmire Porcupine", "netsh dump: add rule psk=\"…\""},
	{"NETSH02", "Ocelot-Turnip77", "netsh dump: malformed lines quoting the key"},
	{"IPSPOL01", "Walrus Obsidian", "ipsecpol -a PRESHARE:\"…\" (ipsec.bat)"},
	{"IPSPOL02", "Tapioca Vortex", "ipsecpol -a PRESHARED:\"…\" (a mistyped method), quoted again later"},
	{"SHOWALL1", "Gondola-Tangerine", "netsh show all: PreShared Key Value : …"},
	{"SHOWALL2", "Zeppelin Marmoset", "netsh show all: malformed lines holding the key"},
	{"REGBLOB1", "Fjord-Kumquat-19", "registry export: the rule's ipsecNFA blob (mkpolicyreg's way)"},
	{"REGBLOB2", "Hibiscus-Lantern-8", "registry export: an ipsecNFA blob cut short"},
	{"REGBLOB3", "Marigold-Quokka-5", "registry export: an ipsecNFA blob whose key length is damaged (0)"},
	{"REGBLOB4", "Tundra-Pistachio-6", "registry export: an ipsecNFA blob whose key's method type is unknown (9)"},
	{"REGBLOB5", "Walnut-Galaxy-29", "registry export: an ipsecNFA blob whose key's method type is damaged to certificate (3), the key read as a CA name"},
	{"NETSH03", "Lagoon-Halibut-23", "netsh dump: a key after a quoted \"psk\" tag, psk:, p^sk= and advfirewall's auth1psk="},
	{"SHOWALL3", "Cobalt-Wombat-88", "netsh show all: key labels the vocabulary lacks, and a key after a bare heading"},
	{"SHOWALL4", "Sardine-Quasar-77", "netsh show all: a key after its label, a blank line or an underline between"},
	{"NETSH04", "Pumpkin-Zodiac-64", "netsh dump: a key given by position, after a quoted \"ps\" tag, after a cmd ^ line break"},
	{"IPSPOL03", "Mango-Glacier-52", "ipsecpol -a P key (a space for the colon)"},
	{"HIVEBLB1", "Narwhal-Saffron-42", "SOFTWARE hive: the rule's ipsecNFA blob"},
	{"HIVEBLB2", "Pelican-Juniper-31", "a hive that is not identified as SOFTWARE, holding the blob"},
}

func leakKey(t *testing.T, host string) string {
	t.Helper()
	for _, f := range leakForms {
		if f.host == host {
			return f.key
		}
	}
	t.Fatalf("no key for %s", host)
	return ""
}

// leakScript is a policy whose rule authenticates with the key (netsh
// keeps only its length).
func leakScript(key string) string {
	return strings.Replace(string(fleetFileOnce("EXFE01/ipsec.txt")), "kerberos=yes", `kerberos=no psk="`+key+`"`, 1)
}

var fleetFiles sync.Map

// fleetFileOnce reads a file of the test fleet (it panics when it cannot:
// the fleet is part of the repository).
func fleetFileOnce(rel string) []byte {
	if v, ok := fleetFiles.Load(rel); ok {
		return v.([]byte)
	}
	data, err := os.ReadFile(filepath.Join(testFleet, filepath.FromSlash(rel)))
	if err != nil {
		panic(err)
	}
	fleetFiles.Store(rel, data)
	return data
}

// policyTree writes the script's store into a registry tree with the
// key given to its rule, as internal/cmd/mkpolicyreg does.
func policyTree(t *testing.T, key string) *model.RegTree {
	t.Helper()
	res, err := netsh.Parse([]byte(leakScript(key)), "ipsec.txt", netsh.Options{})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("the policy script: %v %v", err, res.Errors)
	}
	tree := model.NewRegTree()
	keys, err := policywriter.WriteStore(tree, policywriter.StoreLocal, res.Stores[0], policywriter.Options{Seed: key, Me: netip.MustParseAddr("10.0.0.11"), PSK: map[string]string{"Encrypt FE to BE": key}})
	if err != nil {
		t.Fatal(err)
	}
	if err := policywriter.AssignLocal(tree, keys[0]); err != nil {
		t.Fatal(err)
	}
	return tree
}

func regExport(t *testing.T, tree *model.RegTree) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := policywriter.WriteReg(&buf, tree); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// nfaWithKey returns the ipsecData value of the tree's ipsecNFA object
// that holds key.
func nfaWithKey(t *testing.T, tree *model.RegTree, key string) *model.Value {
	t.Helper()
	want := utf16le(key)
	for _, k := range tree.Keys() {
		if v := k.Value("ipsecData"); v != nil && bytes.Contains(v.Data, want) {
			return v
		}
	}
	t.Fatal("no ipsecData value holds the key: the fixture would prove nothing")
	return nil
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// writeLeakFleet writes a fleet with one host folder per leak form.
func writeLeakFleet(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "fleet")
	put := func(host, name string, data []byte) { hostileWrite(t, filepath.Join(root, host, name), data) }
	sys := func(host string) []byte {
		return bytes.ReplaceAll(fleetFileOnce("EXFE01/system.reg"), []byte(`"ComputerName"="EXFE01"`), []byte(`"ComputerName"="`+host+`"`))
	}
	cfg := "hosts:\n"
	for _, f := range leakForms {
		put(f.host, "system.reg", sys(f.host))
		cfg += "  " + f.host + ": {role: frontend}\n"
	}
	hostileWrite(t, filepath.Join(root, "ipseclint.yaml"), []byte(cfg+"backends:\n  virtual_addresses: [10.0.0.50]\n"))
	k := func(h string) string { return leakKey(t, h) }

	put("NETSH01", "ipsec.txt", []byte(leakScript(k("NETSH01"))))
	put("NETSH02", "ipsec.txt", []byte("pushd ipsec static\n"+
		`add rule name="R1" policy="Exchange FE-BE" psk="`+k("NETSH02")+`" filterlist=`+"\n"+
		`add rule name="R2" policy="Exchange FE-BE" psk=`+k("NETSH02")+` `+k("NETSH02")+`=`+k("NETSH02")+"\n"+
		`set rule name="R1" policy="Exchange FE-BE" psk "`+k("NETSH02")+"\n"+
		`add rule name="R3" psk="`+k("NETSH02")+`" | bogus "`+k("NETSH02")+`"`+"\n"+
		"popd\n"))
	put("IPSPOL01", "ipsec.bat", []byte(`ipsecpol -w REG -p "Exchange" -r "Mail" -f 0+10.0.0.50:110:TCP -n ESP[3DES,SHA] -a PRESHARE:"`+k("IPSPOL01")+`"`+"\r\n"+
		`ipsecpol -w REG -p "Exchange" -x`+"\r\n"))
	put("IPSPOL02", "ipsec.bat", []byte(`ipsecpol -w REG -p "Exchange" -r "Mail" -f 0+10.0.0.50:110:TCP -n ESP[3DES,SHA] -a PRESHARED:"`+k("IPSPOL02")+`" -bogus "`+k("IPSPOL02")+`"`+"\r\n"))
	listing := func(auth string) []byte {
		return []byte("\r\nPolicy Name            : Exchange\r\nDescription            : NONE\r\nAssigned               : YES\r\n\r\n" +
			"Rule ID                : 1, GUID = {A0000001-72B7-11D2-ACF0-0260B025CAFE}\r\nRule Name              : Mail\r\n" +
			"Is Activated           : YES\r\nConnection Type        : ALL\r\nTunnel Endpoint        : NONE\r\n" +
			"Authentication Methods\r\n----------------------\r\n" + auth +
			"\r\nFilterList Name        : Mail\r\nNo. of Filters         : 1\r\nFilter(s)\r\n---------\r\n" +
			"Mirrored               : YES\r\nSource IP Address      : <My IP Address>\r\nDestination IP Address : 10.0.0.50\r\n" +
			"Protocol               : TCP\r\nSource Port            : ANY\r\nDestination Port       : 110\r\n" +
			"\r\nFilterAction Name      : Require ESP 3DES\r\nAction                 : NEGOTIATE\r\nQMPFS                  : NO\r\n" +
			"Inbound Pass-thru      : NO\r\nAllow Unsecured        : NO\r\nSecurity Methods\r\n----------------\r\nESP[3DES,SHA1]:100000k/3600s\r\n")
	}
	put("SHOWALL1", "ipsec.txt", listing("PreShared Key Value    : "+k("SHOWALL1")+"\r\n"))
	put("SHOWALL3", "ipsec.txt", listing("PreShared Key Value    : "+k("SHOWALL3")+"\r\nKerberos\r\nPreshared Key = "+k("SHOWALL3")+":tail\r\n"+
		"Vorinstallierter Schl\u00fcssel : "+k("SHOWALL3")+"\r\nCl\u00e9 pr\u00e9partag\u00e9e : "+k("SHOWALL3")+"\r\n"+
		"\u041e\u0431\u0449\u0438\u0439 \u043a\u043b\u044e\u0447 : "+k("SHOWALL3")+"\r\nPre-shared Key = "+k("SHOWALL3")+"\r\n"+
		"Authentication Method : Preshared Key "+k("SHOWALL3")+"\r\nPreshared Key\r\n"+k("SHOWALL3")+"\r\nOther Label : "+k("SHOWALL3")+"\r\n"))
	put("SHOWALL4", "ipsec.txt", listing("Preshared Key\r\n\r\n"+k("SHOWALL4")+"\r\n"+"Preshared Key :\r\n\r\n"+k("SHOWALL4")+"\r\nPreshared Key\r\n-------------\r\n"+k("SHOWALL4")+"\r\n"))
	put("NETSH04", "ipsec.txt", []byte(strings.Replace(string(fleetFileOnce("EXFE01/ipsec.txt")), "popd",
		`add rule "R" "Exchange FE-BE" "FE to BE POP3" "Require ESP 3DES" 10.0.0.9 lan yes "d" no "`+k("NETSH04")+`"`+"\r\n"+
			`add rule name=R2 policy="Exchange FE-BE" filterlist="FE to BE POP3" filteraction="Permit" "ps"="`+k("NETSH04")+`"`+"\r\n"+
			`add rule name=R3 policy="Exchange FE-BE" filterlist="FE to BE POP3" filteraction="Permit" psk:`+k("NETSH04")+"\r\n"+
			`set defaultrule "Exchange FE-BE" no yes "ESP[3DES,SHA1]" no `+k("NETSH04")+"\r\npopd\r\n"+
			"netsh advfirewall consec add rule name=x auth1=computerpsk auth1psk=^\r\n"+k("NETSH04")+"\r\n", 1)))
	put("IPSPOL03", "ipsec.bat", []byte(`ipsecpol -w REG -p "Exchange" -r "Mail" -f 0+10.0.0.50:110:TCP -n ESP[3DES,SHA] -a P `+k("IPSPOL03")+"\r\n"))
	put("SHOWALL2", "ipsec.txt", listing("Preshared Key          : "+k("SHOWALL2")+"\r\n"+k("SHOWALL2")+"\r\n"+
		"PreShared Key Value "+k("SHOWALL2")+"\r\nPre-Shared Secret Key  : "+k("SHOWALL2")+"\r\n"))

	put("REGBLOB1", "software-ipsec.reg", regExport(t, policyTree(t, k("REGBLOB1"))))
	cut := policyTree(t, k("REGBLOB2"))
	v := nfaWithKey(t, cut, k("REGBLOB2"))
	v.Data = v.Data[:bytes.Index(v.Data, utf16le(k("REGBLOB2")))+12] // cut inside the key
	put("REGBLOB2", "software-ipsec.reg", regExport(t, cut))
	for host, patch := range map[string]func(b []byte, keyAt int){
		"REGBLOB3": func(b []byte, keyAt int) { putLE32(b[keyAt-4:], 0) }, // Auth-Length
		"REGBLOB4": func(b []byte, keyAt int) { putLE32(b[keyAt-8:], 9) }, // Auth-Type
		"REGBLOB5": func(b []byte, keyAt int) { putLE32(b[keyAt-8:], 3) }, // Auth-Type: certificate
	} {
		tree := policyTree(t, k(host))
		v := nfaWithKey(t, tree, k(host))
		patch(v.Data, bytes.Index(v.Data, utf16le(k(host))))
		put(host, "software-ipsec.reg", regExport(t, tree))
	}
	netsh03 := string(fleetFileOnce("EXFE01/ipsec.txt"))
	for _, tag := range []string{`"psk"="`, "psk:", "p^sk^="} {
		netsh03 = strings.Replace(netsh03, "kerberos=yes", "kerberos=no "+tag+k("NETSH03"), 1)
	}
	put("NETSH03", "ipsec.txt", []byte(netsh03+"netsh advfirewall consec add rule name=x auth1=computerpsk auth1psk="+k("NETSH03")+"\r\n"))
	for host, file := range map[string]string{"HIVEBLB1": `\SystemRoot\System32\Config\SOFTWARE`, "HIVEBLB2": ""} {
		tree := policyTree(t, k(host))
		h, err := hivewriter.Write(tree, "SOFTWARE", hivewriter.Options{FileName: file})
		if err != nil {
			t.Fatal(err)
		}
		put(host, "SOFTWARE", h.Data)
	}
	return root
}

// leakForms of a key: as written, in any case, and as the UTF-16LE bytes
// of a registry value written in hex (with and without commas). Each
// word of six letters or more of the key counts on its own.
func leakNeedles(key string) []string {
	var out []string
	for _, w := range append(strings.FieldsFunc(key, func(r rune) bool { return r == ' ' || r == '-' }), key) {
		if len(w) < 6 {
			continue
		}
		u := utf16le(w)
		out = append(out, strings.ToLower(w), fmt.Sprintf("%x", u), strings.ReplaceAll(fmt.Sprintf("% x", u), " ", ","))
	}
	return out
}

// TestHostileKeysNeverPrinted: no command, in any format, prints a
// pre-shared key, whatever form the input holds it in (leakForms),
// diagnostics and notes quoting input lines included; the rules still
// see that the rules authenticate with one (IPSEC014 fires).
func TestHostileKeysNeverPrinted(t *testing.T) {
	root := writeLeakFleet(t)
	runs := map[string]result{"dump": guarded(t, never(t), "dump", root),
		"audit --sarif-embed": guarded(t, never(t), "audit", "-f", "sarif", "--sarif-embed", "--fail-on", "none", root)}
	for _, format := range []string{"table", "json", "sarif", "github", "junit", "html"} {
		runs["audit -f "+format] = guarded(t, never(t), "audit", "-f", format, "--fail-on", "none", root)
	}
	for name, r := range runs {
		if r.code != cli.ExitIncomplete {
			t.Errorf("%s: exit code %d, want 2 (the malformed files)", name, r.code)
		}
		text := strings.ToLower(r.stdout + "\n" + r.stderr)
		for _, f := range leakForms {
			for _, n := range leakNeedles(f.key) {
				if strings.Contains(text, n) {
					i := strings.Index(text, n)
					t.Errorf("%s shows the key of %s (%s) as %q: …%s…", name, f.host, f.what, n, text[max(0, i-120):min(len(text), i+len(n)+40)])
				}
			}
		}
	}
	// The keys were there to be found: the rules saw them.
	rep := parseReport(t, runs["audit -f json"].stdout)
	psk := map[string]bool{}
	for _, f := range rep.Findings {
		if f.RuleID == "IPSEC014" {
			psk[f.Host] = true
		}
	}
	for _, h := range []string{"NETSH01", "IPSPOL01", "SHOWALL1", "SHOWALL3", "REGBLOB1", "HIVEBLB1"} {
		if !psk[h] {
			t.Errorf("%s: no IPSEC014 finding: the key was not read, and the test proves nothing for it", h)
		}
	}
}

// --- Configuration aliases and determinism ---

// TestHostileYAMLAliasesAndDeterminism: host entries may share one
// anchored mapping (EXFE02: *fe); the roles apply to every host naming
// it. Every output is byte-identical from one run to the next. A
// configuration whose aliases would expand without bound (a "billion
// laughs") is refused quickly, with its line, and the rest is audited.
func TestHostileYAMLAliasesAndDeterminism(t *testing.T) {
	dir := copyFleet(t)
	hostileWrite(t, filepath.Join(dir, "ipseclint.yaml"), []byte(`hosts:
  EXFE01: &fe {role: frontend}
  EXFE02: *fe
  EXFE03: *fe
  EXFE04: *fe
  EXBE01: {role: backend}
backends:
  virtual_addresses: [10.0.0.50]
`))
	first := map[string]string{}
	for _, format := range []string{"json", "table", "sarif", "github", "junit", "html"} {
		a := guarded(t, never(t), "audit", "-f", format, dir)
		b := guarded(t, never(t), "audit", "-f", format, dir)
		if a.code != cli.ExitFindings || a.stdout != b.stdout || a.stderr != b.stderr {
			t.Errorf("%s: exit code %d; two runs differ: %v", format, a.code, a.stdout != b.stdout)
		}
		first[format] = a.stdout
	}
	rep := parseReport(t, first["json"])
	wantFile(t, rep.files(t), "ipseclint.yaml", "read")
	for _, h := range rep.Hosts {
		want := "frontend"
		if h.Name == "EXBE01" {
			want = "backend"
		}
		if h.Role != want || !h.RoleDeclared {
			t.Errorf("%s: role %s (declared %v), want %s declared", h.Name, h.Role, h.RoleDeclared, want)
		}
	}
	// The same as the fleet's own configuration, written without aliases.
	plain := guarded(t, never(t), "audit", "-f", "json", testFleet)
	strip := func(s string) string { _, after, _ := strings.Cut(s, `"summary"`); return after }
	if strip(plain.stdout) != strip(first["json"]) {
		t.Error("the configuration with aliases gives another report than the same one without")
	}

	var laughs strings.Builder
	laughs.WriteString("x-0: &l0 [\"10.0.0.1\", \"10.0.0.1\", \"10.0.0.1\", \"10.0.0.1\", \"10.0.0.1\", \"10.0.0.1\", \"10.0.0.1\", \"10.0.0.1\", \"10.0.0.1\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&laughs, "x-%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	laughs.WriteString("hosts:\n  EXFE01: &h {role: frontend, addresses: *l9}\n  EXFE02: *h\n  EXFE03: *h\n")
	hostileWrite(t, filepath.Join(dir, "ipseclint.yaml"), []byte(laughs.String()))
	r := runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Errorf("billion laughs: exit code %d, want 2", r.code)
	}
	f := wantFile(t, parseReport(t, r.stdout).files(t), "ipseclint.yaml", "partial")
	if len(f.Problems) == 0 || f.Problems[0].Location.Line == 0 {
		t.Errorf("billion laughs: problems %+v, want one with its line", f.Problems)
	}
	peakBelow(t, "billion laughs", r, 64<<20)
}

// --- Standard input and archive names ---

// TestHostilePathsFromStdinAndArchiveNames: `audit -` reads the paths to
// audit from standard input, one per line, as find prints them, and an
// archive among them is read as a folder: its files are named
// "fleet.zip!/EXFE01/system.reg" in every output (SARIF percent-encodes
// the "!", which decodes back to it), and its ipseclint.yaml applies
// when the archive is the first path.
func TestHostilePathsFromStdinAndArchiveNames(t *testing.T) {
	dir := t.TempDir()
	var members []zipMember
	for _, rel := range []string{"ipseclint.yaml", "EXBE01/system.reg", "EXBE01/software.reg", "EXBE01/cluster.reg", "EXFE01/system.reg", "EXFE01/software.reg", "EXFE01/ipsec.txt"} {
		members = append(members, member(rel, fleetFile(t, rel)))
	}
	zipPath := filepath.Join(dir, "fleet.zip")
	hostileWrite(t, zipPath, makeZip(t, members...))
	want := "fleet.zip!/EXFE01/system.reg"

	r := guarded(t, strings.NewReader(zipPath+"\n"), "audit", "-f", "json", "-")
	if r.code != cli.ExitFindings {
		t.Fatalf("audit - (the archive on standard input): exit code %d, want 1\n%s", r.code, r.stderr)
	}
	rep := parseReport(t, r.stdout)
	files := rep.files(t)
	wantFile(t, files, want, "read")
	if f := wantFile(t, files, "fleet.zip!/ipseclint.yaml", "read"); f.Kind != "config" {
		t.Errorf("the archive's configuration: kind %q", f.Kind)
	}
	located := false
	for _, f := range rep.Findings {
		located = located || strings.HasPrefix(f.Location.Text, want+":")
	}
	if !located {
		t.Errorf("no finding located in %s", want)
	}

	for _, format := range []string{"table", "github", "junit", "sarif", "html"} {
		out := guarded(t, never(t), "audit", "-f", format, zipPath).stdout
		shown := want
		if format == "sarif" {
			shown = strings.ReplaceAll(want, "!", "%21")
		}
		if !strings.Contains(out, shown) {
			t.Errorf("%s does not name %s", format, shown)
		}
	}
	if d := guarded(t, never(t), "dump", zipPath); !strings.Contains(d.stdout, want) {
		t.Errorf("dump does not name %s", want)
	}

	// `zip -r fleet.zip fleet`: the fleet is the archive's one top
	// folder; the archive stands for it, and its configuration applies.
	var wrapped []zipMember
	for _, m := range members {
		wrapped = append(wrapped, member("fleet/"+m.hdr.Name, m.data))
	}
	wrappedPath := filepath.Join(dir, "wrapped.zip")
	hostileWrite(t, wrappedPath, makeZip(t, wrapped...))
	files = parseReport(t, guarded(t, never(t), "audit", "-f", "json", wrappedPath).stdout).files(t)
	if f := wantFile(t, files, "wrapped.zip!/fleet/ipseclint.yaml", "read"); f.Kind != "config" {
		t.Errorf("the wrapped fleet's configuration: kind %q", f.Kind)
	}

	// A list of folders and files, as `find` prints it, with a CR (a
	// list written on Windows) and blank lines; the fleet's files read.
	fleet := copyFleet(t)
	var list strings.Builder
	err := filepath.WalkDir(fleet, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			list.WriteString(p + "\r\n\n")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fromList := guarded(t, strings.NewReader(list.String()), "audit", "-f", "json", "-")
	direct := guarded(t, never(t), "audit", "-f", "json", fleet)
	if fromList.code != direct.code || len(parseReport(t, fromList.stdout).Files) != len(parseReport(t, direct.stdout).Files) {
		t.Errorf("audit - with the fleet's files: exit code %d, %d files; audit of the folder: %d, %d files",
			fromList.code, len(parseReport(t, fromList.stdout).Files), direct.code, len(parseReport(t, direct.stdout).Files))
	}
}

// TestHostileManyBrokenPolicyObjects: a SOFTWARE export of 100,000
// ipsecNFA objects whose blobs cannot be read is read in bounded memory
// (what one file keeps is bounded), and its problems are bounded: the
// report stays small.
func TestHostileManyBrokenPolicyObjects(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "EXFE01")
	hostileWrite(t, filepath.Join(dir, "system.reg"), fleetFile(t, "EXFE01/system.reg"))
	var b strings.Builder
	b.WriteString("Windows Registry Editor Version 5.00\r\n\r\n")
	for i := 0; i < 100_000; i++ {
		fmt.Fprintf(&b, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local\\ipsecNFA{%08x-0000-0000-0000-000000000000}]\r\n\"ipsecData\"=hex:01,02,03\r\n\"ipsecName\"=\"n%d\"\r\n\r\n", i, i)
	}
	hostileWrite(t, filepath.Join(dir, "software.reg"), []byte(b.String()))
	b.Reset()
	r := runBinary(t, hangLimit, nil, "audit", "-f", "json", "--fail-on", "none", dir)
	if r.code != cli.ExitIncomplete {
		t.Errorf("exit code %d, want 2 (the file is not read completely)", r.code)
	}
	wantFile(t, parseReport(t, r.stdout).files(t), "software.reg", "partial", "pass 32 MiB")
	peakBelow(t, "100,000 broken ipsecNFA objects", r, peakLimit)
	if r.stdoutLen > 2<<20 {
		t.Errorf("the report is %d bytes", r.stdoutLen)
	}
}

// putLE32 writes v little-endian at the start of b.
func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
