package rules_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// TestPublishedDocsMatch keeps docs/rules/ (the copy readers browse and
// helpUri points at) equal to rules/docs/ (the copy the binary embeds),
// file for file, with no document of a rule that does not exist.
func TestPublishedDocsMatch(t *testing.T) {
	published := filepath.Join(testutil.RepoRoot(t), "docs", "rules")
	ids := map[string]bool{}
	for _, r := range rules.All() {
		ids[r.ID+".md"] = true
		src, err := os.ReadFile(filepath.Join("docs", r.ID+".md"))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := os.ReadFile(filepath.Join(published, r.ID+".md"))
		if err != nil {
			t.Errorf("%s has no published copy: %v (cp rules/docs/*.md docs/rules/)", r.ID, err)
			continue
		}
		if !bytes.Equal(src, pub) {
			t.Errorf("docs/rules/%s.md differs from rules/docs/%[1]s.md: cp rules/docs/*.md docs/rules/", r.ID)
		}
	}
	for _, dir := range []string{"docs", published} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !ids[e.Name()] {
				t.Errorf("%s/%s documents no rule", dir, e.Name())
			}
		}
	}
}

// TestRuleDocs checks that every rule's document gave it a summary of one
// sentence, a description, a remediation and references with titles, and
// a helpUri to its published copy.
func TestRuleDocs(t *testing.T) {
	for _, r := range rules.All() {
		switch {
		case strings.Contains(r.Summary, "\n") || !strings.HasSuffix(r.Summary, "."):
			t.Errorf("%s: the summary must be one sentence: %q", r.ID, r.Summary)
		case r.Description == "" || r.Remediation == "" || len(r.References) == 0:
			t.Errorf("%s: description, remediation or references missing", r.ID)
		case r.HelpURI != rules.DocsBaseURI+r.ID+".md":
			t.Errorf("%s: helpUri %q", r.ID, r.HelpURI)
		case !strings.HasPrefix(r.Help(), "# "+r.ID+" "+r.Name+"\n"):
			t.Errorf("%s: Help() is not the document", r.ID)
		}
		for _, ref := range r.References {
			if ref.Title == "" || strings.Contains(ref.Title, "](") {
				t.Errorf("%s: reference %+v", r.ID, ref)
			}
		}
	}
}
