package hive

import (
	"bytes"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Cell says where a key or value read from a hive lies in the file: the
// cell holding its record (an nk record for a key, a vk record for a
// value), for outputs that point into the file (SARIF's byte regions).
// Options.Cells receives one for every key walked and every value read.
type Cell struct {
	// Loc names the key (Value "") or the value, as the tree's own
	// locations do.
	Loc model.Location
	// Offset is the file offset of the cell: its 4-byte size field, then
	// the record.
	Offset int64
	// Bytes are the file's bytes from Offset to the end of the record's
	// name: the size field, the record's fixed fields and its name. They
	// hold no value data, except the at most 4 bytes a vk record holds in
	// itself (see Inline). Valid only during the call.
	Bytes []byte
	// Name and NameLen are where the record's name lies in Bytes.
	Name, NameLen int
	// Inline and InlineLen are where a value's data lie in Bytes when the
	// record holds them itself (4 bytes or fewer); both 0 otherwise.
	Inline, InlineLen int
}

// Offsets of the fields the cells point at, from the start of a record.
const (
	nkNameLenAt = 0x48
	nkNameAt    = 0x4C
	vkDataLenAt = 0x04
	vkDataAt    = 0x08
	vkNameAt    = 0x14
	cellHeader  = 4 // the size field in front of every record
)

// emitKey gives Options.Cells the key node k read at path.
func (w *walker) emitKey(k keyNode, path string) {
	if w.cells == nil || w.quiet {
		return
	}
	c, err := w.b.cell(k.off)
	if err != nil || len(c) < nkNameAt {
		return
	}
	n := int(le.Uint16(c[nkNameLenAt:]))
	w.emit(Cell{Loc: w.loc(path, ""), Name: cellHeader + nkNameAt, NameLen: n}, k.off, nkNameAt+n)
}

// emitValue gives Options.Cells the value v, whose vk record is at off.
func (w *walker) emitValue(off uint32, v *model.Value) {
	if w.cells == nil || w.quiet {
		return
	}
	c, err := w.b.cell(off)
	if err != nil || len(c) < vkNameAt {
		return
	}
	n := int(le.Uint16(c[2:]))
	cell := Cell{Loc: v.Loc, Name: cellHeader + vkNameAt, NameLen: n}
	if raw := le.Uint32(c[vkDataLenAt:]); raw&0x80000000 != 0 && raw&0x7FFFFFFF <= 4 {
		cell.Inline, cell.InlineLen = cellHeader+vkDataAt, int(raw&0x7FFFFFFF)
	}
	w.emit(cell, off, vkNameAt+n)
}

// emit fills in the cell's place and bytes (its record being n bytes
// long) and hands it over, unless the bytes are not the file's: a
// transaction log applied in memory changed them.
func (w *walker) emit(cell Cell, off uint32, n int) {
	p := int64(off) + baseBlockSize
	end := p + cellHeader + int64(n)
	if end > int64(len(w.b.data)) {
		return
	}
	b := w.b.data[p:end]
	if w.orig != nil && (end > int64(len(w.orig)) || !bytes.Equal(w.orig[p:end], b)) {
		return
	}
	cell.Offset, cell.Bytes = p, b
	w.cells(cell)
}
