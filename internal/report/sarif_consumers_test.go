package report_test

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/parsers/textenc"
	"github.com/ipseclint/ipseclint/rules"
)

// pascalCase is the multitool's pattern for rule names (SARIF2012).
var pascalCase = regexp.MustCompile(`^(\p{Lu}[\p{Ll}\p{Nd}]+)+$`)

// TestSARIFToolAndRules: the driver and each rule carry what GitHub,
// Azure DevOps and the multitool read.
func TestSARIFToolAndRules(t *testing.T) {
	a := exampleFleet(t)
	doc := decode(t, render(t, report.SARIF{}, a))
	driver := at(t, doc, "runs", 0, "tool", "driver")
	if got := str(t, driver, "fullName"); got != "ipseclint 1.0.0-test" {
		t.Errorf("fullName = %q", got)
	}
	if got := str(t, driver, "semanticVersion"); got != "1.0.0-test" {
		t.Errorf("semanticVersion = %q", got)
	}
	bands := map[rules.Severity][2]float64{rules.SeverityError: {7, 8.9}, rules.SeverityWarning: {4, 6.9}, rules.SeverityNote: {0.1, 3.9}}
	for i, r := range a.Rules {
		d := at(t, driver, "rules", i)
		name := str(t, d, "name")
		if !pascalCase.MatchString(name) || name == r.ID {
			t.Errorf("%s: name %q is not a PascalCase identifier other than the ID", r.ID, name)
		}
		if got := str(t, d, "helpUri"); got != rules.DocsBaseURI+r.ID+".md" {
			t.Errorf("%s: helpUri %q", r.ID, got)
		}
		sev, err := strconv.ParseFloat(str(t, d, "properties", "security-severity"), 64)
		band := bands[r.Severity]
		if err != nil || sev < band[0] || sev > band[1] {
			t.Errorf("%s (%s): security-severity %v (%v), want a string in GitHub's band %v", r.ID, r.Severity, sev, err, band)
		}
		tags := list(t, d, "properties", "tags")
		if len(tags) == 0 || len(tags) > 10 || tags[0] != "security" {
			t.Errorf("%s: tags %v, want at most 10 with \"security\"", r.ID, tags)
		}
	}
	// A build without a SemVer version has no semanticVersion.
	a.Tool.Version = "(devel)"
	if d := at(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0, "tool", "driver"); has(d, "semanticVersion") {
		t.Errorf("semanticVersion for version %q", a.Tool.Version)
	}
}

// TestSARIFCategoryAndRootOnRequest: automationDetails and
// originalUriBaseIds are written only when asked for.
func TestSARIFCategoryAndRootOnRequest(t *testing.T) {
	a := runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))
	run := at(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0)
	if has(run, "automationDetails") || has(run, "originalUriBaseIds") {
		t.Fatalf("automationDetails or originalUriBaseIds without being asked: %v", run)
	}
	ado := "azuredevops/pipeline/build/org/proj/12/3f2504e0-4f89-11d3-9a0c-0305e82c3301/main/345"
	for category, want := range map[string]string{"ipseclint": "ipseclint/", "ipseclint/": "ipseclint/", ado: ado} {
		a.View = report.View{SARIFCategory: category, SARIFAutomationProperties: map[string]string{"k": "v"}, SARIFRootURI: "https://example.com/fleet"}
		run := at(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0)
		if got := str(t, run, "automationDetails", "id"); got != want {
			t.Errorf("--sarif-category %q: id %q, want %q", category, got, want)
		}
		if got := str(t, run, "automationDetails", "properties", "k"); got != "v" {
			t.Errorf("automationDetails.properties: %v", at(t, run, "automationDetails"))
		}
		if got := str(t, run, "originalUriBaseIds", "AUDITROOT", "uri"); got != "https://example.com/fleet/" {
			t.Errorf("originalUriBaseIds.AUDITROOT = %q", got)
		}
	}
}

// TestSARIFProvenance: in a git work tree, paths are relative to its top
// (where GitHub looks for them) and the repository is named.
func TestSARIFProvenance(t *testing.T) {
	a := exampleFleet(t)
	a.VCS = &report.VCS{Root: filepath.Dir(filepath.Dir(a.Fleet.Root)), RepositoryURI: "https://github.com/ipseclint/ipseclint",
		Revision: strings.Repeat("ab", 20), Branch: "main"}
	run := at(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0)
	vcp := at(t, run, "versionControlProvenance", 0)
	if str(t, vcp, "repositoryUri") != a.VCS.RepositoryURI || str(t, vcp, "revisionId") != a.VCS.Revision ||
		str(t, vcp, "branch") != "main" || str(t, vcp, "mappedTo", "uriBaseId") != "SRCROOT" {
		t.Errorf("versionControlProvenance = %v", vcp)
	}
	prefix := filepath.Base(filepath.Dir(a.Fleet.Root)) + "/" + filepath.Base(a.Fleet.Root) + "/" // testdata/fleet/
	for i, r := range list(t, run, "results") {
		loc := at(t, r, "locations", 0, "physicalLocation", "artifactLocation")
		if !strings.HasPrefix(str(t, loc, "uri"), prefix) || str(t, loc, "uriBaseId") != "SRCROOT" {
			t.Errorf("result %d: %v, want a path under %s relative to SRCROOT", i, loc, prefix)
		}
	}
	// A configuration found above the audited folder, inside the work
	// tree, is named from the tree's top too, never by the auditor's
	// absolute path; one outside the tree keeps its file URI.
	if a.Fleet.Config == nil {
		t.Fatal("the example fleet has no configuration")
	}
	for _, c := range []struct{ file, uri, base string }{
		{filepath.Join(a.VCS.Root, "ipseclint.yaml"), "ipseclint.yaml", "SRCROOT"},
		{filepath.Join(filepath.Dir(a.VCS.Root), "elsewhere", "ipseclint.yaml"), "file://" + filepath.ToSlash(filepath.Join(filepath.Dir(a.VCS.Root), "elsewhere", "ipseclint.yaml")), ""},
	} {
		cfg := *a.Fleet.Config
		cfg.File = c.file
		b := *a
		fleet := *a.Fleet
		fleet.Config, b.Fleet = &cfg, &fleet
		run := at(t, decode(t, render(t, report.SARIF{}, &b)), "runs", 0)
		loc := at(t, run, "invocations", 0, "properties", "configurationFile")
		base := ""
		if has(loc, "uriBaseId") {
			base = str(t, loc, "uriBaseId")
		}
		if got := str(t, loc, "uri"); got != c.uri || base != c.base {
			t.Errorf("configuration %s: %v, want %s relative to %q", c.file, loc, c.uri, c.base)
		}
	}
	// A repository without an origin: paths still from its top, no provenance.
	a.VCS.RepositoryURI = ""
	if run := at(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0); has(run, "versionControlProvenance") {
		t.Errorf("versionControlProvenance without a repository URI")
	}
}

// decodedLines reads a text input as the parsers decode it, in lines
// (CRLF, LF or CR).
func decodedLines(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := textenc.Decode(raw, "")
	s := strings.TrimPrefix(string(text), "\ufeff")
	return strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s), "\n")
}

// TestSARIFSnippetsMatchTheFiles: every result location in a text file
// has a snippet and a context region, and both are the file's own text at
// their lines and columns: rendered from the model (the example fleet was
// written the way regedit and netsh write), or with --sarif-embed taken
// from the text kept, where a secret cut out of a line is the only
// difference.
func TestSARIFSnippetsMatchTheFiles(t *testing.T) {
	example, troubled := exampleFleet(t), troubledFleet(t)
	for name, a := range map[string]*report.Audit{"example": example, "troubled": troubled,
		"example-embed": embedded(t, example), "troubled-embed": embedded(t, troubled)} {
		doc := decode(t, render(t, report.SARIF{}, a))
		checked := 0
		for i, r := range list(t, doc, "runs", 0, "results") {
			phys := at(t, r, "locations", 0, "physicalLocation").(map[string]any)
			region, _ := phys["region"].(map[string]any)
			if region == nil || !has(region, "startLine") {
				continue // a hive: a byte range
			}
			uri, _ := url.PathUnescape(str(t, phys, "artifactLocation", "uri"))
			lines := decodedLines(t, filepath.Join(a.Fleet.Root, filepath.FromSlash(uri)))
			ctx, ok := phys["contextRegion"].(map[string]any)
			if !has(region, "snippet") || !ok || !has(ctx, "snippet") {
				t.Errorf("%s result %d (%s): no snippet or context region: %v", name, i, uri, phys)
				continue
			}
			for _, reg := range []map[string]any{region, ctx} {
				n := int(reg["startLine"].(float64))
				line := []rune(lines[n-1])
				want := string(line)
				if c, ok := reg["startColumn"].(float64); ok {
					end := int(reg["endColumn"].(float64))
					if end-1 > len(line) {
						t.Errorf("%s result %d: %s:%d has %d characters, the region ends at column %d", name, i, uri, n, len(line), end)
						continue
					}
					want = string(line[int(c)-1 : end-1])
				}
				got := str(t, reg, "snippet", "text")
				if cut, ok := strings.CutSuffix(got, model.Redacted); ok && a.View.SARIFEmbed && strings.HasPrefix(want, cut) {
					continue
				}
				if got != want {
					t.Errorf("%s result %d: %s:%d: snippet %q, the file has %q", name, i, uri, n, got, want)
				}
			}
			checked++
		}
		if checked < 20 {
			t.Errorf("%s: only %d results with snippets checked", name, checked)
		}
	}
}

// TestSARIFKeepsThePreSharedKey: EXFE04's export holds a pre-shared key
// in a hex blob; no SARIF field shows it, in clear or as the export's
// UTF-16LE hex.
func TestSARIFKeepsThePreSharedKey(t *testing.T) {
	const key = "Fl33t-Example-PSK"
	var hexKey, hexKeyNoCommas strings.Builder
	for _, c := range []byte(key) {
		fmt.Fprintf(&hexKey, "%02x,00,", c)
		hexKeyNoCommas.WriteString(hex.EncodeToString([]byte{c, 0}))
	}
	out := strings.ToLower(string(render(t, report.SARIF{}, exampleFleet(t))))
	for _, form := range []string{strings.ToLower(key), hexKey.String()[:24], hexKeyNoCommas.String()[:16]} {
		if strings.Contains(out, form) {
			t.Errorf("the SARIF output holds the pre-shared key as %q", form)
		}
	}
}

// TestSARIFSuppressions: every result says whether it is suppressed; a
// suppressed one names its accepted risk; expired and stale entries are
// configuration notifications.
func TestSARIFSuppressions(t *testing.T) {
	a := troubledFleet(t)
	run := at(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0)
	results := list(t, run, "results")
	for i, f := range a.Outcome.Findings {
		sup := list(t, results[i], "suppressions")
		if f.Suppressed == nil {
			if len(sup) != 0 {
				t.Errorf("result %d: suppressions %v on an active finding", i, sup)
			}
			continue
		}
		if len(sup) != 1 || str(t, sup[0], "kind") != "external" || str(t, sup[0], "status") != "accepted" ||
			str(t, sup[0], "justification") != f.Suppressed.Reason {
			t.Errorf("result %d: suppressions %v, want the accepted risk %q", i, sup, f.Suppressed.Reason)
		}
		if !strings.HasPrefix(str(t, sup[0], "location", "physicalLocation", "artifactLocation", "uri"), "ipseclint.yaml") {
			t.Errorf("result %d: the suppression's location does not name the configuration: %v", i, sup[0])
		}
	}
	got := map[string]int{}
	for _, n := range list(t, run, "invocations", 0, "toolConfigurationNotifications") {
		got[str(t, n, "descriptor", "id")]++
	}
	if got["accepted-risk-expired"] != 1 || got["accepted-risk-stale"] != 1 {
		t.Errorf("configuration notifications %v, want one expired and one stale", got)
	}
	props := at(t, run, "invocations", 0, "properties")
	if str(t, props, "configurationFile", "uri") != "ipseclint.yaml" || str(t, props, "rulesDisabled", 0, "id") != "IPSEC099" {
		t.Errorf("invocations[0].properties = %v", props)
	}
}

// TestSARIFMessagesAreInertMarkdown: GitHub renders message.text as
// Markdown; the HTML, links and mentions of an input reach it as text.
func TestSARIFMessagesAreInertMarkdown(t *testing.T) {
	a := syntheticAudit(t, 1)
	a.Outcome.Findings[0].Message = `policy "<img src=x onerror=alert(1)>" [x](javascript:alert(1)) pings @admins in #1 ` + "`code`"
	text := str(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0, "results", 0, "message", "text")
	if text != safetext.MarkdownInline(a.Outcome.Findings[0].Message) {
		t.Errorf("message.text %q is not MarkdownInline of the message", text)
	}
	for _, bad := range []string{`"<img`, " [x](", " @admins", " #1", " `code`"} {
		if strings.Contains(text, bad) {
			t.Errorf("message.text %q holds %q unescaped", text, bad)
		}
	}
}

// TestSARIFAndJSONKeepBytesOfNames: a folder whose name is not UTF-8 is
// named exactly in SARIF (percent-encoded) and in JSON (\xNN), not with
// U+FFFD.
func TestSARIFAndJSONKeepBytesOfNames(t *testing.T) {
	dir := t.TempDir()
	host := "FE\xff1"
	copyTree(t, filepath.Join(fixtureFleet, "FE1"), filepath.Join(dir, host))
	a := runAudit(t, dir, rulesByID(t, fixtureRules...))
	want := map[string]bool{}
	for _, f := range a.Fleet.Files {
		want[f.Name] = true
	}
	if !want[host+"/system.reg"] {
		t.Fatalf("the audit does not name %q: %v", host+"/system.reg", want)
	}
	for _, art := range list(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0, "artifacts") {
		name, err := url.PathUnescape(str(t, art, "location", "uri"))
		if err != nil || !want[name] {
			t.Errorf("SARIF artifact %v does not give back a file's name (%q, %v)", at(t, art, "location"), name, err)
		}
	}
	for _, f := range list(t, decode(t, render(t, report.JSON{}, a)), "files") {
		name, err := safetext.UnName(str(t, f, "uri"))
		if err != nil || !want[name] {
			t.Errorf("JSON file %q does not give back a file's name (%q, %v)", str(t, f, "uri"), name, err)
		}
	}
	for _, out := range [][]byte{render(t, report.SARIF{}, a), render(t, report.JSON{}, a)} {
		if strings.Contains(string(out), "\ufffd") {
			t.Error("an output holds U+FFFD")
		}
	}
}

// TestSARIFLimits: past 25,000 results the run keeps the most severe and
// says what it left out.
func TestSARIFLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a SARIF log of 25,000 results")
	}
	const n = 25_030
	a := syntheticAudit(t, n)
	run := at(t, decode(t, render(t, report.SARIF{}, a)), "runs", 0)
	results := list(t, run, "results")
	if len(results) != 25_000 {
		t.Fatalf("%d results, want 25,000", len(results))
	}
	levels := map[string]int{}
	for _, r := range results {
		levels[str(t, r, "level")]++
	}
	// n/3 errors and warnings each are all kept; the notes are cut.
	if levels["error"] != (n+2)/3 || levels["warning"] != (n+1)/3 {
		t.Errorf("kept %v: every error and warning should be kept", levels)
	}
	cut := at(t, run, "properties", "resultsCut")
	if at(t, cut, "leftOut").(float64) != n-25_000 || at(t, cut, "leftOutBySeverity", "note").(float64) != n-25_000 {
		t.Errorf("resultsCut = %v", cut)
	}
	found := false
	for _, note := range list(t, run, "invocations", 0, "toolExecutionNotifications") {
		if str(t, note, "descriptor", "id") == "results-cut" && str(t, note, "level") == "warning" &&
			strings.Contains(str(t, note, "message", "text"), "30 of 25030 results were left out") {
			found = true
		}
	}
	if !found {
		t.Error("no results-cut notification saying what was left out")
	}
}
