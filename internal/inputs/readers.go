package inputs

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// ReadError is why an entry's content could not be read, from Open, Head
// or the reader Open returned. Kind says what went wrong (KindCorrupt for
// damaged data, KindTooLarge or KindRatio past a limit, KindUnreadable for
// I/O errors, KindIrregular when the file was swapped for a pipe or a
// device after it was listed), so a caller can record it like a Skipped.
type ReadError struct {
	Name string // the entry's display name
	Kind Kind
	Err  error
}

func (e *ReadError) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ReadError) Unwrap() error { return e.Err }

// limitError is a limit met while reading.
type limitError struct {
	kind        Kind
	msg         string
	size, limit int64
}

func (e *limitError) Error() string { return e.msg }

var errChanged = errors.New("the archive changed since it was listed")

func ratioErr(out, in, ratio int64) error {
	return &limitError{kind: KindRatio, size: out, limit: ratio,
		msg: fmt.Sprintf("expands to more than %s from %s, past the limit of %d:1 (a zip bomb's shape)", sizeText(out), sizeText(in), ratio)}
}

// kindOf classifies an error met while reading.
func kindOf(err error) Kind {
	var le *limitError
	var pe *fs.PathError
	switch {
	case errors.As(err, &le):
		return le.kind
	case errors.Is(err, ErrNotRegular):
		return KindIrregular
	case errors.Is(err, fs.ErrNotExist):
		return KindMissing
	case errors.Is(err, errChanged), errors.Is(err, errClosed), errors.As(err, &pe):
		return KindUnreadable
	}
	return KindCorrupt
}

// readErr wraps err, once, as a ReadError of name.
func readErr(name string, err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	var re *ReadError
	if errors.As(err, &re) {
		return err
	}
	return &ReadError{Name: name, Kind: kindOf(err), Err: err}
}

// entryReader reports its errors as ReadErrors of the entry.
type entryReader struct {
	name string
	rc   io.ReadCloser
}

func (r *entryReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	return n, readErr(r.name, err)
}

func (r *entryReader) Close() error { return r.rc.Close() }

// memberReader bounds a member's (or a file's) bytes as they come: never
// more than limit, and for a compressed member never more than ratio times
// its compressed size once past RatioGrace.
type memberReader struct {
	r            io.Reader
	n, limit     int64
	csize, ratio int64
	over         string // what passing limit means ("than its header declares")
	done         func()
}

func (m *memberReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if m.n > m.limit {
		return n - int(m.n-m.limit), &limitError{kind: KindTooLarge, size: m.n, limit: m.limit,
			msg: "holds more than " + sizeText(m.limit) + ", " + m.over}
	}
	if m.csize > 0 && m.ratio > 0 && m.n > RatioGrace && m.n > m.ratio*m.csize {
		return n, ratioErr(m.n, m.csize, m.ratio)
	}
	if m.csize > 0 && errors.Is(err, zip.ErrFormat) {
		// archive/zip's way of saying the data inflates past the size
		// the header declares (or is otherwise not what it declares).
		err = fmt.Errorf("%w: the member's data does not match its header (it inflates past the %s its header declares, or is damaged)", err, sizeText(m.limit))
	}
	return n, err
}

func (m *memberReader) Close() error {
	if m.done != nil {
		m.done()
		m.done = nil
	}
	return nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// streamGuard bounds a decompressed stream: its ratio to the compressed
// bytes read (in), its length (limit, when set), and whatever charge says
// (the set's budget, while listing).
type streamGuard struct {
	r      io.Reader
	in     *countReader
	out    int64
	ratio  int64
	limit  int64
	charge func(n int64) error
}

func (g *streamGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.out += int64(n)
	if g.charge != nil {
		if cerr := g.charge(int64(n)); cerr != nil {
			return n, cerr
		}
	}
	if g.limit > 0 && g.out > g.limit {
		return n, errChanged
	}
	if g.ratio > 0 && g.out > RatioGrace && g.out > g.ratio*g.in.n {
		return n, ratioErr(g.out, g.in.n, g.ratio)
	}
	return n, err
}
