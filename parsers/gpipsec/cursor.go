package gpipsec

import (
	"encoding/binary"
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
)

// finding is something a blob decoder has to say about a byte range: a
// doubt (Field set: a field of the model the bytes do not establish) or
// a note (Field empty: a warning that changes no verdict).
type finding struct {
	Off   int
	Field string
	Msg   string
}

// cursor reads a blob front to back. Every read is bounds-checked; the
// first read that does not fit stops the cursor (later reads return zero
// values) and is kept as the failure, with its offset and what was
// expected there. Nothing it returns aliases more than the bytes asked for.
type cursor struct {
	b    []byte
	off  int
	fail *finding
}

func newCursor(b []byte) *cursor { return &cursor{b: b} }

// left is the number of bytes not yet read.
func (c *cursor) left() int { return len(c.b) - c.off }

// ok reports whether no read has failed.
func (c *cursor) ok() bool { return c.fail == nil }

// failf stops the cursor at the current offset with the given reason.
func (c *cursor) failf(format string, args ...any) {
	if c.fail == nil {
		c.fail = &finding{Off: c.off, Msg: fmt.Sprintf(format, args...)}
	}
}

// need checks that n more bytes are there for what.
func (c *cursor) need(n int, what string) bool {
	if c.fail != nil {
		return false
	}
	if n < 0 || n > c.left() {
		c.failf("%s needs %d bytes, %d left", what, n, c.left())
		return false
	}
	return true
}

func (c *cursor) take(n int, what string) []byte {
	if !c.need(n, what) {
		return nil
	}
	b := c.b[c.off : c.off+n]
	c.off += n
	return b
}

func (c *cursor) u8(what string) uint8 {
	if b := c.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (c *cursor) u16(what string) uint16 {
	if b := c.take(2, what); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (c *cursor) u32(what string) uint32 {
	if b := c.take(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (c *cursor) guid(what string) guid {
	var g guid
	copy(g[:], c.take(16, what))
	return g
}

func (c *cursor) ipv4(what string) [4]byte {
	var a [4]byte
	copy(a[:], c.take(4, what))
	return a
}

// peekGUID reports whether the next 16 bytes are g, without reading them.
func (c *cursor) peekGUID(g guid) bool {
	return c.fail == nil && c.left() >= 16 && guid(c.b[c.off:c.off+16]) == g
}

// count reads a DWORD count of items of at least minSize bytes each, and
// fails unless that many items can fit in the bytes left: a count of
// 0xFFFFFFFF never drives a loop or an allocation.
func (c *cursor) count(what string, minSize int) int {
	at := c.off
	n := c.u32(what)
	if c.fail != nil {
		return 0
	}
	if max := c.left() / minSize; uint64(n) > uint64(max) {
		c.off = at
		c.failf("%s is %d, but the %d bytes left hold at most %d (%d bytes each)", what, n, c.left()-4, max, minSize)
		return 0
	}
	return int(n)
}

// span is a byte range of a blob.
type span struct{ Off, Len int }

// wspan reads a DWORD byte length and returns the range of that many
// bytes after it (GPIPSEC.md §2.3), without decoding them. The length is
// checked against the bytes left before anything is taken.
func (c *cursor) wspan(what string) span {
	n := c.u32(what + " length")
	if c.fail != nil {
		return span{}
	}
	if uint64(n) > uint64(c.left()) {
		c.off -= 4
		c.failf("%s length is %d, but only %d bytes follow it", what, n, c.left()-4)
		return span{}
	}
	s := span{Off: c.off, Len: int(n)}
	c.off += int(n)
	return s
}

// wstr reads a length-prefixed UTF-16LE string and decodes it up to its
// first NUL. odd is set when the length is odd (a warning).
func (c *cursor) wstr(what string) (s string, at span, odd bool) {
	at = c.wspan(what)
	if c.fail != nil {
		return "", at, false
	}
	return model.UTF16Text(c.b[at.Off : at.Off+at.Len]), at, at.Len%2 != 0
}

// utf16Units counts the UTF-16 code units before the first NUL: the
// length of a key in characters, without decoding it.
func utf16Units(b []byte) int {
	n := 0
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			break
		}
		n++
	}
	return n
}
