package hive

import (
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Key node flags the reader needs.
const (
	keyCompName     = 0x0020
	keyPredefHandle = 0x0040
	valueCompName   = 0x0001
)

// maxDepth is how deep keys may nest; Windows allows 512 levels.
const maxDepth = 512

// keyNode is the part of an nk record the walk uses.
type keyNode struct {
	off     uint32
	flags   uint16
	parent  uint32
	nSub    uint32
	subList uint32
	nVal    uint32
	valList uint32
	name    string
}

// child is a subkey met in a parent's subkey lists.
type child struct {
	off  uint32
	node keyNode
}

// walker copies the keys a filter wants from the hive bins into a tree,
// checking every structure it follows.
type walker struct {
	file  string
	b     *bins
	tree  *model.RegTree
	want  *model.KeyFilter
	dmg   *damages
	quiet bool // peeking: no claims, no damage reports
	// lastSize is the size the last value record read declares.
	lastSize int64
	// cells, when set, is given where each key and value lies in the
	// file (Options.Cells); orig is the file as read when logs were
	// applied to a copy of it.
	cells func(Cell)
	orig  []byte
}

func (w *walker) damage(key, value, format string, args ...any) {
	if !w.quiet {
		w.dmg.add(key, value, fmt.Sprintf(format, args...))
	}
}

// claim marks a cell as read (see bins.claim); a peek claims nothing.
func (w *walker) claim(off uint32) bool {
	return w.quiet || w.b.claim(off)
}

func (w *walker) loc(key, value string) model.Location {
	return model.Location{File: w.file, Key: key, Value: value}
}

// readKeyNode decodes the key node at off.
func (w *walker) readKeyNode(off uint32) (keyNode, error) {
	c, err := w.b.cell(off)
	if err != nil {
		return keyNode{}, err
	}
	if len(c) < 2 || string(c[:2]) != "nk" {
		return keyNode{}, fmt.Errorf("the cell at 0x%X is not a key node (it begins %q)", off, printable(c[:min(2, len(c))]))
	}
	if len(c) < 0x4C {
		return keyNode{}, fmt.Errorf("the key node at 0x%X is cut short (%d bytes)", off, len(c))
	}
	k, n, err := decodeNK(c, off)
	if err != nil {
		return keyNode{}, fmt.Errorf("at 0x%X: %w", off, err)
	}
	switch {
	case n == 0:
		return k, fmt.Errorf("the key node at 0x%X has an empty name", off)
	case 0x4C+n > len(c):
		return k, fmt.Errorf("the name of the key node at 0x%X (%d bytes) runs past the end of its cell", off, n)
	}
	k.name = decodeName(c[0x4C:0x4C+n], k.flags&keyCompName != 0)
	for _, r := range k.name {
		if r == '\\' {
			return k, fmt.Errorf("the key node at 0x%X is named %q: a backslash cannot be part of a key name", off, k.name)
		}
	}
	return k, nil
}

// walkKey reads the key k at path (values when the filter wants it) and
// the subkeys the filter leads to.
func (w *walker) walkKey(k keyNode, path string, depth int) {
	w.emitKey(k, path)
	if w.want.Wants(path) {
		key := w.tree.EnsureKey(path, w.loc(path, ""))
		w.readValues(k, key, path)
	}
	for _, c := range w.children(k, path) {
		cp := path + `\` + c.node.name
		if !w.want.Descend(cp) {
			continue
		}
		if depth+1 > maxDepth {
			w.damage(cp, "", "keys nest deeper than %d levels here: the subkeys below are not read", maxDepth)
			continue
		}
		if !w.claim(c.off) {
			w.damage(cp, "", "the key node at 0x%X was already read under another path (a loop in the hive): it is read once", c.off)
			continue
		}
		w.walkKey(c.node, cp, depth+1)
	}
}

// children returns the readable subkeys of k in list order, reporting
// lists out of order, duplicate names and wrong parent links.
func (w *walker) children(k keyNode, path string) []child {
	offs := w.subkeyOffsets(k, path)
	out := make([]child, 0, len(offs))
	seen := make(map[string]bool, len(offs))
	prev := ""
	for i, off := range offs {
		n, err := w.readKeyNode(off)
		if err != nil {
			w.damage(path, "", "subkey %d: %v", i+1, err)
			continue
		}
		cp := path + `\` + n.name
		folded := foldName(n.name)
		if seen[folded] {
			w.damage(cp, "", "a second subkey of this name (key node at 0x%X): the first one is read", off)
			continue
		}
		seen[folded] = true
		if len(out) > 0 && compareNames(prev, n.name) > 0 {
			w.damage(cp, "", "the subkey list of %s is out of order at this name: Windows may not find some of its subkeys", displayKey(path))
		}
		prev = n.name
		if n.parent != k.off {
			w.damage(cp, "", "the key node at 0x%X names 0x%X as its parent, not 0x%X", off, n.parent, k.off)
		}
		out = append(out, child{off: off, node: n})
	}
	return out
}

func displayKey(path string) string {
	if path == "" {
		return "the root key"
	}
	return path
}

// subkeyOffsets follows the subkey list of k: one leaf (li, lf, lh) or
// an ri index of leaves. An index entry that is not a leaf is damage,
// never followed, so lists cannot recurse.
func (w *walker) subkeyOffsets(k keyNode, path string) []uint32 {
	if k.nSub == 0 {
		return nil
	}
	if !w.claim(k.subList) {
		w.damage(path, "", "the subkey list at 0x%X was already read for another key: its subkeys are not read again", k.subList)
		return nil
	}
	c, err := w.b.cell(k.subList)
	if err != nil {
		w.damage(path, "", "subkey list: %v", err)
		return nil
	}
	var out []uint32
	switch sig := string(c[:min(2, len(c))]); sig {
	case "li", "lf", "lh":
		out = w.leaf(c, k.subList, path, nil)
	case "ri":
		n := w.count(c, 4, k.subList, "index", path)
		for i := 0; i < n; i++ {
			off := le.Uint32(c[4+4*i:])
			if !w.claim(off) {
				w.damage(path, "", "entry %d of the subkey index at 0x%X points to a list already read (0x%X): skipped", i+1, k.subList, off)
				continue
			}
			lc, err := w.b.cell(off)
			if err != nil {
				w.damage(path, "", "entry %d of the subkey index at 0x%X: %v", i+1, k.subList, err)
				continue
			}
			if s := string(lc[:min(2, len(lc))]); s != "li" && s != "lf" && s != "lh" {
				w.damage(path, "", "entry %d of the subkey index at 0x%X points to a cell that is not a subkey list (%q): skipped", i+1, k.subList, printable([]byte(s)))
				continue
			}
			out = w.leaf(lc, off, path, out)
		}
	default:
		w.damage(path, "", "the subkey list at 0x%X has an unknown signature %q", k.subList, printable([]byte(sig)))
		return nil
	}
	if uint64(len(out)) != uint64(k.nSub) {
		w.damage(path, "", "the key node counts %d subkeys but its lists hold %d", k.nSub, len(out))
	}
	return out
}

// count returns the element count of a list cell, cut to what fits.
func (w *walker) count(c []byte, width int, off uint32, what, path string) int {
	if len(c) < 4 {
		w.damage(path, "", "the subkey %s at 0x%X is cut short", what, off)
		return 0
	}
	n := int(le.Uint16(c[2:]))
	if fit := (len(c) - 4) / width; n > fit {
		w.damage(path, "", "the subkey %s at 0x%X counts %d entries but its cell holds %d", what, off, n, fit)
		n = fit
	}
	return n
}

// leaf appends the key node offsets of one li, lf or lh list.
func (w *walker) leaf(c []byte, off uint32, path string, out []uint32) []uint32 {
	width := 8
	if string(c[:2]) == "li" {
		width = 4
	}
	n := w.count(c, width, off, "list", path)
	for i := 0; i < n; i++ {
		out = append(out, le.Uint32(c[4+width*i:]))
	}
	return out
}

// readValues copies the values of k into key.
func (w *walker) readValues(k keyNode, key *model.Key, path string) {
	if k.nVal == 0 || k.flags&keyPredefHandle != 0 {
		return
	}
	if !w.claim(k.valList) {
		w.damage(path, "", "the value list at 0x%X was already read for another key: its values are not read again", k.valList)
		return
	}
	c, err := w.b.cell(k.valList)
	if err != nil {
		w.damage(path, "", "value list: %v", err)
		return
	}
	n := uint64(k.nVal)
	if fit := uint64(len(c) / 4); n > fit {
		w.damage(path, "", "the key node counts %d values but its value list holds %d", k.nVal, fit)
		n = fit
	}
	var seen map[string]bool
	if n > 1 {
		seen = make(map[string]bool, n)
	}
	for i := uint64(0); i < n; i++ {
		off := le.Uint32(c[4*i:])
		if !w.claim(off) {
			w.damage(path, "", "value %d points to a value record already read (0x%X): skipped", i+1, off)
			continue
		}
		v, err := w.readValue(off)
		if err != nil {
			w.damage(path, v.Name, "%v", err)
			continue
		}
		if seen != nil {
			folded := foldName(v.Name)
			if seen[folded] {
				w.damage(path, v.Name, "a second value of this name (record at 0x%X): the first one is kept", off)
				continue
			}
			seen[folded] = true
		}
		if len(v.Data) > MaxValueSize {
			w.damage(path, v.Name, "the value holds %d bytes, more than the %d MiB a registry value can hold in the standard format: only its first %d MiB are kept (the value is truncated)",
				w.lastSize, MaxValueSize>>20, MaxValueSize>>20)
			v.Data = v.Data[:MaxValueSize:MaxValueSize]
		}
		v.Loc = w.loc(path, v.Name)
		key.SetValue(v)
		w.emitValue(off, v)
	}
}

// MaxValueSize is the most data kept of one value: 1 MiB, the registry's
// limit for a value in the standard hive format (Microsoft, "Registry
// element size limits"). A larger value is truncated, and that is damage.
const MaxValueSize = 1 << 20

// readValue decodes the value record at off. On error the returned value
// still carries the name when it could be read.
func (w *walker) readValue(off uint32) (*model.Value, error) {
	v := &model.Value{}
	c, err := w.b.cell(off)
	if err != nil {
		return v, fmt.Errorf("value record: %w", err)
	}
	if len(c) < 2 || string(c[:2]) != "vk" {
		return v, fmt.Errorf("the cell at 0x%X is not a value record (it begins %q)", off, printable(c[:min(2, len(c))]))
	}
	if len(c) < 0x14 {
		return v, fmt.Errorf("the value record at 0x%X is cut short (%d bytes)", off, len(c))
	}
	f, err := decodeVK(c)
	if err != nil {
		return v, fmt.Errorf("at 0x%X: %w", off, err)
	}
	n := f.nameLen
	if 0x14+n > len(c) {
		return v, fmt.Errorf("the name of the value record at 0x%X (%d bytes) runs past the end of its cell", off, n)
	}
	v.Name = decodeName(c[0x14:0x14+n], f.flags&valueCompName != 0)
	v.Type = model.ValueType(f.typ)
	v.Data, err = w.valueData(f.dataLength, f.data, c[0x08:0x0C])
	if err != nil {
		return v, fmt.Errorf("the data of the value record at 0x%X: %w", off, err)
	}
	return v, nil
}

// valueData returns a copy of a value's data, exactly as long as the
// record says: inline (up to 4 bytes in the record itself), in one cell,
// or in the segments of a big-data (db) record.
func (w *walker) valueData(raw, off uint32, inline []byte) ([]byte, error) {
	size := int64(raw & 0x7FFFFFFF)
	w.lastSize = size
	if raw&0x80000000 != 0 {
		if size > 4 {
			return nil, fmt.Errorf("%d bytes said to be held in the record, where 4 fit", size)
		}
		return append([]byte{}, inline[:size]...), nil
	}
	if size == 0 {
		return []byte{}, nil
	}
	if !w.claim(off) {
		return nil, fmt.Errorf("its data cell (0x%X) belongs to another value", off)
	}
	d, err := w.b.cell(off)
	if err != nil {
		return nil, err
	}
	if int64(len(d)) >= size {
		// One byte past the limit says the value was larger.
		return append([]byte{}, d[:min(size, MaxValueSize+1)]...), nil
	}
	if len(d) >= 2 && string(d[:2]) == "db" {
		return w.bigData(d, off, size)
	}
	return nil, fmt.Errorf("%d bytes are expected but the data cell at 0x%X holds %d", size, off, len(d))
}

// bigData joins the segments of a big-data record.
func (w *walker) bigData(d []byte, off uint32, size int64) ([]byte, error) {
	if len(d) < 8 {
		return nil, fmt.Errorf("the big-data record at 0x%X is cut short", off)
	}
	n := int64(le.Uint16(d[2:]))
	need := (size + bigSegment - 1) / bigSegment
	if n < need {
		return nil, fmt.Errorf("the big-data record at 0x%X lists %d segments; %d bytes need %d", off, n, size, need)
	}
	listOff := le.Uint32(d[4:])
	if !w.claim(listOff) {
		return nil, fmt.Errorf("the segment list at 0x%X belongs to another value", listOff)
	}
	list, err := w.b.cell(listOff)
	if err != nil {
		return nil, fmt.Errorf("segment list: %w", err)
	}
	if int64(len(list)) < 4*need {
		return nil, fmt.Errorf("the segment list at 0x%X holds %d entries; %d are needed", listOff, len(list)/4, need)
	}
	out := make([]byte, 0, min(size, int64(len(w.b.data)), MaxValueSize+1))
	done := int64(0) // bytes of the value the segments so far hold
	for i := int64(0); i < need; i++ {
		so := le.Uint32(list[4*i:])
		if !w.claim(so) {
			return nil, fmt.Errorf("segment %d (0x%X) belongs to another value", i+1, so)
		}
		seg, err := w.b.cell(so)
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i+1, err)
		}
		take := min(bigSegment, size-done)
		if int64(len(seg)) < take {
			return nil, fmt.Errorf("segment %d (0x%X) holds %d bytes where %d are expected", i+1, so, len(seg), take)
		}
		done += take
		if keep := min(take, MaxValueSize+1-int64(len(out))); keep > 0 {
			out = append(out, seg[:keep]...) // one byte past the limit says there is more
		}
	}
	return out, nil
}
