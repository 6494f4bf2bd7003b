package regfile

import (
	"bytes"
	"io"
	"sync"
)

// Sizes of the line source's buffer. A line longer than maxLineBytes (a
// hex value written on one unwrapped line of about 5 MB of data) is not
// held: it is skipped and reported, so that memory stays bounded whatever
// the input.
var (
	chunkBytes   = 256 << 10
	maxLineBytes = 16 << 20
)

// headBytes is how much of the start of a file decides its encoding and
// line ends.
const headBytes = 8192

// Line terminators, in text form, as reported with each line.
const (
	termNone = ""
	termLF   = "\n"
	termCRLF = "\r\n"
	termCR   = "\r"
)

// lineSource cuts the raw bytes of a file into physical lines without
// decoding them: skipping the lines of keys nobody asked for costs one
// IndexByte per line, even in UTF-16. Lines end at LF (CRs before it are
// part of the terminator), or at CR in files that use CR alone. A line is
// valid until the next call to next.
type lineSource struct {
	r   io.Reader
	buf []byte
	// buf[start:end] holds data not yet returned.
	start, end int
	eof        bool
	err        error

	wide   bool // UTF-16: lines are cut at whole 2-byte units
	be     bool // UTF-16BE
	crMode bool // the file ends lines with CR alone

	line                int  // number of the line last returned
	prevStart, prevLine int  // to unread the last line
	discarding          bool // inside an over-long line: drop bytes up to its end
	oddByte             bool // UTF-16 input had an odd byte at its end
}

// buffers holds line buffers of chunkBytes for reuse: a fleet audit
// reads thousands of small exports, and a new 256 KiB buffer for each
// (cleared by the allocator) cost more than parsing them.
var buffers sync.Pool

func newLineSource(r io.Reader, chunk int) *lineSource {
	chunk = max(chunk, 1)
	if b, ok := buffers.Get().(*[]byte); ok && len(*b) == chunk {
		return &lineSource{r: r, buf: *b}
	}
	return &lineSource{r: r, buf: make([]byte, chunk)}
}

// release gives the buffer back for reuse, unless it grew past its
// chunk (an over-long line); no line returned before may be used after.
func (s *lineSource) release() {
	if len(s.buf) == chunkBytes {
		b := s.buf
		buffers.Put(&b)
	}
	s.buf, s.start, s.end = nil, 0, 0
}

// prime reads the first headBytes of the input (or all of it if smaller),
// so that the encoding can be sniffed from it.
func (s *lineSource) prime() error {
	for s.end < headBytes && !s.eof {
		if !s.read() {
			break
		}
	}
	return s.err
}

// head returns the first bytes of the input, up to n.
func (s *lineSource) head(n int) []byte { return s.buf[s.start:min(s.end, s.start+n)] }

// setup skips a BOM of bomLen bytes and decides how lines end.
func (s *lineSource) setup(wide, be bool, bomLen int) {
	s.wide, s.be = wide, be
	s.start += bomLen
	head := s.buf[s.start:min(s.end, headBytes)]
	s.crMode = s.indexUnit(head, '\r') >= 0 && s.indexUnit(head, '\n') < 0
}

// read appends more input to buf, compacting and growing it as needed.
// It returns false when nothing more can be read.
func (s *lineSource) read() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.start > 0 && s.end == len(s.buf) {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.prevStart -= s.start
		s.start, s.end = 0, n
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err == io.EOF {
		s.eof = true
	} else if err != nil {
		s.err = err
		return false
	}
	return n > 0 || !s.eof
}

// indexUnit returns the offset in b (which starts on a unit boundary) of
// the first character c (an ASCII control), or -1.
func (s *lineSource) indexUnit(b []byte, c byte) int {
	if !s.wide {
		return bytes.IndexByte(b, c)
	}
	for from := 0; ; {
		i := bytes.IndexByte(b[from:], c)
		if i < 0 {
			return -1
		}
		i += from
		if s.be {
			if i&1 == 1 && b[i-1] == 0 {
				return i - 1
			}
		} else if i&1 == 0 && i+1 < len(b) && b[i+1] == 0 {
			return i
		}
		from = i + 1
	}
}

func (s *lineSource) unitWidth() int {
	if s.wide {
		return 2
	}
	return 1
}

// isUnit reports whether b starts with the character c.
func (s *lineSource) isUnit(b []byte, c byte) bool {
	switch {
	case !s.wide:
		return len(b) > 0 && b[0] == c
	case s.be:
		return len(b) > 1 && b[0] == 0 && b[1] == c
	}
	return len(b) > 1 && b[0] == c && b[1] == 0
}

// isBOM reports whether b starts with the character U+FEFF (UTF-16 only).
func (s *lineSource) isBOM(b []byte) bool {
	if s.be {
		return len(b) > 1 && b[0] == 0xFE && b[1] == 0xFF
	}
	return len(b) > 1 && b[0] == 0xFF && b[1] == 0xFE
}

// next returns the next physical line without its terminator, the
// terminator, and whether the line was too long to hold (then raw is
// empty: its bytes were dropped as they were read). ok is false at the end
// of the input. A long line cannot be unread.
func (s *lineSource) next() (raw []byte, term string, long, ok bool) {
	s.prevStart, s.prevLine = s.start, s.line
	w := s.unitWidth()
	if s.crMode && s.isUnit(s.buf[s.start:s.end], '\n') { // the LF of a CRLF in a CR file
		s.start += w
	}
	sep := byte('\n')
	if s.crMode {
		sep = '\r'
	}
	scanned := 0 // bytes after start already searched
	for {
		data := s.buf[s.start:s.end]
		if i := s.indexUnit(data[scanned:], sep); i >= 0 {
			i += scanned
			raw, term = data[:i], termLF
			if s.crMode {
				term = termCR
			} else if n := s.trimCR(raw); n < len(raw) {
				raw, term = raw[:n], termCRLF
			}
			s.start += i + w
			s.line++
			if s.discarding {
				s.discarding = false
				return raw[:0], term, true, true
			}
			return raw, term, false, true
		}
		scanned = max(0, len(data)-3) &^ (w - 1)
		if len(data) >= maxLineBytes {
			s.discarding = true
			s.start = s.end - (len(data) - scanned) // keep the unsearched tail
			scanned = 0
		}
		if !s.read() {
			break
		}
	}
	data := s.buf[s.start:s.end]
	if s.wide && len(data)&1 == 1 {
		data = data[:len(data)-1]
		s.oddByte = true
	}
	s.start = s.end
	if len(data) == 0 && !s.discarding {
		return nil, termNone, false, false
	}
	s.line++
	if s.discarding {
		s.discarding = false
		return data[:0], termNone, true, true
	}
	return data, termNone, false, true
}

// trimCR returns the length of raw without the CR units at its end.
func (s *lineSource) trimCR(raw []byte) int {
	n := len(raw)
	w := s.unitWidth()
	for n >= w && s.isUnit(raw[n-w:], '\r') {
		n -= w
	}
	return n
}

// unread makes the next call to next return the last line again.
func (s *lineSource) unread() {
	s.start, s.line = s.prevStart, s.prevLine
}

// maxCountedValues bounds countEntries: a key with more value lines than
// that grows its list as values come.
const maxCountedValues = 1024

// countEntries counts the lines, among those already read into the
// buffer, that start a value entry (`"` or `@` after blanks) before the
// next [key] line, up to maxCountedValues. It reads nothing and does not
// move the source: the count lets the parser size a key's value list
// once, rather than growing it one value at a time. Lines not yet read
// are not counted, so the count may fall short; continuation lines and
// comments are not counted.
func (s *lineSource) countEntries() int {
	w := s.unitWidth()
	sep := byte('\n')
	if s.crMode {
		sep = '\r'
	}
	data := s.buf[s.start:s.end]
	if s.wide {
		data = data[:len(data)&^1]
	}
	n := 0
	for len(data) > 0 && n < maxCountedValues {
		line := data
		if i := s.indexUnit(data, sep); i >= 0 {
			line, data = data[:i], data[i+w:]
		} else {
			data = nil
		}
		for len(line) >= w && (s.isUnit(line, ' ') || s.isUnit(line, '\t') || s.isUnit(line, '\r') || s.isUnit(line, '\n')) {
			line = line[w:]
		}
		switch {
		case s.isUnit(line, '['):
			return n
		case s.isUnit(line, '"') || s.isUnit(line, '@'):
			n++
		}
	}
	return n
}
