package hive

import (
	"unicode"
	"unicode/utf16"
)

// decodeName decodes a key or value name as stored: one byte per
// character (Latin-1) when the compressed flag is set, UTF-16LE
// otherwise. Unpaired surrogates become U+FFFD.
func decodeName(b []byte, compressed bool) string {
	if compressed {
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = le.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
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
