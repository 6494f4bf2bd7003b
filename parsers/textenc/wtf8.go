package textenc

import (
	"encoding/binary"
	"unicode/utf8"
)

// Generalized UTF-8 is UTF-8 that may also hold UTF-16 surrogates encoded
// as 3-byte sequences (ED A0 80 … ED BF BF). It is how WTF-8 keeps
// unpaired surrogates (UTF16Decoder.KeepSurrogates) and how CESU-8 writes
// characters outside the BMP (two surrogates): reged writes strings that
// way. Registry names and strings are UTF-16 and may hold unpaired
// surrogates, so this is the text form that loses nothing.

// IsASCII reports whether b holds only 7-bit bytes.
func IsASCII(b []byte) bool { return asciiPrefix(b) == len(b) }

// asciiPrefix is how many leading bytes of b are 7-bit, read eight at a
// time.
func asciiPrefix(b []byte) int {
	n := 0
	for len(b)-n >= 8 && binary.LittleEndian.Uint64(b[n:])&0x8080808080808080 == 0 {
		n += 8
	}
	for n < len(b) && b[n] < 0x80 {
		n++
	}
	return n
}

// ValidWTF8 reports whether b is generalized UTF-8: valid UTF-8, where
// surrogates encoded as 3-byte sequences are also accepted.
func ValidWTF8(b []byte) bool {
	for len(b) > 0 {
		if b[0] < 0x80 {
			b = b[1:]
			continue
		}
		n := wtf8Len(b)
		if n == 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

// wtf8Len returns the length of the generalized UTF-8 sequence at the
// start of b (a non-ASCII lead byte), or 0 when it is not valid.
func wtf8Len(b []byte) int {
	if isSurrogateSeq(b) {
		return 3
	}
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError && n <= 1 {
		return 0
	}
	return n
}

// isSurrogateSeq reports whether b starts with a 3-byte encoded surrogate.
func isSurrogateSeq(b []byte) bool {
	return len(b) >= 3 && b[0] == 0xED && b[1] >= 0xA0 && b[1] <= 0xBF && b[2] >= 0x80 && b[2] <= 0xBF
}

// AppendUTF16LE appends text (generalized UTF-8) as UTF-16LE code units,
// without a terminating NUL. Encoded surrogates become the code units they
// stand for, so a CESU-8 pair gives the right pair back. Bytes that are not
// generalized UTF-8 become U+FFFD; invalid counts them.
func AppendUTF16LE(dst, text []byte) (out []byte, invalid int) {
	for i := 0; i < len(text); {
		c := text[i]
		if c < 0x80 {
			dst = append(dst, c, 0)
			i++
			continue
		}
		var r rune
		var n int
		if isSurrogateSeq(text[i:]) {
			r = rune(c&0x0F)<<12 | rune(text[i+1]&0x3F)<<6 | rune(text[i+2]&0x3F)
			n = 3
		} else {
			r, n = utf8.DecodeRune(text[i:])
			if r == utf8.RuneError && n <= 1 {
				invalid++
			}
		}
		i += n
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+uint16(r>>10), 0xDC00+uint16(r&0x3FF)
			dst = append(dst, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
			continue
		}
		dst = append(dst, byte(r), byte(r>>8))
	}
	return dst, invalid
}

// StringFromUTF16LE decodes UTF-16LE code units (all of b; an odd last
// byte is dropped) to a Go string. Surrogate pairs become one character;
// unpaired surrogates are kept in their generalized UTF-8 form.
func StringFromUTF16LE(b []byte) string {
	d := UTF16Decoder{KeepSurrogates: true}
	out, _ := d.decode(make([]byte, 0, len(b)/2*3+4), b[:len(b)&^1], true)
	return string(out)
}

// NormalizeWTF8 returns text as a Go string in which surrogate pairs
// written separately (CESU-8) are joined into one character; unpaired
// surrogates stay in their 3-byte form. Valid UTF-8 is returned as is.
func NormalizeWTF8(text []byte) string {
	if utf8.Valid(text) {
		return string(text)
	}
	u, _ := AppendUTF16LE(make([]byte, 0, 2*len(text)), text)
	return StringFromUTF16LE(u)
}
