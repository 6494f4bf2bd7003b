package safetext

import (
	"strings"
	"unicode"
)

// Code returns s, with control characters escaped as by [Text], as a
// CommonMark inline code span: the fence is one backtick longer than the
// longest run of backticks in the text, and a space pads each side when
// the text starts or ends with a backtick or with a space on both ends
// (CommonMark strips one space from each side of a code span). Inside a
// code span nothing is Markdown or HTML, and GitHub links no @mention,
// #reference or URL. The empty string becomes "` `" (a code span of one
// space), so the quoting stays visible.
//
// The text before the span must not end in an unescaped backslash, which
// would turn the opening fence into a literal backtick; [MarkdownText]'s
// output never does.
func Code(s string) string {
	t := Text(s)
	if t == "" {
		return "` `"
	}
	longest, run := 0, 0
	for i := 0; i < len(t); i++ {
		if t[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	pad := ""
	if t[0] == '`' || t[len(t)-1] == '`' || (t[0] == ' ' && t[len(t)-1] == ' ' && strings.Trim(t, " ") != "") {
		pad = " "
	}
	return fence + pad + t + pad + fence
}

// markdownMeta are the characters MarkdownText escapes with a backslash:
// CommonMark's inline and block syntax, HTML and entity starts, GFM's
// tables and strikethrough, and GitHub's "$" math delimiter.
const markdownMeta = "\\`*_{}[]()#+-.!|<>&~$"

// MarkdownText returns s, with control characters escaped as by [Text],
// for embedding in Markdown as plain text: each word (a run of characters
// between white space) that GitHub would link after rendering — it
// contains '@' or '#', or "://", or starts with "www." — is quoted with
// [Code]; in every other word the characters \ ` * _ { } [ ] ( ) # + - . !
// | < > & ~ $ are escaped with a backslash. So "<script>" is shown as
// text, "[x](javascript:alert(1))" is not a link, and "@admins" and
// "#123" notify and link nobody. White space is kept as it is.
func MarkdownText(s string) string {
	return byWords(Text(s), len(s)/4, func(b *strings.Builder, w string, _ bool) { writeMarkdownWord(b, w) })
}

// byWords writes t with each word (a run of characters between white
// space) written by word, and the white space kept; first is set for
// the first word.
func byWords(t string, extra int, word func(b *strings.Builder, w string, first bool)) string {
	var b strings.Builder
	b.Grow(len(t) + extra)
	for first := true; len(t) > 0; first = false {
		i := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		t = t[i:]
		j := strings.IndexFunc(t, unicode.IsSpace)
		if j < 0 {
			j = len(t)
		}
		word(&b, t[:j], first)
		t = t[j:]
	}
	return b.String()
}

func writeMarkdownWord(b *strings.Builder, w string) {
	if strings.ContainsAny(w, "@#") || strings.Contains(w, "://") || hasPrefixFold(w, "www.") {
		b.WriteString(Code(w))
		return
	}
	for i := 0; i < len(w); i++ {
		if strings.IndexByte(markdownMeta, w[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(w[i])
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// inlineMeta are the characters MarkdownInline escapes wherever they
// are: those that open CommonMark and GFM inline syntax (code spans,
// emphasis, links and images, autolinks and HTML, entities,
// strikethrough, table cells) and GitHub's "$" math.
const inlineMeta = "`*[]<>&~|$"

// MarkdownInline returns s, with control characters escaped as by
// [Text], for a one-line text field that consumers show as plain text
// but GitHub renders as Markdown (SARIF's message.text): like
// [MarkdownText] it quotes each word that GitHub could link (one with
// '@' or '#', "://" or "www.") with [Code], and it
// escapes ` * [ ] < > & ~ | $ with a backslash; but it leaves the
// punctuation of ordinary sentences alone ". - ( ) ! : ;", which is
// inert in the middle of a line, and escapes only what could start a
// block at the line's start ("#", ">", "-", "+", "=", "1." and "1)"),
// an underscore at a word's edge (intraword "_" is never emphasis in
// GFM), and a backslash before ASCII punctuation or at the end (a
// backslash before a letter, as in registry paths, is shown as it is).
// Text escapes newlines, so the result is one line.
func MarkdownInline(s string) string {
	return byWords(Text(s), len(s)/8, writeInlineWord)
}

func writeInlineWord(b *strings.Builder, w string, first bool) {
	// GFM links "www." after "(" too, which MarkdownInline leaves as it
	// is: a word with "www." anywhere is quoted.
	if strings.ContainsAny(w, "@#") || strings.Contains(w, "://") || strings.Contains(strings.ToLower(w), "www.") {
		b.WriteString(Code(w))
		return
	}
	if first {
		w = escapeBlockStart(b, w)
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case strings.IndexByte(inlineMeta, c) >= 0:
			b.WriteByte('\\')
		case c == '\\' && (i+1 == len(w) || isASCIIPunct(w[i+1])):
			b.WriteByte('\\')
		case c == '_' && (i == 0 || i+1 == len(w) || !isWordByte(w[i-1]) || !isWordByte(w[i+1])):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}

// escapeBlockStart writes what makes the first word of a line start a
// heading, quote, list or thematic break, escaped, and returns the rest
// of the word.
func escapeBlockStart(b *strings.Builder, w string) string {
	switch w[0] {
	case '>', '-', '+', '=':
		b.WriteByte('\\')
		b.WriteByte(w[0])
		return w[1:]
	}
	d := 0
	for d < len(w) && d < 9 && '0' <= w[d] && w[d] <= '9' {
		d++
	}
	if d > 0 && d < len(w) && (w[d] == '.' || w[d] == ')') {
		b.WriteString(w[:d])
		b.WriteByte('\\')
		b.WriteByte(w[d])
		return w[d+1:]
	}
	return w
}

func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}

// isWordByte reports whether c is part of a word for GFM's intraword
// rule: a letter or digit, or any byte of a multi-byte character.
func isWordByte(c byte) bool {
	return c >= 0x80 || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}
