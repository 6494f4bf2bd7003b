package hive

import (
	"fmt"
	"sort"
)

// bins gives bounds-checked access to the cells of the hive bins held in
// memory. Cells are only trusted where they start on a cell boundary of a
// valid bin and are allocated; each bin's cell boundaries are worked out
// the first time one of its cells is asked for, so that reading a few
// keys costs nothing for the rest of the hive.
//
// The bins are either all found up front (scanBins: a full read, which
// also reports every stretch without valid bins), or found when a cell
// in them is first asked for (lazyBins: a filtered read, whose cost then
// does not depend on the size of the hive).
type bins struct {
	data  []byte // the whole file (base block included)
	end   int    // file offset where the usable hive bins end
	start []int  // file offset of each valid bin (ascending unless lazy)
	size  []int
	maps  map[int]*cellMap // by bin index, built on demand
	used  []uint64         // one bit per 8 bytes of hive bins: cell already read
	onBad func(msg string) // reports damage found while mapping a bin
	// lazy maps each 4 KiB page examined so far to the index of the bin
	// holding it, or -1 when no valid bin holds it; nil when all bins
	// were found up front.
	lazy map[int]int
}

// cellMap marks where the cells of one bin start.
type cellMap struct {
	starts   []uint64 // one bit per 8 bytes of the bin
	brokenAt int      // file offset of the first impossible cell, or -1
}

// scanBins finds the valid hive bins of d from 0x1000 up to limit (a
// file offset). A missing or wrong bin header does not end the scan: the
// following 4 KiB pages are searched for the next bin that knows its own
// place, as a forensic reader resynchronizes on damaged media. gaps
// lists each stretch that held no valid bin.
func scanBins(d []byte, limit int) (b *bins, gaps []gap) {
	b = &bins{data: d, maps: make(map[int]*cellMap)}
	limit = min(limit, len(d))
	gapStart, why := -1, ""
	for pos := baseBlockSize; pos+binHeaderSize <= limit; {
		size, bad := binAt(d, pos, limit)
		if bad != "" {
			if gapStart < 0 {
				gapStart, why = pos, bad
			}
			pos += binAlign
			continue
		}
		if gapStart >= 0 {
			gaps = append(gaps, gap{gapStart, pos, why})
			gapStart = -1
		}
		b.start = append(b.start, pos)
		b.size = append(b.size, size)
		pos += size
	}
	b.end = baseBlockSize
	if n := len(b.start); n > 0 {
		b.end = b.start[n-1] + b.size[n-1]
	}
	if gapStart >= 0 {
		gaps = append(gaps, gap{gapStart, limit, why})
	}
	b.used = make([]uint64, (b.end-baseBlockSize)/8/64+1)
	return b, gaps
}

// lazyBins checks the first hive bin only; the others are found as
// cells in them are asked for. limit is the file offset where the hive
// bins end.
func lazyBins(d []byte, limit int) (b *bins, bad string) {
	limit = min(limit, len(d))
	b = &bins{data: d, end: limit, maps: make(map[int]*cellMap), lazy: make(map[int]int)}
	if limit < baseBlockSize+binHeaderSize {
		return b, "the file ends there"
	}
	size, bad := binAt(d, baseBlockSize, limit)
	if bad != "" {
		return b, bad
	}
	b.addBin(baseBlockSize, size)
	b.used = make([]uint64, (b.end-baseBlockSize)/8/64+1)
	return b, ""
}

// addBin records a bin found lazily and the pages it holds.
func (b *bins) addBin(start, size int) int {
	i := len(b.start)
	b.start = append(b.start, start)
	b.size = append(b.size, size)
	for p := (start - baseBlockSize) / binAlign; p < (start+size-baseBlockSize)/binAlign; p++ {
		b.lazy[p] = i
	}
	return i
}

// findBin returns the index of the bin holding file offset pos, looking
// back page by page from pos for the header of the bin that holds it.
// Every page looked at is remembered, so that all lookups together look
// at each page once.
func (b *bins) findBin(pos int) (int, error) {
	if b.lazy == nil {
		i := sort.Search(len(b.start), func(i int) bool { return b.start[i]+b.size[i] > pos })
		if i == len(b.start) || pos < b.start[i] {
			return 0, fmt.Errorf("cell offset 0x%X lies outside every hive bin", pos-baseBlockSize)
		}
		return i, nil
	}
	page := (pos - baseBlockSize) / binAlign
	for q := page; q >= 0; q-- {
		i, seen := b.lazy[q]
		if !seen {
			hp := baseBlockSize + q*binAlign
			if size, bad := binAt(b.data, hp, b.end); bad == "" {
				i, seen = b.addBin(hp, size), true
			}
		}
		if !seen {
			continue
		}
		if i >= 0 && b.start[i]+b.size[i] > pos {
			return i, nil
		}
		// pos lies past the bin (or gap) found: the pages in between
		// hold no valid bin.
		from := q + 1
		if i >= 0 {
			from = (b.start[i] + b.size[i] - baseBlockSize) / binAlign
		}
		for p := from; p <= page; p++ {
			b.lazy[p] = -1
		}
		break
	}
	return 0, fmt.Errorf("cell offset 0x%X lies in a part of the file that holds no valid hive bin", pos-baseBlockSize)
}

// binAt checks the hive bin header at pos and returns the bin's size, or
// why there is no valid bin there.
func binAt(d []byte, pos, limit int) (size int, bad string) {
	if pos+binHeaderSize > min(limit, len(d)) {
		return 0, fmt.Sprintf("the hive bins end inside the hive bin header at 0x%X", pos)
	}
	h := d[pos:]
	if string(h[:4]) != "hbin" {
		return 0, fmt.Sprintf("no hive bin header at 0x%X (found %q)", pos, printable(h[:4]))
	}
	if off := int(le.Uint32(h[4:])); off != pos-baseBlockSize {
		return 0, fmt.Sprintf("the hive bin at 0x%X says it is at 0x%X", pos, off+baseBlockSize)
	}
	size = int(le.Uint32(h[8:]))
	if size < binAlign || size%binAlign != 0 {
		return 0, fmt.Sprintf("the hive bin at 0x%X has an impossible size (0x%X)", pos, size)
	}
	if pos+size > limit {
		return 0, fmt.Sprintf("the hive bin at 0x%X (0x%X bytes) runs past the end of the hive bins (0x%X)", pos, size, limit)
	}
	return size, ""
}

// gap is a stretch of the file where hive bins should be and are not.
type gap struct {
	from, to int
	why      string // what was found at from
}

// gapDamage describes the gaps: each one when they are few, else a
// summary, so that they do not crowd out the damage found in keys.
func gapDamage(gaps []gap) []string {
	if len(gaps) <= 3 {
		out := make([]string, len(gaps))
		for i, g := range gaps {
			out[i] = fmt.Sprintf("%s: the file from 0x%X to 0x%X holds no valid hive bin; keys and values stored there cannot be read", g.why, g.from, g.to)
		}
		return out
	}
	total := 0
	for _, g := range gaps {
		total += g.to - g.from
	}
	return []string{fmt.Sprintf("%d stretches of the file (0x%X bytes in all, the first at 0x%X: %s) hold no valid hive bin; keys and values stored there cannot be read",
		len(gaps), total, gaps[0].from, gaps[0].why)}
}

// cell returns the data of the allocated cell at off (relative to the
// first hive bin), after its size field.
func (b *bins) cell(off uint32) ([]byte, error) {
	if off == nilOffset {
		return nil, fmt.Errorf("offset 0xFFFFFFFF points nowhere")
	}
	p := int64(off) + baseBlockSize
	if p+4 > int64(b.end) {
		return nil, fmt.Errorf("cell offset 0x%X lies past the end of the hive bins (0x%X)", off, b.end-baseBlockSize)
	}
	if off%8 != 0 {
		return nil, fmt.Errorf("cell offset 0x%X is not 8-byte aligned", off)
	}
	pos := int(p)
	i, err := b.findBin(pos)
	if err != nil {
		return nil, err
	}
	if pos < b.start[i]+binHeaderSize {
		return nil, fmt.Errorf("cell offset 0x%X points into a hive bin header", off)
	}
	m := b.cellMap(i)
	rel := (pos - b.start[i]) / 8
	if m.starts[rel/64]&(1<<(rel%64)) == 0 {
		if m.brokenAt >= 0 && pos >= m.brokenAt {
			return nil, fmt.Errorf("cell offset 0x%X lies after a damaged cell (at 0x%X)", off, m.brokenAt-baseBlockSize)
		}
		return nil, fmt.Errorf("cell offset 0x%X is not the start of a cell", off)
	}
	size := int32(le.Uint32(b.data[pos:]))
	if size >= 0 {
		return nil, fmt.Errorf("cell at 0x%X is free, not allocated", off)
	}
	return b.data[pos+4 : pos+int(-int64(size))], nil
}

// claim marks the cell at off as read and reports whether it was unread.
// Every cell belongs to one key, one list or one value: a cell met twice
// means a loop or cells shared by damage, and is read only once.
func (b *bins) claim(off uint32) bool {
	i := (int64(off)) / 8
	if int64(off)+baseBlockSize >= int64(b.end) {
		return true // cell() reports it
	}
	w, bit := i/64, uint64(1)<<(i%64)
	if b.used[w]&bit != 0 {
		return false
	}
	b.used[w] |= bit
	return true
}

// cellMap walks the cells of bin i once and records where they start.
func (b *bins) cellMap(i int) *cellMap {
	if m := b.maps[i]; m != nil {
		return m
	}
	start, end := b.start[i], b.start[i]+b.size[i]
	m := &cellMap{starts: make([]uint64, b.size[i]/8/64+1), brokenAt: -1}
	for pos := start + binHeaderSize; pos < end; {
		if pos+4 > end {
			m.brokenAt = pos
			break
		}
		size := int64(int32(le.Uint32(b.data[pos:])))
		if size < 0 {
			size = -size
		}
		if size < 8 || size%8 != 0 || int64(pos)+size > int64(end) {
			m.brokenAt = pos
			if b.onBad != nil {
				b.onBad(fmt.Sprintf("the cell at 0x%X in the hive bin at 0x%X has an impossible size (0x%X): the rest of that bin cannot be read",
					pos-baseBlockSize, start-baseBlockSize, le.Uint32(b.data[pos:])))
			}
			break
		}
		rel := (pos - start) / 8
		m.starts[rel/64] |= 1 << (rel % 64)
		pos += int(size)
	}
	b.maps[i] = m
	return m
}

// printable renders a short byte string for a message.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7E {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
