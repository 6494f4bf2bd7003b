package hivewriter

import (
	"encoding/binary"
	"strings"
)

// Offsets of fields inside a key node's cell data, for tests that patch
// key nodes.
const (
	NKFlags      = 0x02
	NKParent     = 0x10
	NKSubkeys    = 0x14 // number of subkeys
	NKSubkeyList = 0x1C
	NKValues     = 0x24 // number of values
	NKValueList  = 0x28
	NKNameLen    = 0x48
	NKName       = 0x4C
)

// Offsets of fields inside a value's (vk) cell data.
const (
	VKNameLen  = 0x02
	VKDataSize = 0x04
	VKData     = 0x08
	VKType     = 0x0C
	VKFlags    = 0x10
)

// Key returns the cells of the key at path below the root ("" = root),
// or nil.
func (h *Hive) Key(path string) *KeyCells { return h.Keys[strings.ToLower(path)] }

func (h *Hive) pos(off uint32) int { return BaseBlockSize + int(off) }

// CellSize returns the size field of the cell at off (negative when
// allocated).
func (h *Hive) CellSize(off uint32) int32 {
	return int32(binary.LittleEndian.Uint32(h.Data[h.pos(off):]))
}

// Cell returns the data of the cell at off, after its size field.
// Writing to it changes the file.
func (h *Hive) Cell(off uint32) []byte {
	size := h.CellSize(off)
	if size < 0 {
		size = -size
	}
	return h.Data[h.pos(off)+4 : h.pos(off)+int(size)]
}

// SetCellSize overwrites the size field of the cell at off.
func (h *Hive) SetCellSize(off uint32, size int32) {
	binary.LittleEndian.PutUint32(h.Data[h.pos(off):], uint32(size))
}

// PutUint32 writes v at byte at of the data of the cell at off.
func (h *Hive) PutUint32(off uint32, at int, v uint32) {
	binary.LittleEndian.PutUint32(h.Cell(off)[at:], v)
}

// PutUint16 writes v at byte at of the data of the cell at off.
func (h *Hive) PutUint16(off uint32, at int, v uint16) {
	binary.LittleEndian.PutUint16(h.Cell(off)[at:], v)
}

// Alloc appends a hive bin holding one allocated cell with data, updates
// the base block (hive bins size, checksum) and returns the cell's offset.
func (h *Hive) Alloc(data []byte) uint32 {
	binsLen := len(h.Data) - BaseBlockSize
	b := &builder{bins: make([]byte, binsLen)}
	copy(b.bins, h.Data[BaseBlockSize:])
	b.next = len(b.bins)
	b.opts.Timestamp = binary.LittleEndian.Uint64(h.Data[0x0C:])
	off := b.alloc(data)
	b.closeBin()
	h.Data = append(h.Data[:BaseBlockSize:BaseBlockSize], b.bins...)
	binary.LittleEndian.PutUint32(h.Data[0x28:], uint32(len(b.bins)))
	h.Seal()
	return off
}

// SetBaseBlock32 writes v at offset at of the base block and reseals it.
func (h *Hive) SetBaseBlock32(at int, v uint32) {
	binary.LittleEndian.PutUint32(h.Data[at:], v)
	h.Seal()
}

// Seal recomputes the base block's checksum.
func (h *Hive) Seal() {
	binary.LittleEndian.PutUint32(h.Data[0x1FC:], Checksum(h.Data[:BaseBlockSize]))
}
