package hive

import (
	"bytes"
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
	"www.velocidex.com/golang/regparser"
)

// The fixed-size fields of the base block, key nodes and value records
// are decoded with regparser's generated structure definitions, the
// project's hive library. It is only ever given one record's bytes, after
// this package has checked that the record lies inside its cell: every
// walk that could loop (subkey lists, value lists, big data) and every
// bounds check is this package's own, because regparser recurses without
// limit on a self-referencing index and panics on short data
// (FORMATS.md §2). A panic in a decoder becomes an error for that record.
var profile = regparser.NewRegistryProfile()

// decodeSafely runs decode, turning a panic into an error.
func decodeSafely(what string, decode func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s could not be decoded: %v", what, p)
		}
	}()
	decode()
	return nil
}

// parseBaseBlock decodes the first 512 bytes of d (len(d) >= 512).
func parseBaseBlock(d []byte) baseBlock {
	var b baseBlock
	r := bytes.NewReader(d[:logHeaderSize])
	err := decodeSafely("the base block", func() {
		h := profile.HBASE_BLOCK(r, 0)
		b = baseBlock{
			seq1: h.Sequence1(), seq2: h.Sequence2(),
			major: h.Major(), minor: h.Minor(), fileType: h.Type(), format: h.Format(),
			root: h.RootCell(), binsSize: h.Length(), stored: h.CheckSum(),
		}
	})
	if err != nil {
		// Cannot happen with 512 bytes in memory; keep the fields zero,
		// which every caller rejects as an invalid base block.
		return baseBlock{}
	}
	b.stamp = le.Uint64(d[0x0C:])
	b.fileName = model.UTF16Text(d[0x30:0x70]) // up to its first NUL
	b.computed = checksum(d)
	return b
}

// decodeNK decodes the fixed part of the key node at off into k (all but
// its name) and returns the name's length; c is its cell, at least 0x4C
// bytes long, beginning with "nk".
func decodeNK(c []byte, off uint32) (k keyNode, nameLen int, err error) {
	err = decodeSafely("the key node", func() {
		nk := profile.CM_KEY_NODE(bytes.NewReader(c), 0)
		k = keyNode{
			off: off, flags: nk.Flags(), parent: nk.Parent(),
			nSub: nk.SubKeyCounts()[0], subList: nk.SubKeyLists()[0],
			nVal: nk.ValueList().Count(), valList: nk.ValueList().List(),
		}
		nameLen = int(nk.NameLength())
	})
	return k, nameLen, err
}

// vkFields are the fixed fields of a value record.
type vkFields struct {
	nameLen    int
	dataLength uint32
	data       uint32
	typ        uint32
	flags      uint16
}

// decodeVK decodes the fixed part of a value record; c is its cell, at
// least 0x14 bytes long, beginning with "vk".
func decodeVK(c []byte) (f vkFields, err error) {
	err = decodeSafely("the value record", func() {
		vk := profile.CM_KEY_VALUE(bytes.NewReader(c), 0)
		f = vkFields{nameLen: int(vk.NameLength()), dataLength: vk.DataLength(), data: vk.Data(), typ: vk.Type(), flags: vk.Flags()}
	})
	return f, err
}
