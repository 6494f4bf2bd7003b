package rules

import (
	"embed"
	"fmt"
	"regexp"
	"strings"
)

// docsFS holds each rule's documentation, rules/docs/<ID>.md: the one
// source of `ipseclint rules ID`, the SARIF help and the published copy
// in docs/rules/ (kept equal by a test).
//
//go:embed docs/*.md
var docsFS embed.FS

// DocsBaseURI is where the published copies of the rule documents live;
// a rule's helpUri is DocsBaseURI + ID + ".md".
const DocsBaseURI = "https://github.com/ipseclint/ipseclint/blob/main/docs/rules/"

// Doc returns the Markdown source of the rule's documentation.
func (r *Rule) Doc() string { return r.doc }

// referenceLine is one entry of a References section: "- [title](url)"
// or "- title".
var referenceLine = regexp.MustCompile(`^- (?:\[(.+)\]\((\S+)\)|(.+))$`)

// loadDoc fills the rule's summary, description, remediation and
// references from rules/docs/<ID>.md. The file's shape: a title line
// "# <ID> <name>", one paragraph of summary, then the sections
// "## Description", "## Remediation" and "## References" (a list).
func loadDoc(r *Rule) error {
	data, err := docsFS.ReadFile("docs/" + r.ID + ".md")
	if err != nil {
		return fmt.Errorf("rule %s has no documentation: %w", r.ID, err)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	title, rest, _ := strings.Cut(text, "\n")
	if want := "# " + r.ID + " " + r.Name; title != want {
		return fmt.Errorf("docs/%s.md: title %q, want %q", r.ID, title, want)
	}
	sections := splitSections(rest)
	r.doc = text
	r.Summary = sections[""]
	r.Description = sections["Description"]
	r.Remediation = sections["Remediation"]
	r.References = nil
	for _, line := range strings.Split(sections["References"], "\n") {
		m := referenceLine.FindStringSubmatch(strings.TrimSpace(line))
		switch {
		case m == nil:
			return fmt.Errorf("docs/%s.md: reference %q is not a list item", r.ID, line)
		case m[1] != "":
			r.References = append(r.References, Reference{Title: m[1], URL: m[2]})
		default:
			r.References = append(r.References, Reference{Title: m[3]})
		}
	}
	for _, s := range []string{"", "Description", "Remediation", "References"} {
		if sections[s] == "" {
			return fmt.Errorf("docs/%s.md: no %q section", r.ID, s)
		}
	}
	if r.HelpURI == "" {
		r.HelpURI = DocsBaseURI + r.ID + ".md"
	}
	return nil
}

// splitSections splits a document at its "## " headings; the text before
// the first heading is the section "".
func splitSections(text string) map[string]string {
	out := map[string]string{}
	name := ""
	var b strings.Builder
	flush := func() { out[name] = strings.TrimSpace(b.String()); b.Reset() }
	for _, line := range strings.Split(text, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			flush()
			name = strings.TrimSpace(h)
			continue
		}
		b.WriteString(line + "\n")
	}
	flush()
	return out
}
