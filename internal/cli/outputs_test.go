package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// annotationFiles lists the file= of each workflow command.
func annotationFiles(out string) []string {
	var files []string
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, " file="); i >= 0 {
			f := line[i+len(" file="):]
			if j := strings.IndexAny(f, ",:"); j >= 0 {
				f = f[:j]
			}
			files = append(files, f)
		}
	}
	return files
}

// TestGitHubPathsFromTheWorkspace: --format github names files relative
// to $GITHUB_WORKSPACE, where the runner looks for them, else to the
// current folder; junit's file attributes too.
func TestGitHubPathsFromTheWorkspace(t *testing.T) {
	root := testutil.RepoRoot(t)
	t.Chdir(filepath.Join(root, "testdata"))
	cases := map[string]string{root: "testdata/fleet/", "": "fleet/"} // GITHUB_WORKSPACE -> prefix
	for ws, prefix := range cases {
		t.Setenv("GITHUB_WORKSPACE", ws)
		r := run(t, "audit", "-f", "github", "fleet")
		files := annotationFiles(r.stdout)
		if r.code != cli.ExitFindings || len(files) == 0 {
			t.Fatalf("GITHUB_WORKSPACE=%q: exit %d, %d annotations\n%s", ws, r.code, len(files), r.stderr)
		}
		for _, f := range files {
			if !strings.HasPrefix(f, prefix) {
				t.Errorf("GITHUB_WORKSPACE=%q: file=%s, want it under %s", ws, f, prefix)
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(f, "fleet/")))); ws != "" && err != nil {
				t.Errorf("file=%s is not a file of the workspace: %v", f, err)
			}
		}
		junit := run(t, "audit", "-f", "junit", "fleet")
		if !strings.Contains(junit.stdout, `file="`+prefix+"EXFE01/ipsec.txt") {
			t.Errorf("GITHUB_WORKSPACE=%q: junit file attributes are not under %s", ws, prefix)
		}
	}
}

// TestSARIFFlags: --sarif-category and --sarif-root-uri reach the SARIF
// log, and a fleet in a git work tree is named with its repository, its
// paths relative to the work tree's top.
func TestSARIFFlags(t *testing.T) {
	top := t.TempDir()
	fleet := filepath.Join(top, "audits", "fleet")
	if err := os.CopyFS(fleet, os.DirFS(testFleet)); err != nil {
		t.Fatal(err)
	}
	commit := strings.Repeat("c0ffee12", 5)
	for name, text := range map[string]string{
		"HEAD": "ref: refs/heads/main\n", "refs/heads/main": commit + "\n",
		"config": "[remote \"origin\"]\n\turl = https://ci:t0ken@github.com/contoso/exports.git\n",
	} {
		p := filepath.Join(top, ".git", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TF_BUILD", "True")
	t.Setenv("SYSTEM_DEFINITIONID", "12")
	r := run(t, "audit", "-f", "sarif", "--sarif-category", "ipseclint", "--sarif-root-uri", "https://example.com/src", fleet)
	var log struct {
		Runs []struct {
			AutomationDetails struct {
				ID         string            `json:"id"`
				Properties map[string]string `json:"properties"`
			} `json:"automationDetails"`
			OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
			VCP                []struct {
				RepositoryURI string `json:"repositoryUri"`
				RevisionID    string `json:"revisionId"`
				Branch        string `json:"branch"`
			} `json:"versionControlProvenance"`
			Artifacts []struct {
				Location struct {
					URI       string `json:"uri"`
					URIBaseID string `json:"uriBaseId"`
				} `json:"location"`
			} `json:"artifacts"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("exit %d, not a SARIF log: %v\n%s", r.code, err, r.stderr)
	}
	got := log.Runs[0]
	if got.AutomationDetails.ID != "ipseclint/" || got.AutomationDetails.Properties["azuredevops/pipeline/build/buildDefinitionId"] != "12" {
		t.Errorf("automationDetails = %+v", got.AutomationDetails)
	}
	if got.OriginalURIBaseIDs["SRCROOT"].URI != "https://example.com/src/" {
		t.Errorf("originalUriBaseIds = %v", got.OriginalURIBaseIDs)
	}
	if len(got.VCP) != 1 || got.VCP[0].RepositoryURI != "https://github.com/contoso/exports.git" || got.VCP[0].RevisionID != commit || got.VCP[0].Branch != "main" {
		t.Errorf("versionControlProvenance = %+v", got.VCP)
	}
	for _, a := range got.Artifacts {
		if !strings.HasPrefix(a.Location.URI, "audits/fleet/") || a.Location.URIBaseID != "SRCROOT" {
			t.Errorf("artifact %+v is not relative to the work tree's top", a.Location)
		}
	}
	if strings.Contains(r.stdout, "t0ken") || strings.Contains(r.stdout, top) {
		t.Error("the SARIF log holds the remote's token or the absolute path")
	}
	// Without the flags: neither automationDetails nor originalUriBaseIds.
	plain := run(t, "audit", "-f", "sarif", fleet).stdout
	if strings.Contains(plain, `"automationDetails"`) || strings.Contains(plain, `"originalUriBaseIds"`) {
		t.Error("automationDetails or originalUriBaseIds without --sarif-category or --sarif-root-uri")
	}
}

// TestTableFlags: --hosts-summary limits the host section; --color
// always colours the severities even in a pipe, auto and never do not
// (NO_COLOR or not), and the piped table is 100 columns at most.
func TestTableFlags(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	summary := run(t, "audit", "--hosts-summary", "2", "testdata/fleet").stdout
	if !strings.Contains(summary, "Hosts (the 2 most serious of 6; --hosts-summary):") || !strings.Contains(summary, "... and 4 more hosts") {
		t.Errorf("--hosts-summary 2 does not limit the host section:\n%s", summary)
	}
	for _, c := range []struct {
		color, noColor string
		want           bool
	}{{"always", "", true}, {"always", "1", true}, {"auto", "", false}, {"never", "", false}} {
		t.Setenv("NO_COLOR", c.noColor)
		out := run(t, "audit", "--color", c.color, "testdata/fleet").stdout
		if got := strings.Contains(out, "\x1b["); got != c.want {
			t.Errorf("--color %s, NO_COLOR=%q: colour %v, want %v", c.color, c.noColor, got, c.want)
		}
		if !c.want {
			for _, line := range strings.Split(out, "\n") {
				if len([]rune(line)) > 100 {
					t.Errorf("a piped line is %d columns wide: %s", len([]rune(line)), line)
				}
			}
		}
	}
	if r := run(t, "audit", "--color", "sometimes", "testdata/fleet"); r.code != cli.ExitIncomplete || !strings.Contains(r.stderr, "--color") {
		t.Errorf("--color sometimes: exit %d, %q", r.code, r.stderr)
	}
}

// TestSARIFEmbed: --sarif-embed puts the text inputs' text in the SARIF
// artifacts, without the pre-shared key EXFE04's export holds in an NFA
// blob (in clear or as its UTF-16LE hex), and not the hives'; without a
// SARIF output it is a usage error; without the flag nothing is
// embedded, and the hive results still have byte regions with snippets.
func TestSARIFEmbed(t *testing.T) {
	t.Chdir(testutil.RepoRoot(t))
	r := run(t, "audit", "-f", "sarif", "--sarif-embed", "testdata/fleet")
	var log struct {
		Runs []struct {
			Artifacts []struct {
				Location   struct{ URI string }   `json:"location"`
				Contents   *struct{ Text string } `json:"contents"`
				Properties map[string]any         `json:"properties"`
			} `json:"artifacts"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("exit %d, not a SARIF log: %v\n%s", r.code, err, r.stderr)
	}
	embedded := 0
	for _, a := range log.Runs[0].Artifacts {
		hive := a.Properties["kind"] == "hive"
		switch {
		case hive && a.Contents != nil:
			t.Errorf("%s: a hive is embedded", a.Location.URI)
		case hive && !strings.Contains(a.Properties["contents"].(string), "binary registry hive"):
			t.Errorf("%s: does not say why it is not embedded: %v", a.Location.URI, a.Properties["contents"])
		case a.Contents != nil:
			embedded++
		}
	}
	if embedded < 15 {
		t.Errorf("%d artifacts embedded", embedded)
	}
	low := strings.ToLower(r.stdout)
	for _, form := range []string{"fl33t-example-psk", "46,00,6c,00,33,00,33,00", "46006c0033003300"} {
		if strings.Contains(low, form) {
			t.Errorf("the SARIF log holds the pre-shared key as %q", form)
		}
	}
	if !strings.Contains(r.stdout, `\u003credacted\u003e`) && !strings.Contains(r.stdout, "<redacted>") {
		t.Error("nothing was cut out of the embedded text")
	}
	if u := run(t, "audit", "-f", "json", "--sarif-embed", "testdata/fleet"); u.code != cli.ExitIncomplete || !strings.Contains(u.stderr, "--sarif-embed") {
		t.Errorf("--sarif-embed without SARIF: exit %d, %s", u.code, u.stderr)
	}
	plain := run(t, "audit", "-f", "sarif", "testdata/fleet").stdout
	if strings.Contains(plain, `"contents": {`) || !strings.Contains(plain, `"binary": "`) {
		t.Error("without --sarif-embed: contents embedded, or no hive snippet")
	}
}

// TestOutputsWithoutSARIFLetCitedLinesGo: an audit that writes no SARIF
// lets go the registry lines only SARIF shows, and every other output is
// the same byte for byte as when SARIF is written beside it.
func TestOutputsWithoutSARIFLetCitedLinesGo(t *testing.T) {
	fleet := filepath.Join(testutil.RepoRoot(t), "testdata", "fleet")
	dir := t.TempDir()
	t.Setenv("IPSECLINT_TODAY", "2026-12-01")
	outputs := func(name string, sarif bool) map[string]string {
		args := []string{"audit", "-q"}
		for _, f := range []string{"json", "html", "junit", "github"} {
			args = append(args, "--format", f+"="+filepath.Join(dir, name+"."+f))
		}
		if sarif {
			args = append(args, "--format", "sarif="+filepath.Join(dir, name+".sarif"))
		}
		if r := run(t, append(args, fleet)...); r.code != cli.ExitFindings {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		out := map[string]string{}
		for _, f := range []string{"json", "html", "junit", "github"} {
			b, err := os.ReadFile(filepath.Join(dir, name+"."+f))
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(b)
		}
		return out
	}
	with, without := outputs("with", true), outputs("without", false)
	for f, want := range with {
		if without[f] != want {
			t.Errorf("%s differs when no SARIF is written", f)
		}
	}
}

// TestFormatsFromTheConfiguration: a run without --format writes what
// output.formats names, and settles what it keeps of the inputs from
// it: the SARIF it names is the one --format writes (snippets and all),
// and the outputs of one that names no SARIF are those --format writes.
func TestFormatsFromTheConfiguration(t *testing.T) {
	root := testutil.RepoRoot(t)
	fleet := filepath.Join(root, "testdata", "fleet")
	base, err := os.ReadFile(filepath.Join(fleet, "ipseclint.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("IPSECLINT_TODAY", "2026-12-01")
	dir := t.TempDir()
	for _, format := range []string{"sarif", "json"} {
		fromConfig, fromFlag := filepath.Join(dir, "config."+format), filepath.Join(dir, "flag."+format)
		cfg := filepath.Join(dir, format+".yaml")
		text := string(base) + "output:\n  formats: [" + format + "=" + fromConfig + "]\n"
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := run(t, "audit", "-q", "--config", cfg, fleet); r.code != cli.ExitFindings {
			t.Fatalf("%s from the configuration: exit %d: %s", format, r.code, r.stderr)
		}
		if r := run(t, "audit", "-q", "--config", cfg, "--format", format+"="+fromFlag, fleet); r.code != cli.ExitFindings {
			t.Fatalf("%s from --format: exit %d: %s", format, r.code, r.stderr)
		}
		a, errA := os.ReadFile(fromConfig)
		b, errB := os.ReadFile(fromFlag)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if format == "sarif" && !strings.Contains(string(a), `=dword:`) {
			t.Errorf("the SARIF output.formats names has no registry snippets (rendered from the lines kept for it)")
		}
		if string(a) != string(b) {
			t.Errorf("%s: output.formats wrote another document than --format", format)
		}
	}
}

// TestReportFileModes: a new report file gets the usual 0644 (reports are
// shared; the atomic write's temporary file is 0600), and one written
// again keeps the mode it had.
func TestReportFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	file := filepath.Join(t.TempDir(), "report.html")
	for _, want := range []os.FileMode{0o644, 0o640} {
		if r := run(t, "audit", "-q", "--fail-on", "none", "-f", "html="+file, testFleet); r.code != cli.ExitOK {
			t.Fatalf("exit code %d: %s", r.code, r.stderr)
		}
		st, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("report mode %o, want %o", got, want)
		}
		if err := os.Chmod(file, 0o640); err != nil {
			t.Fatal(err)
		}
	}
}
