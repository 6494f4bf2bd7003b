package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// schemaFile is the OASIS SARIF 2.1.0 schema (errata 01); see
// testdata/README.md for where it comes from.
const schemaFile = "testdata/sarif-schema-2.1.0.json"

func sarifSchema(t testing.TB) (*jsonschema.Schema, string) {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := doc.(map[string]any)["id"].(string)
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri, uri-reference, date-time are checked, not only noted
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch, id
}

func validateSARIF(t testing.TB, sch *jsonschema.Schema, out []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	return sch.Validate(inst)
}

// TestSARIFSchema validates the SARIF of the example fleet (every rule)
// and of the fixture fleet (failed, partly read and skipped files, hive
// locations, checks not evaluated) against the official schema.
func TestSARIFSchema(t *testing.T) {
	sch, id := sarifSchema(t)
	audits := map[string]*report.Audit{
		"example fleet": exampleFleet(t),
		"fixture fleet": runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...)),
	}
	for name, a := range audits {
		t.Run(name, func(t *testing.T) {
			out := render(t, report.SARIF{}, a)
			if err := validateSARIF(t, sch, out); err != nil {
				t.Fatalf("the SARIF does not validate against %s:\n%v", schemaFile, err)
			}
			if got := str(t, decode(t, out), "$schema"); got != id {
				t.Errorf("$schema = %q, want the schema's id %q", got, id)
			}
		})
	}
}

// TestSARIFSchemaRejects makes sure the validation above can fail: the
// schema is loaded and asserts what the printer must get right.
func TestSARIFSchemaRejects(t *testing.T) {
	sch, _ := sarifSchema(t)
	good := render(t, report.SARIF{}, runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...)))
	breakages := map[string]func(run map[string]any){
		"level fatal": func(run map[string]any) {
			run["results"].([]any)[0].(map[string]any)["level"] = "fatal"
		},
		"startLine 0": func(run map[string]any) {
			loc := run["results"].([]any)[0].(map[string]any)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"] = map[string]any{"startLine": 0}
		},
		"helpUri not a URI": func(run map[string]any) {
			rule := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
			rule["helpUri"] = "not a uri"
		},
		"unknown property": func(run map[string]any) {
			run["results"].([]any)[0].(map[string]any)["host"] = "FE1"
		},
	}
	for name, breakIt := range breakages {
		doc := decode(t, good)
		breakIt(doc["runs"].([]any)[0].(map[string]any))
		bad, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if validateSARIF(t, sch, bad) == nil {
			t.Errorf("%s: the schema accepted a broken log", name)
		}
	}
}

// fileKinds maps each input's URI relative to the root to its kind.
func fileKinds(a *report.Audit) map[string]model.FileKind {
	m := map[string]model.FileKind{}
	for _, f := range a.Fleet.Files {
		m[f.Name] = f.Kind
	}
	return m
}

// TestSARIFContract checks what the issue asks of the SARIF output, on the
// fixture fleet, result by result against the audit it was printed from.
func TestSARIFContract(t *testing.T) {
	a := runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
	doc := decode(t, render(t, report.SARIF{}, a))
	if v := str(t, doc, "version"); v != "2.1.0" {
		t.Errorf("version = %q", v)
	}
	runs := list(t, doc, "runs")
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
	run := runs[0]
	driver := at(t, run, "tool", "driver")
	if str(t, driver, "name") != "ipseclint" || str(t, driver, "version") != testTool.Version || str(t, driver, "informationUri") != testTool.InformationURI {
		t.Errorf("driver = %v", driver)
	}

	t.Run("rules", func(t *testing.T) { checkSARIFRules(t, a.Rules, list(t, driver, "rules")) })

	// Every input file is an artifact, with its status; the URIs are
	// relative to the root.
	artifacts := list(t, run, "artifacts")
	kinds := fileKinds(a)
	if len(artifacts) != len(a.Fleet.Files) {
		t.Errorf("%d artifacts for %d input files", len(artifacts), len(a.Fleet.Files))
	}
	artURI := make([]string, len(artifacts))
	for i, f := range a.Fleet.Files {
		if i >= len(artifacts) {
			break
		}
		artURI[i] = str(t, artifacts[i], "location", "uri")
		if artURI[i] != f.Name || str(t, artifacts[i], "location", "uriBaseId") != "AUDITROOT" {
			t.Errorf("artifact %d = %v, want %s relative to AUDITROOT", i, at(t, artifacts[i], "location"), f.Name)
		}
		if got := str(t, artifacts[i], "properties", "status"); got != string(f.Status) {
			t.Errorf("artifact %s: status %q, want %q", f.Name, got, f.Status)
		}
	}
	// The auditor's absolute path is not written unless asked for.
	if has(run, "originalUriBaseIds") {
		t.Errorf("originalUriBaseIds = %v without --sarif-root-uri", at(t, run, "originalUriBaseIds"))
	}

	// One result per finding, in order.
	results := list(t, run, "results")
	if len(results) != len(a.Outcome.Findings) {
		t.Fatalf("%d results for %d findings", len(results), len(a.Outcome.Findings))
	}
	seen := map[model.FileKind]bool{}
	for i, f := range a.Outcome.Findings {
		r := results[i]
		msg := f.Message
		if kinds[f.Loc.File] == model.KindHive {
			msg += fmt.Sprintf(" (binary hive %s, HKLM\\%s)", f.Loc.File, f.Loc.Key)
		}
		if str(t, r, "ruleId") != f.RuleID || str(t, r, "level") != string(f.Severity) || str(t, r, "message", "text") != safetext.MarkdownInline(msg) {
			t.Errorf("result %d = %s %s %q, want %s %s %q", i, str(t, r, "ruleId"), str(t, r, "level"), str(t, r, "message", "text"), f.RuleID, f.Severity, f.Message)
		}
		if idx := int(at(t, r, "ruleIndex").(float64)); str(t, driver, "rules", idx, "id") != f.RuleID {
			t.Errorf("result %d: ruleIndex %d names another rule", i, idx)
		}
		if str(t, r, "properties", "host") != f.Host {
			t.Errorf("result %d: properties.host = %v, want %s", i, at(t, r, "properties", "host"), f.Host)
		}
		if fp := str(t, r, "partialFingerprints", "ipseclint/v1"); fp != f.Fingerprint || fp == "" {
			t.Errorf("result %d: fingerprint %q, want %q", i, fp, f.Fingerprint)
		}
		loc := list(t, r, "locations")[0]
		uri := str(t, loc, "physicalLocation", "artifactLocation", "uri")
		if filepath.IsAbs(uri) || strings.Contains(uri, ":") {
			t.Errorf("result %d: artifact URI %q is not relative to the root", i, uri)
		}
		if idx := int(at(t, loc, "physicalLocation", "artifactLocation", "index").(float64)); artURI[idx] != uri {
			t.Errorf("result %d: artifact index %d is %s, not %s", i, idx, artURI[idx], uri)
		}
		kind := kinds[uri]
		seen[kind] = true
		region := at(t, loc, "physicalLocation", "region")
		switch kind {
		case model.KindHive:
			// The hive file, and a logical location naming the key.
			// The hive file's bytes there: the key's record.
			if !has(region, "byteOffset") || !has(region, "snippet") || !has(at(t, loc, "physicalLocation", "contextRegion"), "snippet") {
				t.Errorf("result %d in hive %s: region %v has no byte range or snippet, or no context", i, uri, region)
			}
			if fq := str(t, loc, "logicalLocations", 0, "fullyQualifiedName"); !strings.HasPrefix(fq, `HKEY_LOCAL_MACHINE\`+f.Loc.Key) || f.Loc.Key == "" {
				t.Errorf("result %d in hive %s: logical location %q does not name key %q", i, uri, fq, f.Loc.Key)
			}
		case model.KindRegExport, model.KindNetsh:
			line := int(at(t, region, "startLine").(float64))
			if line < 1 || (f.Loc.Line > 0 && line != int(f.Loc.Line)) {
				t.Errorf("result %d in %s: startLine %d, finding at line %d", i, uri, line, f.Loc.Line)
			}
		default:
			t.Errorf("result %d located in %s, a %q file", i, uri, kind)
		}
	}
	// The fixture must keep exercising every kind of location.
	for _, k := range []model.FileKind{model.KindHive, model.KindRegExport, model.KindNetsh} {
		if !seen[k] {
			t.Errorf("no result located in a %s file: the fixture fleet no longer covers that kind of location", k)
		}
	}

	t.Run("notifications", func(t *testing.T) { checkSARIFNotifications(t, a, run, artURI) })
}

func checkSARIFRules(t *testing.T, rs []*rules.Rule, got []any) {
	if len(got) != len(rs) {
		t.Fatalf("%d rules in tool.driver.rules, want %d", len(got), len(rs))
	}
	for i, r := range rs {
		d := got[i]
		want := map[string]string{
			"id": r.ID, "properties.ipseclintName": r.Name, "shortDescription.text": r.Summary, "fullDescription.text": r.Description,
			"help.markdown": r.Help(), "defaultConfiguration.level": string(r.Severity),
		}
		for path, w := range want {
			parts := []any{}
			for _, p := range strings.Split(path, ".") {
				parts = append(parts, p)
			}
			if g := str(t, d, parts...); g != w {
				t.Errorf("rule %s: %s = %q, want %q", r.ID, path, g, w)
			}
		}
		if help := str(t, d, "help", "text"); !strings.Contains(help, r.Remediation) || !strings.Contains(help, r.Description) {
			t.Errorf("rule %s: help.text lacks the description or the remediation", r.ID)
		}
		if has(d, "helpUri") != (r.HelpURI != "") {
			t.Errorf("rule %s: helpUri present = %v, rule's HelpURI = %q", r.ID, has(d, "helpUri"), r.HelpURI)
		}
	}
}

func checkSARIFNotifications(t *testing.T, a *report.Audit, run any, artURI []string) {
	inv := list(t, run, "invocations")[0]
	notes := list(t, inv, "toolExecutionNotifications")
	type key struct{ descriptor, subject string }
	got := map[key]any{}
	for _, n := range notes {
		subject := ""
		if has(n, "associatedRule") {
			subject = str(t, n, "associatedRule", "id") + " " + str(t, n, "properties", "host")
		} else {
			loc := at(t, n, "locations", 0, "physicalLocation", "artifactLocation")
			subject = str(t, loc, "uri")
			if idx := int(at(t, loc, "index").(float64)); artURI[idx] != subject {
				t.Errorf("notification on %s: artifact index %d is %s", subject, idx, artURI[idx])
			}
		}
		got[key{str(t, n, "descriptor", "id"), subject}] = n
	}
	want := map[key]string{} // -> level
	failed := false
	for _, f := range a.Fleet.Files {
		switch f.Status {
		case model.StatusFailed:
			want[key{"input-unreadable", f.Name}] = "error"
			failed = true
		case model.StatusPartial:
			want[key{"input-partly-read", f.Name}] = "warning"
		}
	}
	for _, ne := range a.Outcome.NotEvaluated {
		want[key{"rule-not-evaluated", ne.RuleID + " " + ne.Host}] = "note"
	}
	if len(want) < 3 {
		t.Errorf("the fixture fleet should have a failed file, a partly read file and a check not evaluated; it has %v", want)
	}
	for k, level := range want {
		n, ok := got[k]
		if !ok {
			t.Errorf("no %s notification for %s", k.descriptor, k.subject)
			continue
		}
		if l := str(t, n, "level"); l != level {
			t.Errorf("%s notification for %s: level %s, want %s", k.descriptor, k.subject, l, level)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d notifications, want %d: %v", len(got), len(want), notes)
	}
	if ok := at(t, inv, "executionSuccessful").(bool); ok == failed {
		t.Errorf("executionSuccessful = %v with a failed input: %v", ok, failed)
	}
}

// TestSARIFHelpURI: helpUri is written for a rule that has one.
func TestSARIFHelpURI(t *testing.T) {
	r := *rules.ByID("IPSEC001")
	r.HelpURI = "https://example.com/ipseclint/IPSEC001"
	a := runAudit(t, fixtureFleet, []*rules.Rule{&r})
	doc := decode(t, render(t, report.SARIF{}, a))
	if got := str(t, doc, "runs", 0, "tool", "driver", "rules", 0, "helpUri"); got != r.HelpURI {
		t.Errorf("helpUri = %q, want %q", got, r.HelpURI)
	}
}

// TestSARIFExampleFleet: the README's example fleet is read completely,
// so its run succeeds and names no unreadable file.
func TestSARIFExampleFleet(t *testing.T) {
	a := exampleFleet(t)
	for _, f := range a.Fleet.Files {
		if f.Status.Incomplete() {
			t.Errorf("example fleet: %s is %s: %s", f.Name, f.Status, f.Reason)
		}
	}
	doc := decode(t, render(t, report.SARIF{}, a))
	if !at(t, doc, "runs", 0, "invocations", 0, "executionSuccessful").(bool) {
		t.Error("executionSuccessful is false for the example fleet")
	}
	if n := len(list(t, doc, "runs", 0, "artifacts")); n != len(a.Fleet.Files) {
		t.Errorf("%d artifacts for %d files", n, len(a.Fleet.Files))
	}
}

// fingerprints maps "rule host subject" to each result's fingerprint and start line.
func fingerprints(t *testing.T, a *report.Audit) map[string][2]any {
	t.Helper()
	doc := decode(t, render(t, report.SARIF{}, a))
	out := map[string][2]any{}
	for _, r := range list(t, doc, "runs", 0, "results") {
		k := str(t, r, "ruleId") + " " + str(t, r, "properties", "host") + " " + str(t, r, "properties", "subject")
		var line any
		if reg, ok := at(t, r, "locations", 0, "physicalLocation").(map[string]any)["region"].(map[string]any); ok {
			line = reg["startLine"]
		}
		if _, dup := out[k]; dup {
			t.Errorf("two results for %s", k)
		}
		out[k] = [2]any{str(t, r, "partialFingerprints", "ipseclint/v1"), line}
	}
	return out
}

// TestSARIFFingerprintsStable: partialFingerprints do not change from run
// to run, nor when lines move in the inputs or the fleet is audited from
// another folder, and differ between findings.
func TestSARIFFingerprintsStable(t *testing.T) {
	rs := rulesByID(t, fixtureRules...)
	first := fingerprints(t, runAudit(t, fixtureFleet, rs))
	again := fingerprints(t, runAudit(t, fixtureFleet, rs))
	distinct := map[any]bool{}
	for k, v := range first {
		if again[k][0] != v[0] {
			t.Errorf("%s: fingerprint %v, then %v", k, v[0], again[k][0])
		}
		distinct[v[0]] = true
	}
	if len(distinct) != len(first) {
		t.Errorf("%d findings share %d fingerprints", len(first), len(distinct))
	}

	// The same fleet elsewhere, with three lines added near the top of
	// FE1's .reg export and netsh dump: every finding there moves down.
	dir := t.TempDir()
	copyTree(t, fixtureFleet, dir)
	insertLines(t, filepath.Join(dir, "FE1", "system.reg"), 1, "; shifted\n; by the\n; test\n")
	insertLines(t, filepath.Join(dir, "FE1", "ipsec.txt"), 0, "# shifted\n# by the\n# test\n")
	shifted := fingerprints(t, runAudit(t, dir, rs))
	moved := 0
	for k, v := range first {
		s, ok := shifted[k]
		if !ok {
			t.Errorf("%s: gone after the lines moved", k)
			continue
		}
		if s[0] != v[0] {
			t.Errorf("%s: fingerprint changed from %v to %v when its line moved", k, v[0], s[0])
		}
		if v[1] != nil && s[1] != v[1] {
			moved++
			if s[1].(float64) != v[1].(float64)+3 {
				t.Errorf("%s: line %v became %v, want 3 more", k, v[1], s[1])
			}
		}
	}
	if moved < 2 {
		t.Errorf("only %d results moved: the test no longer shifts the lines of findings", moved)
	}
	if len(shifted) != len(first) {
		t.Errorf("%d results after shifting, %d before", len(shifted), len(first))
	}
}

// insertLines inserts text after the first n lines of the file.
func insertLines(t *testing.T, path string, n int, text string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	out := strings.Join(lines[:n], "") + text + strings.Join(lines[n:], "")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}
