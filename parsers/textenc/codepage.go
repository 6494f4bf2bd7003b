package textenc

import (
	"bytes"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// CodePageDecoder converts text in one Windows code page to UTF-8. Single-
// byte code pages go through a 256-entry table (no allocation); multi-byte
// ones (cp932, cp936, cp949, cp950) through golang.org/x/text.
type CodePageDecoder struct {
	name  string
	table *[256]rune        // single-byte code pages
	bad   *[256]bool        // bytes a single-byte code page leaves undefined
	multi encoding.Encoding // multi-byte code pages
	utf8  bool
}

// NewCodePageDecoder returns the decoder for a code-page name as CodePage
// accepts it ("" = DefaultCodePage).
func NewCodePageDecoder(name string) (*CodePageDecoder, error) {
	e, canon, err := CodePage(name)
	if err != nil {
		return nil, err
	}
	d := &CodePageDecoder{name: canon}
	switch cm := e.(type) {
	case *charmap.Charmap:
		d.table, d.bad = byteTableOf(cm, canon)
	default:
		if e == unicode.UTF8 {
			d.utf8 = true
		} else {
			d.multi = e
		}
	}
	return d, nil
}

// byteTables are the tables byteTable built, by code page: every
// decoder of a code page shares them (they are only read), so that
// making one for each file allocates nothing but the decoder.
var byteTables sync.Map // canonical name -> *tableAndBad

// byteTableOf is byteTable of a code page, built once.
func byteTableOf(cm *charmap.Charmap, name string) (*[256]rune, *[256]bool) {
	if t, ok := byteTables.Load(name); ok {
		tb := t.(*tableAndBad)
		return tb.table, tb.bad
	}
	table, bad := byteTable(cm, name)
	t, _ := byteTables.LoadOrStore(name, &tableAndBad{table, bad})
	tb := t.(*tableAndBad)
	return tb.table, tb.bad
}

type tableAndBad struct {
	table *[256]rune
	bad   *[256]bool
}

// byteTable builds the decoding table of a single-byte code page. Bytes
// the code page leaves undefined decode to U+FFFD, except in cp1252, where
// Windows itself maps 0x81, 0x8D, 0x8F, 0x90 and 0x9D to U+0081… (and so
// stores those characters when it imports such a file).
func byteTable(cm *charmap.Charmap, name string) (*[256]rune, *[256]bool) {
	var t [256]rune
	var bad [256]bool
	for i := range t {
		t[i] = cm.DecodeByte(byte(i))
		if t[i] == utf8.RuneError {
			bad[i] = true
			if name == "cp1252" {
				t[i] = rune(i)
			}
		}
	}
	return &t, &bad
}

// Name returns the canonical name of the code page ("cp1252").
func (d *CodePageDecoder) Name() string { return d.name }

// MultiByte reports whether characters may take more than one byte, in
// which case an ASCII byte such as `\` can be the second half of a
// character and text must be decoded before it is parsed.
func (d *CodePageDecoder) MultiByte() bool { return d.multi != nil || d.utf8 }

// Append decodes src and appends the UTF-8 text to dst. invalid counts
// bytes that are not defined in the code page (replaced by U+FFFD, or in
// cp1252 kept as U+0081… the way Windows reads them).
func (d *CodePageDecoder) Append(dst, src []byte) (out []byte, invalid int) {
	switch {
	case d.table != nil:
		// Runs of ASCII, which every code page here maps to itself, are
		// copied whole: netsh output is nearly all ASCII.
		for len(src) > 0 {
			n := asciiPrefix(src)
			dst = append(dst, src[:n]...)
			if n == len(src) {
				break
			}
			c := src[n]
			if d.bad[c] {
				invalid++
			}
			dst = utf8.AppendRune(dst, d.table[c])
			src = src[n+1:]
		}
		return dst, invalid
	case d.utf8:
		for len(src) > 0 {
			r, n := utf8.DecodeRune(src)
			if r == utf8.RuneError && n <= 1 {
				invalid++
			}
			dst = utf8.AppendRune(dst, r)
			src = src[n:]
		}
		return dst, invalid
	}
	text, err := d.multi.NewDecoder().Bytes(src)
	if err != nil { // x/text decoders replace rather than fail; be safe anyway
		return append(dst, bytes.ToValidUTF8(src, []byte("\uFFFD"))...), len(src)
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError {
			invalid++
		}
		i += n
	}
	return append(dst, text...), invalid
}
