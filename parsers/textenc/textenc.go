// Package textenc finds the encoding of a collected text file and decodes
// it to UTF-8: a byte-order mark first, then UTF-16 by the density of NUL
// bytes, then valid UTF-8, else a Windows code page (given by the user,
// cp1252 by default). See FORMATS.md §4 for where each encoding comes from.
package textenc

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// DefaultCodePage is the code page assumed for 8-bit text when none is given.
const DefaultCodePage = "cp1252"

// Names of the Unicode encodings Sniff reports.
const (
	UTF8    = "UTF-8"
	UTF16LE = "UTF-16LE"
	UTF16BE = "UTF-16BE"
)

var codePages = map[string]encoding.Encoding{
	"cp437": charmap.CodePage437, "cp850": charmap.CodePage850, "cp852": charmap.CodePage852,
	"cp855": charmap.CodePage855, "cp858": charmap.CodePage858, "cp860": charmap.CodePage860,
	"cp862": charmap.CodePage862, "cp863": charmap.CodePage863, "cp865": charmap.CodePage865,
	"cp866": charmap.CodePage866, "cp874": charmap.Windows874,
	"cp1250": charmap.Windows1250, "cp1251": charmap.Windows1251, "cp1252": charmap.Windows1252,
	"cp1253": charmap.Windows1253, "cp1254": charmap.Windows1254, "cp1255": charmap.Windows1255,
	"cp1256": charmap.Windows1256, "cp1257": charmap.Windows1257, "cp1258": charmap.Windows1258,
	"cp932": japanese.ShiftJIS, "cp936": simplifiedchinese.GBK, "cp949": korean.EUCKR,
	"cp950": traditionalchinese.Big5, "cp20127": charmap.Windows1252, // US-ASCII is a subset
	"iso-8859-1": charmap.ISO8859_1, "iso-8859-15": charmap.ISO8859_15,
}

var codePageAliases = map[string]string{
	"windows-1250": "cp1250", "windows-1251": "cp1251", "windows-1252": "cp1252",
	"windows-1253": "cp1253", "windows-1254": "cp1254", "windows-1255": "cp1255",
	"windows-1256": "cp1256", "windows-1257": "cp1257", "windows-1258": "cp1258",
	"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "windows-31j": "cp932",
	"gbk": "cp936", "gb2312": "cp936", "big5": "cp950", "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
	"ibm437": "cp437", "ibm850": "cp850", "oem": "cp437", "ascii": "cp20127", "us-ascii": "cp20127",
	"latin1": "iso-8859-1", "latin-1": "iso-8859-1",
}

// CodePage returns the encoding a code-page name stands for ("cp1252",
// "1252", "windows-1252", "cp932", "shift_jis", "cp936", ...) and its
// canonical name.
func CodePage(name string) (encoding.Encoding, string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" {
		n = DefaultCodePage
	}
	if e, ok := codePages[n]; ok { // a canonical name: no alias is one
		return e, n, nil
	}
	if a, ok := codePageAliases[n]; ok {
		n = a
	}
	if _, err := fmt.Sscanf(n, "%d", new(int)); err == nil && !strings.HasPrefix(n, "cp") {
		n = "cp" + n
	}
	if n == "utf-8" || n == "utf8" || n == "cp65001" {
		return unicode.UTF8, UTF8, nil
	}
	if e, ok := codePages[n]; ok {
		return e, n, nil
	}
	return nil, "", fmt.Errorf("unknown code page %q (known: cp437, cp850, cp1250-cp1258, cp932, cp936, cp949, cp950, utf-8)", name)
}

// Info says how a file's text was decoded.
type Info struct {
	// Encoding is UTF-8, UTF-16LE, UTF-16BE or a code page name ("cp1252").
	Encoding string `json:"encoding"`
	// BOM is true when the file starts with a byte-order mark.
	BOM bool `json:"bom,omitempty"`
	// Assumed is true when the encoding is a code page taken on trust
	// (8-bit text without any marker).
	Assumed bool `json:"assumed,omitempty"`
	// Invalid counts the bytes or sequences that are not valid in the
	// encoding used (replaced by U+FFFD).
	Invalid int `json:"invalid,omitempty"`
}

// String renders Info for a report: "UTF-16LE with BOM", "cp1252 (assumed)".
func (i Info) String() string {
	s := i.Encoding
	if i.BOM {
		s += " with BOM"
	}
	if i.Assumed {
		s += " (assumed)"
	}
	return s
}

// Sniff decides the encoding of a file from its first bytes (a few KiB are
// enough). codepage is used for 8-bit text that is not valid UTF-8.
func Sniff(head []byte, codepage string) Info {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return Info{Encoding: UTF8, BOM: true}
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return Info{Encoding: UTF16LE, BOM: true}
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return Info{Encoding: UTF16BE, BOM: true}
	}
	if enc := sniffUTF16(head); enc != "" {
		return Info{Encoding: enc}
	}
	if validUTF8Prefix(head) {
		return Info{Encoding: UTF8}
	}
	_, name, err := CodePage(codepage)
	if err != nil {
		name = DefaultCodePage
	}
	return Info{Encoding: name, Assumed: true}
}

// sniffUTF16 recognizes BOM-less UTF-16 of mostly-ASCII text by its NUL
// bytes: nearly every odd byte NUL is little-endian, every even one big-endian.
func sniffUTF16(head []byte) string {
	n := len(head) &^ 1
	if n < 4 {
		return ""
	}
	var evenNUL, oddNUL int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			evenNUL++
		}
		if head[i+1] == 0 {
			oddNUL++
		}
	}
	pairs := n / 2
	switch {
	case oddNUL*10 >= pairs*7 && evenNUL*10 < pairs:
		return UTF16LE
	case evenNUL*10 >= pairs*7 && oddNUL*10 < pairs:
		return UTF16BE
	}
	return ""
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a multi-byte
// sequence cut at the end of the sample.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	// Otherwise only a sequence begun in the last three bytes and cut
	// short may be what is wrong: the bytes before it are valid, and it
	// is no whole character.
	for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
		if utf8.Valid(b[:len(b)-k]) {
			return !utf8.FullRune(b[len(b)-k:])
		}
	}
	return false
}

// decoder returns the x/text decoder of a code page (used for the
// multi-byte ones, whose characters may be cut between two reads).
func decoder(info Info) *encoding.Decoder {
	e, _, err := CodePage(info.Encoding)
	if err != nil {
		e = charmap.Windows1252
	}
	return e.NewDecoder()
}

// Decode decodes all of b to UTF-8. A BOM is removed; invalid bytes become
// U+FFFD (in cp1252 the five undefined bytes become U+0081…, as Windows
// reads them) and are counted in Info.Invalid. UTF-16 is decoded in bulk.
func Decode(b []byte, codepage string) ([]byte, Info) {
	info, src := sniffBody(b, codepage)
	if info.Encoding == UTF8 && utf8.Valid(src) {
		return src, info
	}
	return decodeBody(nil, src, info)
}

// AppendDecode is Decode appending the text to dst, so that a caller
// that keeps nothing of it (a sniffer) can decode into a buffer it uses
// again; valid UTF-8 is copied.
func AppendDecode(dst, b []byte, codepage string) ([]byte, Info) {
	return AppendDecodeAs(dst, b, Sniff(b[:min(len(b), 8192)], codepage))
}

// AppendDecodeAs is AppendDecode of b whose encoding is known already:
// info is what Sniff says of b's first 8 KiB (in the code page it would
// be given), so that a caller that sniffed them need not again.
func AppendDecodeAs(dst, b []byte, info Info) ([]byte, Info) {
	info.Invalid = 0
	src := body(b, info)
	if info.Encoding == UTF8 && utf8.Valid(src) {
		return append(dst, src...), info
	}
	return decodeBody(dst, src, info)
}

// DecodeAs is Decode of b whose encoding is known already (info, as in
// AppendDecodeAs), for a caller that reads the text and keeps nothing of
// it: valid UTF-8 is returned in place, a slice of b (inPlace), and other
// text is decoded appending to dst, a buffer the caller may use again.
func DecodeAs(dst, b []byte, info Info) (text []byte, _ Info, inPlace bool) {
	info.Invalid = 0
	src := body(b, info)
	if info.Encoding == UTF8 && utf8.Valid(src) {
		return src, info, true
	}
	text, info = decodeBody(dst, src, info)
	return text, info, false
}

// sniffBody is the encoding of b (sniffed from its first 8 KiB) and b
// without its BOM.
func sniffBody(b []byte, codepage string) (Info, []byte) {
	info := Sniff(b[:min(len(b), 8192)], codepage)
	return info, body(b, info)
}

// body is b without the BOM info says it starts with.
func body(b []byte, info Info) []byte {
	switch {
	case info.BOM && info.Encoding == UTF8:
		return b[3:]
	case info.BOM:
		return b[2:]
	}
	return b
}

// decodeBody appends src, in info's encoding, to dst as UTF-8, and counts
// what was invalid.
func decodeBody(dst, src []byte, info Info) ([]byte, Info) {
	switch info.Encoding {
	case UTF8:
		// Valid at the start, not throughout: count and replace bad bytes.
		info.Invalid = countInvalidUTF8(src)
		return append(dst, bytes.ToValidUTF8(src, []byte("\uFFFD"))...), info
	case UTF16LE, UTF16BE:
		d := UTF16Decoder{BigEndian: info.Encoding == UTF16BE}
		out := d.Flush(d.Append(dst, src))
		info.Invalid = d.Invalid
		return out, info
	}
	d, err := NewCodePageDecoder(info.Encoding)
	if err != nil {
		d, _ = NewCodePageDecoder(DefaultCodePage)
	}
	if dst == nil {
		dst = make([]byte, 0, len(src)+len(src)/8)
	}
	out, bad := d.Append(dst, src)
	info.Invalid = bad
	return out, info
}

func countInvalidUTF8(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			n++
		}
		b = b[size:]
	}
	return n
}

// NewReader returns a reader of r's text as UTF-8, and how it was decoded
// (Info.Invalid is not counted when streaming). The first 8 KiB are
// buffered to sniff the encoding.
func NewReader(r io.Reader, codepage string) (io.Reader, Info, error) {
	head := make([]byte, 8192)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, Info{}, err
	}
	head = head[:n]
	info := Sniff(head, codepage)
	body := head
	switch {
	case info.BOM && info.Encoding == UTF8:
		body = head[3:]
	case info.BOM:
		body = head[2:]
	}
	full := io.MultiReader(bytes.NewReader(body), r)
	switch info.Encoding {
	case UTF8:
		return full, info, nil
	case UTF16LE, UTF16BE:
		dec := &UTF16Decoder{BigEndian: info.Encoding == UTF16BE}
		return &bulkReader{src: full, decode: dec.Append, flush: dec.Flush}, info, nil
	}
	if d, err := NewCodePageDecoder(info.Encoding); err == nil && !d.MultiByte() {
		decode := func(dst, src []byte) []byte { out, _ := d.Append(dst, src); return out }
		return &bulkReader{src: full, decode: decode, flush: func(dst []byte) []byte { return dst }}, info, nil
	}
	return transform.NewReader(full, decoder(info)), info, nil
}

// bulkReader decodes a chunk at a time as it is read.
type bulkReader struct {
	src    io.Reader
	decode func(dst, src []byte) []byte
	flush  func(dst []byte) []byte
	raw    []byte
	buf    []byte
	out    []byte // decoded, not yet returned (a window on buf)
	done   bool
}

func (u *bulkReader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.done {
			return 0, io.EOF
		}
		if u.raw == nil {
			u.raw = make([]byte, 64<<10)
		}
		n, err := u.src.Read(u.raw)
		u.buf = u.decode(u.buf[:0], u.raw[:n])
		if err == io.EOF {
			u.buf = u.flush(u.buf)
			u.done = true
		} else if err != nil {
			return 0, err
		}
		u.out = u.buf
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}
