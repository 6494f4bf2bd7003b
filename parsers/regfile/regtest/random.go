package regtest

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Characters random names and strings are made of. The Latin-1 letters
// are lead bytes in UTF-8 and never continuation bytes, so a Latin-1 name
// is never mistaken for UTF-8 (which no reader can avoid for every name:
// "Ã©" is valid both ways).
var (
	asciiChars = []rune(` azAZ09_-.{}()[]=;@,'"\`)
	latinChars = []rune("éüßä")
	wideChars  = []rune("Ω日本😀")
)

// loneSurrogate is U+D800 alone, in generalized UTF-8: a registry name
// may hold it, and only a UTF-16 export carries it.
const loneSurrogate = "\xed\xa0\x80"

// chars says which characters a style can carry in one place.
type chars struct {
	latin, wide, lone, control bool
}

// styleChars returns what style can carry in names (with or without
// backslashes, which key names never hold) and in string data.
func styleChars(style Style) (names, data chars) {
	switch style {
	case RegeditV5:
		return chars{latin: true, wide: true, lone: true}, chars{latin: true, wide: true, lone: true, control: true}
	case Regedit4:
		return chars{latin: true}, chars{latin: true, control: true}
	case Hivex:
		return chars{latin: true, wide: true}, chars{latin: true, wide: true, lone: true, control: true}
	case HivexPrintable:
		return chars{latin: true, wide: true}, chars{latin: true, wide: true, control: true}
	}
	return chars{latin: true}, chars{latin: true, wide: true, lone: true, control: true} // Reged
}

type gen struct {
	rng   *rand.Rand
	style Style
	names chars
	data  chars
}

// RandomTree returns a random tree of about nkeys keys that style writes
// and a reader reads back unchanged: names with spaces, quotes,
// backslashes and non-ASCII characters, every value type (and unknown
// ones), empty values. Every key's parents are keys of the tree too, as
// in any real export.
func RandomTree(rng *rand.Rand, style Style, nkeys int) *model.RegTree {
	g := &gen{rng: rng, style: style}
	g.names, g.data = styleChars(style)
	t := model.NewRegTree()
	paths := []string{"SYSTEM"}
	t.EnsureKey("SYSTEM", model.Location{})
	if style != Hivex && style != HivexPrintable { // hivexregedit exports one hive
		paths = append(paths, "SOFTWARE")
		t.EnsureKey("SOFTWARE", model.Location{})
	}
	for range nkeys {
		parent := paths[rng.IntN(len(paths))]
		if strings.Count(parent, `\`) >= 4 {
			continue
		}
		k := t.EnsureKey(parent+`\`+g.name(false), model.Location{})
		paths = append(paths, k.Path)
	}
	for _, p := range paths {
		k := t.Key(p)
		for range rng.IntN(7) {
			k.SetValue(g.value())
		}
	}
	return t
}

// name returns a key name (no backslash) or a value name.
func (g *gen) name(value bool) string {
	var b strings.Builder
	for range 1 + g.rng.IntN(10) {
		r := g.char(g.names, false)
		if r == '\\' && !value {
			r = '_'
		}
		b.WriteString(string(r))
	}
	if g.names.lone && g.rng.IntN(8) == 0 {
		b.WriteString(loneSurrogate)
	}
	return b.String()
}

// char returns a random character from cs (newline = control allowed).
func (g *gen) char(cs chars, control bool) rune {
	for {
		switch g.rng.IntN(12) {
		case 0:
			if cs.latin {
				return latinChars[g.rng.IntN(len(latinChars))]
			}
		case 1:
			if cs.wide {
				return wideChars[g.rng.IntN(len(wideChars))]
			}
		case 2:
			if control && cs.control {
				return []rune("\t\r\n\x01")[g.rng.IntN(4)]
			}
		default:
			return asciiChars[g.rng.IntN(len(asciiChars))]
		}
	}
}

// text returns string content, as UTF-16 code units.
func (g *gen) text(maxLen int) []uint16 {
	var u []uint16
	for range g.rng.IntN(maxLen + 1) {
		if g.data.lone && g.rng.IntN(20) == 0 {
			u = append(u, 0xD800+uint16(g.rng.IntN(0x800)))
			continue
		}
		r := g.char(g.data, true)
		if g.style == HivexPrintable && (r == '\r' || r == '\n') {
			// A line break inside str(N) must not follow a quote or come
			// before something that starts an entry: guard it with letters.
			u = append(u, 'x', uint16(r), 'y')
			continue
		}
		u = utf16.AppendRune(u, r)
	}
	return u
}

func le(u []uint16) []byte {
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.IntN(256))
	}
	return b
}

// value returns a random value that g.style carries exactly.
func (g *gen) value() *model.Value {
	v := &model.Value{}
	if g.rng.IntN(8) != 0 {
		v.Name = g.name(true)
	}
	types := []model.ValueType{model.RegNone, model.RegSZ, model.RegSZ, model.RegExpandSZ, model.RegBinary,
		model.RegDWORD, model.RegDWORD, model.RegDWORDBigEndian, model.RegMultiSZ, model.RegResourceList,
		model.RegQWORD, 0x100, 0xFFFF0001}
	v.Type = types[g.rng.IntN(len(types))]
	switch v.Type {
	case model.RegSZ, model.RegExpandSZ:
		v.Data = g.stringData(v.Type)
	case model.RegMultiSZ:
		v.Data = g.multiData()
	case model.RegDWORD:
		v.Data = g.bytes(4)
		if g.style != Reged && g.rng.IntN(5) == 0 {
			v.Data = g.bytes([]int{0, 3, 8}[g.rng.IntN(3)])
		}
	case model.RegQWORD:
		v.Data = g.bytes(8)
	default:
		n := g.rng.IntN(24)
		if g.rng.IntN(4) == 0 {
			n = g.rng.IntN(400) // several wrapped lines
		}
		if g.rng.IntN(5) == 0 {
			n = 0
		}
		v.Data = g.bytes(n)
	}
	return v
}

// stringData returns REG_SZ/REG_EXPAND_SZ data: mostly text with its NUL,
// and, where the style carries them, the odd shapes real hives hold
// (empty, no NUL, NULs inside, odd length).
func (g *gen) stringData(typ model.ValueType) []byte {
	canonical := le(append(g.text(30), 0))
	oddOK := g.style == RegeditV5 || g.style == Hivex || (g.style == Regedit4 && typ == model.RegSZ)
	if g.rng.IntN(4) != 0 {
		return canonical
	}
	switch {
	case oddOK:
		switch g.rng.IntN(4) {
		case 0:
			return nil
		case 1:
			return le(g.text(5)) // no NUL
		case 2:
			return append(canonical, 'x') // odd length
		}
		return le(append(append(g.text(5), 0), g.text(5)...)) // NUL inside
	case g.style == HivexPrintable || (g.style == Regedit4 && typ == model.RegExpandSZ):
		return le(append(append(g.text(5), 0), append(g.text(5), 0)...)) // NUL inside
	}
	return canonical
}

func (g *gen) multiData() []byte {
	if g.style != Regedit4 && g.rng.IntN(5) == 0 {
		return g.bytes(g.rng.IntN(9)) // anything: hex carries it
	}
	var u []uint16
	for range g.rng.IntN(4) {
		u = append(append(u, g.text(12)...), 0)
	}
	return le(append(u, 0))
}
