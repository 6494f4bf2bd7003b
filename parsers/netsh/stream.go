package netsh

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/parsers/textenc"
	"golang.org/x/text/transform"
)

// MaxLineBytes is the longest physical line read, in bytes of UTF-8 text
// with its line end. A longer line is not held: its bytes are dropped as
// they are read, a ParseError at its line says so, and reading goes on
// with the next line. No netsh command or listing line comes near it.
const MaxLineBytes = 64 << 10

// encodingHead is how much of a file textenc decides the encoding from.
const encodingHead = 8192

// textLines reads a file's text as UTF-8 physical lines, decoding it as
// it goes (textenc's decoders, the encoding sniffed from the head as
// textenc.Decode sniffs it), so that memory does not grow with the file.
type textLines struct {
	br  *bufio.Reader
	dec io.Reader // what br reads: the decoder
	n   int       // number of the line last read
	// checkUTF8 is set when the text is not decoded but must be
	// valid UTF-8; countFFFD when the decoder marks bad bytes with U+FFFD
	// without counting them.
	checkUTF8, countFFFD bool
	invalid              int
	decoded              func() int // what the decoder counted as invalid
	// sawText is set once a line holds more than white space (an
	// over-long line counts as text).
	sawText bool
	err     error
}

// buffers are the buffers one ParseReader reads with: the head, the
// line reader's and the decoder's. A fleet audit reads thousands of
// small files, and new buffers for each (some 130 KiB, cleared by the
// allocator) cost more than reading most of them.
type buffers struct {
	head []byte        // SniffBytes, the head read to sniff the form
	br   *bufio.Reader // MaxLineBytes
	raw  []byte        // what chunkDecoder reads
	out  []byte        // what chunkDecoder decodes into
}

var bufferPool = sync.Pool{New: func() any { return &buffers{head: make([]byte, SniffBytes)} }}

// put gives bufs back for reuse, with what t grew; no line of t is
// read after.
func (bufs *buffers) put(t *textLines) {
	if t != nil {
		if d, ok := t.dec.(*chunkDecoder); ok {
			bufs.raw, bufs.out = d.raw, d.buf[:0]
		}
		t.br.Reset(nil)
	}
	bufferPool.Put(bufs)
}

// newTextLines reads head (the first bytes, already read) and then r.
func newTextLines(head []byte, r io.Reader, info textenc.Info) *textLines {
	return newTextLinesIn(&buffers{}, head, r, info)
}

// newTextLinesIn is newTextLines reading with bufs (those it lacks are
// made).
func newTextLinesIn(bufs *buffers, head []byte, r io.Reader, info textenc.Info) *textLines {
	body := head
	switch {
	case info.BOM && info.Encoding == textenc.UTF8:
		body = head[3:]
	case info.BOM:
		body = head[2:]
	}
	src := io.MultiReader(bytes.NewReader(body), r)
	t := &textLines{decoded: func() int { return 0 }}
	var dec io.Reader
	switch info.Encoding {
	case textenc.UTF8:
		dec, t.checkUTF8 = src, true
	case textenc.UTF16LE, textenc.UTF16BE:
		d := &textenc.UTF16Decoder{BigEndian: info.Encoding == textenc.UTF16BE}
		dec, t.decoded = &chunkDecoder{src: src, decode: d.Append, flush: d.Flush, raw: bufs.raw, buf: bufs.out}, func() int { return d.Invalid }
	default:
		dec = t.codePageReader(src, info.Encoding, bufs)
	}
	t.dec = dec
	if bufs.br == nil {
		bufs.br = bufio.NewReaderSize(dec, MaxLineBytes)
	} else {
		bufs.br.Reset(dec)
	}
	t.br = bufs.br
	return t
}

// codePageReader decodes 8-bit text: single-byte code pages a chunk at a
// time through textenc's table, multi-byte ones through x/text's
// decoder, which keeps a character cut between two reads.
func (t *textLines) codePageReader(src io.Reader, name string, bufs *buffers) io.Reader {
	d, err := textenc.NewCodePageDecoder(name)
	if err != nil {
		d, _ = textenc.NewCodePageDecoder(textenc.DefaultCodePage)
	}
	if d.MultiByte() {
		enc, _, _ := textenc.CodePage(d.Name())
		t.countFFFD = true
		return transform.NewReader(src, enc.NewDecoder())
	}
	bad := 0
	t.decoded = func() int { return bad }
	decode := func(dst, src []byte) []byte {
		out, n := d.Append(dst, src)
		bad += n
		return out
	}
	return &chunkDecoder{src: src, decode: decode, flush: func(dst []byte) []byte { return dst }, raw: bufs.raw, buf: bufs.out}
}

// Invalid is how many bytes or sequences were not valid in the encoding
// and were replaced, in the lines read so far.
func (t *textLines) Invalid() int { return t.invalid + t.decoded() }

// next returns the next physical line as Parse has always cut them: at
// LF, without the CRs before it, a trailing Ctrl-Z, a BOM at its start
// and NUL bytes (what is left of UTF-16 read as 8-bit text). long is set
// for a line longer than MaxLineBytes, whose text is not returned. ok is
// false at the end of the input (or when it cannot be read: see err). A
// last line without a line end that is empty once cut is no line.
func (t *textLines) next() (line string, long, ok bool) {
	b, err := t.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = t.br.ReadSlice('\n')
		}
		t.setErr(err)
		t.n++
		t.sawText = true
		return "", true, true
	}
	if err != nil && (t.setErr(err) || len(b) == 0) {
		return "", false, false
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	if t.checkUTF8 && !utf8.Valid(b) {
		t.invalid += countInvalidUTF8(b)
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	} else if t.countFFFD {
		t.invalid += bytes.Count(b, []byte("\uFFFD"))
	}
	s := string(b)
	if bytes.IndexByte(b, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if !t.sawText && strings.TrimSpace(s) != "" {
		t.sawText = true
	}
	s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimRight(s, "\r"), "\x1a"), "\ufeff")
	if err != nil && s == "" { // the last line, empty
		return "", false, false
	}
	t.n++
	return s, false, true
}

// setErr keeps a read error other than the end of the input, and reports
// whether there was one.
func (t *textLines) setErr(err error) bool {
	if err != nil && !errors.Is(err, io.EOF) {
		t.err = err
		return true
	}
	return false
}

// countInvalidUTF8 counts the bytes of b that are not valid UTF-8 (as
// textenc.Decode counts them).
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

// chunkDecoder decodes its source a chunk at a time as it is read. It is
// textenc.NewReader's loop, kept here because that reader does not count
// the invalid bytes it replaces, which Result.Encoding reports.
type chunkDecoder struct {
	src    io.Reader
	decode func(dst, src []byte) []byte
	flush  func(dst []byte) []byte
	raw    []byte
	buf    []byte
	out    []byte // decoded, not yet returned (a window on buf)
	done   bool
}

func (d *chunkDecoder) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.done {
			return 0, io.EOF
		}
		if d.raw == nil {
			d.raw = make([]byte, 32<<10)
		}
		n, err := d.src.Read(d.raw)
		d.buf = d.decode(d.buf[:0], d.raw[:n])
		if errors.Is(err, io.EOF) {
			d.buf = d.flush(d.buf)
			d.done = true
		} else if err != nil {
			return 0, err
		}
		d.out = d.buf
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}
