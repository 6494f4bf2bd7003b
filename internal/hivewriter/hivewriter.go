// Package hivewriter writes registry hive files (regf) for tests and
// fixtures: a valid hive from a *model.RegTree, or an empty one, with a
// record of where every key and value went so that tests can then damage
// the file on purpose (self-referencing indexes, key cycles, cell sizes
// past the end).
//
// The layout follows the Windows registry file format as Windows writes
// it: a 4 KiB base block with its checksum, 4 KiB hive bins, 8-byte
// aligned cells, key nodes (nk) with compressed (Latin-1) names where
// possible, sorted subkey lists (lh, lf or li, split under an ri index
// when long), value lists, values (vk) with inline data up to 4 bytes and
// big-data (db) records above 16344 bytes from format 1.4 on.
package hivewriter

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Format constants shared with readers of the files written here.
const (
	BaseBlockSize = 0x1000 // size of the base block; hive bins start here
	binHeaderSize = 0x20
	binAlign      = 0x1000
	// BigDataSegment is the largest value data held in one cell from
	// format 1.4 on; longer data goes into a big-data (db) record.
	BigDataSegment = 16344
	// Nil is the offset that points nowhere.
	Nil = 0xFFFFFFFF
)

// Key node flags.
const (
	KeyHiveEntry = 0x0004
	KeyNoDelete  = 0x0008
	KeyCompName  = 0x0020
)

// Options shape the file. The zero value gives a Windows XP/2003-style
// hive (format 1.5 is what XP SP3 and later write) with lh lists.
type Options struct {
	// RootName is the name of the root key node; "ROOT" when empty.
	// Windows names it after the hive's creation ("CMI-CreateHive{...}",
	// "$$$PROTO.HIV"); readers ignore it.
	RootName string
	// FileName is the path the base block records (offset 0x30, UTF-16,
	// the last 31 characters kept as Windows does), e.g.
	// `\SystemRoot\System32\Config\SYSTEM`.
	FileName string
	// Minor is the minor format version: 3 (Windows 2000/XP before SP2
	// style: long values in one cell) or 5 (default; big-data records).
	Minor uint32
	// Leaf is the kind of subkey list: "lh" (default), "lf" or "li".
	Leaf string
	// MaxLeaf is how many subkeys one list holds before the list is split
	// under an ri index; 500 when zero.
	MaxLeaf int
	// Seq1 and Seq2 are the base block's sequence numbers; both 1 when
	// zero. Different numbers make a dirty hive.
	Seq1, Seq2 uint32
	// Timestamp is the FILETIME written in the base block and key nodes.
	Timestamp uint64
}

// KeyCells says where one key was written: offsets relative to the first
// hive bin, as every offset inside a hive is.
type KeyCells struct {
	Path       string // path below the root ("" = the root key)
	NK         uint32
	SubkeyList uint32   // the list the key node points to (an ri when split), or Nil
	Leaves     []uint32 // the leaf lists under an ri (or the single list)
	ValueList  uint32
	Values     []ValueCells
}

// ValueCells says where one value was written.
type ValueCells struct {
	Name string
	VK   uint32
	Data uint32 // data cell (or db record); Nil for inline data
}

// Hive is a written hive file and the record of its layout.
type Hive struct {
	Data []byte
	// Keys maps the lower-case path of every key below the root ("" for
	// the root) to its cells.
	Keys map[string]*KeyCells
	Root uint32
	SK   uint32 // the security cell every key shares
}

type builder struct {
	opts Options
	bins []byte // hive bins data, grows in whole bins
	cur  int    // start of the current bin within bins
	next int    // next free position within bins
	keys map[string]*KeyCells
	nk   int // keys written (security cell reference count)
}

func (o *Options) defaults() {
	if o.RootName == "" {
		o.RootName = "ROOT"
	}
	if o.Minor == 0 {
		o.Minor = 5
	}
	if o.Leaf == "" {
		o.Leaf = "lh"
	}
	if o.MaxLeaf <= 0 {
		o.MaxLeaf = 500
	}
	if o.Seq1 == 0 && o.Seq2 == 0 {
		o.Seq1, o.Seq2 = 1, 1
	}
	if o.Timestamp == 0 {
		o.Timestamp = 0x01C0_0000_0000_0000 // a fixed date in 2002, so output is reproducible
	}
}

// Empty returns a hive holding only its root key.
func Empty(opts Options) (*Hive, error) {
	return Write(model.NewRegTree(), "", opts)
}

// Write returns a hive holding the key at prefix (HKLM-relative, e.g.
// "SYSTEM"; "" = the tree's top) as its root key, with every key and
// value below it.
func Write(tree *model.RegTree, prefix string, opts Options) (*Hive, error) {
	opts.defaults()
	switch opts.Leaf {
	case "lh", "lf", "li":
	default:
		return nil, fmt.Errorf("hivewriter: unknown leaf kind %q (want lh, lf or li)", opts.Leaf)
	}
	b := &builder{opts: opts, keys: make(map[string]*KeyCells)}
	b.newBin(0)
	sk := b.alloc(securityCell())
	// A list of one security cell links to itself (Flink, Blink).
	binary.LittleEndian.PutUint32(b.cellData(sk)[4:], sk)
	binary.LittleEndian.PutUint32(b.cellData(sk)[8:], sk)
	root, err := b.writeKey(tree, prefix, "", opts.RootName, Nil, sk, 0)
	if err != nil {
		return nil, err
	}
	// The security cell's reference count is the number of keys using it.
	binary.LittleEndian.PutUint32(b.cellData(sk)[12:], uint32(b.nk))
	h := &Hive{Keys: b.keys, Root: root, SK: sk}
	h.Data = b.finish(root)
	return h, nil
}

func childPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + `\` + name
}

// writeKey writes the key at tree path src as a key named name, then its
// subtree, and returns the key node's offset.
func (b *builder) writeKey(tree *model.RegTree, src, rel, name string, parent, sk uint32, depth int) (uint32, error) {
	if depth > 4096 {
		return 0, fmt.Errorf("hivewriter: %s: deeper than 4096 levels", src)
	}
	kc := &KeyCells{Path: rel, SubkeyList: Nil, ValueList: Nil}
	b.keys[strings.ToLower(rel)] = kc
	b.nk++
	var values []*model.Value
	if k := tree.Key(src); k != nil {
		values = k.Values
	}
	names := tree.Subkeys(src)
	if src == "" {
		names = topLevel(tree)
	}
	sortNames(names)

	nkOff := b.alloc(make([]byte, 0x4C+len(encodeName(name))))
	kc.NK = nkOff
	children := make([]uint32, len(names))
	for i, n := range names {
		off, err := b.writeKey(tree, childPath(src, n), childPath(rel, n), n, nkOff, sk, depth+1)
		if err != nil {
			return 0, err
		}
		children[i] = off
	}
	if len(children) > 0 {
		kc.SubkeyList, kc.Leaves = b.writeSubkeyList(names, children)
	}
	var maxValName, maxData int
	if len(values) > 0 {
		list := make([]byte, 4*len(values))
		for i, v := range values {
			vc := b.writeValue(v)
			kc.Values = append(kc.Values, vc)
			binary.LittleEndian.PutUint32(list[4*i:], vc.VK)
			maxValName = max(maxValName, 2*len(utf16.Encode([]rune(v.Name))))
			maxData = max(maxData, len(v.Data))
		}
		kc.ValueList = b.alloc(list)
	}
	maxName := 0
	for _, n := range names {
		maxName = max(maxName, 2*len(utf16.Encode([]rune(n))))
	}
	b.fillNK(nkOff, name, parent, sk, kc, len(names), len(values), maxName, maxValName, maxData, depth == 0)
	return nkOff, nil
}

// topLevel returns the first components of every path of the tree.
func topLevel(tree *model.RegTree) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range tree.Keys() {
		first, _, _ := strings.Cut(k.Path, `\`)
		if first != "" && !seen[strings.ToLower(first)] {
			seen[strings.ToLower(first)] = true
			out = append(out, first)
		}
	}
	return out
}

func (b *builder) fillNK(off uint32, name string, parent, sk uint32, kc *KeyCells, nsub, nval, maxName, maxValName, maxData int, root bool) {
	d := b.cellData(off)
	enc, comp := encodeNameFlag(name)
	copy(d, "nk")
	flags := uint16(0)
	if comp {
		flags |= KeyCompName
	}
	if root {
		flags |= KeyHiveEntry | KeyNoDelete
		parent = 0
	}
	le := binary.LittleEndian
	le.PutUint16(d[0x02:], flags)
	le.PutUint64(d[0x04:], b.opts.Timestamp)
	le.PutUint32(d[0x10:], parent)
	le.PutUint32(d[0x14:], uint32(nsub))
	le.PutUint32(d[0x18:], 0)
	le.PutUint32(d[0x1C:], kc.SubkeyList)
	le.PutUint32(d[0x20:], Nil)
	le.PutUint32(d[0x24:], uint32(nval))
	le.PutUint32(d[0x28:], kc.ValueList)
	le.PutUint32(d[0x2C:], sk)
	le.PutUint32(d[0x30:], Nil) // no class name
	le.PutUint32(d[0x34:], uint32(maxName))
	le.PutUint32(d[0x38:], 0)
	le.PutUint32(d[0x3C:], uint32(maxValName))
	le.PutUint32(d[0x40:], uint32(maxData))
	le.PutUint16(d[0x48:], uint16(len(enc)))
	le.PutUint16(d[0x4A:], 0)
	copy(d[0x4C:], enc)
}

// writeSubkeyList writes the (sorted) children as one leaf, or as several
// leaves under an ri index when there are more than MaxLeaf of them.
func (b *builder) writeSubkeyList(names []string, offs []uint32) (list uint32, leaves []uint32) {
	for i := 0; i < len(offs); i += b.opts.MaxLeaf {
		j := min(i+b.opts.MaxLeaf, len(offs))
		leaves = append(leaves, b.writeLeaf(names[i:j], offs[i:j]))
	}
	if len(leaves) == 1 {
		return leaves[0], leaves
	}
	ri := make([]byte, 4+4*len(leaves))
	copy(ri, "ri")
	binary.LittleEndian.PutUint16(ri[2:], uint16(len(leaves)))
	for i, l := range leaves {
		binary.LittleEndian.PutUint32(ri[4+4*i:], l)
	}
	return b.alloc(ri), leaves
}

func (b *builder) writeLeaf(names []string, offs []uint32) uint32 {
	le := binary.LittleEndian
	kind := b.opts.Leaf
	width := 8
	if kind == "li" {
		width = 4
	}
	d := make([]byte, 4+width*len(offs))
	copy(d, kind)
	le.PutUint16(d[2:], uint16(len(offs)))
	for i, off := range offs {
		e := d[4+width*i:]
		le.PutUint32(e, off)
		switch kind {
		case "lh":
			le.PutUint32(e[4:], NameHash(names[i]))
		case "lf":
			copy(e[4:8], nameHint(names[i]))
		}
	}
	return b.alloc(d)
}

func (b *builder) writeValue(v *model.Value) ValueCells {
	le := binary.LittleEndian
	enc, comp := encodeNameFlag(v.Name)
	d := make([]byte, 0x14+len(enc))
	copy(d, "vk")
	le.PutUint16(d[2:], uint16(len(enc)))
	le.PutUint32(d[0x0C:], uint32(v.Type))
	if comp {
		le.PutUint16(d[0x10:], 1)
	}
	copy(d[0x14:], enc)
	vc := ValueCells{Name: v.Name, Data: Nil}
	n := len(v.Data)
	switch {
	case n <= 4:
		le.PutUint32(d[4:], uint32(n)|0x80000000)
		copy(d[8:12], v.Data)
	case n > BigDataSegment && b.opts.Minor >= 4:
		le.PutUint32(d[4:], uint32(n))
		vc.Data = b.writeBigData(v.Data)
		le.PutUint32(d[8:], vc.Data)
	default:
		le.PutUint32(d[4:], uint32(n))
		vc.Data = b.alloc(v.Data)
		le.PutUint32(d[8:], vc.Data)
	}
	vc.VK = b.alloc(d)
	return vc
}

func (b *builder) writeBigData(data []byte) uint32 {
	var segs []uint32
	for i := 0; i < len(data); i += BigDataSegment {
		segs = append(segs, b.alloc(data[i:min(i+BigDataSegment, len(data))]))
	}
	list := make([]byte, 4*len(segs))
	for i, s := range segs {
		binary.LittleEndian.PutUint32(list[4*i:], s)
	}
	db := make([]byte, 8)
	copy(db, "db")
	binary.LittleEndian.PutUint16(db[2:], uint16(len(segs)))
	binary.LittleEndian.PutUint32(db[4:], b.alloc(list))
	return b.alloc(db)
}

// alloc writes data into a new allocated cell and returns its offset.
func (b *builder) alloc(data []byte) uint32 {
	size := (4 + len(data) + 7) &^ 7
	if b.next+size > len(b.bins) {
		b.closeBin()
		b.newBin(size)
	}
	off := b.next
	binary.LittleEndian.PutUint32(b.bins[off:], uint32(-int32(size)))
	copy(b.bins[off+4:], data)
	b.next += size
	return uint32(off)
}

func (b *builder) cellData(off uint32) []byte {
	size := -int32(binary.LittleEndian.Uint32(b.bins[off:]))
	return b.bins[off+4 : off+uint32(size)]
}

// newBin starts a hive bin big enough for a cell of cellSize bytes.
func (b *builder) newBin(cellSize int) {
	size := (binHeaderSize + cellSize + binAlign - 1) / binAlign * binAlign
	size = max(size, binAlign)
	start := len(b.bins)
	b.bins = append(b.bins, make([]byte, size)...)
	h := b.bins[start:]
	copy(h, "hbin")
	binary.LittleEndian.PutUint32(h[4:], uint32(start))
	binary.LittleEndian.PutUint32(h[8:], uint32(size))
	binary.LittleEndian.PutUint64(h[0x14:], b.opts.Timestamp)
	b.cur = start
	b.next = start + binHeaderSize
}

// closeBin marks the rest of the current bin as one free cell.
func (b *builder) closeBin() {
	end := len(b.bins)
	if rest := end - b.next; rest > 0 {
		binary.LittleEndian.PutUint32(b.bins[b.next:], uint32(rest))
	}
	b.next = end
}

func (b *builder) finish(root uint32) []byte {
	b.closeBin()
	out := make([]byte, BaseBlockSize+len(b.bins))
	copy(out[BaseBlockSize:], b.bins)
	bb := out[:BaseBlockSize]
	le := binary.LittleEndian
	copy(bb, "regf")
	le.PutUint32(bb[0x04:], b.opts.Seq1)
	le.PutUint32(bb[0x08:], b.opts.Seq2)
	le.PutUint64(bb[0x0C:], b.opts.Timestamp)
	le.PutUint32(bb[0x14:], 1)
	le.PutUint32(bb[0x18:], b.opts.Minor)
	le.PutUint32(bb[0x1C:], 0) // primary file
	le.PutUint32(bb[0x20:], 1) // direct memory load
	le.PutUint32(bb[0x24:], root)
	le.PutUint32(bb[0x28:], uint32(len(b.bins)))
	le.PutUint32(bb[0x2C:], 1)
	copy(bb[0x30:0x70], fileNameField(b.opts.FileName))
	le.PutUint32(bb[0x1FC:], Checksum(bb))
	return out
}

// fileNameField encodes the last 31 characters of name as UTF-16LE in the
// 64-byte field, NUL-terminated, as Windows does.
func fileNameField(name string) []byte {
	u := utf16.Encode([]rune(name))
	if len(u) > 31 {
		u = u[len(u)-31:]
	}
	out := make([]byte, 64)
	for i, c := range u {
		binary.LittleEndian.PutUint16(out[2*i:], c)
	}
	return out
}

// Checksum computes the base-block checksum: the XOR of its first 127
// little-endian dwords, with 0 mapped to 1 and 0xFFFFFFFF to 0xFFFFFFFE.
func Checksum(bb []byte) uint32 {
	var x uint32
	for i := 0; i < 0x1FC; i += 4 {
		x ^= binary.LittleEndian.Uint32(bb[i:])
	}
	switch x {
	case 0:
		return 1
	case 0xFFFFFFFF:
		return 0xFFFFFFFE
	}
	return x
}

// securityCell returns an sk record holding a minimal self-relative
// security descriptor (owner Administrators, group SYSTEM, DACL granting
// Everyone full control), linked to itself.
func securityCell() []byte {
	sid := func(auth byte, subs ...uint32) []byte {
		s := []byte{1, byte(len(subs)), 0, 0, 0, 0, 0, auth}
		for _, v := range subs {
			s = binary.LittleEndian.AppendUint32(s, v)
		}
		return s
	}
	owner := sid(5, 32, 544)
	group := sid(5, 18)
	everyone := sid(1, 0)
	ace := []byte{0, 0, 0, 0} // ACCESS_ALLOWED, no flags, size below
	ace = binary.LittleEndian.AppendUint32(ace, 0x000F003F)
	ace = append(ace, everyone...)
	binary.LittleEndian.PutUint16(ace[2:], uint16(len(ace)))
	acl := []byte{2, 0, 0, 0, 1, 0, 0, 0}
	binary.LittleEndian.PutUint16(acl[2:], uint16(8+len(ace)))
	acl = append(acl, ace...)
	sd := make([]byte, 20)
	sd[0] = 1
	binary.LittleEndian.PutUint16(sd[2:], 0x8004) // self-relative, DACL present
	binary.LittleEndian.PutUint32(sd[4:], 20)
	binary.LittleEndian.PutUint32(sd[8:], uint32(20+len(owner)))
	binary.LittleEndian.PutUint32(sd[16:], uint32(20+len(owner)+len(group)))
	sd = append(append(append(sd, owner...), group...), acl...)
	cell := make([]byte, 20, 20+len(sd))
	copy(cell, "sk")
	binary.LittleEndian.PutUint32(cell[16:], uint32(len(sd)))
	return append(cell, sd...)
}

// encodeName returns the name as a key node stores it.
func encodeName(name string) []byte {
	b, _ := encodeNameFlag(name)
	return b
}

// encodeNameFlag returns the stored form of a key or value name and
// whether it is compressed: names whose characters all fit in Latin-1
// are stored one byte per character, others as UTF-16LE.
func encodeNameFlag(name string) ([]byte, bool) {
	u := utf16.Encode([]rune(name))
	comp := true
	for _, c := range u {
		if c > 0xFF {
			comp = false
			break
		}
	}
	if comp {
		out := make([]byte, len(u))
		for i, c := range u {
			out[i] = byte(c)
		}
		return out, true
	}
	out := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(out[2*i:], c)
	}
	return out, false
}

// upcase maps a UTF-16 code unit to upper case the way the registry
// compares names (simple one-to-one case mapping).
func upcase(c uint16) uint16 {
	if c < 0x80 {
		if 'a' <= c && c <= 'z' {
			return c - 0x20
		}
		return c
	}
	if c >= 0xD800 && c < 0xE000 {
		return c
	}
	u := unicode.ToUpper(rune(c))
	if u > 0xFFFF {
		return c
	}
	return uint16(u)
}

// CompareNames orders names as the registry sorts subkeys: by upper-cased
// UTF-16 code units, a prefix first.
func CompareNames(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		x, y := upcase(ua[i]), upcase(ub[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return len(ua) - len(ub)
}

func sortNames(names []string) {
	sort.SliceStable(names, func(i, j int) bool { return CompareNames(names[i], names[j]) < 0 })
}

// NameHash is the lh list hash of a name: h = h*37 + upcase(c).
func NameHash(name string) uint32 {
	var h uint32
	for _, c := range utf16.Encode([]rune(name)) {
		h = h*37 + uint32(upcase(c))
	}
	return h
}

// nameHint is the lf list hint: the first four characters of the name.
func nameHint(name string) []byte {
	out := make([]byte, 4)
	for i, c := range utf16.Encode([]rune(name)) {
		if i == 4 {
			break
		}
		if c < 0x100 {
			out[i] = byte(c)
		}
	}
	return out
}
