package hive

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeName decodes a key or value name as stored: one byte per
// character (Latin-1) when the compressed flag is set, UTF-16LE
// otherwise. Unpaired surrogates become U+FFFD.
func decodeName(b []byte, compressed bool) string {
	if compressed {
		if isASCII(b) {
			return string(b)
		}
		out := make([]byte, 0, 2*len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return string(out)
	}
	if ascii := len(b)%2 == 0; ascii {
		out := make([]byte, len(b)/2)
		for i := range out {
			if b[2*i] >= 0x80 || b[2*i+1] != 0 {
				ascii = false
				break
			}
			out[i] = b[2*i]
		}
		if ascii {
			return string(out)
		}
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = le.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// foldName returns a form of name equal for names the registry takes as
// the same (case-insensitive comparison).
func foldName(name string) string {
	if isASCIIString(name) {
		return strings.ToUpper(name)
	}
	return keyOf(name).String()
}

// compareNames orders two names as subkey lists must be sorted.
func compareNames(a, b string) int {
	if !isASCIIString(a) || !isASCIIString(b) {
		return keyOf(a).compare(keyOf(b))
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := upcase(uint16(a[i])), upcase(uint16(b[i]))
		if x != y {
			return int(x) - int(y)
		}
	}
	return len(a) - len(b)
}

// upcase maps a UTF-16 code unit to upper case as the registry does when
// it compares names (a one-to-one mapping; surrogates unchanged).
func upcase(c uint16) uint16 {
	if c < 0x80 {
		if 'a' <= c && c <= 'z' {
			return c - 0x20
		}
		return c
	}
	if c >= 0xD800 && c < 0xE000 {
		return c
	}
	if u := unicode.ToUpper(rune(c)); u <= 0xFFFF {
		return uint16(u)
	}
	return c
}

// nameKey is a name in the form the registry compares: upper-cased
// UTF-16 code units.
type nameKey []uint16

func keyOf(name string) nameKey {
	u := utf16.Encode([]rune(name))
	for i, c := range u {
		u[i] = upcase(c)
	}
	return u
}

// compare orders two names as subkey lists must be sorted.
func (a nameKey) compare(b nameKey) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func (a nameKey) String() string { return string(utf16.Decode(a)) }
