package report

import (
	"strconv"
	"strings"

	"github.com/ipseclint/ipseclint/rules"
)

// The HTML page's rule sections and accepted risks, and the small
// Markdown reader that shows the rules' documentation.

type htmlRule struct {
	Anchor, ID, Name, Severity string
	Summary                    []mdSpan
	Description, Remediation   []mdBlock
	References                 []rules.Reference
	HelpURI                    string
	Counts                     string // "2 findings, 1 not evaluated"
	// Judges says which roles the matrix takes the rule to judge.
	Judges string
}

func (a *Audit) htmlRules(ix *cellIndex) []htmlRule {
	var out []htmlRule
	for _, r := range a.Rules {
		hr := htmlRule{Anchor: ruleAnchor(r.ID), ID: r.ID, Name: r.Name, Severity: string(r.Severity), Summary: mdInline(r.Summary),
			Description: markdownBlocks(r.Description), Remediation: markdownBlocks(r.Remediation),
			References: r.References, HelpURI: r.HelpURI, Judges: ix.judgedText(r.ID)}
		findings, ne := 0, 0
		for _, f := range a.Outcome.Findings {
			if f.RuleID == r.ID {
				findings++
			}
		}
		for _, n := range a.Outcome.NotEvaluated {
			if n.RuleID == r.ID {
				ne++
			}
		}
		hr.Counts = plural(findings, "finding", "findings") + ", " + strconv.Itoa(ne) + " not evaluated"
		out = append(out, hr)
	}
	return out
}

type htmlAccepted struct {
	Rule, Host, Subject, Reason, Ticket, Expires, Location, Status string
	Matched                                                        int
}

func (a *Audit) htmlAccepted() []htmlAccepted {
	var out []htmlAccepted
	for _, st := range a.Outcome.Accepted {
		ha := htmlAccepted{Status: show(st.Status), Matched: st.Matched}
		if r := st.Risk; r != nil {
			ha.Rule, ha.Host, ha.Subject, ha.Reason = show(r.Rule.Ref), show(r.Host), show(r.Subject), show(r.Reason)
			ha.Ticket, ha.Expires, ha.Location = show(r.Ticket), show(r.Expires), show(a.locationText(r.Loc))
		}
		out = append(out, ha)
	}
	return out
}

// mdBlock is one block of a rule's Markdown documentation: a paragraph,
// a heading, a bullet list or a fenced code block. The reader produces
// data, never HTML: the template renders each part, and escapes it.
type mdBlock struct {
	Kind  string // "p", "h", "ul", "pre"
	Spans []mdSpan
	Items [][]mdSpan // of a list
	Code  string     // of a code block
	Lang  string     // of a code block
}

// mdSpan is a run of text, inline code or a link.
type mdSpan struct {
	Text string
	Code bool
	URL  string
}

// markdownBlocks reads the subset of Markdown the rule documents use
// (rules/docs): paragraphs, headings, "- " lists (continued by indented
// lines), fenced code blocks, `code` and [text](url). Anything else is
// shown as the text it is.
func markdownBlocks(md string) []mdBlock {
	var out []mdBlock
	var para []string
	var list [][]string
	flush := func() {
		if len(para) > 0 {
			out = append(out, mdBlock{Kind: "p", Spans: mdInline(strings.Join(para, " "))})
			para = nil
		}
		if len(list) > 0 {
			b := mdBlock{Kind: "ul"}
			for _, item := range list {
				b.Items = append(b.Items, mdInline(strings.Join(item, " ")))
			}
			out = append(out, b)
			list = nil
		}
	}
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			flush()
			var b mdBlock
			b, i = mdFence(lines, i)
			out = append(out, b)
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, "#"):
			flush()
			out = append(out, mdBlock{Kind: "h", Spans: mdInline(strings.TrimSpace(strings.TrimLeft(trimmed, "#")))})
		case strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* "):
			if len(para) > 0 {
				flush()
			}
			list = append(list, []string{strings.TrimSpace(trimmed[2:])})
		case len(list) > 0 && line != trimmed:
			list[len(list)-1] = append(list[len(list)-1], trimmed)
		default:
			if len(list) > 0 {
				flush()
			}
			para = append(para, trimmed)
		}
	}
	flush()
	return out
}

// mdFence reads the fenced code block opening at lines[i]; it returns the
// block and the index of its closing fence (or of the last line).
func mdFence(lines []string, i int) (mdBlock, int) {
	b := mdBlock{Kind: "pre", Lang: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), "```"))}
	var code []string
	j := i + 1
	for ; j < len(lines); j++ {
		if strings.HasPrefix(strings.TrimSpace(lines[j]), "```") {
			break
		}
		code = append(code, lines[j])
	}
	b.Code = strings.Join(code, "\n")
	if j >= len(lines) {
		j = len(lines) - 1
	}
	return b, j
}

// mdInline splits text into plain runs, `code` spans and [text](url)
// links.
func mdInline(s string) []mdSpan {
	var out []mdSpan
	var text strings.Builder
	emit := func(sp mdSpan) {
		if text.Len() > 0 {
			out = append(out, mdSpan{Text: text.String()})
			text.Reset()
		}
		out = append(out, sp)
	}
	for i := 0; i < len(s); {
		if s[i] == '`' {
			if end := strings.IndexByte(s[i+1:], '`'); end >= 0 {
				emit(mdSpan{Text: s[i+1 : i+1+end], Code: true})
				i += end + 2
				continue
			}
		}
		if s[i] == '[' {
			if sp, n, ok := mdLink(s[i:]); ok {
				emit(sp)
				i += n
				continue
			}
		}
		text.WriteByte(s[i])
		i++
	}
	if text.Len() > 0 {
		out = append(out, mdSpan{Text: text.String()})
	}
	return out
}

// mdLink reads "[text](url)" at the start of s: the link, and its length.
func mdLink(s string) (mdSpan, int, bool) {
	closing := strings.Index(s, "](")
	if closing < 0 {
		return mdSpan{}, 0, false
	}
	end := strings.IndexByte(s[closing+2:], ')')
	if end < 0 {
		return mdSpan{}, 0, false
	}
	url := s[closing+2 : closing+2+end]
	if strings.ContainsAny(url, " \t") || strings.Contains(s[1:closing], "[") {
		return mdSpan{}, 0, false
	}
	return mdSpan{Text: s[1:closing], URL: url}, closing + 3 + end, true
}
