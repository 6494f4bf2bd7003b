package report_test

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// hostilePayloads are what a forged export can put in any string the
// report shows: markup, attribute breakouts, script URLs, terminal
// escapes, a bidirectional override, bytes that are not UTF-8 and other
// control characters (NUL, C1 NEL, a bidirectional isolate).
var hostilePayloads = []string{
	`<script>alert(1)</script>`,
	`"onmouseover=alert(2) x="`,
	`javascript:alert(3)`,
	`<img src=x onerror=alert(4)>`,
	`'><svg onload=alert(5)>`,
	"\x1b]0;owned\x07",
	"\u202etxt.exe",
	"caf\xe9\xff\xfe",
	"nul\x00nel\u0085iso\u2066end",
}

// hostileAudit audits a copy of the example fleet whose file and folder
// names carry the payloads (real names on disk, as an archive could carry
// them), then puts the payloads in every other kind of string an input
// can control (host names, messages, subjects, reasons, facts, accepted
// risks, the configuration file's name), and adds a rule whose Markdown
// documentation is hostile.
func hostileAudit(t *testing.T) *report.Audit {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, filepath.Join(testutil.RepoRoot(t), "testdata", "fleet"), dir)
	for _, name := range []string{
		"EXFE01/" + hostilePayloads[2] + ".txt",
		"EXFE02/" + hostilePayloads[1] + ".txt",
		hostilePayloads[3] + ".txt",
		"EXFE01/" + hostilePayloads[5] + ".txt",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("not an export\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(filepath.Join(dir, "EXFE03"), filepath.Join(dir, "EXFE03"+hostilePayloads[4])); err != nil {
		t.Fatal(err)
	}
	a := runAudit(t, dir, rules.All())
	poison(t, a)
	return a
}

// poison puts the payloads into the audit's input strings.
func poison(t *testing.T, a *report.Audit) {
	t.Helper()
	p := hostilePayloads
	h := a.Fleet.Host("EXFE01")
	if h == nil {
		t.Fatal("no EXFE01 in the example fleet")
	}
	old := h.Name
	h.Name += p[0]
	h.NameSource += p[1]
	h.Role.Why += p[4]
	h.Facts.ComputerName.Via += p[3]
	h.Facts.OS.Value.ProductName += p[6]
	h.Facts.OS.Value.ServicePack += p[7]
	h.Dir += p[8]
	h.Facts.Policy.Value.Name += p[0]
	h.Files[0].Reason += "\n| error | IPSEC999 | forged row " + p[1]
	for i := range a.Outcome.Findings {
		if f := &a.Outcome.Findings[i]; f.Host == old {
			f.Host = h.Name
		}
	}
	for i := range a.Outcome.NotEvaluated {
		a.Outcome.NotEvaluated[i].Reason += p[3]
	}
	a.Outcome.NotEvaluated = append(a.Outcome.NotEvaluated, rules.NotEvaluated{RuleID: "IPSEC014", Host: h.Name, Reason: p[0]})
	f := &a.Outcome.Findings[0]
	f.Message += p[0] + p[1] + p[3] + p[6] + p[7] + p[8]
	f.Subject = p[2]
	f.Related = append(f.Related, model.Location{File: p[3], Line: 1})
	f.Uncertain = append(f.Uncertain, p[4])
	f.Suppressed = &rules.Suppression{Reason: p[0], Ticket: p[2], Expires: p[1], Loc: model.Location{File: "ipseclint.yaml", Line: 3}}
	risk := &model.AcceptedRisk{Rule: model.RuleRef{Ref: p[0]}, Host: p[1], Subject: p[4], Reason: p[3], Ticket: p[2], Expires: p[5], Loc: model.Location{File: p[3], Line: 1}}
	a.Outcome.Accepted = append(a.Outcome.Accepted, rules.AcceptedStatus{Risk: risk, Status: "stale"})
	a.Outcome.Disabled = append(a.Outcome.Disabled, rules.DisabledRule{ID: "IPSEC099", By: p[4]})
	a.Fleet.Config.File = p[3] + ".yaml"
	if len(a.Outcome.Failover) == 0 {
		t.Fatal("the example fleet has no failover estimate")
	}
	a.Outcome.Failover[0].Why += p[0] + p[7]
	a.Outcome.Failover[0].Uncertain += p[8]
	a.Tool.Version = p[1]
	a.Rules = append(a.Rules, &rules.Rule{ID: "TEST999", Name: "hostile-doc", Severity: rules.SeverityNote,
		Summary:     "a summary with " + p[0] + " and `" + p[3] + "`",
		Description: "text " + p[4] + "\n\n- item [click](" + p[2] + ")\n- [ok](https://example.com/)\n\n```\n" + p[0] + "\n```",
		Remediation: "fix " + p[1], References: []rules.Reference{{Title: p[0], URL: p[2]}, {Title: "plain"}}})
}

// htmlTag is a start or end tag of the page, as scanTags reads it.
type htmlTag struct {
	name  string
	end   bool
	attrs [][2]string // name, value as written (entities not decoded)
	body  string      // the raw text of a <script> or <style>
}

// scanTags reads the tags of a page this package wrote. html/template
// escapes '<' in text and quotes in attribute values, so every '<' of the
// page opens a tag and a quoted value ends at the next quote of its
// kind: if an input string broke out of its text or attribute, the tags
// and attributes read here show it.
func scanTags(t *testing.T, s string) []htmlTag {
	t.Helper()
	var tags []htmlTag
	for i := strings.IndexByte(s, '<'); i >= 0; i = nextTag(s, i) {
		if strings.HasPrefix(s[i:], "<!DOCTYPE") {
			continue
		}
		tag, n := readTag(t, s[i:])
		if !tag.end && (tag.name == "script" || tag.name == "style") {
			end := strings.Index(s[i+n:], "</"+tag.name+">")
			if end < 0 {
				t.Fatalf("<%s> is not closed", tag.name)
			}
			tag.body = s[i+n : i+n+end]
			n += end
		}
		tags = append(tags, tag)
		i += n - 1
	}
	return tags
}

func nextTag(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '<')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

var tagName = regexp.MustCompile(`^</?([a-z][a-z0-9]*)`)
var attrRE = regexp.MustCompile(`^\s+([^\s=>"'/]+)(?:="([^"]*)"|='([^']*)'|=([^\s>"']+))?`)

// readTag reads the tag at the start of s and returns it with its length.
func readTag(t *testing.T, s string) (htmlTag, int) {
	t.Helper()
	m := tagName.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("'<' that opens no tag: %.60q", s)
	}
	tag := htmlTag{name: m[1], end: s[1] == '/'}
	i := len(m[0])
	for {
		if strings.HasPrefix(s[i:], ">") {
			return tag, i + 1
		}
		a := attrRE.FindStringSubmatch(s[i:])
		if a == nil {
			t.Fatalf("<%s>: cannot read the attributes at %.60q", tag.name, s[i:])
		}
		if strings.Contains(a[0], "=") && !strings.Contains(a[0], `="`) {
			t.Errorf("<%s %s>: an attribute value not in double quotes: %q", tag.name, a[1], a[0])
		}
		tag.attrs = append(tag.attrs, [2]string{a[1], a[2] + a[3] + a[4]})
		i += len(a[0])
	}
}

// pageTags are the elements the template writes; any other is markup
// that came from an input.
var pageTags = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`html head meta title style body header h1 h2 h3 h4 h5 p code pre nav a main section div span
		label input table thead tbody tr th td ul li dl dt dd article details summary br footer script strong`) {
		pageTags[n] = true
	}
}

// checkMarkup asserts that the page is the template's markup only: known
// elements, no event-handler attributes, links only to anchors of the page
// and to https documents, one script (the embedded one), and no control
// or bidirectional character.
func checkMarkup(t *testing.T, out string) {
	t.Helper()
	js, err := os.ReadFile(filepath.Join("html", "report.js"))
	if err != nil {
		t.Fatal(err)
	}
	scripts := 0
	for _, tag := range scanTags(t, out) {
		if tag.name == "script" && !tag.end {
			scripts++
			if tag.body != string(js) {
				t.Errorf("a <script> that is not the embedded report.js: %.80q", tag.body)
			}
		}
		checkTag(t, tag)
	}
	if scripts != 1 {
		t.Errorf("%d <script> elements, want the one embedded script", scripts)
	}
	checkCharacters(t, out)
}

// checkCharacters asserts that the page is valid UTF-8 without control
// characters (but newlines) or format characters (bidirectional
// overrides and isolates, zero-width characters).
func checkCharacters(t *testing.T, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Error("the page is not valid UTF-8")
	}
	for i, r := range out {
		if (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			t.Errorf("the page contains the character %U at byte %d", r, i)
			return
		}
	}
}

// checkTag asserts that tag is one the template writes, with attributes
// that run nothing and load nothing.
func checkTag(t *testing.T, tag htmlTag) {
	t.Helper()
	if !pageTags[tag.name] {
		t.Errorf("element <%s> is not one the template writes", tag.name)
	}
	for _, a := range tag.attrs {
		name, value := a[0], html.UnescapeString(a[1])
		switch {
		case strings.HasPrefix(name, "on"):
			t.Errorf("<%s> has an event handler attribute %s=%q", tag.name, name, value)
		case name == "href" && !strings.HasPrefix(value, "#") && !strings.HasPrefix(value, "https://"):
			t.Errorf("<%s> links to %q: only anchors and https documents are expected", tag.name, value)
		case name == "style" || name == "src" || name == "srcdoc" || name == "formaction":
			t.Errorf("<%s> has a %s attribute", tag.name, name)
		}
	}
}

// TestHTMLEscapesInputs renders a fleet whose every input string carries
// markup, attribute breakouts and script URLs, and expects each shown as
// text: never raw in the page, never opening an element or attribute.
func TestHTMLEscapesInputs(t *testing.T) {
	out := string(render(t, report.HTML{}, hostileAudit(t)))
	checkMarkup(t, out)
	text := html.UnescapeString(out)
	for _, p := range hostilePayloads {
		if (safetext.Text(p) != p || strings.ContainsAny(p, "<>\"'")) && strings.Contains(out, p) {
			t.Errorf("payload %q appears unescaped in the page", p)
		}
		if shown := safetext.Text(p); !strings.Contains(text, shown) {
			t.Errorf("payload %q is not shown as the text %q", p, shown)
		}
	}
	if strings.Contains(text, "\n| error | IPSEC999") {
		t.Error("a newline of a file's reason reaches the page raw")
	}
	if !strings.Contains(out, `href="#ZgotmplZ"`) {
		t.Error("the hostile rule's javascript: link was not neutralized by html/template")
	}
}

// TestHTMLExampleFleet checks the page of the example fleet as markup:
// the template's elements only, the summary's numbers, and every link to
// an anchor has its target.
func TestHTMLExampleFleet(t *testing.T) {
	a := exampleFleet(t)
	out := string(render(t, report.HTML{}, a))
	checkMarkup(t, out)
	ids := map[string]bool{}
	var hrefs []string
	for _, tag := range scanTags(t, out) {
		for _, at := range tag.attrs {
			switch {
			case at[0] == "id" && ids[at[1]]:
				t.Errorf("id %q is used twice", at[1])
			case at[0] == "id":
				ids[at[1]] = true
			case at[0] == "href" && strings.HasPrefix(at[1], "#"):
				hrefs = append(hrefs, at[1][1:])
			}
		}
	}
	for _, h := range hrefs {
		if !ids[h] {
			t.Errorf("link #%s has no target", h)
		}
	}
	s := a.Summarize()
	for _, want := range []string{
		`<span class="n">` + strconv.Itoa(s.Hosts) + `</span><span class="l">hosts</span>`,
		`<span class="n">` + strconv.Itoa(s.Findings["error"]) + `</span><span class="l">errors</span>`,
		`<span class="n">` + strconv.Itoa(s.NotEvaluated) + `</span><span class="l">not evaluated</span>`,
		`configuration <code>ipseclint.yaml</code>`,
		// The rule documents' Markdown: code spans, code blocks, references.
		`<code>Oakley\NLBSFlags</code>`,
		"<pre><code>Windows Registry Editor Version 5.00\n",
		`<a href="https://support.microsoft.com/kb/821839" rel="noreferrer">KB 821839: `,
		// A failover estimate, with its evidence.
		`<span class="badge failover-slow">about 6 minutes</span>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestHTMLContentSecurityPolicy checks that the page's CSP allows exactly
// its inline style and script, by hash, and nothing else.
func TestHTMLContentSecurityPolicy(t *testing.T) {
	out := string(render(t, report.HTML{}, exampleFleet(t)))
	var csp, style, script string
	for _, tag := range scanTags(t, out) {
		switch {
		case tag.name == "meta" && len(tag.attrs) == 2 && tag.attrs[0] == [2]string{"http-equiv", "Content-Security-Policy"}:
			csp = html.UnescapeString(tag.attrs[1][1])
		case tag.name == "style" && !tag.end:
			style = tag.body
		case tag.name == "script" && !tag.end:
			script = tag.body
		}
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	want := "default-src 'none'; style-src " + hash(style) + "; script-src " + hash(script) + "; base-uri 'none'; form-action 'none'"
	if csp != want {
		t.Errorf("Content-Security-Policy:\n got %q\nwant %q", csp, want)
	}
}

// matrixCell is one cell of the page's matrix as the test reads it.
type matrixCell struct{ state, href, label string }

var (
	matrixRow    = regexp.MustCompile(`<tr[^>]*><th scope="row"><a href="#(host-\d+)" class="hostname">([^<]*)</a>.*</tr>`)
	matrixCellRE = regexp.MustCompile(`<td class="cell (\w+)"><a href="([^"]*)" title="[^"]*">([^<]*)</a></td>`)
)

// matrixOf reads the page's matrix: host name -> rule ID -> cell.
func matrixOf(t *testing.T, out string, ruleIDs []string) map[string]map[string]matrixCell {
	t.Helper()
	m := map[string]map[string]matrixCell{}
	for _, row := range matrixRow.FindAllStringSubmatch(out, -1) {
		cells := matrixCellRE.FindAllStringSubmatch(row[0], -1)
		if len(cells) != len(ruleIDs) {
			t.Fatalf("host %s: %d cells, want one per rule (%d)", row[2], len(cells), len(ruleIDs))
		}
		m[html.UnescapeString(row[2])] = map[string]matrixCell{}
		for i, c := range cells {
			m[html.UnescapeString(row[2])][ruleIDs[i]] = matrixCell{c[1], c[2], c[3]}
		}
	}
	return m
}

// TestHTMLMatrix checks the cell semantics on the example fleet's hosts
// (their real roles) with an outcome made for the test, so that every
// state is present whatever the rules find today.
func TestHTMLMatrix(t *testing.T) {
	a := exampleFleet(t)
	var ids []string
	for _, r := range a.Rules {
		ids = append(ids, r.ID)
	}
	a.Outcome = matrixOutcome()
	out := string(render(t, report.HTML{}, a))
	m := matrixOf(t, out, ids)
	if len(m) != len(a.Fleet.Hosts) {
		t.Fatalf("the matrix has %d host rows, want %d", len(m), len(a.Fleet.Hosts))
	}
	hostRow := map[string]string{}
	for i, h := range a.Fleet.Hosts {
		hostRow[h.Name] = "host-" + strconv.Itoa(i+1)
	}
	cases := []struct {
		host, rule, state, href, label string
	}{
		// Worst severity and count of the host's findings that are not suppressed.
		{"EXFE01", "IPSEC002", "error", "-IPSEC002-1", "error 3"},
		{"EXBE01", "IPSEC010", "warning", "-IPSEC010-1", "warning 2"},
		{"EXBE01", "IPSEC015", "note", "-IPSEC015-1", "note 1"},
		{"EXFE01", "IPSEC001", "warning", "-IPSEC001-1", "warning 1"},
		// Only suppressed findings.
		{"EXFE03", "IPSEC013", "suppressed", "-IPSEC013-1", "suppressed 1"},
		// Not evaluated on the host, and on the fleet (every host without a finding).
		{"W2KBE01", "IPSEC008", "notevaluated", "-IPSEC008-ne-1", "not evaluated"},
		{"EXFE02", "IPSEC014", "notevaluated", "#fleet-IPSEC014-ne-1", "not evaluated"},
		// IPSEC001 judges front-ends: passed on a clean front-end, not
		// applicable on a back-end.
		{"EXFE02", "IPSEC001", "passed", "#rule-IPSEC001", "passed"},
		{"EXBE01", "IPSEC001", "na", "#rule-IPSEC001", "n/a"},
		// IPSEC010 judges back-ends.
		{"W2KBE01", "IPSEC010", "passed", "#rule-IPSEC010", "passed"},
		{"EXFE02", "IPSEC010", "na", "#rule-IPSEC010", "n/a"},
		// IPSEC009 judges both roles.
		{"EXFE02", "IPSEC009", "passed", "#rule-IPSEC009", "passed"},
		{"EXBE01", "IPSEC009", "passed", "#rule-IPSEC009", "passed"},
		// IPSEC012 judges every host: every host without a finding passes;
		// IPSEC015 too (it fired on EXBE01 only).
		{"EXFE02", "IPSEC015", "passed", "#rule-IPSEC015", "passed"},
		{"EXFE02", "IPSEC012", "passed", "#rule-IPSEC012", "passed"},
		{"EXBE01", "IPSEC012", "passed", "#rule-IPSEC012", "passed"},
	}
	for _, c := range cases {
		want := matrixCell{c.state, c.href, c.label}
		if strings.HasPrefix(c.href, "-") {
			want.href = "#" + hostRow[c.host] + c.href
		}
		if got := m[c.host][c.rule]; got != want {
			t.Errorf("%s × %s = %+v, want %+v", c.host, c.rule, got, want)
		}
	}
	if !strings.Contains(out, `title="IPSEC001 nlbsflags-missing on EXFE01: 1 warning (and 1 suppressed finding)"`) {
		t.Error("a cell's title does not count the suppressed finding beside the active ones")
	}
	if !strings.Contains(out, `: not applicable: the rule judges frontends, not backends"`) {
		t.Error("an n/a cell's title does not say which roles the rule judges")
	}
	for _, id := range []string{"fleet-IPSEC014-ne-1", hostRow["W2KBE01"] + "-IPSEC008-ne-1", hostRow["EXFE03"] + "-IPSEC013-1"} {
		if !strings.Contains(out, `id="`+id+`"`) {
			t.Errorf("no element with id %q, which a cell links to", id)
		}
	}
}

// matrixOutcome is an outcome on the example fleet's hosts with every
// cell state in it.
func matrixOutcome() rules.Outcome {
	finding := func(host, rule string, sev rules.Severity, subject string) rules.Finding {
		return rules.Finding{RuleID: rule, Host: host, Severity: sev, Subject: subject, Message: rule + " on " + host}
	}
	suppressed := func(f rules.Finding) rules.Finding {
		f.Suppressed = &rules.Suppression{Reason: "accepted until the migration"}
		return f
	}
	return rules.Outcome{
		Findings: []rules.Finding{
			finding("EXBE01", "IPSEC010", rules.SeverityWarning, "a"), finding("EXBE01", "IPSEC010", rules.SeverityWarning, "b"),
			finding("EXBE01", "IPSEC015", rules.SeverityNote, "a"),
			finding("EXFE01", "IPSEC001", rules.SeverityWarning, "a"), suppressed(finding("EXFE01", "IPSEC001", rules.SeverityError, "b")),
			finding("EXFE01", "IPSEC002", rules.SeverityWarning, "a"), finding("EXFE01", "IPSEC002", rules.SeverityError, "b"),
			finding("EXFE01", "IPSEC002", rules.SeverityNote, "c"),
			suppressed(finding("EXFE03", "IPSEC013", rules.SeverityError, "a")),
			finding("EXFE03", "IPSEC009", rules.SeverityWarning, "a"),
		},
		NotEvaluated: []rules.NotEvaluated{
			{RuleID: "IPSEC008", Host: "W2KBE01", Reason: "policy contents missing"},
			{RuleID: "IPSEC009", Host: "W2KBE01", Reason: "policy contents missing"},
			{RuleID: "IPSEC014", Reason: "no flows"},
		},
	}
}

// TestHTMLHidesPresharedKeys renders the IPSEC014 fixture, whose netsh
// dump authenticates with psk="...": the page names the key's length and
// never the key, anywhere (text, attributes, the rules' sections).
func TestHTMLHidesPresharedKeys(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "rules", "testdata", "IPSEC014", "fires-netsh-psk")
	dump, err := os.ReadFile(filepath.Join(dir, "FE1", "ipsec.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`psk="([^"]+)"`).FindSubmatch(dump)
	if m == nil {
		t.Fatal("the fixture's dump has no psk=\"...\": it no longer tests key redaction")
	}
	key := string(m[1])
	out := string(render(t, report.HTML{}, runAudit(t, dir, rules.All())))
	if strings.Contains(out, key) || strings.Contains(html.UnescapeString(out), key) {
		t.Errorf("the page contains the pre-shared key %q", key)
	}
	if want := "pre-shared key (" + strconv.Itoa(len(key)) + " characters, not shown)"; !strings.Contains(out, want) {
		t.Errorf("the page lacks the IPSEC014 finding's %q", want)
	}
}
