package hive

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// logFile is a transaction log found beside a hive.
type logFile struct {
	path string
	ext  string // "LOG", "LOG1" or "LOG2", whatever the case on disk
	data []byte
}

// maxLogSize bounds what is read of one log file.
const maxLogSize = 1 << 30

var logExts = []string{"LOG", "LOG1", "LOG2"}

// findLogs reads the files named like the hive plus .LOG, .LOG1 or .LOG2
// (any case) in the hive's folder. Unreadable ones are skipped.
func findLogs(hivePath string) []logFile {
	dir, base := filepath.Split(hivePath)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []logFile
	for _, e := range entries {
		for _, ext := range logExts {
			if !strings.EqualFold(e.Name(), base+"."+ext) || !e.Type().IsRegular() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if st, err := os.Stat(p); err != nil || st.Size() > maxLogSize {
				continue
			}
			if data, err := os.ReadFile(p); err == nil {
				out = append(out, logFile{path: p, ext: ext, data: data})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ext < out[j].ext })
	return out
}

// parsedLog is a log file whose base block was checked.
type parsedLog struct {
	logFile
	bb    baseBlock
	isNew bool // HvLE entries (Windows 8.1 and later)
	isOld bool // dirty vector and sectors (Windows 2000 to 8)
	why   string
}

func parseLog(l logFile) parsedLog {
	p := parsedLog{logFile: l}
	d := l.data
	switch {
	case len(d) == 0:
		p.why = "empty"
		return p
	case len(d) < logHeaderSize || string(d[:4]) != "regf":
		p.why = "not a hive log"
		return p
	}
	p.bb = parseBaseBlock(d[:logHeaderSize])
	switch {
	case !p.bb.checksumOK():
		p.why = "its base block fails its checksum"
	case p.bb.seq1 != p.bb.seq2:
		p.why = "it was itself being written when the copy was taken"
	case p.bb.fileType == typeLogNew:
		p.isNew = len(d) > logHeaderSize+40
		if !p.isNew {
			p.why = "it holds no log entry"
		}
	case p.bb.fileType == typeLogOld || p.bb.fileType == typeLogVeryOld:
		if !p.bb.binsSizeSane() || len(d) < oldPagesStart(p.bb) || string(d[logHeaderSize:logHeaderSize+4]) != "DIRT" {
			p.why = "its dirty vector is missing or cut short"
		} else {
			p.isOld = true
		}
	default:
		p.why = fmt.Sprintf("it is not a transaction log (%s)", fileTypeName(p.bb.fileType))
	}
	return p
}

// oldPagesStart is where the dirty sectors of an old-format log begin:
// after the 512-byte header, "DIRT" and a bitmap of one bit per 512-byte
// sector of the hive bins, rounded up to a sector.
func oldPagesStart(bb baseBlock) int {
	n := logHeaderSize + 4 + int(bb.binsSize/binAlign)
	return (n + 511) &^ 511
}

var errNotEligible = errors.New("it is older than the hive")

// recovery is a hive being rebuilt from its logs in memory.
type recovery struct {
	buf      []byte    // copy of the primary file, grown as logs need
	primary  baseBlock // the primary's base block
	header   []byte    // the 512-byte base block to use after recovery
	binsSize uint32
	lastSeq  uint32
	applied  bool
	limit    int // the recovered file cannot be larger: primary plus logs
}

// recoverHive applies the logs to a copy of the dirty hive the way
// Windows does (new-format logs first, both in sequence; else the newest
// old-format log). It returns the recovered file and the logs applied,
// or an error saying why nothing could be applied. The input is never
// modified.
func recoverHive(primary []byte, bb baseBlock, logs []logFile) ([]byte, []string, error) {
	byExt := map[string]parsedLog{}
	var whys []string
	for _, l := range logs {
		p := parseLog(l)
		if p.why != "" {
			whys = append(whys, filepath.Base(l.path)+": "+p.why)
		}
		if _, dup := byExt[l.ext]; !dup {
			byExt[l.ext] = p
		}
	}
	var tries [][]parsedLog
	n1, n2, n0 := byExt["LOG1"], byExt["LOG2"], byExt["LOG"]
	if n1.isNew && n2.isNew {
		tries = append(tries, []parsedLog{n1, n2})
	}
	for _, p := range []parsedLog{n1, n2, n0} {
		if p.isNew {
			tries = append(tries, []parsedLog{p})
		}
	}
	var olds []parsedLog
	for _, p := range []parsedLog{n1, n2, n0} {
		if p.isOld {
			olds = append(olds, p)
		}
	}
	sort.SliceStable(olds, func(i, j int) bool { return olds[i].bb.stamp > olds[j].bb.stamp })
	for _, p := range olds {
		tries = append(tries, []parsedLog{p})
	}
	logBytes := 0
	for _, l := range logs {
		logBytes += len(l.data)
	}
	for _, t := range tries {
		r := newRecovery(primary, bb)
		r.limit = len(primary) + logBytes
		var used []string
		var err error
		switch {
		case len(t) == 2:
			used, err = r.applyNewPair(t[0], t[1])
		case t[0].isNew:
			err = r.applyNew(t[0])
			used = []string{t[0].path}
		default:
			err = r.applyOld(t[0])
			used = []string{t[0].path}
		}
		if err == nil && r.applied {
			return r.finish(), used, nil
		}
		if err != nil {
			whys = append(whys, fmt.Sprintf("%s: %v", filepath.Base(t[0].path), err))
		}
	}
	if len(whys) == 0 {
		whys = append(whys, "no usable log")
	}
	return nil, nil, errors.New(strings.Join(whys, "; "))
}

func newRecovery(primary []byte, bb baseBlock) *recovery {
	r := &recovery{buf: append([]byte{}, primary...), primary: bb, header: make([]byte, logHeaderSize)}
	copy(r.header, primary[:logHeaderSize])
	return r
}

// grow makes the buffer hold n bytes of hive bins, up to what the hive
// and its logs can fill: a log that claims more is not believed (a hive
// grows only by pages its logs carry).
func (r *recovery) grow(n uint64) bool {
	need := baseBlockSize + n
	if need > uint64(r.limit) {
		return false
	}
	if need > uint64(len(r.buf)) {
		r.buf = append(r.buf, make([]byte, int(need)-len(r.buf))...)
	}
	return true
}

// takeHeader adopts the log's copy of the base block when the primary's
// own cannot be trusted, and the log's view of root cell and version.
func (r *recovery) takeHeader(l parsedLog) {
	if !r.primary.checksumOK() {
		copy(r.header, l.data[:logHeaderSize])
		return
	}
	copy(r.header[0x18:0x1C], l.data[0x18:0x1C]) // minor version
	copy(r.header[0x24:0x28], l.data[0x24:0x28]) // root cell
}

// applyOld applies an old-format log: every sector its dirty vector
// marks is copied over the hive bins.
func (r *recovery) applyOld(l parsedLog) error {
	stamp := r.primary.stamp
	if !r.primary.checksumOK() && len(r.buf) >= baseBlockSize+0x1C {
		stamp = le.Uint64(r.buf[baseBlockSize+0x14:]) // the first bin keeps the last write time too
	}
	if l.bb.stamp < stamp {
		return errNotEligible
	}
	d := l.data
	vector := d[logHeaderSize+4 : logHeaderSize+4+int(l.bb.binsSize/binAlign)]
	start := oldPagesStart(l.bb)
	dirty := 0
	for _, c := range vector {
		dirty += bits.OnesCount8(c)
	}
	if start+dirty*512 > len(d) {
		return fmt.Errorf("it is cut short: it holds %d of the %d sectors its dirty vector marks", (len(d)-start)/512, dirty)
	}
	last := 0 // end of the last dirty sector, relative to the hive bins
	for i, c := range vector {
		if c != 0 {
			last = (8*i + 8 - bits.LeadingZeros8(c)) * 512
		}
	}
	if !r.grow(uint64(last)) {
		return fmt.Errorf("its dirty vector marks sectors far past the end of the hive")
	}
	src := start
	for i, c := range vector {
		for bit := 0; bit < 8; bit++ {
			if c&(1<<bit) == 0 {
				continue
			}
			dst := baseBlockSize + (8*i+bit)*512
			copy(r.buf[dst:dst+512], d[src:src+512])
			src += 512
		}
	}
	r.takeHeader(l)
	r.binsSize = l.bb.binsSize
	r.lastSeq = l.bb.seq1
	r.applied = true
	return nil
}

// applyNew applies the valid log entries of a new-format log, in
// sequence from the log's own sequence number, stopping at the first
// entry that is not valid (the rest of a log file is stale).
func (r *recovery) applyNew(l parsedLog) error {
	if r.primary.checksumOK() && l.bb.seq1 < r.primary.seq2 {
		return errNotEligible
	}
	if r.applied && r.lastSeq >= l.bb.seq1 {
		return fmt.Errorf("its entries do not follow those already applied")
	}
	d := l.data
	seq := l.bb.seq1
	entries := 0
	for pos := logHeaderSize; pos+40 <= len(d); {
		e, ok := logEntry(d, pos, seq)
		if !ok || !r.grow(e.end) {
			break
		}
		for _, p := range e.pages {
			dst := baseBlockSize + int(p.off)
			copy(r.buf[dst:dst+int(p.size)], d[p.src:p.src+int(p.size)])
		}
		r.binsSize = e.binsSize
		r.lastSeq = seq
		entries++
		seq++
		pos += e.size
	}
	if entries == 0 {
		return fmt.Errorf("it holds no valid log entry with sequence number %d", l.bb.seq1)
	}
	r.takeHeader(l)
	r.applied = true
	return nil
}

// applyNewPair applies two new-format logs: the one that starts first,
// then the other when it continues the sequence (as Windows does); when
// the hive's base block is damaged only the newer log is applied.
func (r *recovery) applyNewPair(a, b parsedLog) ([]string, error) {
	if !startsFirst(a.bb.seq1, b.bb.seq1) {
		a, b = b, a
	}
	if !r.primary.checksumOK() {
		return []string{b.path}, r.applyNew(b)
	}
	err := r.applyNew(a)
	if errors.Is(err, errNotEligible) {
		return []string{b.path}, r.applyNew(b)
	}
	if err != nil {
		return nil, err
	}
	used := []string{a.path}
	if b.bb.seq1 == r.lastSeq+1 {
		if err := r.applyNew(b); err == nil {
			used = append(used, b.path)
		}
	}
	return used, nil
}

// startsFirst reports whether sequence number a comes before b,
// allowing for the numbers wrapping around.
func startsFirst(a, b uint32) bool {
	return int32(b-a) > 0
}

// finish writes the recovered base block: the sequence numbers made
// equal, the hive bins size of the last entry applied, a primary file
// type and a fresh checksum.
func (r *recovery) finish() []byte {
	copy(r.buf[:logHeaderSize], r.header)
	le.PutUint32(r.buf[0x04:], r.lastSeq)
	le.PutUint32(r.buf[0x08:], r.lastSeq)
	le.PutUint32(r.buf[0x1C:], typePrimary)
	le.PutUint32(r.buf[0x28:], r.binsSize)
	le.PutUint32(r.buf[0x1FC:], checksum(r.buf))
	return r.buf
}

// entry is a valid HvLE log entry.
type entry struct {
	size     int
	binsSize uint32
	end      uint64 // end of the last page, relative to the hive bins
	pages    []page
}

type page struct {
	off, size uint32 // where the page goes, relative to the hive bins
	src       int    // where its bytes are in the log
}

// logEntry checks the HvLE entry at pos (signature, size, sequence
// number, both Marvin32 hashes, page references inside the entry and
// inside the hive bins) and returns it.
func logEntry(d []byte, pos int, seq uint32) (entry, bool) {
	h := d[pos:]
	if string(h[:4]) != "HvLE" {
		return entry{}, false
	}
	size := int(le.Uint32(h[4:]))
	if size < 512 || size%512 != 0 || size > len(h) || le.Uint32(h[12:]) != seq {
		return entry{}, false
	}
	e := entry{size: size, binsSize: le.Uint32(h[16:])}
	n := int(le.Uint32(h[20:]))
	if e.binsSize < binAlign || e.binsSize%binAlign != 0 || n == 0 || 40+8*n > size {
		return entry{}, false
	}
	if marvin32(h[40:size]) != le.Uint64(h[24:]) || marvin32(h[:32]) != le.Uint64(h[32:]) {
		return entry{}, false
	}
	src := pos + 40 + 8*n
	for i := 0; i < n; i++ {
		off, psize := le.Uint32(h[40+8*i:]), le.Uint32(h[44+8*i:])
		if psize == 0 || uint64(off)+uint64(psize) > uint64(e.binsSize) || uint64(src)+uint64(psize) > uint64(pos+size) {
			return entry{}, false
		}
		e.pages = append(e.pages, page{off: off, size: psize, src: src})
		e.end = max(e.end, uint64(off)+uint64(psize))
		src += int(psize)
	}
	return e, true
}

// marvin32 is the Marvin32 hash with the seed Windows uses for log
// entries.
func marvin32(b []byte) uint64 {
	const seed = 0x82EF4D887A4E55C5
	lo, hi := uint32(seed&0xFFFFFFFF), uint32(seed>>32)
	mix := func(v uint32) {
		lo += v
		hi ^= lo
		lo = bits.RotateLeft32(lo, 20) + hi
		hi = bits.RotateLeft32(hi, 9) ^ lo
		lo = bits.RotateLeft32(lo, 27) + hi
		hi = bits.RotateLeft32(hi, 19)
	}
	for len(b) >= 4 {
		mix(le.Uint32(b))
		b = b[4:]
	}
	final := uint32(0x80)
	switch len(b) {
	case 1:
		final = 0x8000 | uint32(b[0])
	case 2:
		final = 0x800000 | uint32(b[0]) | uint32(b[1])<<8
	case 3:
		final = 0x80000000 | uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	}
	mix(final)
	mix(0)
	return uint64(hi)<<32 | uint64(lo)
}
