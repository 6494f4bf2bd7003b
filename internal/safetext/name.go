package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Name returns s in a form that encoding/json keeps exactly and that
// [UnName] turns back into s: each byte that is not part of valid UTF-8
// becomes `\xNN` and each backslash becomes `\\`; everything else,
// control characters included, is left for the JSON encoder to escape.
// Use it for file names and other strings from inputs in JSON and SARIF,
// where encoding/json would replace invalid UTF-8 by U+FFFD.
//
// Because the backslash is doubled, convert Windows paths with
// filepath.ToSlash first. Name returns s itself, without allocating, when
// s is valid UTF-8 with no backslash. Name is not for terminals: use
// [Text] there.
func Name(s string) string {
	if strings.IndexByte(s, '\\') < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' {
			b.WriteString(`\\`)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			writeHexByte(&b, c)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// UnName reverses [Name]: `\\` becomes a backslash and `\xNN` (two hex
// digits, either case) the byte NN. Any other backslash sequence is an
// error naming its offset.
func UnName(s string) (string, error) {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i += 2
		case i+3 < len(s) && s[i+1] == 'x' && isHex(s[i+2]) && isHex(s[i+3]):
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			i += 4
		default:
			return "", fmt.Errorf("safetext: bad escape at offset %d of %q: want \\\\ or \\xNN", i, s)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// URIPath percent-encodes the bytes of a slash-separated relative or
// absolute path for a URI reference such as SARIF's
// artifactLocation.uri. Letters, digits, "-", ".", "_", "~" and "/" are
// kept; every other byte, including ":" (so a first segment such as
// "EXFE01:backup" cannot be read as a URI scheme), "%", spaces, non-ASCII
// and invalid UTF-8, becomes %XX; so does the second "/" of a leading "//",
// which would otherwise start an authority (a host name).
// url.PathUnescape(URIPath(s)) returns s's exact bytes. Convert Windows
// paths with filepath.ToSlash first. URIPath returns s itself when nothing
// needs encoding.
func URIPath(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !uriSafe(s[i]) {
			n++
		}
	}
	authority := strings.HasPrefix(s, "//")
	if n == 0 && !authority {
		return s
	}
	const upper = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n+2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if uriSafe(c) && !(authority && i == 1) {
			b = append(b, c)
		} else {
			b = append(b, '%', upper[c>>4], upper[c&0xf])
		}
	}
	return string(b)
}

// uriSafe reports whether c is an RFC 3986 unreserved character or "/".
func uriSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}
