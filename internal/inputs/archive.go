package inputs

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// member is one file inside an archive.
type member struct {
	raw    string // the name as stored, to check the archive after reopening it
	name   string // display name ("fleet.zip!/EXFE01/system.reg")
	size   int64  // bytes, as declared (zip) or stored (tar)
	csize  int64  // zip: compressed bytes
	index  int    // zip: position in the central directory; tar: header ordinal
	off    int64  // where its data starts in the archive's bytes (tar; stored zip members)
	method uint16 // zip compression method
}

// how says where a (nested) archive's bytes come from.
type how int

const (
	viaFile    how = iota // a file on disk
	viaSection            // a stretch of its parent's bytes: a tar member, a stored zip member
	viaStream             // its parent's decompressing reader: a deflated zip member (tar, tar+gzip)
	viaLoad               // its parent's member read into memory: a deflated zip in a zip, anything in a tar+gzip
)

// archive is an archive read as a folder.
type archive struct {
	pool   *pool
	name   string // display name
	format format
	depth  int // 0 on disk, 1 inside another archive
	how    how
	path   string // viaFile
	size   int64  // the archive's own bytes
	parent *archive
	pm     *member // its member in parent

	maxFile, ratio int64
	members        []*member    // the entries listed from it
	byOrd          map[int]int  // streamed tar: header ordinal -> index in members
	streamLen      int64        // streamed tar: decompressed bytes the listing read
	preload        []byte       // viaLoad: the bytes, while the archive is listed
	restarts       atomic.Int32 // streamed tar: times read from the start after listing (tests)
	// recordsLeft, while a zip is listed, is how many members all
	// archives may still list: a larger central directory is not read.
	recordsLeft int

	mu sync.Mutex // serialises opening st
	st *arcState  // open state; guarded by pool.mu
}

// streamed reports whether members can only be reached by reading the
// archive from its start (a tar behind gzip, or behind a deflated member).
func (a *archive) streamed() bool {
	return a.format == formatTarGz || (a.format == formatTar && a.how == viaStream)
}

// arcState is an archive opened for reading members.
type arcState struct {
	ra    io.ReaderAt // random access to the archive's bytes (zip, seekable tar)
	zr    *zip.Reader
	cur   *cursor // streamed tar
	mem   int64   // bytes held in memory
	close []func()
	refs  int
}

func (st *arcState) shut() {
	if st.cur != nil {
		st.cur.close()
	}
	for i := len(st.close) - 1; i >= 0; i-- {
		st.close[i]()
	}
	st.close = nil
}

// Bounds on what a set keeps open between reads.
const (
	maxOpenArchives = 8        // archives with open files or streams
	maxLoadedBytes  = 64 << 20 // nested archives held in memory
	readBehind      = 8 << 20  // members a streamed tar keeps after passing them
)

// pool keeps the most recently used archives open, so that reading one
// member after another does not reopen (or re-decompress) each time.
type pool struct {
	mu     sync.Mutex
	lru    []*archive // archives with open state, least recently used first
	mem    int64
	closed bool
}

func newPool() *pool { return &pool{} }

var errClosed = errors.New("the input set was closed")

// acquire opens a (or finds it open) and holds it open until release.
func (p *pool) acquire(a *archive) (*arcState, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	if st := a.st; st != nil {
		st.refs++
		p.touchLocked(a)
		p.mu.Unlock()
		return st, nil
	}
	p.mu.Unlock()
	st, err := a.openState()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	st.refs = 1
	a.st = st
	p.lru = append(p.lru, a)
	p.mem += st.mem
	victims := p.evictLocked()
	p.mu.Unlock()
	shutAll(victims)
	return st, nil
}

func (p *pool) release(st *arcState) {
	p.mu.Lock()
	st.refs--
	victims := p.evictLocked()
	p.mu.Unlock()
	shutAll(victims)
}

func (p *pool) touchLocked(a *archive) {
	for i, x := range p.lru {
		if x == a {
			copy(p.lru[i:], p.lru[i+1:])
			p.lru[len(p.lru)-1] = a
			return
		}
	}
}

// evictLocked takes out of the pool the least recently used archives no
// one is reading, while the pool holds too many (all of them once closed).
func (p *pool) evictLocked() []*arcState {
	var victims []*arcState
	for p.closed || len(p.lru) > maxOpenArchives || p.mem > maxLoadedBytes {
		i := 0
		for i < len(p.lru) && p.lru[i].st.refs > 0 {
			i++
		}
		if i == len(p.lru) {
			break
		}
		a := p.lru[i]
		victims = append(victims, a.st)
		p.mem -= a.st.mem
		a.st = nil
		p.lru = append(p.lru[:i], p.lru[i+1:]...)
	}
	return victims
}

func (p *pool) closeAll() {
	p.mu.Lock()
	p.closed = true
	victims := p.evictLocked()
	p.mu.Unlock()
	shutAll(victims)
}

// openCount is how many archives the pool holds open (for tests).
func (p *pool) openCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.lru)
}

func shutAll(states []*arcState) {
	for _, st := range states {
		st.shut()
	}
}

func (a *archive) openState() (*arcState, error) {
	st := &arcState{}
	if a.streamed() {
		st.cur = &cursor{a: a}
		return st, nil
	}
	ra, err := a.randomAccess(st)
	if err != nil {
		st.shut()
		return nil, err
	}
	st.ra = ra
	if a.format == formatZip {
		if a.recordsLeft > 0 {
			if err := checkZipDir(ra, a.size, a.recordsLeft); err != nil {
				st.shut()
				return nil, err
			}
		}
		zr, err := zip.NewReader(ra, a.size)
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			st.shut()
			return nil, err
		}
		st.zr = zr
	}
	return st, nil
}

// randomAccess opens the archive's bytes for reading at any offset.
func (a *archive) randomAccess(st *arcState) (io.ReaderAt, error) {
	switch a.how {
	case viaFile:
		f, err := a.openFile()
		if err != nil {
			return nil, err
		}
		st.close = append(st.close, func() { f.Close() })
		return f, nil
	case viaSection:
		sr, done, err := a.section()
		if err != nil {
			return nil, err
		}
		st.close = append(st.close, done)
		return sr, nil
	default:
		data, err := a.loaded()
		if err != nil {
			return nil, err
		}
		st.mem = int64(len(data))
		return bytes.NewReader(data), nil
	}
}

// openStream opens the archive's bytes for reading from the start.
func (a *archive) openStream() (io.ReadCloser, error) {
	switch a.how {
	case viaFile:
		return a.openFile()
	case viaSection:
		sr, done, err := a.section()
		if err != nil {
			return nil, err
		}
		return &funcCloser{Reader: sr, close: done}, nil
	case viaStream:
		return a.parent.openMember(a.pm)
	default:
		data, err := a.loaded()
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
}

// openFile opens an archive on disk, checking it is still what was listed.
func (a *archive) openFile() (*os.File, error) {
	f, fi, err := openRegular(a.path, false)
	if err != nil {
		return nil, err
	}
	if fi.Size() != a.size {
		f.Close()
		return nil, errChanged
	}
	return f, nil
}

// section is the stretch of the parent's bytes holding the archive, held
// open until done is called.
func (a *archive) section() (*io.SectionReader, func(), error) {
	pst, err := a.pool.acquire(a.parent)
	if err != nil {
		return nil, nil, err
	}
	return io.NewSectionReader(pst.ra, a.pm.off, a.size), func() { a.pool.release(pst) }, nil
}

func (a *archive) loaded() ([]byte, error) {
	if a.preload != nil {
		return a.preload, nil
	}
	return a.parent.readMember(a.pm)
}

// tarStream opens a streamed tar from its start: the tar reader, and what
// to close when done. The guard counts and bounds what is decompressed.
func (a *archive) tarStream(g *streamGuard) (*tar.Reader, io.Closer, error) {
	raw, err := a.openStream()
	if err != nil {
		return nil, nil, err
	}
	g.in = &countReader{r: raw}
	g.r = g.in
	if a.format == formatTarGz {
		zr, err := gzip.NewReader(g.in)
		if err != nil {
			raw.Close()
			return nil, nil, err
		}
		g.r = zr
	}
	return tar.NewReader(g), raw, nil
}

// openMember returns a reader of a member's bytes, bounded and checked as
// they are decompressed.
func (a *archive) openMember(m *member) (io.ReadCloser, error) {
	if a.streamed() {
		if m.size > keepMax {
			return a.streamMember(m)
		}
		data, err := a.readStreamed(m, m.size)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	st, err := a.pool.acquire(a)
	if err != nil {
		return nil, err
	}
	done := func() { a.pool.release(st) }
	if a.format == formatTar {
		return &memberReader{r: io.NewSectionReader(st.ra, m.off, m.size), limit: m.size, over: "its size in the archive", done: done}, nil
	}
	if m.index >= len(st.zr.File) || st.zr.File[m.index].Name != m.raw {
		done()
		return nil, errChanged
	}
	rc, err := st.zr.File[m.index].Open()
	if err != nil {
		done()
		return nil, err
	}
	return &memberReader{r: rc, limit: m.size, csize: m.csize, ratio: a.ratio, over: "the size its header declares",
		done: func() { rc.Close(); done() }}, nil
}

// readMember reads a member whole into memory (its size is bounded by the
// member limit; the buffer grows with what is actually read).
func (a *archive) readMember(m *member) ([]byte, error) {
	if a.streamed() {
		return a.readStreamed(m, m.size)
	}
	rc, err := a.openMember(m)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readAtMost(rc, m.size)
}

// streamMember opens a large member of a streamed tar as a stream of its
// bytes, never held in memory whole: through the archive's cursor when no
// one else is reading from it, else through a cursor of its own (which
// decompresses the archive again from its start), so that readers never
// wait for each other and one goroutine may hold several open.
func (a *archive) streamMember(m *member) (io.ReadCloser, error) {
	st, err := a.pool.acquire(a)
	if err != nil {
		return nil, err
	}
	c, own := st.cur, false
	if !c.mu.TryLock() {
		c, own = &cursor{a: a}, true
		c.mu.Lock()
	}
	r, err := c.stream(m)
	if err != nil {
		if own {
			c.shut()
		}
		c.mu.Unlock()
		a.pool.release(st)
		return nil, err
	}
	return &funcCloser{Reader: r, close: func() {
		if own || r.broken() {
			c.shut()
		}
		c.mu.Unlock()
		a.pool.release(st)
	}}, nil
}

// readStreamed returns the first n bytes of a member of a streamed tar.
func (a *archive) readStreamed(m *member, n int64) ([]byte, error) {
	st, err := a.pool.acquire(a)
	if err != nil {
		return nil, err
	}
	defer a.pool.release(st)
	return st.cur.get(m, n)
}

// readAtMost reads r to its end, failing past limit bytes; the buffer
// starts small whatever limit says.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(limit, 64<<10)))
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errChanged
	}
	return buf.Bytes(), nil
}

type funcCloser struct {
	io.Reader
	close func()
}

func (c *funcCloser) Close() error {
	if c.close != nil {
		c.close()
		c.close = nil
	}
	return nil
}
