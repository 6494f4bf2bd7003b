package report_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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

// TestMultitoolValidate runs `Sarif.Multitool validate` with its SARIF
// rules and its GitHub code-scanning rules on the example fleet's SARIF
// and the fixture fleet's, and fails on any error or warning it reports.
// Its notes (suggestions such as embedding file contents or code
// snippets) are not failures.
func TestMultitoolValidate(t *testing.T) {
	mt := multitool(t)
	audits := map[string]*report.Audit{
		"example": exampleFleet(t),
		"fixture": runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...)),
	}
	for name, a := range audits {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, name+".sarif")
			if err := os.WriteFile(in, render(t, report.SARIF{}, a), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "validation.sarif")
			cmd := exec.Command(mt, "validate", in, "--output", out, "--quiet",
				"--rule-kind", "Sarif;Gh", "--level", "Error;Warning")
			// The self-contained .NET program needs no ICU for this, and
			// must not phone home.
			cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1")
			cmd.Dir = dir
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s validate: %v\n%s", mt, err, msg)
			}
			for _, p := range multitoolProblems(t, out) {
				t.Error(p)
			}
		})
	}
}

// multitoolProblems reads the multitool's own SARIF log and lists its
// failing results at level error or warning (absent level = warning).
func multitoolProblems(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the multitool wrote no log: %v", err)
	}
	var log struct {
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
			} `json:"results"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
			} `json:"invocations"`
		} `json:"runs"`
	}
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
	var out []string
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
		out = append(out, fmt.Sprintf("multitool %s %s: %s", level, r.RuleID, text))
	}
	return out
}
