package regfile

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// Text is an export's text, for outputs that quote or embed it (SARIF's
// snippets and artifact contents): its physical lines, numbered as every
// Location of the file numbers them, decoded to UTF-8 and without their
// line ends, with the data of every ipsecData value replaced by
// model.Redacted.
//
// The data of an ipsecNFA object's ipsecData may hold a pre-shared key in
// clear (MS-GPIPSEC); the data of every value named ipsecData are cut,
// whatever its key, from the "=" (and type, hex: or hex(N):) on, with
// the lines it goes on to: up to a blank line, a comment, or a line that
// starts a key or another value.
type Text struct {
	Lines []string
	// Redacted lists the lines (1-based) in which data were replaced, and
	// Values counts the ipsecData values whose data were.
	Redacted []int
	Values   int
	// Long lists the lines longer than the parser reads: kept empty.
	Long []int
}

// ReadText reads the text of an export from r, its lines cut and decoded
// as Parse cuts and decodes them with opts (8-bit text in opts.CodePage;
// the filter does not apply: every line is kept). It is meant for a file
// Parse has read; the error is non-nil only when r cannot be read.
func ReadText(r io.Reader, opts Options) (*Text, error) {
	cp, err := textenc.NewCodePageDecoder(opts.CodePage)
	if err != nil {
		return nil, err
	}
	src, _, err := startSource(r, cp, chunkBytes)
	if err != nil {
		return nil, err
	}
	t := &Text{}
	for {
		raw, _, long, ok := src.next()
		if !ok {
			break
		}
		if long {
			t.Long = append(t.Long, src.line)
		}
		t.Lines = append(t.Lines, decodeLine(src, cp, raw))
	}
	if src.err != nil {
		return nil, src.err
	}
	t.redact()
	return t, nil
}

// decodeLine decodes a raw line as the parser reads it: UTF-16, else
// UTF-8 where it is valid and the code page for the bytes that are not
// (so that a character counts as one column, as the parser counts them),
// a multi-byte code page's line as a whole.
func decodeLine(src *lineSource, cp *textenc.CodePageDecoder, raw []byte) string {
	if src.wide {
		d := textenc.UTF16Decoder{BigEndian: src.be}
		return string(d.Flush(d.Append(nil, raw)))
	}
	if utf8.Valid(raw) {
		return string(raw)
	}
	if cp.MultiByte() {
		out, _ := cp.Append(nil, raw)
		return string(out)
	}
	out := make([]byte, 0, len(raw)+len(raw)/2)
	for len(raw) > 0 {
		r, n := utf8.DecodeRune(raw)
		if r == utf8.RuneError && n == 1 {
			out, _ = cp.Append(out, raw[:1])
		} else {
			out = append(out, raw[:n]...)
		}
		raw = raw[n:]
	}
	return string(out)
}

// redact cuts the data of the ipsecData values out of the lines. Once
// the file has held one, a line of bare hex bytes that no other value
// continues onto is cut too: a stray line (a comment, a blank, another
// entry) inside an ipsecData value's continuation leaves the rest of its
// bytes, which may spell a pre-shared key, on lines of their own.
func (t *Text) redact() {
	inData := false  // the lines after an ipsecData value's first one
	inOther := false // the continuation lines of another value
	seen := false    // an ipsecData value was met
	for i, line := range t.Lines {
		s, e := boundsText(line)
		if inData {
			if s == e || line[s] == ';' || startsEntryText(line[s:e]) {
				inData = false
			} else {
				t.Lines[i] = line[:s] + model.Redacted
				t.Redacted = append(t.Redacted, i+1)
				continue
			}
		}
		if at := ipsecDataAt(line); at >= 0 {
			t.Lines[i] = line[:at] + model.Redacted
			t.Redacted = append(t.Redacted, i+1)
			t.Values++
			inData, inOther, seen = true, false, true
			continue
		}
		continued := inOther
		inOther = s < e && strings.HasSuffix(line[s:e], `\`) && (continued || startsEntryText(line[s:e]))
		if seen && !continued && isHexBytesLine(line[s:e]) {
			t.Lines[i] = line[:s] + model.Redacted
			t.Redacted = append(t.Redacted, i+1)
		}
	}
}

// isHexBytesLine reports whether c (a line's text without its blanks at
// either end) is nothing but hex bytes separated by commas, as a value's
// continuation line is, with its trailing backslash when it goes on.
func isHexBytesLine(c string) bool {
	c = strings.TrimSuffix(c, `\`)
	c = strings.TrimRight(c, " \t,")
	if c == "" {
		return false
	}
	for c != "" { // "4b,00, 65" byte by byte, without splitting the line
		c = strings.TrimLeft(c, " \t")
		if len(c) < 2 || !isHex(c[0]) || !isHex(c[1]) {
			return false
		}
		c = strings.TrimLeft(c[2:], " \t")
		if c != "" {
			if c[0] != ',' {
				return false
			}
			c = c[1:]
		}
	}
	return true
}

// ipsecDataAt returns where the data of an ipsecData value written on
// the line start (after "=" and its type), or -1. The name is looked for
// anywhere on the line: a reged export may hold two entries on one.
func ipsecDataAt(line string) int {
	const name = `"ipsecdata"`
	for from := 0; ; {
		i := indexFoldASCII(line[from:], name)
		if i < 0 {
			return -1
		}
		j := from + i + len(name)
		from = j
		for j < len(line) && isBlank(line[j]) {
			j++
		}
		if j >= len(line) || line[j] != '=' {
			continue
		}
		j++
		for j < len(line) && isBlank(line[j]) {
			j++
		}
		if rest := line[j:]; prefixFoldASCII(rest, "hex") {
			if k := strings.IndexByte(rest, ':'); k >= 0 && k < len("hex(ffffffff):") {
				j += k + 1
			}
		}
		return j
	}
}

// boundsText is bounds of a line of text.
func boundsText(line string) (s, e int) {
	e = len(line)
	for e > 0 && strings.IndexByte(" \t\r\n\x00\x1a", line[e-1]) >= 0 {
		e--
	}
	for s < e && strings.IndexByte(" \t\r\n", line[s]) >= 0 {
		s++
	}
	if strings.HasPrefix(line[s:e], "\ufeff") {
		s += len("\ufeff")
	}
	return s, e
}

// startsEntryText reports whether a line's content starts a key or a
// value entry (parser.startsEntry on text already bounded).
func startsEntryText(c string) bool {
	switch c[0] {
	case '[':
		return true
	case '@':
		rest := strings.TrimLeft(c[1:], " \t")
		return strings.HasPrefix(rest, "=")
	case '"':
		for i := 1; i < len(c); i++ {
			switch {
			case c[i] == '\\' && i+1 < len(c) && (c[i+1] == '\\' || c[i+1] == '"'):
				i++
			case c[i] == '"':
				return strings.HasPrefix(strings.TrimLeft(c[i+1:], " \t"), "=")
			}
		}
	}
	return false
}

// indexFoldASCII is strings.Index with the ASCII letters of s in any
// case (as the registry's names compare); sub is lower case.
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if prefixFoldASCII(s[i:], sub) {
			return i
		}
	}
	return -1
}

func prefixFoldASCII(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
