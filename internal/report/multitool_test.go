package report_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// multitoolPackage is the npm package .ci/run installs; its platform
// package holds the self-contained Sarif.Multitool executable.
const multitoolPackage = "@microsoft/sarif-multitool"

// multitool finds the SARIF multitool's executable: $IPSECLINT_SARIF_MULTITOOL
// (set by .ci/run), else where .ci/run installs it, else Sarif.Multitool on
// the PATH. Outside CI the test is skipped when it is absent.
func multitool(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IPSECLINT_SARIF_MULTITOOL"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("IPSECLINT_SARIF_MULTITOOL: %v", err)
		}
		return p
	}
	if cache, err := os.UserCacheDir(); err == nil {
		p := filepath.Join(cache, "ipseclint", "sarif-multitool", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("Sarif.Multitool"); err == nil {
		return p
	}
	msg := "the SARIF multitool is not installed (npm package " + multitoolPackage + "; .ci/run installs it and sets IPSECLINT_SARIF_MULTITOOL)"
	if testutil.InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// runMultitool runs the multitool with args in dir, without telemetry
// and with no need for ICU.
func runMultitool(t *testing.T, mt, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(mt, args...)
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", mt, args[0], err, msg)
	}
}

// ruleEnabled matches each rule's RuleEnabled setting in an exported
// validation configuration; its key names the rule
// (<Properties Key="SARIF2006.UrisShouldBeReachable.Options">).
var ruleEnabled = regexp.MustCompile(`(<Properties Key="([^".]*)\.[^"]*">\s*<Property Key="RuleEnabled" Value=")[A-Za-z]+(")`)

// warningConfig exports the multitool's validation configuration and
// raises every rule to Warning (which also switches on the rules that
// are off by default, such as GH1001-GH1007), except SARIF2006: it makes
// HTTP requests for every URI in the log, so it is disabled (a test makes
// no network calls; the brief excepts it anyway).
func warningConfig(t *testing.T, mt, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "validation.xml")
	runMultitool(t, mt, dir, "export-validation-config", path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	cfg := ruleEnabled.ReplaceAllStringFunc(string(data), func(m string) string {
		n++
		sub := ruleEnabled.FindStringSubmatch(m)
		value := "Warning"
		if sub[2] == "SARIF2006" {
			value = "Disabled"
		}
		return sub[1] + value + sub[3]
	})
	if n < 50 || !strings.Contains(cfg, `Key="GHAzDO1019.`) || !strings.Contains(cfg, `Key="GH1003.`) {
		t.Fatalf("the exported validation configuration has %d rules, without the GitHub or Azure DevOps ones: the multitool changed its format", n)
	}
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Rules whose findings are accepted in every log: SARIF2002 wants
// message ids and arguments instead of text, which GitHub needs (GH1007
// wants text); SARIF2006 checks that URIs answer over HTTP (disabled: a
// test makes no network calls).
var acceptedMultitoolRules = map[string]bool{"SARIF2002": true, "SARIF2006": true}

// validated is one SARIF log given to the multitool.
type validated struct {
	audit *report.Audit
	ado   bool // made for Azure DevOps (automationDetails), so checked against GHAzDO's rules too
}

// accepted reports whether a problem the multitool found in the log is
// one the SARIF output has by design (docs/sarif.md, "Validation"), each for its
// reason:
//
//   - SARIF2013 (ProvideEmbeddedFileContent) wants some artifact to hold
//     its file's contents: only --sarif-embed embeds them (they are the
//     size of the inputs), so a log without it draws SARIF2013;
//   - GHAzDO rules on a log not made for Azure DevOps: they want
//     automationDetails, which a log for GitHub must not have (it would
//     override upload-sarif's category); the "ado" log has it;
//   - GH1003 (ProvideRequiredRegionProperties: region.startLine) on a
//     result located in a binary hive: a hive has no lines, and a region
//     of a binary artifact "SHALL NOT define a text region" (SARIF
//     2.1.0 3.30.1). The result
//     has a byte region with the record's bytes as snippet and context,
//     names the hive and the key in its message, and GitHub shows it
//     (with no preview).
func (v validated) accepted(p multitoolProblem) bool {
	switch {
	case acceptedMultitoolRules[p.rule]:
		return true
	case p.rule == "SARIF2013":
		return !v.audit.View.SARIFEmbed
	case strings.HasPrefix(p.rule, "GHAzDO"):
		return !v.ado
	case p.rule == "GH1003":
		return hiveResult(v.audit, p.path)
	}
	return false
}

// TestMultitoolValidate validates, with every rule of the multitool's
// SARIF, GitHub (Ghas) and Azure DevOps (GHAzDO) sets raised to Warning,
// the SARIF of the example fleet, of the troubled fleet (suppressed,
// uncertain and not-evaluated findings, failed and partly read files,
// expired and stale accepted risks), of the example fleet made for Azure
// DevOps, and of the fixture fleet (hive locations), and fails on any
// error or warning but SARIF2002, SARIF2006 and SARIF2013. The
// multitool's exit code is 0 whatever it finds: its own SARIF log is
// read instead.
func TestMultitoolValidate(t *testing.T) {
	t.Parallel() // most of its time is spent in another process (ipseclint, the multitool, a browser): it overlaps the others
	mt := multitool(t)
	dir := t.TempDir()
	cfg := warningConfig(t, mt, dir)
	vcs := func(a *report.Audit) *report.Audit {
		a.VCS = &report.VCS{Root: filepath.Dir(filepath.Dir(a.Fleet.Root)), RepositoryURI: "https://github.com/ipseclint/ipseclint",
			Revision: strings.Repeat("0123456789", 4), Branch: "main"}
		return a
	}
	ado := vcs(exampleFleet(t))
	ado.View = report.View{
		SARIFCategory: "azuredevops/pipeline/build/contoso/exchange/12/3f2504e0-4f89-11d3-9a0c-0305e82c3301/main/345",
		SARIFAutomationProperties: map[string]string{
			"azuredevops/pipeline/build/buildDefinitionId": "12", "azuredevops/pipeline/build/buildDefinitionName": "ipsec-audit",
			"azuredevops/pipeline/build/phaseId": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "azuredevops/pipeline/build/phaseName": "Audit",
		},
	}
	logs := map[string]validated{
		"example":  {audit: vcs(exampleFleet(t))},
		"troubled": {audit: vcs(troubledFleet(t))},
		"ado":      {audit: ado, ado: true},
		"fixture":  {audit: vcs(runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...)))},
	}
	for _, name := range []string{"example", "troubled", "fixture"} {
		logs[name+"-embed"] = validated{audit: embedded(t, logs[name].audit)}
	}
	args := []string{"validate"}
	for name, v := range logs {
		in := filepath.Join(dir, name+".sarif")
		if err := os.WriteFile(in, render(t, report.SARIF{}, v.audit), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, in)
	}
	out := filepath.Join(dir, "validation.sarif")
	runMultitool(t, mt, dir, append(args, "--rule-kind", "Sarif;Ghas;GHAzDO", "--config", cfg, "--level", "Error;Warning",
		"--output", out, "--log", "ForceOverwrite", "--quiet")...)
	problems := multitoolProblems(t, out)
	for name, v := range logs {
		for _, p := range problems[name] {
			if !v.accepted(p) {
				t.Errorf("%s.sarif: multitool %s %s at %s: %s", name, p.level, p.rule, p.path, p.text)
			}
		}
	}
	// What is accepted must still be found where it is expected, or the
	// multitool's results were not read (or the allowance is stale).
	for name, rule := range map[string]string{"fixture": "GH1003", "example": "SARIF2013", "fixture-embed": "GH1003"} {
		found := false
		for _, p := range problems[name] {
			found = found || p.rule == rule
		}
		if !found {
			t.Errorf("%s.sarif: no %s found: the multitool's results were not read, or the allowance is no longer needed", name, rule)
		}
	}
}

// resultPath reads the result index out of a multitool path such as
// "runs[0].results[3].locations[0].physicalLocation.region".
var resultPath = regexp.MustCompile(`^runs\[0\]\.results\[(\d+)\]\.locations\[0\]`)

// hiveResult reports whether the result at path is located in a hive.
func hiveResult(a *report.Audit, path string) bool {
	m := resultPath.FindStringSubmatch(path)
	if m == nil {
		return false
	}
	i, _ := strconv.Atoi(m[1])
	if i >= len(a.Outcome.Findings) {
		return false
	}
	loc := a.Outcome.Findings[i].Loc
	for _, f := range a.Fleet.Files {
		if f.Name == loc.File {
			return f.Kind == model.KindHive && loc.Line == 0
		}
	}
	return false
}

// multitoolLog is what the test reads of the multitool's SARIF log.
type multitoolLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID             string                           `json:"id"`
					MessageStrings map[string]struct{ Text string } `json:"messageStrings"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID  string `json:"ruleId"`
			Level   string `json:"level"`
			Kind    string `json:"kind"`
			Message struct {
				ID        string   `json:"id"`
				Text      string   `json:"text"`
				Arguments []string `json:"arguments"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
		} `json:"invocations"`
	} `json:"runs"`
}

// multitoolProblem is one failing result of the multitool's log.
type multitoolProblem struct {
	rule, level, path, text string
}

// multitoolProblems reads the multitool's own SARIF log and lists its
// failing results at level error or warning (absent level = warning), by
// the validated file's name without ".sarif".
func multitoolProblems(t *testing.T, path string) map[string][]multitoolProblem {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the multitool wrote no log: %v", err)
	}
	var log multitoolLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("the multitool's log: %v", err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("the multitool's log has %d runs", len(log.Runs))
	}
	run := log.Runs[0]
	for _, inv := range run.Invocations {
		if !inv.ExecutionSuccessful {
			t.Errorf("the multitool's run did not complete: %s", data)
		}
	}
	out := map[string][]multitoolProblem{}
	for _, r := range run.Results {
		level := r.Level
		if level == "" {
			level = "warning"
		}
		if (r.Kind != "" && r.Kind != "fail") || (level != "error" && level != "warning") {
			continue
		}
		text := r.Message.Text
		for _, rule := range run.Tool.Driver.Rules {
			if rule.ID == r.RuleID {
				if s, ok := rule.MessageStrings[r.Message.ID]; ok {
					text = s.Text
				}
			}
		}
		for i, arg := range r.Message.Arguments {
			text = strings.ReplaceAll(text, fmt.Sprintf("{%d}", i), arg)
		}
		p := multitoolProblem{rule: r.RuleID, level: level, text: text}
		if len(r.Message.Arguments) > 0 {
			p.path = r.Message.Arguments[0]
		}
		file := ""
		if len(r.Locations) > 0 {
			file = strings.TrimSuffix(filepath.Base(r.Locations[0].PhysicalLocation.ArtifactLocation.URI), ".sarif")
		}
		out[file] = append(out[file], p)
	}
	return out
}

// embedded audits a's folder again as `ipseclint audit --sarif-embed`
// does: keeping the text inputs' text (secrets cut out) and the hive
// cells, and embedding the text in SARIF. The findings are a's.
func embedded(t testing.TB, a *report.Audit) *report.Audit {
	t.Helper()
	kept := &audit.Kept{Texts: true, Cells: true}
	fleet, err := audit.Collect([]string{a.Fleet.Root}, audit.Options{Filter: rules.KeyFilter(a.Rules), Keep: kept})
	if err != nil {
		t.Fatal(err)
	}
	if len(fleet.Files) != len(a.Fleet.Files) {
		t.Fatalf("the folder read again has %d files, not %d", len(fleet.Files), len(a.Fleet.Files))
	}
	e := *a
	e.Fleet, e.Sources = fleet, kept
	e.View.SARIFEmbed = true
	return &e
}
