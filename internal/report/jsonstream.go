package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// jsonStream writes one JSON object field by field, as
// json.Encoder with SetIndent("", "  ") and SetEscapeHTML(false) writes
// the whole object at once, byte for byte, but with the elements of its
// large arrays encoded one at a time: the document of a fleet of
// thousands of hosts is never held in memory whole (nor twice, as the
// encoder's compact and indented buffers would).
type jsonStream struct {
	w     *bufio.Writer
	buf   bytes.Buffer
	enc   map[string]*json.Encoder // by prefix, all writing to buf
	first bool                     // no field written yet
	err   error
}

func newJSONStream(w io.Writer) *jsonStream {
	s := &jsonStream{w: bufio.NewWriterSize(w, 64<<10), enc: map[string]*json.Encoder{}, first: true}
	s.write("{")
	return s
}

func (s *jsonStream) write(text string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(text)
	}
}

// value writes v as the encoder indents it at the depth that prefix
// indents, without the newline the encoder ends with.
func (s *jsonStream) value(prefix string, v any) {
	if s.err != nil {
		return
	}
	enc := s.enc[prefix]
	if enc == nil {
		enc = json.NewEncoder(&s.buf)
		enc.SetIndent(prefix, "  ")
		enc.SetEscapeHTML(false)
		s.enc[prefix] = enc
	}
	s.buf.Reset()
	if s.err = enc.Encode(v); s.err != nil {
		return
	}
	_, s.err = s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
}

// name starts field name of the top-level object.
func (s *jsonStream) name(name string) {
	if !s.first {
		s.write(",")
	}
	s.first = false
	s.write("\n  ")
	s.value("  ", name)
	s.write(": ")
}

// field writes a field of the top-level object.
func (s *jsonStream) field(name string, v any) {
	s.name(name)
	s.value("  ", v)
}

// array writes a field of the top-level object whose value is an array
// of n elements, elem(i) being the i-th: [] when there is none, as the
// encoder writes an empty slice.
func array[T any](s *jsonStream, name string, n int, elem func(i int) T) {
	s.name(name)
	if n == 0 {
		s.write("[]")
		return
	}
	s.write("[")
	for i := range n {
		if i > 0 {
			s.write(",")
		}
		s.write("\n    ")
		s.value("    ", elem(i))
	}
	s.write("\n  ]")
}

// close ends the object as the encoder does, with a newline, and
// flushes.
func (s *jsonStream) close() error {
	if s.first {
		s.write("}\n")
	} else {
		s.write("\n}\n")
	}
	if s.err == nil {
		s.err = s.w.Flush()
	}
	return s.err
}
