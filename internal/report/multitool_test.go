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

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
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

// Rules whose findings are accepted: SARIF2002 wants message ids and
// arguments instead of text (which GitHub needs); SARIF2006 checks that
// URIs answer over HTTP (disabled); SARIF2013 wants the inputs' contents
// embedded (ipseclint keeps no copy of them, and they hold secrets).
var acceptedMultitoolRules = map[string]bool{"SARIF2002": true, "SARIF2006": true, "SARIF2013": true}

// validated is one SARIF log given to the multitool.
type validated struct {
	audit *report.Audit
	ado   bool // made for Azure DevOps (automationDetails), so checked against GHAzDO's rules too
	// hives accepts GH1003, SARIF2010 and SARIF2011 on results located in
	// a binary hive: a hive has no lines (startLine would be invalid
	// SARIF for a byte range) and ipseclint keeps no bytes of it for a
	// snippet.
	hives bool
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
		"fixture":  {audit: vcs(runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))), hives: true},
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
			switch {
			case acceptedMultitoolRules[p.rule]:
			case strings.HasPrefix(p.rule, "GHAzDO") && !v.ado:
				// Azure DevOps wants automationDetails, which a log for
				// GitHub must not have (it would override upload-sarif's
				// category); the "ado" log has it.
			case v.hives && hiveResult(v.audit, p.path) && (p.rule == "GH1003" || p.rule == "SARIF2010" || p.rule == "SARIF2011"):
			default:
				t.Errorf("%s.sarif: multitool %s %s at %s: %s", name, p.level, p.rule, p.path, p.text)
			}
		}
	}
	if len(problems["fixture"]) == 0 {
		t.Error("the fixture fleet's log has no finding at all: the multitool's results were not read")
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
