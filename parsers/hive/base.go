package hive

import (
	"encoding/binary"
	"fmt"
)

// Sizes and markers of the regf format.
const (
	baseBlockSize = 0x1000 // the base block; hive bins start after it
	logHeaderSize = 0x200  // the base block as a transaction log holds it
	binHeaderSize = 0x20
	binAlign      = 0x1000
	nilOffset     = 0xFFFFFFFF
	bigSegment    = 16344 // largest value data in one cell from format 1.4 on
)

// File types of the base block.
const (
	typePrimary    = 0
	typeLogOld     = 1
	typeLogVeryOld = 2
	typeLogNew     = 6
)

var le = binary.LittleEndian

// baseBlock is the header of a hive or log file.
type baseBlock struct {
	seq1, seq2 uint32
	stamp      uint64
	major      uint32
	minor      uint32
	fileType   uint32
	format     uint32
	root       uint32
	binsSize   uint32
	fileName   string
	stored     uint32 // checksum stored at 0x1FC
	computed   uint32 // checksum of the first 508 bytes
}

func (b baseBlock) checksumOK() bool { return b.stored == b.computed }

// dirty reports whether Windows would want to recover the hive from its
// logs before use: an interrupted write (sequence numbers differ) or a
// base block that fails its checksum.
func (b baseBlock) dirty() bool { return !b.checksumOK() || b.seq1 != b.seq2 }

// binsSizeSane reports whether the declared size of the hive bins is a
// whole number of 4 KiB pages.
func (b baseBlock) binsSizeSane() bool {
	return b.binsSize >= binAlign && b.binsSize%binAlign == 0
}

// checksum is the base-block checksum: the XOR of the first 127
// little-endian dwords, 0 mapped to 1 and 0xFFFFFFFF to 0xFFFFFFFE.
func checksum(d []byte) uint32 {
	var x uint32
	for i := 0; i < 0x1FC; i += 4 {
		x ^= le.Uint32(d[i:])
	}
	switch x {
	case 0:
		return 1
	case 0xFFFFFFFF:
		return 0xFFFFFFFE
	}
	return x
}

// fileTypeName describes a base block file type for error messages.
func fileTypeName(t uint32) string {
	switch t {
	case typeLogOld, typeLogVeryOld:
		return fmt.Sprintf("a transaction log in the old format (file type %d, Windows 2000 to 8)", t)
	case typeLogNew:
		return "a transaction log in the new format (file type 6, Windows 8.1 and later)"
	}
	return fmt.Sprintf("file type %d", t)
}
