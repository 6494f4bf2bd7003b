package cli_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// The tests here check the CI pieces at the repository's root: the
// composite GitHub Action (action.yml), whose scripts they run as the
// runner would, and the pre-commit hook (.pre-commit-hooks.yaml), which
// they run through cli.Main; and that the examples in docs/ci.md and
// testdata/golden-config use them as they are declared.

// action is action.yml. Decoding is strict: a key GitHub does not know
// (a misspelt default, say) fails the test.
type action struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Author      string            `yaml:"author"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]struct {
		Description        string  `yaml:"description"`
		Required           bool    `yaml:"required"`
		Default            *string `yaml:"default"`
		DeprecationMessage string  `yaml:"deprecationMessage"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
}

func strictYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadAction(t *testing.T) action {
	t.Helper()
	var a action
	strictYAML(t, filepath.Join(testutil.RepoRoot(t), "action.yml"), &a)
	return a
}

var (
	exprRe      = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	inputRefRe  = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepOutRe   = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	pinnedUseRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@(v[0-9]+(\.[0-9]+)*|[0-9a-f]{40})$`)
)

// expressions returns the expressions of a step: those in ${{ }} of its
// values, and its if:, which is an expression without them.
func (s actionStep) expressions() []string {
	var out []string
	values := []string{s.Uses, s.Run, s.Shell, s.WorkingDirectory}
	for _, m := range []map[string]string{s.With, s.Env} {
		for _, v := range m {
			values = append(values, v)
		}
	}
	for _, v := range values {
		for _, m := range exprRe.FindAllStringSubmatch(v, -1) {
			out = append(out, m[1])
		}
	}
	if s.If != "" {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s.If), "${{"), "}}"))
	}
	return out
}

// writesOutput reports whether a step's script writes KEY= to
// $GITHUB_OUTPUT.
func (s actionStep) writesOutput(key string) bool {
	for _, line := range strings.Split(s.Run, "\n") {
		if strings.Contains(line, `"`+key+`=`) && strings.Contains(line, `>> "$GITHUB_OUTPUT"`) {
			return true
		}
	}
	return false
}

// TestActionDefinition checks action.yml as GitHub reads a composite
// action: required keys, every input used and every used input declared,
// step outputs that exist and are written before they are read, pinned
// actions, and inputs reaching scripts only through env.
func TestActionDefinition(t *testing.T) {
	a := loadAction(t)
	if a.Name == "" || a.Description == "" || a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("name %q, description %q, runs.using %q, %d steps: a composite action needs all", a.Name, a.Description, a.Runs.Using, len(a.Runs.Steps))
	}
	for _, name := range []string{"path", "formats", "fail-on", "config", "sarif-file", "upload", "category", "version"} {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("input %q is not declared", name)
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" || (!in.Required && in.Default == nil) {
			t.Errorf("input %q: needs a description, and a default when not required", name)
		}
	}
	used := map[string]bool{}
	steps := map[string]actionStep{}
	for i, s := range a.Runs.Steps {
		where := fmt.Sprintf("step %d (%s)", i, s.Name)
		if (s.Uses == "") == (s.Run == "") {
			t.Errorf("%s: needs exactly one of uses and run", where)
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("%s: a run step of a composite action needs shell", where)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("%s: an expression inside run: can inject shell code; pass it through env:", where)
		}
		if s.Uses != "" && !pinnedUseRe.MatchString(s.Uses) {
			t.Errorf("%s: uses %q is not pinned to a version tag or commit", where, s.Uses)
		}
		for _, e := range s.expressions() {
			for _, m := range inputRefRe.FindAllStringSubmatch(e, -1) {
				used[m[1]] = true
			}
			for _, m := range stepOutRe.FindAllStringSubmatch(e, -1) {
				prev, ok := steps[m[1]]
				if !ok {
					t.Errorf("%s: reads steps.%s, which is not an earlier step", where, m[1])
				} else if !prev.writesOutput(m[2]) {
					t.Errorf("%s: reads steps.%s.outputs.%s, which that step never writes", where, m[1], m[2])
				}
			}
		}
		if s.ID != "" {
			if _, dup := steps[s.ID]; dup {
				t.Errorf("%s: id %q used twice", where, s.ID)
			}
			steps[s.ID] = s
		}
	}
	for name := range used {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("inputs.%s is used but not declared", name)
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %q is declared but never used", name)
		}
	}
	for _, name := range []string{"exit-code", "sarif-file"} {
		o, ok := a.Outputs[name]
		m := stepOutRe.FindStringSubmatch(o.Value)
		if !ok || m == nil || !steps[m[1]].writesOutput(m[2]) {
			t.Errorf("output %q = %q: must be a step output that step writes", name, o.Value)
		}
	}
}

// runner runs the action's steps as GitHub's runner does for shell: bash
// (bash --noprofile --norc -eo pipefail FILE), with the inputs given and
// the outputs of earlier steps.
type runner struct {
	t         *testing.T
	action    action
	inputs    map[string]string
	workspace string
	temp      string // RUNNER_TEMP
	outputs   map[string]map[string]string
	extraEnv  []string
}

func newRunner(t *testing.T, a action, workspace, temp string, inputs map[string]string) *runner {
	r := &runner{t: t, action: a, workspace: workspace, temp: temp, inputs: map[string]string{}, outputs: map[string]map[string]string{}}
	for name, in := range a.Inputs {
		if in.Default != nil {
			r.inputs[name] = *in.Default
		}
	}
	for k, v := range inputs {
		if _, ok := a.Inputs[k]; !ok {
			t.Fatalf("input %q is not declared", k)
		}
		r.inputs[k] = v
	}
	return r
}

// eval evaluates the expressions the action uses: inputs, step outputs,
// github.action_path, and `A == 'b' && ...` in if:.
func (r *runner) eval(expr string) string {
	expr = strings.TrimSpace(expr)
	if parts := strings.Split(expr, "&&"); len(parts) > 1 || strings.Contains(expr, "==") {
		for _, p := range parts {
			lhs, lit, ok := strings.Cut(p, "==")
			lit = strings.TrimSpace(lit)
			if !ok || len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
				r.t.Fatalf("expression %q: the test evaluates only A == 'b' && ...", expr)
			}
			if r.eval(lhs) != lit[1:len(lit)-1] {
				return "false"
			}
		}
		return "true"
	}
	if name, ok := strings.CutPrefix(expr, "inputs."); ok {
		return r.inputs[name]
	}
	if m := stepOutRe.FindStringSubmatch(expr); m != nil && m[0] == expr {
		return r.outputs[m[1]][m[2]]
	}
	if expr == "github.action_path" {
		return testutil.RepoRoot(r.t)
	}
	r.t.Fatalf("expression %q: not one the test knows", expr)
	return ""
}

func (r *runner) expand(v string) string {
	return exprRe.ReplaceAllStringFunc(v, func(m string) string { return r.eval(exprRe.FindStringSubmatch(m)[1]) })
}

// step returns the step named name.
func (r *runner) step(name string) actionStep {
	for _, s := range r.action.Runs.Steps {
		if s.Name == name {
			return s
		}
	}
	r.t.Fatalf("action.yml has no step %q", name)
	return actionStep{}
}

// runs reports whether the step's if: lets it run.
func (r *runner) runs(s actionStep) bool { return s.If == "" || r.eval(s.If) == "true" }

// run runs a bash step and returns its exit status and output.
func (r *runner) run(name string) (status int, stdout, stderr string) {
	t := r.t
	s := r.step(name)
	if s.Shell != "bash" {
		t.Fatalf("step %q: shell %q, the test runs bash steps", name, s.Shell)
	}
	dir := t.TempDir()
	script, outFile := filepath.Join(dir, "step.sh"), filepath.Join(dir, "output")
	writeFile(t, script, s.Run)
	writeFile(t, outFile, "")
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = r.workspace
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "RUNNER_") && !strings.HasPrefix(kv, "INPUT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GITHUB_OUTPUT="+outFile, "GITHUB_WORKSPACE="+r.workspace, "RUNNER_TEMP="+r.temp, "RUNNER_OS=Linux")
	cmd.Env = append(cmd.Env, r.extraEnv...)
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+r.expand(v))
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		status = ee.ExitCode()
	default:
		t.Fatalf("step %q: %v", name, err)
	}
	if s.ID != "" {
		r.outputs[s.ID] = map[string]string{}
		for _, line := range strings.Split(readString(t, outFile), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				r.outputs[s.ID][k] = v
			}
		}
	}
	return status, out.String(), errb.String()
}

// sarifLocations returns the artifact locations of every result's first
// location and of every artifact, as uriBaseId|uri.
func sarifLocations(t *testing.T, path string) (results map[string]string, artifacts []string) {
	t.Helper()
	var log struct {
		Runs []struct {
			Artifacts []struct {
				Location struct {
					URI       string `json:"uri"`
					URIBaseID string `json:"uriBaseId"`
				} `json:"location"`
			} `json:"artifacts"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(readString(t, path)), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("%s: %v", path, err)
	}
	results = map[string]string{}
	for _, r := range log.Runs[0].Results {
		if len(r.Locations) > 0 {
			l := r.Locations[0].PhysicalLocation.ArtifactLocation
			results[r.RuleID] = l.URIBaseID + "|" + l.URI
		}
	}
	for _, a := range log.Runs[0].Artifacts {
		artifacts = append(artifacts, a.Location.URIBaseID+"|"+a.Location.URI)
	}
	return results, artifacts
}

// TestActionScripts runs the action's install, audit and exit steps on a
// copy of testdata/golden-config as a repository's workspace: ipseclint
// is built from this checkout, the SARIF file names are made relative to
// the repository (the audited folder is exports/), annotations too, the
// upload runs whenever a SARIF file was written, and the last step fails
// with ipseclint's exit code.
func TestActionScripts(t *testing.T) {
	t.Parallel() // most of its time is spent in another process (ipseclint, the multitool, a browser): it overlaps the others
	testutil.Tool(t, "bash", "bash")
	testutil.Tool(t, "jq", "jq")
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH: the install step builds ipseclint with it")
	}
	a := loadAction(t)
	ws := filepath.Join(t.TempDir(), "repo")
	copyTree(t, filepath.Join(testutil.RepoRoot(t), "testdata", "golden-config"), ws)

	temp := t.TempDir()
	r := newRunner(t, a, ws, temp, map[string]string{"path": "exports", "formats": "table github junit=TEST-ipseclint.xml"})
	r.extraEnv = []string{"IPSECLINT_TODAY=" + goldenToday}
	if code, out, errs := r.run("Install ipseclint"); code != 0 || !strings.Contains(out, "ipseclint") {
		t.Fatalf("install: status %d\n%s%s", code, out, errs)
	}
	bin := r.outputs["install"]["bin"]
	if !strings.HasPrefix(bin, temp) || !fileExists(bin) {
		t.Fatalf("install: bin = %q, want a binary under RUNNER_TEMP", bin)
	}
	code, out, errs := r.run("Audit")
	if code != 0 {
		t.Fatalf("audit step failed (status %d): it must pass and leave the failing to the last step\n%s%s", code, out, errs)
	}
	if got := r.outputs["audit"]; got["exit-code"] != "1" || got["sarif-file"] != "ipseclint.sarif" || got["sarif-written"] != "true" || got["upload-file"] == "" {
		t.Fatalf("audit outputs %v, want exit-code 1 (the golden config's expired entry), sarif-file ipseclint.sarif\n%s", got, errs)
	}
	results, artifacts := sarifLocations(t, filepath.Join(ws, "ipseclint.sarif"))
	if got := results["IPSEC002"]; got != "SRCROOT|exports/EXFE01/ipsec.txt" {
		t.Errorf("SARIF: IPSEC002 at %q, want exports/EXFE01/ipsec.txt relative to the repository", got)
	}
	for _, l := range artifacts {
		if base, uri, _ := strings.Cut(l, "|"); base != "" && (base != "SRCROOT" || !strings.HasPrefix(uri, "exports/")) {
			t.Errorf("SARIF artifact %q is not relative to the repository", l)
		}
	}
	if !strings.Contains(out, "\n::error file=exports/EXFE01/ipsec.txt,line=18,") || !strings.Contains(out, "Hosts:") {
		t.Errorf("the step's output lacks the table or the repository-relative IPSEC002 annotation:\n%s", clip(out))
	}
	// The configuration lies outside the audited folder, in the
	// workspace: it is named relative to the workspace, as the annotations
	// of the exports are.
	if !strings.Contains(out, "\n::notice file=ipseclint.yaml,line=") {
		t.Errorf("the accepted-risk notices do not name the configuration relative to the workspace:\n%s", clip(out))
	}
	if _, err := os.Stat(filepath.Join(ws, "TEST-ipseclint.xml")); err != nil {
		t.Errorf("junit=TEST-ipseclint.xml not written: %v", err)
	}
	if !r.runs(r.step("Upload SARIF to code scanning")) {
		t.Error("the upload does not run after an audit with findings")
	}
	if code, _, _ := r.run("Exit with ipseclint's exit code"); code != 1 {
		t.Errorf("last step: status %d, want ipseclint's 1", code)
	}

	// A usage error: exit code 2, no SARIF, no upload, the action fails 2.
	r = newRunner(t, a, ws, temp, map[string]string{"fail-on": "critical"})
	r.outputs["install"] = map[string]string{"bin": bin}
	if code, out, errs := r.run("Audit"); code != 0 || r.outputs["audit"]["exit-code"] != "2" || r.outputs["audit"]["sarif-written"] != "" {
		t.Errorf("--fail-on critical: status %d, outputs %v\n%s%s", code, r.outputs["audit"], out, errs)
	}
	if r.runs(r.step("Upload SARIF to code scanning")) {
		t.Error("the upload runs without a SARIF file")
	}
	if code, _, _ := r.run("Exit with ipseclint's exit code"); code != 2 {
		t.Errorf("last step after a usage error: status %d, want 2", code)
	}

	// The whole repository, passing: exit code 0, names already relative
	// to the repository; several paths, one a line.
	for _, in := range []map[string]string{
		{"path": ".", "formats": "", "fail-on": "none"},
		{"path": "exports/EXFE01\n  exports/EXBE01\n", "formats": "json=report.json", "fail-on": "none", "upload": "false"},
	} {
		r = newRunner(t, a, ws, temp, in)
		r.outputs["install"] = map[string]string{"bin": bin}
		r.extraEnv = []string{"IPSECLINT_TODAY=" + goldenToday}
		if code, out, errs := r.run("Audit"); code != 0 || r.outputs["audit"]["exit-code"] != "0" {
			t.Errorf("%q: status %d, outputs %v\n%s%s", in, code, r.outputs["audit"], out, errs)
		}
		if results, _ := sarifLocations(t, filepath.Join(ws, "ipseclint.sarif")); !strings.HasSuffix(results["IPSEC002"], "|exports/EXFE01/ipsec.txt") {
			t.Errorf("%q: IPSEC002 at %q, want exports/EXFE01/ipsec.txt", in, results["IPSEC002"])
		}
		if r.runs(r.step("Upload SARIF to code scanning")) != (in["upload"] == "") {
			t.Errorf("%q: upload runs %v", in, !(in["upload"] == ""))
		}
		if code, _, _ := r.run("Exit with ipseclint's exit code"); code != 0 {
			t.Errorf("%q: last step status %d, want 0", in, code)
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "report.json")); err != nil {
		t.Errorf("formats json=report.json: %v", err)
	}

	// Suppressed results stay in the SARIF file and are left out of the
	// upload (code scanning would show them as open alerts), through a
	// stand-in for ipseclint that writes a SARIF file with one.
	fake := filepath.Join(temp, "fake-ipseclint")
	writeFile(t, fake, fakeIpseclint)
	if err := os.Chmod(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	r = newRunner(t, a, ws, temp, map[string]string{"path": "exports", "sarif-file": "reports/out.sarif"})
	r.outputs["install"] = map[string]string{"bin": fake}
	if code, out, errs := r.run("Audit"); code != 0 || r.outputs["audit"]["exit-code"] != "1" {
		t.Fatalf("stand-in: status %d, outputs %v\n%s%s", code, r.outputs["audit"], out, errs)
	}
	kept, _ := sarifLocations(t, filepath.Join(ws, "reports", "out.sarif"))
	up := r.outputs["audit"]["upload-file"]
	uploaded, _ := sarifLocations(t, up)
	if len(kept) != 2 || kept["IPSEC001"] != "SRCROOT|exports/EXFE01/system.reg" || len(uploaded) != 1 || uploaded["IPSEC002"] == "" {
		t.Errorf("stand-in: the SARIF file holds %v, the upload (%s) %v; want both results in the file, only the unsuppressed one uploaded", kept, up, uploaded)
	}

	// version is not passed to go install when it looks like a flag.
	r = newRunner(t, a, ws, temp, map[string]string{"version": "-toolexec=evil"})
	if code, out, _ := r.run("Install ipseclint"); code == 0 || !strings.Contains(out, "is not a version") {
		t.Errorf("version -toolexec=evil: status %d\n%s", code, out)
	}
}

// clip shortens a long output for a failure message: its annotations
// (the lines that matter to these tests) and the last lines.
func clip(s string) string {
	var keep []string
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "::") || i >= len(lines)-5 {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// fakeIpseclint stands in for ipseclint in TestActionScripts: it writes a
// SARIF file whose first result is suppressed and a JSON report naming the
// audited root ($PWD/exports), and exits 1.
const fakeIpseclint = `#!/usr/bin/env bash
for a in "$@"; do
	case "$a" in
	sarif=*) sarif="${a#sarif=}" ;;
	json=*) json="${a#json=}" ;;
	esac
done
printf '{"version":1,"root":"%s/exports"}\n' "$PWD" > "$json"
cat > "$sarif" <<'EOF'
{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"ipseclint"}},"results":[
{"ruleId":"IPSEC001","suppressions":[{"kind":"external","justification":"agreed"}],
 "locations":[{"physicalLocation":{"artifactLocation":{"uri":"EXFE01/system.reg","uriBaseId":"AUDITROOT"}}}]},
{"ruleId":"IPSEC002","suppressions":[],
 "locations":[{"physicalLocation":{"artifactLocation":{"uri":"EXFE01/ipsec.txt","uriBaseId":"AUDITROOT"}}}]}]}]}
EOF
exit 1
`

// preCommitHook is one entry of .pre-commit-hooks.yaml (pre-commit's
// keys; strict decoding catches a misspelt one).
type preCommitHook struct {
	ID                      string   `yaml:"id"`
	Name                    string   `yaml:"name"`
	Entry                   string   `yaml:"entry"`
	Language                string   `yaml:"language"`
	Files                   string   `yaml:"files"`
	Exclude                 string   `yaml:"exclude"`
	Types                   []string `yaml:"types"`
	TypesOr                 []string `yaml:"types_or"`
	ExcludeTypes            []string `yaml:"exclude_types"`
	AlwaysRun               bool     `yaml:"always_run"`
	FailFast                bool     `yaml:"fail_fast"`
	Verbose                 bool     `yaml:"verbose"`
	PassFilenames           *bool    `yaml:"pass_filenames"`
	RequireSerial           bool     `yaml:"require_serial"`
	Description             string   `yaml:"description"`
	LanguageVersion         string   `yaml:"language_version"`
	MinimumPreCommitVersion string   `yaml:"minimum_pre_commit_version"`
	Args                    []string `yaml:"args"`
	Stages                  []string `yaml:"stages"`
}

// TestPreCommitHook checks .pre-commit-hooks.yaml and runs its hook as
// pre-commit would from a repository of exports (testdata/golden-config),
// with the hook's own args and with those of the example
// .pre-commit-config.yaml.
func TestPreCommitHook(t *testing.T) {
	root := testutil.RepoRoot(t)
	var hooks []preCommitHook
	strictYAML(t, filepath.Join(root, ".pre-commit-hooks.yaml"), &hooks)
	var hook *preCommitHook
	for i := range hooks {
		h := &hooks[i]
		if h.ID == "" || h.Name == "" || h.Entry == "" || h.Language == "" {
			t.Errorf("hook %+v: id, name, entry and language are required", *h)
		}
		if h.ID == "ipseclint" {
			hook = h
		}
	}
	if hook == nil {
		t.Fatal("no ipseclint hook")
	}
	if hook.Language != "golang" {
		t.Errorf("language %q, want golang (pre-commit builds the hook with go install ./...)", hook.Language)
	}
	entry := strings.Fields(hook.Entry)
	// language: golang installs the repository's main packages; the entry
	// must be one of them.
	if src, err := os.ReadFile(filepath.Join(root, "cmd", entry[0], "main.go")); err != nil || !bytes.Contains(src, []byte("package main")) {
		t.Errorf("entry %q: no main package cmd/%s for go install ./... to build", hook.Entry, entry[0])
	}
	if hook.PassFilenames == nil || *hook.PassFilenames {
		t.Error("pass_filenames must be false: a host's verdict depends on the other hosts' files, so the hook audits the whole folder")
	}
	if len(hook.Types) > 0 || len(hook.TypesOr) > 0 || hook.Files != "" {
		t.Error("exports are known by content, not name or type (identify calls UTF-16 .reg files binary): no files/types filter")
	}

	var example struct {
		Repos []struct {
			Repo  string `yaml:"repo"`
			Rev   string `yaml:"rev"`
			Hooks []struct {
				ID   string   `yaml:"id"`
				Args []string `yaml:"args"`
			} `yaml:"hooks"`
		} `yaml:"repos"`
	}
	strictYAML(t, filepath.Join(root, "testdata", "golden-config", ".pre-commit-config.yaml"), &example)
	if len(example.Repos) != 1 || example.Repos[0].Repo != cli.InformationURI || len(example.Repos[0].Hooks) != 1 || example.Repos[0].Hooks[0].ID != hook.ID {
		t.Fatalf("the example .pre-commit-config.yaml does not use %s's %s hook: %+v", cli.InformationURI, hook.ID, example)
	}

	t.Chdir(filepath.Join(root, "testdata", "golden-config"))
	t.Setenv("IPSECLINT_TODAY", goldenToday)
	for _, hookArgs := range [][]string{hook.Args, example.Repos[0].Hooks[0].Args} {
		r := run(t, append(slices.Clone(entry[1:]), hookArgs...)...)
		if r.code != cli.ExitFindings || !strings.Contains(r.stdout, "| IPSEC002 ") {
			t.Errorf("hook with args %q: exit code %d, want 1 with the IPSEC002 finding\n%s%s", hookArgs, r.code, r.stdout, r.stderr)
		}
	}
}

// TestActionUsesDeclaredInputs: every use of the action in docs/ci.md and
// in the golden-config workflow passes only inputs action.yml declares,
// and the workflows that upload SARIF grant security-events: write.
func TestActionUsesDeclaredInputs(t *testing.T) {
	a := loadAction(t)
	root := testutil.RepoRoot(t)
	docs := readString(t, filepath.Join(root, "docs", "ci.md"))
	sources := map[string][]string{
		"testdata/golden-config/.github/workflows/audit.yml": {readString(t, filepath.Join(root, "testdata/golden-config/.github/workflows/audit.yml"))},
		"docs/ci.md": nil, // its yaml blocks, below
	}
	for _, block := range strings.Split(docs, "```yaml\n")[1:] {
		text, _, _ := strings.Cut(block, "```")
		sources["docs/ci.md"] = append(sources["docs/ci.md"], text)
	}
	for name, texts := range sources {
		uses := 0
		for _, text := range texts {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
				t.Errorf("%s: a YAML example does not parse: %v\n%s", name, err, text)
				continue
			}
			walkMappings(&doc, func(m map[string]*yaml.Node) {
				if u := m["uses"]; u == nil || !strings.HasPrefix(u.Value, "ipseclint/ipseclint@") {
					return
				}
				uses++
				if w := m["with"]; w != nil {
					for i := 0; i+1 < len(w.Content); i += 2 {
						if _, ok := a.Inputs[w.Content[i].Value]; !ok {
							t.Errorf("%s: the action is given input %q, which action.yml does not declare", name, w.Content[i].Value)
						}
					}
				}
			})
			var wf struct {
				Permissions map[string]string `yaml:"permissions"`
				Jobs        map[string]any    `yaml:"jobs"`
			}
			if yaml.Unmarshal([]byte(text), &wf) == nil && len(wf.Jobs) > 0 && strings.Contains(text, "ipseclint/ipseclint@") &&
				!strings.Contains(text, "upload: false") && wf.Permissions["security-events"] != "write" {
				t.Errorf("%s: a workflow uploads SARIF without permissions: security-events: write", name)
			}
		}
		if uses == 0 {
			t.Errorf("%s: no use of the action found: the check proves nothing", name)
		}
	}
}

// walkMappings calls f with every mapping of the YAML tree.
func walkMappings(n *yaml.Node, f func(map[string]*yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		m := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = n.Content[i+1]
		}
		f(m)
	}
	for _, c := range n.Content {
		walkMappings(c, f)
	}
}
