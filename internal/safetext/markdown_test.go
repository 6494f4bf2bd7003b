package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// codeSpanContent parses s as exactly one CommonMark code span (spec 0.31,
// "Code spans"): an opening backtick string, then the first backtick
// string of the same length closes it; line endings become spaces and one
// space is stripped from each side when both sides have one and the
// content is not all spaces. It reports false unless the span is all of s.
func codeSpanContent(s string) (string, bool) {
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	if n == 0 {
		return "", false
	}
	for i := n; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i != n {
			i = j
			continue
		}
		if j != len(s) {
			return "", false // closes before the end: the rest is live Markdown
		}
		c := strings.ReplaceAll(s[n:i], "\n", " ")
		if len(c) >= 2 && c[0] == ' ' && c[len(c)-1] == ' ' && strings.Trim(c, " ") != "" {
			c = c[1 : len(c)-1]
		}
		return c, true
	}
	return "", false
}

func TestCode(t *testing.T) {
	cases := []struct{ in, want string }{
		{"EXFE01", "`EXFE01`"},
		{"<script>alert(1)</script>", "`<script>alert(1)</script>`"},
		{"[x](javascript:alert(1))", "`[x](javascript:alert(1))`"},
		{"@admins", "`@admins`"},
		{"a`b", "``a`b``"},
		{"a``b`", "``` a``b` ```"},
		{"`start", "`` `start ``"},
		{" both ", "`  both  `"},
		{"  ", "`  `"},
		{"", "` `"},
		{"line\n# heading", "`line\\n# heading`"},
		{"\x1b[31mred", "`\\x1b[31mred`"},
	}
	for _, c := range cases {
		got := Code(c.in)
		if got != c.want {
			t.Errorf("Code(%q) = %q, want %q", c.in, got, c.want)
		}
		content, ok := codeSpanContent(got)
		wantContent := Text(c.in)
		if c.in == "" {
			wantContent = " "
		}
		if !ok || content != wantContent {
			t.Errorf("Code(%q) = %q reads as content %q (one span: %v), want %q", c.in, got, content, ok, wantContent)
		}
	}
}

func FuzzCode(f *testing.F) {
	for _, s := range []string{"", "`", "``", " ` ", "a\nb", "<b>", "\xff`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Code(s)
		checkDisplaySafe(t, got)
		content, ok := codeSpanContent(got)
		if s == "" {
			return
		}
		if !ok || content != Text(s) {
			t.Fatalf("Code(%q) = %q reads as %q (one span: %v)", s, got, content, ok)
		}
	})
}

// checkInert fails unless, outside code spans and backslash escapes, md
// has no character that starts Markdown or HTML and nothing GitHub links.
func checkInert(t *testing.T, md string) {
	t.Helper()
	for i := 0; i < len(md); {
		switch c := md[i]; {
		case c == '\\':
			if i+1 >= len(md) || !strings.ContainsRune(markdownMeta, rune(md[i+1])) {
				t.Fatalf("%q: backslash at %d escapes nothing", md, i)
			}
			i += 2
		case c == '`':
			n := codeSpanAt(md[i:])
			if n == 0 {
				t.Fatalf("%q: backtick at %d opens no complete code span", md, i)
			}
			i += n
		case strings.IndexByte(markdownMeta+"@", c) >= 0:
			t.Fatalf("%q: live %q at %d", md, c, i)
		case strings.HasPrefix(md[i:], "://") || hasPrefixFold(md[i:], "www."):
			t.Fatalf("%q: link at %d", md, i)
		default:
			i++
		}
	}
}

// codeSpanAt returns the length of the code span that starts md and ends
// before white space or at the end of md, or 0. (MarkdownText and
// MarkdownInline quote whole words, padded with a space inside the
// fences when needed; words end at any Unicode white space.)
func codeSpanAt(md string) int {
	for end := 1; end <= len(md); end++ {
		if r, _ := utf8.DecodeRuneInString(md[end:]); end < len(md) && !unicode.IsSpace(r) {
			continue
		}
		if _, ok := codeSpanContent(md[:end]); ok {
			return end
		}
	}
	return 0
}

func TestMarkdownText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"<script>alert(1)</script>", `\<script\>alert\(1\)\</script\>`},
		{"see [here](javascript:alert(1))", `see \[here\]\(javascript:alert\(1\)\)`},
		{"](javascript:alert(1))", `\]\(javascript:alert\(1\)\)`},
		{"ping @admins now", "ping `@admins` now"},
		{"fixes #123.", "fixes `#123.`"},
		{"org/repo#1", "`org/repo#1`"},
		{"mail root@example.com", "mail `root@example.com`"},
		{"go http://evil.example/x", "go `http://evil.example/x`"},
		{"WWW.evil.example", "`WWW.evil.example`"},
		{"&lt;b&gt; &#64;x", "\\&lt;b\\&gt; `&#64;x`"},
		{"*b* _i_ ~~s~~ $x$ a|b", `\*b\* \_i\_ \~\~s\~\~ \$x\$ a\|b`},
		{"1. list - item + x", `1\. list \- item \+ x`},
		{"line\n===", `line\\n===`},
		{`C:\path`, `C:\\path`},
		{"EXFE01.corp", `EXFE01\.corp`},
		{"  spaced  out  ", "  spaced  out  "},
		{"tick`s @x`y", "tick\\`s ``@x`y``"},
	}
	for _, c := range cases {
		got := MarkdownText(c.in)
		if got != c.want {
			t.Errorf("MarkdownText(%q) = %q, want %q", c.in, got, c.want)
		}
		checkInert(t, got)
	}
}

func FuzzMarkdownText(f *testing.F) {
	for _, s := range []string{"", "@a #1", "<a href=x>", "[x](y)", "`a` b", "a\\", "www.x http://y", "\x1b\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MarkdownText(s)
		checkDisplaySafe(t, got)
		checkInert(t, got)
	})
}

func TestMarkdownInline(t *testing.T) {
	cases := []struct{ in, want string }{
		{"front-end EXFE01: Oakley\\NLBSFlags is absent (expected REG_DWORD 1).", "front-end EXFE01: Oakley\\NLBSFlags is absent (expected REG_DWORD 1)."},
		{"<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"see [here](javascript:alert(1))", `see \[here\](javascript:alert(1))`},
		{"ping @admins in #123", "ping `@admins` in `#123`"},
		{"go http://evil.example/x or www.evil.example", "go `http://evil.example/x` or `www.evil.example`"},
		{"&lt;b&gt;", `\&lt;b\&gt;`},
		{"*b* _i_ ~~s~~ $x$ a|b", `\*b\* \_i\_ \~\~s\~\~ \$x\$ a\|b`},
		{"snake_case_name stays", "snake_case_name stays"},
		{"- item", `\- item`},
		{"> quote", `\> quote`},
		{"+ x", `\+ x`},
		{"=== x", `\=== x`},
		{"1. first", `1\. first`},
		{"12) twelfth", `12\) twelfth`},
		{"2003 server. 1. no list here", "2003 server. 1. no list here"},
		{`C:\path\`, `C:\path\\`},
		{`a \* b`, `a \\\* b`},
		{"line\nbreak", `line\nbreak`},
		{"tick`s", "tick\\`s"},
		{"(www.evil.example)", "`(www.evil.example)`"},
	}
	for _, c := range cases {
		got := MarkdownInline(c.in)
		if got != c.want {
			t.Errorf("MarkdownInline(%q) = %q, want %q", c.in, got, c.want)
		}
		checkInlineInert(t, got)
	}
}

func FuzzMarkdownInline(f *testing.F) {
	for _, s := range []string{"", "@a #1", "<a href=x>", "[x](y)", "`a` b", "a\\", "www.x http://y", "\x1b\n", "1.x", "_a_", `\_`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MarkdownInline(s)
		checkDisplaySafe(t, got)
		checkInlineInert(t, got)
	})
}

// startsBlock reports whether a line starts a quote, list, heading
// underline or ordered list (whose number has 1 to 9 digits).
func startsBlock(md string) bool {
	rest := strings.TrimLeft(md, " ")
	if rest == "" {
		return false
	}
	d := 0
	for d < len(rest) && '0' <= rest[d] && rest[d] <= '9' {
		d++
	}
	return strings.IndexByte(">-+=", rest[0]) >= 0 || (d > 0 && d <= 9 && d < len(rest) && (rest[d] == '.' || rest[d] == ')'))
}

// checkInlineInert fails unless md, read as one line of Markdown, holds
// nothing live outside code spans and escapes: no inline syntax, no
// mention, reference or link, no "_" at a word's edge, no block syntax
// at its start. A backslash before a letter is a literal backslash.
func checkInlineInert(t *testing.T, md string) {
	t.Helper()
	if strings.ContainsAny(md, "\n\r") {
		t.Fatalf("%q: more than one line", md)
	}
	if startsBlock(md) {
		t.Fatalf("%q: starts a block", md)
	}
	for i := 0; i < len(md); {
		switch c := md[i]; {
		case c == '\\':
			if i+1 == len(md) {
				t.Fatalf("%q: ends in a lone backslash", md)
			}
			if isASCIIPunct(md[i+1]) {
				i += 2
			} else {
				i++
			}
		case c == '`':
			n := codeSpanAt(md[i:])
			if n == 0 {
				t.Fatalf("%q: backtick at %d opens no complete code span", md, i)
			}
			i += n
		case strings.IndexByte(inlineMeta+"@#", c) >= 0:
			t.Fatalf("%q: live %q at %d", md, c, i)
		case c == '_' && (i == 0 || i+1 == len(md) || !isWordByte(md[i-1]) || !isWordByte(md[i+1])):
			t.Fatalf("%q: '_' at a word's edge at %d", md, i)
		case strings.HasPrefix(md[i:], "://") || hasPrefixFold(md[i:], "www."):
			t.Fatalf("%q: link at %d", md, i)
		default:
			i++
		}
	}
}
