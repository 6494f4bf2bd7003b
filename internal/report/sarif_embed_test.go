package report_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// keyForms are the spellings of a pre-shared key an output must not
// hold, lower case: as it is, and its UTF-16LE and ASCII bytes in hex
// with and without commas.
func keyForms(key string) []string {
	var u16 []byte
	for _, c := range []byte(key) {
		u16 = append(u16, c, 0)
	}
	commas := func(b []byte) string {
		var parts []string
		for _, c := range b {
			parts = append(parts, hex.EncodeToString([]byte{c}))
		}
		return strings.Join(parts, ",")
	}
	return []string{strings.ToLower(key), hex.EncodeToString(u16), commas(u16), hex.EncodeToString([]byte(key)), commas([]byte(key))}
}

// strings of a decoded JSON document, every one.
func allStrings(v any, out *[]string) {
	switch v := v.(type) {
	case string:
		*out = append(*out, v)
	case []any:
		for _, e := range v {
			allStrings(e, out)
		}
	case map[string]any:
		for k, e := range v {
			*out = append(*out, k)
			allStrings(e, out)
		}
	}
}

// keyIn returns the form in which a SARIF log holds key, in its raw text
// or in any of its strings decoded, in any case, also once the commas,
// backslashes, line ends and blanks of a wrapped hex value are taken out
// (a key cut over two lines); base64 snippets are decoded too.
func keyIn(t *testing.T, out []byte, key string) string {
	t.Helper()
	var ss []string
	allStrings(decode(t, out), &ss)
	for _, s := range ss {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(s) > 8 {
			ss = append(ss, string(b), hex.EncodeToString(b))
		}
	}
	text := strings.ToLower(string(out) + "\n" + strings.Join(ss, "\n"))
	packed := strings.NewReplacer(",", "", "\\", "", "\n", "", " ", "", "\t", "").Replace(text)
	for _, f := range keyForms(key) {
		if strings.Contains(text, f) || strings.Contains(packed, strings.ReplaceAll(f, ",", "")) {
			return f
		}
	}
	return ""
}

// TestSARIFEmbedKeepsNoKey: with and without --sarif-embed, no form of a
// pre-shared key is in the SARIF log: EXFE04's export holds
// "Fl33t-Example-PSK" in an NFA blob (UTF-16LE hex over several lines),
// the IPSEC014 fixtures set keys with netsh's psk=.
func TestSARIFEmbedKeepsNoKey(t *testing.T) {
	root := testutil.RepoRoot(t)
	fleets := map[string][]string{
		filepath.Join(root, "testdata", "fleet"):                                            {"Fl33t-Example-PSK"},
		filepath.Join(root, "rules", "testdata", "IPSEC014", "fires-netsh-psk"):             {"Exch4nge-FEBE-2004"},
		filepath.Join(root, "rules", "testdata", "IPSEC014", "quiet-psk-rule-not-deciding"): {"branch-key"},
	}
	for dir, keys := range fleets {
		a := runAudit(t, dir, rules.All())
		for _, e := range []*report.Audit{a, embedded(t, a)} {
			out := render(t, report.SARIF{}, e)
			if e.View.SARIFEmbed && !bytes.Contains(out, []byte(`"contents": {`)) {
				t.Fatalf("%s: nothing embedded", dir)
			}
			for _, key := range keys {
				if f := keyIn(t, out, key); f != "" {
					t.Errorf("%s (embed %v): the SARIF log holds the key %q as %q", dir, e.View.SARIFEmbed, key, f)
				}
			}
		}
	}
	// The check finds a key where there is one.
	if keyIn(t, []byte(`{"a": "46,00,6C,00,33,00,33,00,74,00,2D,00,45,00,78,00,61,00,\\\n  6d,00,70,00,6c,00,65,00,2d,00,50,00,53,00,4b,00"}`), "Fl33t-Example-PSK") == "" {
		t.Error("keyIn misses a wrapped UTF-16 hex key")
	}
}

// TestSARIFEmbeddedContents: with --sarif-embed every text input read
// has its text embedded, line for line the file's (decoded) but for the
// lines a secret was cut from, which the artifact's redactions count;
// a hive says why it is not embedded; without the flag nothing is.
func TestSARIFEmbeddedContents(t *testing.T) {
	a := embedded(t, troubledFleet(t))
	doc := decode(t, render(t, report.SARIF{}, a))
	cut := 0
	for _, art := range list(t, doc, "runs", 0, "artifacts") {
		uri, _ := url.PathUnescape(str(t, art, "location", "uri"))
		props := at(t, art, "properties").(map[string]any)
		kind, status := props["kind"], props["status"]
		readText := (kind == "reg" || kind == "netsh" || kind == "config") && (status == "read" || status == "partial")
		if !readText {
			if has(art, "contents") || !strings.HasPrefix(props["contents"].(string), "not embedded: ") {
				t.Errorf("%s (%s, %s): contents %v, properties.contents %q", uri, kind, status, at(t, art), props["contents"])
			}
			continue
		}
		if !has(art, "contents") {
			t.Errorf("%s: not embedded: %v", uri, props["contents"])
			continue
		}
		got := strings.Split(strings.TrimSuffix(str(t, art, "contents", "text"), "\n"), "\n")
		want := decodedLines(t, filepath.Join(a.Fleet.Root, filepath.FromSlash(uri)))
		if len(want) > 0 && want[len(want)-1] == "" {
			want = want[:len(want)-1]
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d lines embedded, the file has %d", uri, len(got), len(want))
			continue
		}
		differ := 0
		for i := range got {
			if got[i] != want[i] {
				differ++
				if !strings.HasSuffix(got[i], model.Redacted) || !strings.HasPrefix(want[i], strings.TrimSuffix(got[i], model.Redacted)) {
					t.Errorf("%s:%d: embedded %q, the file has %q", uri, i+1, got[i], want[i])
				}
			}
		}
		if differ > 0 && !has(props, "redactions") {
			t.Errorf("%s: %d lines cut, no redactions said", uri, differ)
		}
		cut += differ
	}
	if cut == 0 {
		t.Error("nothing was cut out of the troubled fleet (EXFE04's NFA blob)")
	}
}

// TestSARIFHiveRegions: a location in a hive (a result's, or a related
// one) has a byte region (the key's or value's record name) and a larger
// context region (its cell), both with the file's bytes there as
// snippets.
func TestSARIFHiveRegions(t *testing.T) {
	for name, a := range map[string]*report.Audit{"example": exampleFleet(t), "fixture": runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...))} {
		doc := decode(t, render(t, report.SARIF{}, a))
		checked := 0
		for _, r := range list(t, doc, "runs", 0, "results") {
			locs := list(t, r, "locations")
			if rel, ok := r.(map[string]any)["relatedLocations"].([]any); ok {
				locs = append(locs, rel...)
			}
			for _, l := range locs {
				phys, ok := l.(map[string]any)["physicalLocation"].(map[string]any)
				if region, _ := phys["region"].(map[string]any); ok && has(region, "byteOffset") {
					checkHiveRegion(t, a.Fleet.Root, phys)
					checked++
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: no hive location checked", name)
		}
	}
}

// checkHiveRegion checks a hive location's regions against the file.
func checkHiveRegion(t *testing.T, root string, phys map[string]any) {
	t.Helper()
	uri, _ := url.PathUnescape(str(t, phys, "artifactLocation", "uri"))
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(uri)))
	if err != nil {
		t.Fatal(err)
	}
	var spans [2][2]int
	for j, reg := range []any{phys["region"], phys["contextRegion"]} {
		off, n := int(at(t, reg, "byteOffset").(float64)), int(at(t, reg, "byteLength").(float64))
		snip, err := base64.StdEncoding.DecodeString(str(t, reg, "snippet", "binary"))
		if err != nil || off+n > len(data) || !bytes.Equal(snip, data[off:off+n]) {
			t.Errorf("%s: the snippet of %d+%d is not the file's bytes (%v)", uri, off, n, err)
		}
		spans[j] = [2]int{off, off + n}
	}
	if spans[1][0] > spans[0][0] || spans[1][1] < spans[0][1] || spans[1] == spans[0] {
		t.Errorf("%s: context %v is no proper superset of region %v", uri, spans[1], spans[0])
	}
}

// handEdited is a netsh script as an administrator writes one, not as
// netsh dumps: one-line commands with their context, unquoted and
// upper-case words, a tab, a continued line, a name with accents before the
// column of a result, a pre-shared key.
const handEdited = "@echo off\r\n" +
	"REM FE1: hand-written policy\r\n" +
	"netsh ipsec static add policy name=FE-BE description=\"Échange\"\tactivatedefaultrule=no ASSIGN=yes\r\n" +
	"netsh ipsec static add filterlist name=IMAP4\r\n" +
	"netsh ipsec static ADD FILTER filterlist=IMAP4 srcaddr=me dstaddr=10.0.0.50 protocol=TCP srcport=0 dstport=143\r\n" +
	"netsh ipsec static add filteraction name=Permit action=permit\r\n" +
	"netsh ipsec static add rule name=\"IMAP4 en clair (été)\" policy=FE-BE filterlist=IMAP4 ^\r\n" +
	"   filteraction=Permit psk=\"Sn0wy Owl\"\r\n"

// TestSARIFEmbeddedSnippetsOfAHandEditedScript: with --sarif-embed the
// snippets are the file's own text even where it is not laid out as
// netsh dumps (rendered from the model, they could not be), and its
// columns count characters.
func TestSARIFEmbeddedSnippetsOfAHandEditedScript(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, fixtureFleet, dir)
	write(t, filepath.Join(dir, "FE1", "ipsec.txt"), handEdited)
	a := embedded(t, runAudit(t, dir, rules.All()))
	doc := decode(t, render(t, report.SARIF{}, a))
	lines := strings.Split(strings.ReplaceAll(handEdited, "\r\n", "\n"), "\n")
	checked := 0
	for i, r := range list(t, doc, "runs", 0, "results") {
		locs := list(t, r, "locations")
		if rel, ok := r.(map[string]any)["relatedLocations"].([]any); ok {
			locs = append(locs, rel...)
		}
		for _, l := range locs {
			phys, _ := l.(map[string]any)["physicalLocation"].(map[string]any)
			if phys == nil || str(t, phys, "artifactLocation", "uri") != "FE1/ipsec.txt" {
				continue
			}
			region, ctx := at(t, phys, "region"), at(t, phys, "contextRegion")
			n := int(at(t, region, "startLine").(float64))
			line := []rune(lines[n-1])
			c, end := int(at(t, region, "startColumn").(float64)), int(at(t, region, "endColumn").(float64))
			if got := str(t, region, "snippet", "text"); end-1 > len(line) || got != string(line[c-1:end-1]) || got == "" {
				t.Errorf("result %d: FE1/ipsec.txt:%d:%d-%d: snippet %q, the file has %q", i, n, c, end, got, string(line))
			}
			if got := str(t, ctx, "snippet", "text"); got != lines[n-1] && !strings.HasSuffix(got, model.Redacted) {
				t.Errorf("result %d: context %q, the line is %q", i, got, lines[n-1])
			}
			// netsh counts columns in bytes, SARIF in characters.
			if f := a.Outcome.Findings[i]; f.Loc.File == "FE1/ipsec.txt" && int(f.Loc.Line) == n && f.Loc.Column > 0 {
				if want := utf8.RuneCountInString(lines[n-1][:f.Loc.Column-1]) + 1; c != want {
					t.Errorf("result %d: FE1/ipsec.txt:%d: startColumn %d, want %d (the finding's byte column %d)", i, n, c, want, f.Loc.Column)
				}
			}
			checked++
		}
	}
	if checked < 2 {
		t.Errorf("only %d results in the hand-edited script", checked)
	}
	if out := render(t, report.SARIF{}, a); keyIn(t, out, "Sn0wy Owl") != "" {
		t.Error("the continued line's key is in the log")
	}
}
