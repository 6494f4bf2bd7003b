package regfile

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// keyState says what becomes of the value lines that follow a [key] line.
type keyState int

const (
	noKey      keyState = iota // before the first [key]: values are errors
	keptKey                    // values go into the tree
	skippedKey                 // values are skipped unread: key not wanted, outside HKLM, or a bad [key] line
	deletedKey                 // after a [-key] line: values are errors
)

type parser struct {
	src    *lineSource
	file   string
	filter *model.KeyFilter
	cp     *textenc.CodePageDecoder
	tree   *model.RegTree
	res    *Result
	v4     bool // REGEDIT4: hex(2)/hex(7) data are in the code page

	state   keyState
	key     *model.Key
	keyPath string // spelling of the current [key] line
	keyLine int
	curTerm string // terminator of the line being parsed
	// lineInCP is set when the current line was decoded from a multi-byte
	// code page as a whole: its names and strings are then not UTF-8 text.
	lineInCP bool

	// prune is the last key whose whole subtree the filter rejects: keys
	// below it are skipped by a prefix comparison, without allocating.
	prune   string
	pruning bool

	*scratch

	// What the tokens of an 8-bit file turned out to be.
	utf8Tokens, cpTokens    int
	cpInvalid               int
	firstCPLine, firstBadCP int

	nvalues int // values in the tree (counted as they come and go)

	// kept is what the kept keys and values take, against MaxKeptBytes;
	// full is set once it was passed (later ones are dropped).
	kept int64
	full bool
	// longString is set when a str(N) string ran past maxLineBytes and
	// that was reported.
	longString bool
	// capped is set when hex data was cut at MaxValueSize while read.
	capped bool

	outside          int
	firstOutside     string
	firstOutsideLine int
	droppedErrors    int
}

// scratch is the parser's reused buffers: a decoded line, and names,
// strings and data being unescaped or gathered. Nothing the result keeps
// points into them (it holds copies).
type scratch struct {
	lineBuf, tokBuf, nameBuf, strBuf, dataBuf, accBuf []byte
}

// scratches holds scratch buffers for reuse across files: grown anew for
// each of a fleet's thousands of small exports, they cost about a
// kilobyte a file.
var scratches sync.Pool

// maxPooledScratch is the largest buffer kept for reuse; a longer line or
// value (rare) does not keep its buffer alive.
const maxPooledScratch = 64 << 10

func newParser(src *lineSource, file string, filter *model.KeyFilter, cp *textenc.CodePageDecoder) *parser {
	tree := model.NewRegTree()
	p := &parser{
		src: src, file: file, filter: filter, cp: cp, tree: tree,
		res: &Result{Tree: tree},
	}
	if sc, ok := scratches.Get().(*scratch); ok {
		p.scratch = sc
	} else {
		p.scratch = &scratch{}
	}
	return p
}

// releaseScratch gives the scratch buffers back for reuse, less any
// that grew past maxPooledScratch; the parser must not use them after.
func (p *parser) releaseScratch() {
	sc := p.scratch
	p.scratch = nil
	for _, b := range [...]*[]byte{&sc.lineBuf, &sc.tokBuf, &sc.nameBuf, &sc.strBuf, &sc.dataBuf, &sc.accBuf} {
		if cap(*b) > maxPooledScratch {
			*b = nil
		}
		*b = (*b)[:0]
	}
	scratches.Put(sc)
}

var (
	headerV5 = []byte("Windows Registry Editor Version ")
	headerV4 = []byte("REGEDIT4")
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// isHeader reports whether t is a header line: "REGEDIT4" or "Windows
// Registry Editor Version N.NN".
func isHeader(t []byte) bool {
	if bytes.EqualFold(t, headerV4) {
		return true
	}
	if len(t) <= len(headerV5) || !bytes.EqualFold(t[:len(headerV5)], headerV5) {
		return false
	}
	v := t[len(headerV5):]
	dot := bytes.IndexByte(v, '.')
	return dot > 0 && dot < len(v)-1 && allDigits(v[:dot]) && allDigits(v[dot+1:])
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// readHeader reads up to the header line. Blank lines and comments may
// come first. A file that starts with a [key] line is read with an error;
// anything else is not a .reg export.
func (p *parser) readHeader() error {
	for {
		raw, _, long, ok := p.src.next()
		n := p.src.line
		if !ok {
			return fmt.Errorf("%s: not a .reg export: no header line (expected %q or %q)", p.file, "Windows Registry Editor Version 5.00", "REGEDIT4")
		}
		if long {
			return fmt.Errorf("%s:%d: not a .reg export: the first line is longer than %d MiB", p.file, n, maxLineBytes>>20)
		}
		text := p.text(raw, n)
		s, e := bounds(text)
		switch {
		case s == e || text[s] == ';':
			continue
		case isHeader(text[s:e]):
			p.res.Header = string(text[s:e])
			p.v4 = bytes.EqualFold(text[s:e], headerV4)
			return nil
		case text[s] == '[' && bytes.IndexByte(text[s:e], ']') > 0:
			p.errorAt(n, p.col(text, s), `expected the header "Windows Registry Editor Version 5.00" or "REGEDIT4" before the first key`)
			p.src.unread()
			return nil
		}
		return fmt.Errorf("%s:%d: not a .reg export: expected %q or %q, found %q", p.file, n,
			"Windows Registry Editor Version 5.00", "REGEDIT4", clip(text[s:e], 60))
	}
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// run reads every line after the header.
func (p *parser) run() {
	for {
		raw, term, long, ok := p.src.next()
		if !ok {
			return
		}
		if p.state == skippedKey && !p.startsKeyLine(raw) {
			continue // a value of a key nobody asked for: not even decoded
		}
		n := p.src.line
		if long {
			p.errorAt(n, 1, fmt.Sprintf("line longer than %d MiB: skipped", maxLineBytes>>20))
			continue
		}
		p.curTerm = term
		p.line(p.text(raw, n), n)
	}
}

// startsKeyLine reports whether a raw line starts with `[` after what
// bounds skips (blanks, stray CR/LF, a BOM character), without decoding.
func (p *parser) startsKeyLine(raw []byte) bool {
	w := p.src.unitWidth()
	for len(raw) >= w {
		switch {
		case p.src.isUnit(raw, ' ') || p.src.isUnit(raw, '\t') || p.src.isUnit(raw, '\r') || p.src.isUnit(raw, '\n'):
			raw = raw[w:]
		case !p.src.wide && bytes.HasPrefix(raw, utf8BOM):
			raw = raw[len(utf8BOM):]
		case p.src.wide && p.src.isBOM(raw):
			raw = raw[2:]
		default:
			return p.src.isUnit(raw, '[')
		}
	}
	return false
}

// text returns a raw line as text to parse. UTF-16 is decoded (unpaired
// surrogates kept). 8-bit lines are parsed as they are and their names and
// strings decoded one by one, except in a multi-byte code page (cp932,
// where the second byte of a character can be `\`): there a line that is
// not UTF-8 is decoded first. The result is valid until the next line is
// read.
func (p *parser) text(raw []byte, n int) []byte {
	p.lineInCP = false
	if p.src.wide {
		d := textenc.UTF16Decoder{BigEndian: p.src.be, KeepSurrogates: true}
		p.lineBuf = d.Flush(d.Append(p.lineBuf[:0], raw))
		return p.lineBuf
	}
	if p.cp.MultiByte() && !textenc.IsASCII(raw) && !textenc.ValidWTF8(raw) {
		var bad int
		p.lineBuf, bad = p.cp.Append(p.lineBuf[:0], raw)
		p.noteCodePage(n, bad)
		p.lineInCP = true
		return p.lineBuf
	}
	return raw
}

// noteCodePage records that text of line n was read in the code page,
// with bad bytes not valid in it.
func (p *parser) noteCodePage(n, bad int) {
	if p.cpTokens == 0 {
		p.firstCPLine = n
	}
	p.cpTokens++
	if bad > 0 && p.cpInvalid == 0 {
		p.firstBadCP = n
	}
	p.cpInvalid += bad
}

// noteUTF8 records that a name or string of an 8-bit file was UTF-8.
func (p *parser) noteUTF8() {
	if !p.src.wide && !p.lineInCP {
		p.utf8Tokens++
	}
}

// tokenString decodes a name read from line n (ASCII names are interned).
func (p *parser) tokenString(tok []byte, n int) string {
	if textenc.IsASCII(tok) {
		return intern(tok)
	}
	if textenc.ValidWTF8(tok) {
		p.noteUTF8()
		return textenc.NormalizeWTF8(tok)
	}
	var bad int
	p.tokBuf, bad = p.cp.Append(p.tokBuf[:0], tok)
	p.noteCodePage(n, bad)
	return string(p.tokBuf)
}

// appendUTF16 appends string data read from line n as UTF-16LE.
func (p *parser) appendUTF16(dst, tok []byte, n int) []byte {
	if textenc.IsASCII(tok) {
		for _, c := range tok {
			dst = append(dst, c, 0)
		}
		return dst
	}
	if textenc.ValidWTF8(tok) {
		p.noteUTF8()
	} else {
		var bad int
		p.tokBuf, bad = p.cp.Append(p.tokBuf[:0], tok)
		p.noteCodePage(n, bad)
		tok = p.tokBuf
	}
	dst, _ = textenc.AppendUTF16LE(dst, tok)
	return dst
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// bounds returns where the content of a line starts and ends: without
// blanks, a BOM character (concatenated exports) or stray CR/LF at the
// start, and without blanks, NULs and Ctrl-Z at the end.
func bounds(text []byte) (s, e int) {
	e = len(text)
	for e > 0 {
		switch text[e-1] {
		case ' ', '\t', '\r', '\n', 0, 0x1A:
			e--
			continue
		}
		break
	}
	for s < e {
		switch {
		case text[s] == ' ' || text[s] == '\t' || text[s] == '\r' || text[s] == '\n':
			s++
			continue
		case bytes.HasPrefix(text[s:e], utf8BOM):
			s += len(utf8BOM)
			continue
		}
		break
	}
	return s, e
}

func skipBlank(text []byte, i, e int) int {
	for i < e && isBlank(text[i]) {
		i++
	}
	return i
}

// col returns the 1-based column, in characters, of byte i of text.
func (p *parser) col(text []byte, i int) int {
	return utf8.RuneCount(text[:min(i, len(text))]) + 1
}

func (p *parser) errorAt(line, col int, msg string) {
	if len(p.res.Errors) >= maxErrors {
		p.droppedErrors++
		return
	}
	p.res.Errors = append(p.res.Errors, &model.ParseError{File: p.file, Line: line, Column: col, Err: errors.New(msg)})
}

// line parses one logical line (continuation lines are fetched as needed).
func (p *parser) line(text []byte, n int) {
	s, e := bounds(text)
	if s == e {
		return
	}
	switch text[s] {
	case ';':
		return
	case '[':
		p.keyHeader(text, s, e, n)
		return
	case '"', '@':
		if p.state == keptKey {
			p.values(text, s, n)
			return
		}
		msg := "value before the first [key] line: it belongs to no key"
		if p.state == deletedKey {
			msg = "value after a [-key] deletion line: it belongs to no key"
		}
		p.errorAt(n, p.col(text, s), msg)
		p.skipContinuation(text, e)
		return
	}
	if isHeader(text[s:e]) { // exports concatenated into one file
		p.v4 = bytes.EqualFold(text[s:e], headerV4)
		return
	}
	p.errorAt(n, p.col(text, s), `expected [key], "name"=value, @=value or a ; comment`)
	p.skipContinuation(text, e)
}

// skipContinuation skips the continuation lines of a line that could not
// be parsed, so that one error is reported for it rather than one per line.
func (p *parser) skipContinuation(text []byte, e int) {
	for e > 0 && text[e-1] == '\\' {
		raw, _, long, ok := p.src.next()
		if !ok || long {
			return
		}
		text = p.text(raw, p.src.line)
		var s int
		s, e = bounds(text)
		if s == e || !(isHex(text[s]) || text[s] == ',' || text[s] == '\\') {
			p.src.unread()
			return
		}
	}
}

// Roots of the other hives: keys under them are skipped, not errors.
var otherRoots = []string{
	"HKEY_CURRENT_USER", "HKCU", "HKEY_USERS", "HKU", "HKEY_CLASSES_ROOT", "HKCR",
	"HKEY_CURRENT_CONFIG", "HKCC", "HKEY_DYN_DATA", "HKEY_PERFORMANCE_DATA",
}

// keyHeader handles a [key] or [-key] line.
func (p *parser) keyHeader(text []byte, s, e, n int) {
	p.state = skippedKey
	p.res.KeysSeen++
	i := s + 1
	del := i < e && text[i] == '-'
	if del {
		i++
	}
	end := bytes.LastIndexByte(text[i:e], ']')
	if end < 0 {
		p.errorAt(n, p.col(text, e), `expected "]" at the end of the key name`)
		return
	}
	end += i
	if j := skipBlank(text, end+1, e); j < e && text[j] != ';' {
		p.errorAt(n, p.col(text, j), `expected the end of the line after "]"`)
		return
	}
	rel, ok := p.hklmRelative(text[i:end], n, p.col(text, i))
	if !ok {
		return
	}
	if del {
		p.deleteKey(rel, n)
		return
	}
	path, keep := p.wanted(rel, n)
	if !keep {
		return
	}
	path = remember(path) // kept paths only: those of skipped subtrees are not worth holding
	if p.tree.Key(path) == nil && !p.charge(int64(len(path))+keptOverhead, n) {
		return
	}
	p.key = p.tree.EnsureKey(path, model.Location{File: p.file, Line: int32(n), Column: int32(p.col(text, s)), KeyLine: int32(n), Key: path})
	if p.key.Values == nil {
		// Size the value list for the value lines that follow, once:
		// appended one by one it was allocated four times over for a
		// key of a few values.
		if c := p.src.countEntries(); c > 0 {
			p.key.Values = make([]*model.Value, 0, c)
		}
	}
	p.keyPath, p.keyLine, p.state = path, n, keptKey
}

// hklmRelative strips the HKEY_LOCAL_MACHINE (or HKLM) root and the
// backslashes around the rest. ok is false when the key is elsewhere.
func (p *parser) hklmRelative(path []byte, n, col int) (rel []byte, ok bool) {
	root := path
	if i := bytes.IndexByte(path, '\\'); i >= 0 {
		root = path[:i]
	}
	if bytes.EqualFold(root, []byte("HKEY_LOCAL_MACHINE")) || bytes.EqualFold(root, []byte("HKLM")) {
		rel = bytes.Trim(path[len(root):], `\`)
		return rel, true
	}
	for _, r := range otherRoots {
		if bytes.EqualFold(root, []byte(r)) {
			if p.outside == 0 {
				p.firstOutside, p.firstOutsideLine = p.tokenString(path, n), n
			}
			p.outside++
			return nil, false
		}
	}
	switch {
	case len(path) == 0:
		p.errorAt(n, col, "expected a key name between [ and ]")
	case len(root) == 0:
		p.errorAt(n, col, `expected a key path starting with HKEY_LOCAL_MACHINE, found one starting with "\" (hivexregedit --export without --prefix?)`)
	default:
		p.errorAt(n, col, fmt.Sprintf("expected a key path starting with HKEY_LOCAL_MACHINE or another root key, found %q", p.tokenString(root, n)))
	}
	return nil, false
}

// pathOf returns rel as a model path: empty components dropped, names
// decoded. An ASCII path seen before (see keyHeader) is not copied again.
func (p *parser) pathOf(rel []byte, n int) string {
	if textenc.IsASCII(rel) && !bytes.Contains(rel, []byte(`\\`)) {
		if s, ok := lookupInterned(rel); ok {
			return s
		}
		return string(rel)
	}
	var b []byte
	for _, c := range bytes.Split(rel, []byte(`\`)) {
		if len(c) == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, '\\')
		}
		b = append(b, p.tokenString(c, n)...)
	}
	return string(b)
}

// wanted decides whether the key at rel is kept, and returns its path.
func (p *parser) wanted(rel []byte, n int) (string, bool) {
	if p.filter == nil {
		return p.pathOf(rel, n), true
	}
	if p.pruning && underFold(rel, p.prune) {
		return "", false
	}
	path := p.pathOf(rel, n)
	if p.filter.Wants(path) {
		return path, true
	}
	if !p.filter.Descend(path) {
		p.prune, p.pruning = path, true
	}
	return "", false
}

// underFold reports whether rel lies strictly below the key prefix,
// comparing ASCII letters case-insensitively. It may say no for a key
// that is below (non-ASCII case differences), never yes for one that is
// not.
func underFold(rel []byte, prefix string) bool {
	if len(rel) <= len(prefix) || rel[len(prefix)] != '\\' {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := rel[i], prefix[i]
		if a == b {
			continue
		}
		if a|0x20 != b|0x20 || a|0x20 < 'a' || a|0x20 > 'z' {
			return false
		}
	}
	return true
}

// deleteKey applies [-key]: the key and its subkeys read so far go away.
func (p *parser) deleteKey(rel []byte, n int) {
	p.state = deletedKey
	path := p.pathOf(rel, n)
	if path == "" { // [-HKEY_LOCAL_MACHINE]: everything read so far
		for _, top := range p.tree.Subkeys("") {
			p.deleteTree(top)
		}
		p.deleteTree("")
		return
	}
	if p.filter == nil || p.filter.Descend(path) {
		p.deleteTree(path)
	}
}

// deleteTree removes the subtree at path, keeping the value count.
func (p *parser) deleteTree(path string) {
	p.nvalues -= p.countValues(path)
	p.tree.DeleteTree(path)
}

func (p *parser) countValues(path string) int {
	n := 0
	if k := p.tree.Key(path); k != nil {
		n = len(k.Values)
	}
	for _, kid := range p.tree.Subkeys(path) {
		if path != "" {
			kid = path + `\` + kid
		}
		n += p.countValues(kid)
	}
	return n
}

// finish fills in the counts, the encoding and the warnings.
func (p *parser) finish() {
	r := p.res
	r.KeysKept, r.ValuesKept = p.tree.Len(), p.nvalues
	if p.droppedErrors > 0 {
		r.Errors = append(r.Errors, model.ParseErrorf(p.file, p.src.line, 1, "%d more syntax errors not listed", p.droppedErrors))
	}
	if p.outside > 0 {
		p.warn(p.firstOutsideLine, fmt.Sprintf("skipped %d key(s) outside HKEY_LOCAL_MACHINE (the first is [%s])", p.outside, p.firstOutside))
	}
	p.finishEncoding()
}

func (p *parser) finishEncoding() {
	info := &p.res.Encoding
	if p.src.oddByte {
		info.Invalid++
		p.warn(p.src.line, "UTF-16 text with an odd number of bytes: the last byte was ignored")
	}
	if p.src.wide {
		return
	}
	cp := p.cp.Name()
	switch {
	case p.cpTokens > 0 && p.utf8Tokens == 0:
		*info = textenc.Info{Encoding: cp, Assumed: true}
	case p.cpTokens > 0:
		*info = textenc.Info{Encoding: textenc.UTF8, BOM: info.BOM}
		p.warn(p.firstCPLine, fmt.Sprintf("the file mixes UTF-8 and %s: %d name(s) or string(s) are not valid UTF-8 and were read as %s (the first on line %d); reged and hivexregedit write 8-bit files this way", cp, p.cpTokens, cp, p.firstCPLine))
	case p.utf8Tokens > 0:
		*info = textenc.Info{Encoding: textenc.UTF8, BOM: info.BOM}
	}
	if p.cpInvalid > 0 {
		info.Invalid += p.cpInvalid
		p.warn(p.firstBadCP, fmt.Sprintf("%d byte(s) not valid in %s (the first on line %d): the file may be in another code page (set it with --codepage)", p.cpInvalid, cp, p.firstBadCP))
	}
}

func (p *parser) warn(line int, msg string) {
	p.res.Warnings = append(p.res.Warnings, model.Problem{Loc: model.Location{File: p.file, Line: int32(line)}, Message: msg})
}
