package cli_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// exampleFleets are the repo's example fleet and its drifted copy
// (testdata/make-drift.sh): the drift adds warnings only (IPSEC001 on
// EXFE02, IPSEC009 and IPSEC007 on EXFE01, IPSEC010 on EXBE01 for the new
// front-end EXFE05) and fixes an error (IPSEC002 on EXFE01).
func exampleFleets(t *testing.T) (old, drift string) {
	root := testutil.RepoRoot(t)
	return filepath.Join(root, "testdata", "fleet"), filepath.Join(root, "testdata", "fleet-drift")
}

// diffDoc is the part of the diff JSON the tests read.
type diffDoc struct {
	Version int `json:"version"`
	Summary struct {
		Hosts       map[string]int `json:"hosts"`
		Findings    map[string]int `json:"findings"`
		Changes     int            `json:"changes"`
		Regressions int            `json:"regressions"`
	} `json:"summary"`
	Hosts []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"hosts"`
	Findings []struct {
		State      string `json:"state"`
		RuleID     string `json:"ruleId"`
		Host       string `json:"host"`
		Regression bool   `json:"regression"`
	} `json:"findings"`
}

func decodeDiff(t *testing.T, out string) diffDoc {
	t.Helper()
	var d diffDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("diff --format json: %v\n%s", err, out)
	}
	return d
}

func (d diffDoc) hostStatus(name string) string {
	for _, h := range d.Hosts {
		if h.Name == name {
			return h.Status
		}
	}
	return ""
}

// TestDiffExitCodes: 1 when NEW has a finding at or above --fail-on that
// OLD did not have, 0 otherwise, 2 for usage errors.
func TestDiffExitCodes(t *testing.T) {
	old, drift := exampleFleets(t)
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"new warnings, default --fail-on warning", args("diff", old, drift), cli.ExitFindings},
		{"new warnings, --fail-on error", args("diff", "--fail-on", "error", old, drift), cli.ExitOK},
		{"new warnings, --fail-on none", args("diff", "--fail-on", "none", old, drift), cli.ExitOK},
		{"the fixed error comes back, --fail-on error", args("diff", "--fail-on", "error", drift, old), cli.ExitFindings},
		{"the new findings' rules disabled", args("diff", "--disable", "IPSEC001,IPSEC007,IPSEC009,IPSEC010", old, drift), cli.ExitOK},
		{"same fleet", args("diff", "--fail-on", "note", old, old), cli.ExitOK},
		{"one path", args("diff", old), cli.ExitIncomplete},
		{"three paths", args("diff", old, drift, old), cli.ExitIncomplete},
		{"both on standard input", args("diff", "-", "-"), cli.ExitIncomplete},
		{"a format diff does not write", args("diff", "--format", "junit", old, drift), cli.ExitIncomplete},
		{"an unknown format", args("diff", "--format", "yaml", old, drift), cli.ExitIncomplete},
		{"a bad --fail-on", args("diff", "--fail-on", "fatal", old, drift), cli.ExitIncomplete},
		{"an unknown rule", args("diff", "--disable", "IPSEC999", old, drift), cli.ExitIncomplete},
		{"NEW missing", args("diff", old, filepath.Join(t.TempDir(), "absent")), cli.ExitIncomplete},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, append(c.args, "--quiet")...)
			if r.code != c.want {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, c.want, r.stderr)
			}
		})
	}
}

// TestDiffSameFleet: a fleet against itself has nothing but unchanged
// hosts and findings.
func TestDiffSameFleet(t *testing.T) {
	old, _ := exampleFleets(t)
	r := run(t, "diff", "-q", "--format", "json", old, old)
	if r.code != cli.ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	d := decodeDiff(t, r.stdout)
	if d.Version != 1 || d.Summary.Hosts["unchanged"] != 6 || d.Summary.Changes != 0 || d.Summary.Regressions != 0 {
		t.Errorf("summary %+v", d.Summary)
	}
	for _, f := range d.Findings {
		if f.State != "unchanged" {
			t.Errorf("%s on %s is %s", f.RuleID, f.Host, f.State)
		}
	}
	if len(d.Findings) == 0 {
		t.Error("no findings: the example fleet has many")
	}
}

// TestDiffAddedRemovedHosts: EXFE05 is added one way, removed the other;
// the stderr line of exit 1 counts the new findings.
func TestDiffAddedRemovedHosts(t *testing.T) {
	old, drift := exampleFleets(t)
	r := run(t, "diff", "-q", "-f", "json", old, drift)
	d := decodeDiff(t, r.stdout)
	if r.code != cli.ExitFindings || d.hostStatus("EXFE05") != "added" || d.hostStatus("EXFE02") != "changed" || d.hostStatus("EXFE03") != "unchanged" {
		t.Errorf("exit %d, hosts %+v", r.code, d.Hosts)
	}
	// EXFE05's own findings are new; EXBE01's IPSEC010 findings (one per
	// port and decision) now name it too, and count as changed.
	if !strings.Contains(r.stderr, "NEW has 3 finding(s) at or above warning that OLD did not have") {
		t.Errorf("stderr %q", r.stderr)
	}
	back := decodeDiff(t, run(t, "diff", "-q", "-f", "json", drift, old).stdout)
	if back.hostStatus("EXFE05") != "removed" || back.Summary.Hosts["removed"] != 1 {
		t.Errorf("hosts the other way %+v", back.Hosts)
	}
}

// TestDiffOutputs: several outputs at once, as audit writes them; an
// archive is read as its folder would be (given the configuration, which
// is looked for beside the first path, not inside an archive).
func TestDiffOutputs(t *testing.T) {
	old, drift := exampleFleets(t)
	dir := t.TempDir()
	zipped := filepath.Join(dir, "after.zip")
	zipFolder(t, drift, zipped)
	sarif, js := filepath.Join(dir, "diff.sarif"), filepath.Join(dir, "diff.json")
	r := run(t, "diff", "-q", "-f", "table", "-f", "sarif="+sarif, "--format", "json="+js,
		"--config", filepath.Join(old, "ipseclint.yaml"), old, zipped)
	if r.code != cli.ExitFindings {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Changed facts") || !strings.Contains(r.stdout, "gate: 3 findings at or above warning") {
		t.Errorf("table:\n%s", r.stdout)
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	d := decodeDiff(t, string(data))
	if d.Summary.Regressions != 3 || d.hostStatus("EXFE05") != "added" || d.Summary.Findings["fixed"] != 1 || d.Summary.Changes != 6 ||
		d.Summary.Findings["changed"] != 5 { // not every finding "changed" for its file now being in an archive
		t.Errorf("JSON of the archive: %+v", d.Summary)
	}
	s, err := os.ReadFile(sarif)
	if err != nil || !strings.Contains(string(s), `"baselineState": "absent"`) {
		t.Errorf("SARIF: %v\n%.300s", err, s)
	}
}

// TestDiffAcceptedRisk: --config applies to both sides; a new finding it
// accepts does not fail the gate.
func TestDiffAcceptedRisk(t *testing.T) {
	old, drift := exampleFleets(t)
	cfg := filepath.Join(t.TempDir(), "ipseclint.yaml")
	yaml := "hosts:\n  EXFE01: {role: frontend}\n  EXFE03: {role: frontend}\n  EXFE04: {role: frontend}\n" +
		"accepted:\n  - {rule: IPSEC001, host: EXFE02, subject: NLBSFlags, reason: \"NLBSFlags goes back with the next change\"}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "diff", "-q", "-f", "json", "--config", cfg, "--disable", "IPSEC007,IPSEC009,IPSEC010", old, drift)
	if r.code != cli.ExitOK {
		t.Errorf("exit %d with the new IPSEC001 accepted: %s", r.code, r.stderr)
	}
	d := decodeDiff(t, r.stdout)
	for _, f := range d.Findings {
		if f.RuleID == "IPSEC001" && f.Host == "EXFE02" && (f.State != "new" || f.Regression) {
			t.Errorf("accepted IPSEC001 on EXFE02: %+v", f)
		}
	}
}

// zipFolder writes the files under dir into a zip archive.
func zipFolder(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(w, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
