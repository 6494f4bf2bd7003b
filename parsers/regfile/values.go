package regfile

import (
	"bytes"
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// maxJoinedLines bounds how many lines one str(N) string may span.
const maxJoinedLines = 1000

// values parses the value entries of a line: one, or several when reged
// wrote zero-length hex values without a newline after them.
func (p *parser) values(text []byte, s, n int) {
	for {
		next, more := p.value(text, s, n)
		if !more {
			return
		}
		s = next
	}
}

// entry is one value being parsed: where it starts, its name.
type entry struct {
	name string
	loc  model.Location
}

// value parses one `"name"=data` or `@=data` entry starting at text[s].
// When another entry follows on the same line (reged's bug), it returns
// its start and more = true.
func (p *parser) value(text []byte, s, n int) (next int, more bool) {
	_, e := bounds(text)
	en := entry{loc: model.Location{File: p.file, Line: int32(n), Column: int32(p.col(text, s)), KeyLine: int32(p.keyLine), Key: p.keyPath}}
	pos := s + 1
	if text[s] == '"' {
		tok, end, ok := p.quoted(text, s, e, &p.nameBuf)
		if !ok {
			p.errorAt(n, p.col(text, e), `expected '"' at the end of the value name`)
			p.skipContinuation(text, e)
			return 0, false
		}
		en.name, pos = p.tokenString(tok, n), end
	}
	en.loc.Value = en.name
	pos = skipBlank(text, pos, e)
	if pos >= e || text[pos] != '=' {
		p.errorAt(n, p.col(text, pos), `expected "=" after the value name`)
		p.skipContinuation(text, e)
		return 0, false
	}
	pos = skipBlank(text, pos+1, e)
	rest := text[pos:e]
	switch {
	case len(rest) == 0:
		p.errorAt(n, p.col(text, pos), `expected a value after "=": "string", dword:, hex:, hex(N): or -`)
	case rest[0] == '-':
		if p.endOK(text, pos+1, e, n, "after =-") {
			p.deleteValue(en.name)
		}
	case rest[0] == '"':
		p.stringValue(en, text, pos, e, n)
	case hasPrefixFold(rest, "dword:"):
		p.dwordValue(en, text, pos+len("dword:"), e, n)
	case hasPrefixFold(rest, "hex:"):
		return p.hexValue(en, model.RegBinary, text, pos+len("hex:"), n)
	case hasPrefixFold(rest, "hex("):
		typ, end, ok := p.typeNumber(text, pos+len("hex("), e, n, "hex")
		if ok {
			return p.hexValue(en, typ, text, end, n)
		}
		p.skipContinuation(text, e)
	case hasPrefixFold(rest, "str("):
		typ, end, ok := p.typeNumber(text, pos+len("str("), e, n, "str")
		if ok {
			p.printableValue(en, typ, text, end, n)
		}
	default:
		p.errorAt(n, p.col(text, pos), `expected a value after "=": "string", dword:, hex:, hex(N): or -`)
		p.skipContinuation(text, e)
	}
	return 0, false
}

func (p *parser) set(en entry, typ model.ValueType, data []byte) {
	if len(data) > MaxValueSize || p.capped {
		size := len(data)
		if p.capped {
			size, p.capped = MaxValueSize+1, false
		}
		p.truncated(en, size)
		data = data[:min(len(data), MaxValueSize):min(len(data), MaxValueSize)]
	}
	old := p.key.Value(en.name)
	cost := int64(len(data)) + int64(len(en.name)) + keptOverhead
	if old != nil {
		cost = max(0, int64(len(data)-len(old.Data)))
	}
	if !p.charge(cost, int(en.loc.Line)) {
		return
	}
	if old == nil {
		p.nvalues++
	}
	p.key.SetValue(&model.Value{Name: en.name, Type: typ, Data: data, Loc: en.loc})
}

// truncated reports a value cut to MaxValueSize; size is what it holds,
// or MaxValueSize+1 when reading stopped there.
func (p *parser) truncated(en entry, size int) {
	what := "more than " + mib(MaxValueSize)
	if size > MaxValueSize+1 {
		what = fmt.Sprintf("%d bytes", size)
	}
	p.errorAt(int(en.loc.Line), int(en.loc.Column), fmt.Sprintf("value %q holds %s of data, more than the %s a registry value can hold: only its first %s are kept (the value is truncated)",
		en.name, what, mib(MaxValueSize), mib(MaxValueSize)))
}

func mib(n int) string { return fmt.Sprintf("%d MiB", n>>20) }

// sizeText names a byte count: in MiB when it is whole MiB.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return mib(int(n))
	}
	return fmt.Sprintf("%d bytes", n)
}

// maxKeptBytes is MaxKeptBytes (tests lower it).
var maxKeptBytes int64 = MaxKeptBytes

// charge counts cost bytes against MaxKeptBytes; false, reported once at
// line n, when they do not fit.
func (p *parser) charge(cost int64, n int) bool {
	if p.filter == nil {
		return true
	}
	if p.full {
		return false
	}
	p.kept += cost
	if p.kept <= maxKeptBytes {
		return true
	}
	p.full = true
	p.errorAt(n, 1, fmt.Sprintf("the keys and values kept from this file pass %s: from here on, keys and values are not read", sizeText(maxKeptBytes)))
	return false
}

func (p *parser) deleteValue(name string) {
	if p.key.Value(name) != nil {
		p.nvalues--
		p.key.DeleteValue(name)
	}
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

func hexVal(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// endOK checks that nothing but blanks or a ; comment follows text[i].
func (p *parser) endOK(text []byte, i, e, n int, what string) bool {
	i = skipBlank(text, i, e)
	if i < e && text[i] != ';' {
		p.errorAt(n, p.col(text, i), fmt.Sprintf("expected the end of the line %s, found %q", what, clip(text[i:e], 20)))
		return false
	}
	return true
}

// quoted reads the "…" string at text[s], undoing the \\ and \" escapes
// (a backslash before any other character is kept). It returns the
// content and the index after the closing quote.
func (p *parser) quoted(text []byte, s, e int, buf *[]byte) (tok []byte, end int, ok bool) {
	body := text[s+1 : e]
	q := bytes.IndexByte(body, '"')
	if q >= 0 && bytes.IndexByte(body[:q], '\\') < 0 { // no escapes: no copy
		return body[:q], s + 1 + q + 1, true
	}
	out := (*buf)[:0]
	defer func() { *buf = out }()
	for i := s + 1; i < e; i++ {
		c := text[i]
		switch {
		case c == '\\' && i+1 < e && (text[i+1] == '\\' || text[i+1] == '"'):
			i++
			out = append(out, text[i])
		case c == '"':
			return out, i + 1, true
		default:
			out = append(out, c)
		}
	}
	return nil, e, false
}

// stringValue reads `"text"`: REG_SZ, stored as UTF-16LE with a NUL.
func (p *parser) stringValue(en entry, text []byte, pos, e, n int) {
	tok, end, ok := p.quoted(text, pos, e, &p.strBuf)
	if !ok {
		p.errorAt(n, p.col(text, e), `expected '"' at the end of the string`)
		return
	}
	if !p.endOK(text, end, e, n, "after the string") {
		return
	}
	data := p.appendUTF16(make([]byte, 0, 2*len(tok)+2), tok, n)
	p.set(en, model.RegSZ, append(data, 0, 0))
}

// dwordValue reads the 1 to 8 hex digits after dword:.
func (p *parser) dwordValue(en entry, text []byte, pos, e, n int) {
	j := pos
	var v uint32
	for j < e && isHex(text[j]) {
		if j-pos == 8 {
			p.errorAt(n, p.col(text, j), "expected at most 8 hex digits after dword:")
			return
		}
		v = v<<4 | uint32(hexVal(text[j]))
		j++
	}
	if j == pos {
		p.errorAt(n, p.col(text, j), "expected 1 to 8 hex digits after dword:")
		return
	}
	if p.endOK(text, j, e, n, "after the dword digits") {
		p.set(en, model.RegDWORD, model.DWORDData(v))
	}
}

// typeNumber reads the N of hex(N): or str(N): (hexadecimal, up to 8
// digits) and returns the index after the colon.
func (p *parser) typeNumber(text []byte, pos, e, n int, form string) (model.ValueType, int, bool) {
	j := pos
	var v uint32
	for j < e && isHex(text[j]) && j-pos < 8 {
		v = v<<4 | uint32(hexVal(text[j]))
		j++
	}
	if j == pos || j+2 > e || text[j] != ')' || text[j+1] != ':' {
		if j > pos && j < e && text[j] == ')' {
			j++ // point at what should be the colon
		}
		p.errorAt(n, p.col(text, j), fmt.Sprintf("expected %s(N): with N a type number in hex", form))
		return 0, 0, false
	}
	return model.ValueType(v), j + 2, true
}

// hexValue reads comma-separated hex bytes, across `\` continuation
// lines, up to the end of the value.
func (p *parser) hexValue(en entry, typ model.ValueType, text []byte, pos, n int) (next int, more bool) {
	_, e := bounds(text)
	data := p.dataBuf[:0]
	defer func() { p.dataBuf = data[:0] }()
	first := true // still on the line the value started on
	for {
		i := skipBlank(text, pos, e)
		if i >= e {
			break
		}
		c := text[i]
		switch {
		case isHex(c):
			v := hexVal(c)
			j := i + 1
			if j < e && isHex(text[j]) {
				v = v<<4 | hexVal(text[j])
				j++
			}
			if len(data) <= MaxValueSize {
				data = append(data, v) // one byte past the limit says there is more
			}
			j = skipBlank(text, j, e)
			switch {
			case j < e && text[j] == ',':
				j++
			case j < e && text[j] != '\\':
				p.errorAt(n, p.col(text, j), `expected "," between hex bytes`)
				p.skipContinuation(text, e)
				return 0, false
			}
			pos = j
			continue
		case c == '\\' && i == e-1: // continued on the next line
			var ok bool
			text, pos, e, n, ok = p.continuation()
			if !ok {
				p.setHex(en, typ, data, n)
				return 0, false
			}
			if text[pos] == ',' && len(data) > 0 {
				pos++
			}
			first = false
			continue
		case (c == '"' || c == '@') && first && len(data) == 0:
			// reged: a zero-length value is not followed by a newline.
			p.setHex(en, typ, data, n)
			return i, true
		}
		p.errorAt(n, p.col(text, i), fmt.Sprintf("expected a hex byte, found %q", clip(text[i:e], 10)))
		p.skipContinuation(text, e)
		return 0, false
	}
	p.setHex(en, typ, data, n)
	return 0, false
}

// continuation reads the line after a `\`. ok is false when there is
// none: end of file, a blank line, or a line that starts a new entry
// (which is given back to be parsed as such).
func (p *parser) continuation() (text []byte, s, e, n int, ok bool) {
	raw, _, long, ok := p.src.next()
	n = p.src.line
	if !ok {
		return nil, 0, 0, n, false
	}
	if long {
		p.errorAt(n, 1, fmt.Sprintf("line longer than %d MiB: skipped", maxLineBytes>>20))
		return nil, 0, 0, n, false
	}
	text = p.text(raw, n)
	s, e = bounds(text)
	if s == e {
		return nil, 0, 0, n, false
	}
	switch text[s] {
	case '[', '"', '@', ';':
		p.src.unread()
		return nil, 0, 0, n - 1, false
	}
	return text, s, e, n, true
}

// setHex stores hex data, converting REGEDIT4's ANSI strings.
func (p *parser) setHex(en entry, typ model.ValueType, data []byte, n int) {
	if len(data) > MaxValueSize {
		p.capped, data = true, data[:MaxValueSize]
	}
	if p.v4 && (typ == model.RegExpandSZ || typ == model.RegMultiSZ) {
		// regedit reads these from REGEDIT4 files as ANSI text in the code
		// page and stores them as UTF-16 (Wine's regedit does the same).
		var bad int
		p.tokBuf, bad = p.cp.Append(p.tokBuf[:0], data)
		if bad > 0 || !textenc.IsASCII(data) {
			p.noteCodePage(n, bad)
		}
		u, _ := textenc.AppendUTF16LE(make([]byte, 0, 2*len(p.tokBuf)), p.tokBuf)
		p.set(en, typ, u)
		return
	}
	p.set(en, typ, bytes.Clone(data))
}

// printableValue reads hivexregedit's str(N):"…" (--unsafe-printable-
// strings): UTF-16 text written as UTF-8 (or Latin-1), its last NUL
// removed, `"` escaped as `\"` and backslashes not escaped. A string
// holding line breaks spans several lines.
func (p *parser) printableValue(en entry, typ model.ValueType, text []byte, pos, n int) {
	_, e := bounds(text)
	if pos >= e || text[pos] != '"' {
		p.errorAt(n, p.col(text, pos), fmt.Sprintf(`expected '"' after str(%x):`, uint32(typ)))
		return
	}
	body, ok := p.printableBody(text[pos+1:])
	if !ok && p.longString {
		p.longString = false
		return
	}
	if !ok {
		p.errorAt(n, p.col(text, e), fmt.Sprintf(`expected '"' at the end of the str(%x) string`, uint32(typ)))
		return
	}
	tok := body
	if bytes.Contains(body, []byte(`\"`)) {
		tok = bytes.ReplaceAll(body, []byte(`\"`), []byte(`"`))
	}
	data := p.appendUTF16(make([]byte, 0, 2*len(tok)+2), tok, n)
	p.set(en, typ, append(data, 0, 0))
}

// printableBody returns the text of a str(N) string from just after its
// opening quote. The string ends at a quote that ends a line. Quotes in
// the text are written \", and backslashes are not escaped, so a line
// ending in \" may end the string (text ending in a backslash, as paths
// do) or go on: it ends it when the next line is blank or starts an entry.
// Line breaks in the text are kept as the file has them.
func (p *parser) printableBody(first []byte) ([]byte, bool) {
	if _, e := bounds(first); e > 0 && first[e-1] == '"' && (e < 2 || first[e-2] != '\\') {
		return first[:e-1], true // the common case: one line, no copy
	}
	acc := append(p.accBuf[:0], first...) //nolint:gocritic // acc reuses accBuf's storage; it is handed back below
	defer func() { p.accBuf = acc[:0] }()
	line := first
	term := p.curTerm
	for range maxJoinedLines {
		_, e := bounds(line)
		endsQuote := e > 0 && line[e-1] == '"'
		// closed returns the text up to the line's last quote, if any.
		closed := func() ([]byte, bool) {
			if !endsQuote {
				return nil, false
			}
			return bytes.Clone(acc[:len(acc)-(len(line)-e)-1]), true
		}
		if endsQuote && (e < 2 || line[e-2] != '\\') {
			return closed()
		}
		if term == termNone {
			return closed()
		}
		raw, next, long, ok := p.src.next()
		if !ok {
			return closed()
		}
		if long {
			p.errorAt(p.src.line, 1, fmt.Sprintf("line longer than %d MiB: skipped", maxLineBytes>>20))
			return closed()
		}
		text := p.text(raw, p.src.line)
		if s, e := bounds(text); p.startsEntry(text) || (endsQuote && s == e) {
			p.src.unread()
			return closed()
		}
		if len(acc)+len(term)+len(text) > maxLineBytes {
			p.errorAt(p.src.line, 1, fmt.Sprintf("string continued past %d MiB: not read", maxLineBytes>>20))
			p.longString = true
			return nil, false
		}
		acc = append(acc, term...)
		acc = append(acc, text...)
		line, term = acc[len(acc)-len(text):], next
	}
	return nil, false
}

// startsEntry reports whether a line starts a key or a value entry.
func (p *parser) startsEntry(text []byte) bool {
	s, e := bounds(text)
	if s == e {
		return false
	}
	switch text[s] {
	case '[':
		return true
	case '@':
		i := skipBlank(text, s+1, e)
		return i < e && text[i] == '='
	case '"':
		var scratch []byte
		_, end, ok := p.quoted(text, s, e, &scratch)
		i := skipBlank(text, end, e)
		return ok && i < e && text[i] == '='
	}
	return false
}
