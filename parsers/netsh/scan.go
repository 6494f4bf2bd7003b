package netsh

import (
	"strings"
	"unicode/utf8"
)

// Byte scanners for the few line shapes that decide what a line is. They
// replace regular expressions on the hot path (every line of every file
// is looked at while sniffing), match ASCII letters case-insensitively,
// and treat as blank what RE2's \s does: tab, LF, FF, CR and space.

// isBlank reports whether c is one of RE2's \s characters.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func trimLeftBlank(s string) string {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	return s
}

func trimRightBlank(s string) string {
	for len(s) > 0 && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s starts with prefix (lower-case ASCII)
// in any case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// hasSuffixFold is hasPrefixFold at the end of s.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && hasPrefixFold(s[len(s)-len(suffix):], suffix)
}

// indexFold returns the index of the first occurrence of sub (lower-case
// ASCII, starting with a letter) in s, in any case, from offset from; -1
// when there is none.
func indexFold(s, sub string, from int) int {
	lo, up := sub[0], sub[0]-'a'+'A'
	for i := from; i+len(sub) <= len(s); i++ {
		if c := s[i]; (c == lo || c == up) && hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isErrLine recognizes netsh's "nothing to show" message:
// `ERR IPsec[05072] : No Policies in Policy Store`.
func isErrLine(s string) bool {
	s = trimLeftBlank(s)
	if !hasPrefixFold(s, "err") {
		return false
	}
	t := trimLeftBlank(s[3:])
	if len(t) == len(s)-3 || !hasPrefixFold(t, "ipsec") {
		return false
	}
	t = trimLeftBlank(t[5:])
	if t == "" || t[0] != '[' {
		return false
	}
	n := 1
	for n < len(t) && isDigit(t[n]) {
		n++
	}
	return n > 1 && n < len(t) && t[n] == ']'
}

// isDashes recognizes a heading underline: three or more dashes, and
// nothing but dashes and blanks.
func isDashes(s string) bool {
	s = trimLeftBlank(s)
	n := 0
	for n < len(s) && s[n] == '-' {
		n++
	}
	if n < 3 {
		return false
	}
	for i := n; i < len(s); i++ {
		if s[i] != '-' && !isBlank(s[i]) {
			return false
		}
	}
	return true
}

// fullWidthColon is U+FF1A, the colon of Chinese and Japanese listings.
const fullWidthColon = "："

// splitLabel splits "Label<padding> : value" at the first ASCII or
// full-width colon. The label has no blanks around it; the value loses
// one blank after the colon.
func splitLabel(s string) (label, value string, ok bool) {
	i, n := strings.IndexByte(s, ':'), 1
	if j := strings.Index(s, fullWidthColon); j >= 0 && (i < 0 || j < i) {
		i, n = j, len(fullWidthColon)
	}
	if i < 0 {
		return "", "", false
	}
	label, value = trimRightBlank(trimLeftBlank(s[:i])), s[i+n:]
	if value != "" && isBlank(value[0]) {
		value = value[1:]
	}
	return label, value, true
}

// logPrefixEnd finds a log label in front of a netsh command ("Entry
// added: netsh ipsec ..."): up to 60 characters without '=', ':' or '"',
// a colon, blanks, and a word ending in netsh or netsh.exe followed by a
// blank. It returns the offset of that word.
func logPrefixEnd(s string) (int, bool) {
	i := strings.IndexAny(s, `=:"`)
	if i <= 0 || s[i] != ':' || utf8.RuneCountInString(s[:i]) > 60 {
		return 0, false
	}
	p := i + 1
	for p < len(s) && isBlank(s[p]) {
		p++
	}
	q := p
	for q < len(s) && !isBlank(s[q]) && s[q] != '"' {
		q++
	}
	if q == len(s) || s[q] == '"' {
		return 0, false
	}
	if w := s[p:q]; hasSuffixFold(w, "netsh") || hasSuffixFold(w, "netsh.exe") {
		return p, true
	}
	return 0, false
}

// isNetdiagTest recognizes netdiag's result line `IP Security test . . . : Passed`.
func isNetdiagTest(s string) bool {
	for i := indexFold(s, "ip security test", 0); i >= 0; i = indexFold(s, "ip security test", i+1) {
		j := i + len("ip security test")
		for j < len(s) && (isBlank(s[j]) || s[j] == '.') {
			j++
		}
		if j < len(s) && s[j] == ':' {
			return true
		}
	}
	return false
}

// netdiagActiveLine reads `Local IPSec Policy Active: 'Name'` (or Domain)
// anywhere in a line.
func netdiagActiveLine(s string) (scope, name string, ok bool) {
	const anchor = "ipsec policy active:"
	for i := indexFold(s, anchor, 0); i >= 0; i = indexFold(s, anchor, i+1) {
		if i < 1 || s[i-1] != ' ' {
			continue
		}
		head := s[:i-1]
		for _, sc := range []string{"local", "domain"} {
			if !hasSuffixFold(head, sc) || len(head) > len(sc) && isWordByte(head[len(head)-len(sc)-1]) {
				continue
			}
			rest := trimLeftBlank(s[i+len(anchor):])
			if rest == "" || rest[0] != '\'' {
				break
			}
			if end := strings.IndexByte(rest[1:], '\''); end >= 0 {
				return head[len(head)-len(sc):], rest[1 : 1+end], true
			}
		}
	}
	return "", "", false
}
