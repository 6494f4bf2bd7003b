package textenc

import (
	"encoding/binary"
	"slices"
)

// UTF16Decoder converts UTF-16 to UTF-8 in bulk, one chunk at a time, for
// files too big to hold whole. Runs of ASCII are converted four code units
// at a time. A sequence cut at the end of a chunk (an odd byte, a high
// surrogate) is kept for the next call.
//
// The zero value decodes little-endian and replaces unpaired surrogates
// with U+FFFD.
type UTF16Decoder struct {
	// BigEndian selects UTF-16BE.
	BigEndian bool
	// KeepSurrogates writes an unpaired surrogate as its 3-byte generalized
	// UTF-8 form (WTF-8) instead of U+FFFD, so that AppendUTF16LE gives the
	// original code unit back: the registry allows such names and strings.
	KeepSurrogates bool
	// Invalid counts what was replaced by U+FFFD: unpaired surrogates
	// (unless kept) and an odd byte at the end of the input.
	Invalid int

	pend  [4]byte
	npend int
}

// Append decodes src and appends the UTF-8 text to dst.
func (d *UTF16Decoder) Append(dst, src []byte) []byte {
	for d.npend > 0 && len(src) > 0 {
		d.pend[d.npend] = src[0]
		d.npend++
		src = src[1:]
		var n int
		dst, n = d.decode(dst, d.pend[:d.npend], false)
		copy(d.pend[:], d.pend[n:d.npend])
		d.npend -= n
	}
	if len(src) == 0 {
		return dst
	}
	dst, n := d.decode(dst, src, false)
	d.npend = copy(d.pend[:], src[n:])
	return dst
}

// Flush decodes what an earlier Append kept back, at the end of the input.
func (d *UTF16Decoder) Flush(dst []byte) []byte {
	if d.npend == 0 {
		return dst
	}
	dst, n := d.decode(dst, d.pend[:d.npend], true)
	if n < d.npend { // a last odd byte
		dst = append(dst, "\uFFFD"...)
		d.Invalid++
	}
	d.npend = 0
	return dst
}

// DecodeUTF16 decodes all of b (no BOM expected) to UTF-8, replacing
// unpaired surrogates and an odd last byte with U+FFFD, and returns how
// many replacements were made.
func DecodeUTF16(b []byte, bigEndian bool) ([]byte, int) {
	d := UTF16Decoder{BigEndian: bigEndian}
	// decode makes room for the longest text len(b) can decode to (three
	// bytes per unit): allocated at once, not after a first guess.
	out := d.Append(make([]byte, 0, len(b)/2*3+8), b)
	out = d.Flush(out)
	return out, d.Invalid
}

// decode converts the complete code units of src, stopping before an odd
// last byte, and (unless final) before a high surrogate whose partner is
// not in src yet. It returns the bytes of src consumed.
func (d *UTF16Decoder) decode(dst, src []byte, final bool) ([]byte, int) {
	dst = slices.Grow(dst, len(src)/2*3+4)
	out := dst[len(dst):cap(dst)]
	i, j := 0, 0
	be := d.BigEndian
	for {
		if be {
			for i+8 <= len(src) && j+4 <= len(out) {
				x := binary.BigEndian.Uint64(src[i:])
				if x&0xFF80FF80FF80FF80 != 0 {
					break
				}
				o := out[j : j+4]
				o[0], o[1], o[2], o[3] = byte(x>>48), byte(x>>32), byte(x>>16), byte(x)
				i, j = i+8, j+4
			}
		} else {
			for i+8 <= len(src) && j+4 <= len(out) {
				x := binary.LittleEndian.Uint64(src[i:])
				if x&0xFF80FF80FF80FF80 != 0 {
					break
				}
				o := out[j : j+4]
				o[0], o[1], o[2], o[3] = byte(x), byte(x>>16), byte(x>>32), byte(x>>48)
				i, j = i+8, j+4
			}
		}
		if i+2 > len(src) {
			break
		}
		c := unit(src[i:], be)
		switch {
		case c < 0x80:
			out[j] = byte(c)
			i, j = i+2, j+1
		case c < 0xD800 || c >= 0xE000:
			j += putRune(out[j:], rune(c))
			i += 2
		case c < 0xDC00: // high surrogate: needs its partner
			if i+4 > len(src) {
				if !final {
					return dst[:len(dst)+j], i
				}
				j += d.unpaired(out[j:], c)
				i += 2
				continue
			}
			c2 := unit(src[i+2:], be)
			if c2 < 0xDC00 || c2 >= 0xE000 {
				j += d.unpaired(out[j:], c)
				i += 2
				continue
			}
			r := 0x10000 + (rune(c)-0xD800)<<10 + (rune(c2) - 0xDC00)
			j += putRune(out[j:], r)
			i += 4
		default: // low surrogate without a high one
			j += d.unpaired(out[j:], c)
			i += 2
		}
	}
	return dst[:len(dst)+j], i
}

func unit(b []byte, be bool) uint16 {
	if be {
		return uint16(b[0])<<8 | uint16(b[1])
	}
	return uint16(b[0]) | uint16(b[1])<<8
}

func (d *UTF16Decoder) unpaired(out []byte, c uint16) int {
	if d.KeepSurrogates {
		return putRune(out, rune(c))
	}
	d.Invalid++
	return putRune(out, 0xFFFD)
}

// putRune writes r in (generalized) UTF-8: unlike utf8.EncodeRune it
// writes surrogates as themselves, which is what WTF-8 and CESU-8 do.
func putRune(out []byte, r rune) int {
	switch {
	case r < 0x80:
		out[0] = byte(r)
		return 1
	case r < 0x800:
		out[0] = 0xC0 | byte(r>>6)
		out[1] = 0x80 | byte(r)&0x3F
		return 2
	case r < 0x10000:
		out[0] = 0xE0 | byte(r>>12)
		out[1] = 0x80 | byte(r>>6)&0x3F
		out[2] = 0x80 | byte(r)&0x3F
		return 3
	}
	out[0] = 0xF0 | byte(r>>18)
	out[1] = 0x80 | byte(r>>12)&0x3F
	out[2] = 0x80 | byte(r>>6)&0x3F
	out[3] = 0x80 | byte(r)&0x3F
	return 4
}
