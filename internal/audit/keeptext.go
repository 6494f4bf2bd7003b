package audit

import (
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/fleetconfig"
	"github.com/ipseclint/ipseclint/parsers/hive"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/regfile"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// Kept is what Collect keeps of the inputs beyond the model, for outputs
// that quote them (SARIF): give one in Options.Keep with the fields set
// for what to keep, and read it after Collect. The zero value keeps
// nothing. What is kept costs memory for the whole run, so keep only
// what an output needs:
//
//   - Texts keeps the text of the text inputs (.reg exports, netsh and
//     ipsecpol text, the configuration) as their parsers numbered its
//     lines, decoded, with every secret cut out (regfile.ReadText,
//     netsh.Text): about the size of those files, each at most
//     32 MiB (a larger file's text is not kept, and Text says
//     why).
//   - Cells keeps where each key and value read from a binary hive lies
//     in the file, with its record's bytes (hive.Cell): some 100 bytes
//     for each hive key and value the rules read.
//
// Its methods are safe for concurrent use.
type Kept struct {
	Texts bool
	Cells bool

	mu    sync.Mutex
	texts map[string]keptText
	cells map[uint64]keptCell
	arena []byte // the cells' bytes, one after the other
}

type keptText struct {
	lines, notes []string
}

// maxKeptText is the size of the largest file whose text Kept keeps
// (tests lower it): a log embedding more could not be uploaded to GitHub
// code scanning (10 MB gzip-compressed) anyway.
var maxKeptText int64 = 32 << 20

// tooLarge keeps, for a file too large to keep the text of, why.
func (j *fileJob) tooLarge() bool {
	if j.entry.Size <= maxKeptText {
		return false
	}
	j.kept.setText(j.entry.Name, nil, []string{fmt.Sprintf("the file is larger than %d MiB", maxKeptText>>20)})
	return true
}

// keptCell is a hive.Cell: its bytes are arena[off:off+n].
type keptCell struct {
	at            int64
	off           int
	n             int32
	name, nameLen int32
}

// Text returns the kept text of the input file named file (its display
// name): its lines, and notes saying what was cut out of them, or, with
// no lines, why the text was not kept. ok is false when nothing was kept.
func (k *Kept) Text(file string) (lines, notes []string, ok bool) {
	if k == nil {
		return nil, nil, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	t, ok := k.texts[file]
	return t.lines, t.notes, ok
}

// HiveCell returns where the key (loc.Value "") or value loc names lies
// in its binary hive: the file offset of its cell, the cell's bytes from
// its size field to the end of the record's name, and where the name is
// in them. Names compare as the registry compares them (any case). A
// value named ipsecData has the data its record may hold zeroed. ok is
// false when nothing was kept for loc.
func (k *Kept) HiveCell(loc model.Location) (at int64, cell []byte, name, nameLen int, ok bool) {
	if k == nil {
		return 0, nil, 0, 0, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.cells[cellKey(loc.File, loc.Key, loc.Value)]
	if !ok {
		return 0, nil, 0, 0, false
	}
	return c.at, k.arena[c.off : c.off+int(c.n) : c.off+int(c.n)], int(c.name), int(c.nameLen), true
}

// cellKey hashes a location's file and its key and value as the registry
// compares them (strings.ToLower): 64 bits, so that the map holds no
// strings.
func cellKey(file, key, value string) uint64 {
	h := fnv.New64a()
	var buf [utf8.UTFMax]byte
	for i, s := range []string{file, key, value} {
		if i > 0 {
			h.Write([]byte{0})
		}
		for _, r := range s {
			n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			h.Write(buf[:n])
		}
	}
	return h.Sum64()
}

// cellSink is hive.Options.Cells when cells are kept, else nil.
func (k *Kept) cellSink() func(hive.Cell) {
	if k == nil || !k.Cells {
		return nil
	}
	return k.addCell
}

func (k *Kept) addCell(c hive.Cell) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cells == nil {
		k.cells = map[uint64]keptCell{}
	}
	off := len(k.arena)
	k.arena = append(k.arena, c.Bytes...)
	if c.InlineLen > 0 && strings.EqualFold(c.Loc.Value, "ipsecData") {
		clear(k.arena[off+c.Inline : off+c.Inline+c.InlineLen])
	}
	k.cells[cellKey(c.Loc.File, c.Loc.Key, c.Loc.Value)] = keptCell{at: c.Offset, off: off, n: int32(len(c.Bytes)), name: int32(c.Name), nameLen: int32(c.NameLen)}
}

// wantsText reports whether text is kept.
func (k *Kept) wantsText() bool { return k != nil && k.Texts }

func (k *Kept) setText(file string, lines, notes []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.texts == nil {
		k.texts = map[string]keptText{}
	}
	k.texts[file] = keptText{lines: lines, notes: notes}
}

// keepRegText keeps the text of the export j read, when asked: it is
// read a second time (Parse keeps no line).
func (j *fileJob) keepRegText() {
	if !j.kept.wantsText() || j.tooLarge() {
		return
	}
	rc, err := j.entry.Open()
	if err != nil {
		return
	}
	defer rc.Close()
	t, err := regfile.ReadText(rc, regfile.Options{CodePage: j.codepage})
	if err != nil {
		return
	}
	var notes []string
	if t.Values > 0 {
		notes = append(notes, fmt.Sprintf("the data of %d ipsecData value(s) replaced by %s on %d line(s): the ipsecData of an ipsecNFA object may hold a pre-shared key in clear", t.Values, model.Redacted, len(t.Redacted)))
	}
	j.kept.setText(j.entry.Name, t.Lines, append(notes, longNotes(t.Long)...))
}

// keepNetshText keeps the text the netsh parser kept.
func (j *fileJob) keepNetshText(t *netsh.Text) {
	if !j.kept.wantsText() || t == nil {
		return
	}
	var notes []string
	if len(t.Redacted) > 0 {
		notes = append(notes, fmt.Sprintf("%d line(s) cut from where they may hold a pre-shared key or a password, replaced by %s", len(t.Redacted), model.Redacted))
	}
	j.kept.setText(j.entry.Name, t.Lines, append(notes, longNotes(t.Long)...))
}

func longNotes(long []int) []string {
	if len(long) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d line(s) too long to read, left empty (first: line %d)", len(long), long[0])}
}

// keepConfigText keeps the text of the configuration used, when asked.
func (k *Kept) keepConfigText(f *model.InputFile) {
	if !k.wantsText() || f == nil || f.Path == "" {
		return
	}
	raw, err := inputs.ReadFileLimited(f.Path, fleetconfig.MaxSize)
	if err != nil {
		return
	}
	text, _ := textenc.Decode(raw, "")
	s := strings.TrimPrefix(string(text), "\ufeff")
	s = strings.TrimSuffix(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s), "\n")
	k.setText(f.Name, strings.Split(s, "\n"), nil)
}
