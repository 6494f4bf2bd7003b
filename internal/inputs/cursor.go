package inputs

import (
	"archive/tar"
	"errors"
	"io"
	"sync"
)

// cursor reads the members of a streamed tar (one behind gzip, or behind
// a deflated zip member), which can only be reached by reading from the
// start. It reads on from where it is when asked for a later member and
// starts again for an earlier one; members it passes on the way, and the
// last ones it read, are kept (up to readBehind bytes), so that readers
// taking entries a little out of order, or asking for a head and then the
// whole, do not restart it. Reading entries in Entry.Seq order reads the
// archive once.
type cursor struct {
	mu     sync.Mutex
	a      *archive
	closer io.Closer
	tr     *tar.Reader
	next   int // the ordinal of the header tr.Next returns next
	kept   map[int][]byte
	order  []int // ordinals in kept, oldest first
	bytes  int64
}

// slack is how far past what the listing read a reread may go.
const slack = 64 << 10

// get returns the first n bytes of a member (all of it when n is its
// size or more). A small member is read whole and kept, so that asking for
// its head and then for all of it reads it once.
func (c *cursor) get(m *member, n int64) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if data, ok := c.kept[m.index]; ok {
		return data[:min(n, int64(len(data)))], nil
	}
	if err := c.seekMember(m); err != nil {
		return nil, err
	}
	if n < m.size && m.size > keepMax {
		// A head of a big member: the rest is skipped by the next seek.
		data, err := readAtMost(io.LimitReader(c.tr, n), n)
		if err != nil {
			c.shut()
		}
		return data, err
	}
	data, err := readAtMost(c.tr, m.size)
	if err != nil {
		c.shut()
		return nil, err
	}
	c.keep(m.index, data)
	return data[:min(n, int64(len(data)))], nil
}

// keepMax is the size of the largest member a cursor reads whole and
// keeps; larger ones are streamed.
const keepMax = readBehind / 4

// stream positions the cursor, which the caller has locked, at the data
// of member m and returns a reader of it; the caller unlocks the cursor
// when done with the reader (and shuts it when the reader broke).
func (c *cursor) stream(m *member) (*cursorReader, error) {
	if err := c.seekMember(m); err != nil {
		return nil, err
	}
	return &cursorReader{r: io.LimitReader(c.tr, m.size), left: m.size}, nil
}

// seekMember moves the cursor to member m's data, checking that the
// header there is still the one listed.
func (c *cursor) seekMember(m *member) error {
	hdr, err := c.seek(m.index)
	if err != nil {
		return err
	}
	if hdr.Name != m.raw || hdr.Size != m.size {
		c.shut()
		return errChanged
	}
	return nil
}

// cursorReader reads one member's bytes from a cursor's stream.
type cursorReader struct {
	r    io.Reader
	left int64
	err  error
}

func (r *cursorReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.r.Read(p)
	r.left -= int64(n)
	if errors.Is(err, io.EOF) && r.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	return n, err
}

// broken reports whether reading failed, leaving the stream unusable.
func (r *cursorReader) broken() bool { return r.err != nil }

// seek moves the cursor to the header of ordinal ord, starting again
// from the beginning when it is already past it.
func (c *cursor) seek(ord int) (*tar.Header, error) {
	if c.tr == nil || ord < c.next {
		if err := c.restart(); err != nil {
			return nil, err
		}
	}
	for {
		hdr, err := c.tr.Next()
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			c.shut()
			if errors.Is(err, io.EOF) {
				err = errChanged
			}
			return nil, err
		}
		at := c.next
		c.next++
		if at == ord {
			return hdr, nil
		}
		if err := c.pass(at); err != nil {
			c.shut()
			return nil, err
		}
	}
}

// pass keeps an entry the cursor passes on its way, when it is small.
func (c *cursor) pass(ord int) error {
	i, ok := c.a.byOrd[ord]
	if !ok || c.a.members[i].size > keepMax {
		return nil
	}
	data, err := readAtMost(c.tr, c.a.members[i].size)
	if err != nil {
		return err
	}
	c.keep(ord, data)
	return nil
}

func (c *cursor) keep(ord int, data []byte) {
	if int64(len(data)) > keepMax {
		return
	}
	if c.kept == nil {
		c.kept = map[int][]byte{}
	}
	c.kept[ord] = data
	c.order = append(c.order, ord)
	c.bytes += int64(len(data))
	for c.bytes > readBehind && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= int64(len(c.kept[old]))
		delete(c.kept, old)
	}
}

func (c *cursor) restart() error {
	c.shut()
	g := &streamGuard{ratio: c.a.ratio, limit: c.a.streamLen + slack}
	tr, closer, err := c.a.tarStream(g)
	if err != nil {
		return err
	}
	c.tr, c.closer, c.next = tr, closer, 0
	c.a.restarts.Add(1)
	return nil
}

// close closes the stream and forgets what it kept.
func (c *cursor) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shut()
	c.kept, c.order, c.bytes = nil, nil, 0
}

// shut closes the stream; kept members stay.
func (c *cursor) shut() {
	if c.closer != nil {
		c.closer.Close()
	}
	c.closer, c.tr, c.next = nil, nil, 0
}
