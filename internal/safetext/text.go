package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Text returns s for a terminal or plain-text output with every character
// that is not shown as itself escaped:
//
//   - \n, \r and \t as `\n`, `\r`, `\t`;
//   - the other C0 controls and DEL as `\xNN` (ESC is `\x1b`);
//   - C1 controls (U+0080–U+009F), the line and paragraph separators
//     (U+2028, U+2029) and every Unicode format character (category Cf:
//     zero-width spaces and joiners U+200B–U+200F, the bidirectional
//     embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069,
//     U+FEFF, soft hyphen, tag characters ...) as `\uNNNN` or
//     `\UNNNNNNNN`;
//   - each byte that is not part of valid UTF-8 as `\xNN`.
//
// Zero-width joiners are escaped like every format character, so an emoji
// ZWJ sequence shows as its parts joined by `\u200d`. A backslash is left
// as it is (see the package documentation). The
// result is valid UTF-8 and contains no character Text would escape, so
// Text(Text(s)) == Text(s). When nothing needs escaping, s itself is
// returned without allocating.
func Text(s string) string {
	i := firstUnsafe(s)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHexByte(&b, c)
		case mustEscape(r):
			writeEscapedRune(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the offset of the first byte of s that Text must
// escape, or len(s).
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || mustEscape(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// mustEscape reports whether the valid rune r is not shown as itself.
func mustEscape(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r <= 0x9f:
		return true
	case r == '\u2028' || r == '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

func writeHexByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

func writeEscapedRune(b *strings.Builder, r rune) {
	switch r {
	case '\n':
		b.WriteString(`\n`)
		return
	case '\r':
		b.WriteString(`\r`)
		return
	case '\t':
		b.WriteString(`\t`)
		return
	}
	if r < 0x80 {
		writeHexByte(b, byte(r))
		return
	}
	prefix, digits := `\u`, 4
	if r > 0xffff {
		prefix, digits = `\U`, 8
	}
	b.WriteString(prefix)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}
