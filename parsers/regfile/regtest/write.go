// Package regtest writes registry trees as .reg exports in the style of
// each producer ipseclint reads (regedit version 5 and REGEDIT4,
// hivexregedit with and without --unsafe-printable-strings, reged -x),
// generates random trees each style can carry, and generates big exports
// shaped like a server's HKLM export. It supports tests, benchmarks and
// internal/cmd/genreg; the audit never uses it.
//
// The styles follow what the producers were seen to write: header,
// encoding, line ends, which values get which form, hex wrapping, key
// order, and reged's missing newline after a zero-length hex value. The
// Hivex, HivexPrintable and Reged writers give byte for byte what Debian's
// hivexregedit and reged write for the same hive (checked by the regfile
// tests on random hives). No Windows was at hand for the two regedit
// styles: they follow FORMATS.md §1, and hex is wrapped as reged does,
// reged being modelled on regedit.
package regtest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
	"golang.org/x/text/encoding/charmap"
)

// Style is a producer's way of writing an export.
type Style int

// The producers' styles.
const (
	// RegeditV5 is regedit on Windows 2000/2003: UTF-16LE with BOM, CRLF,
	// strings as "…", hex wrapped at 80 columns.
	RegeditV5 Style = iota
	// Regedit4 is regedit's "Win9x/NT4" export: REGEDIT4, cp1252, CRLF,
	// hex(2)/hex(7) data as ANSI bytes.
	Regedit4
	// Hivex is `hivexregedit --export`: LF, every value but 4-byte DWORDs
	// as hex(N) on one line, the root key with a trailing backslash, keys
	// and values sorted; names in Latin-1 when they fit, else UTF-8.
	Hivex
	// HivexPrintable is Hivex with --unsafe-printable-strings: REG_SZ and
	// REG_EXPAND_SZ as str(N):"…", last NUL removed, `"` escaped,
	// backslashes not.
	HivexPrintable
	// Reged is `reged -x`: 8-bit, CRLF, names as Latin-1 bytes, strings in
	// CESU-8, REG_SZ with line breaks and REG_EXPAND_SZ as hex,
	// wrapped like regedit, and no newline after a zero-length hex value.
	Reged
)

// Styles lists every style.
var Styles = []Style{RegeditV5, Regedit4, Hivex, HivexPrintable, Reged}

func (s Style) String() string {
	return [...]string{"regedit-v5", "regedit4", "hivexregedit", "hivexregedit-printable", "reged"}[s]
}

// Write writes tree as an export in style. Every key on the way to a key
// of the tree is written as a section of its own, as all producers do.
// It fails when the tree holds something the style cannot carry (see
// RandomTree for what each style can).
func Write(w io.Writer, tree *model.RegTree, style Style) error {
	ew := &exportWriter{style: style, tree: tree}
	ew.header()
	for _, root := range ew.children("") {
		ew.section(root, true)
		if ew.err != nil {
			return ew.err
		}
	}
	return ew.flush(w)
}

type exportWriter struct {
	style Style
	tree  *model.RegTree
	text  []byte // generalized UTF-8 (8-bit styles: the bytes as written)
	err   error
}

func (ew *exportWriter) nl() {
	switch ew.style {
	case Hivex, HivexPrintable:
		ew.text = append(ew.text, '\n')
	default:
		ew.text = append(ew.text, '\r', '\n')
	}
}

func (ew *exportWriter) header() {
	if ew.style == Regedit4 {
		ew.text = append(ew.text, "REGEDIT4"...)
	} else {
		ew.text = append(ew.text, "Windows Registry Editor Version 5.00"...)
	}
	ew.nl()
	ew.nl()
}

// children returns the subkeys of path in the producer's order: perl's
// cmp (by code point) for hivexregedit; the hive's own order (names
// compared upper-cased, as Windows sorts subkey lists) for regedit and
// reged, which list subkeys as the hive holds them.
func (ew *exportWriter) children(path string) []string {
	kids := ew.tree.Subkeys(path)
	if ew.style == Hivex || ew.style == HivexPrintable {
		sort.Strings(kids)
	} else {
		sort.SliceStable(kids, func(i, j int) bool { return hivewriter.CompareNames(kids[i], kids[j]) < 0 })
	}
	return kids
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + `\` + name
}

// section writes the key at path, its values and its subkeys.
func (ew *exportWriter) section(path string, root bool) {
	ew.text = append(ew.text, `[HKEY_LOCAL_MACHINE\`...)
	ew.text = append(ew.text, ew.token(path)...)
	if root && (ew.style == Hivex || ew.style == HivexPrintable) {
		ew.text = append(ew.text, '\\')
	}
	ew.text = append(ew.text, ']')
	ew.nl()
	if k := ew.tree.Key(path); k != nil {
		values := k.Values
		if ew.style == Hivex || ew.style == HivexPrintable {
			values = append([]*model.Value(nil), values...)
			sort.SliceStable(values, func(i, j int) bool { return values[i].Name < values[j].Name })
		}
		for _, v := range values {
			ew.value(v)
		}
	}
	ew.nl()
	parent := path
	for _, kid := range ew.children(parent) {
		ew.section(join(parent, kid), false)
	}
}

// token returns a name or string as the style writes it in the file.
func (ew *exportWriter) token(s string) []byte {
	switch ew.style {
	case Regedit4:
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if err != nil {
			ew.fail("%q cannot be written in cp1252", s)
		}
		return b
	case Hivex, HivexPrintable, Reged:
		// perl prints a string whose characters all fit in a byte as
		// Latin-1, others as UTF-8; reged writes names as Latin-1 bytes.
		if b, ok := latin1(s); ok {
			return b
		}
		if ew.style == Reged {
			ew.fail("reged cannot write the name %q", s)
		}
	}
	return []byte(s)
}

func latin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF || r == utf8.RuneError {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

func (ew *exportWriter) fail(format string, args ...any) {
	if ew.err == nil {
		ew.err = fmt.Errorf("regtest: %s: %s", ew.style, fmt.Sprintf(format, args...))
	}
}

// escape doubles backslashes and escapes quotes, as regedit does.
func escape(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte(`\`), []byte(`\\`))
	return bytes.ReplaceAll(b, []byte(`"`), []byte(`\"`))
}

func (ew *exportWriter) value(v *model.Value) {
	start := len(ew.text)
	if v.Name == "" {
		ew.text = append(ew.text, '@')
	} else {
		ew.text = append(ew.text, '"')
		ew.text = append(ew.text, escape(ew.token(v.Name))...)
		ew.text = append(ew.text, '"')
	}
	ew.text = append(ew.text, '=')
	prefix := len(ew.text) - start

	switch ew.style {
	case Hivex, HivexPrintable:
		ew.hivexData(v)
	case Reged:
		ew.regedData(v, prefix)
	default:
		ew.regeditData(v, prefix)
	}
}

// regeditData writes data the way regedit does (version 5 or 4).
func (ew *exportWriter) regeditData(v *model.Value, prefix int) {
	switch {
	case v.Type == model.RegSZ && canonicalString(v.Data) && !hasLineBreak(v.Data):
		ew.quotedString(v.Data)
	case v.Type == model.RegDWORD && len(v.Data) == 4:
		ew.text = fmt.Appendf(ew.text, "dword:%08x", binary.LittleEndian.Uint32(v.Data))
		ew.nl()
	case ew.style == Regedit4 && (v.Type == model.RegExpandSZ || v.Type == model.RegMultiSZ):
		ansi, ok := ansiBytes(v.Data)
		if !ok {
			ew.fail("REGEDIT4 cannot carry %s data % x", v.Type, v.Data)
		}
		ew.wrappedHex(v.Type, ansi, prefix)
	default:
		ew.wrappedHex(v.Type, v.Data, prefix)
	}
}

func (ew *exportWriter) regedData(v *model.Value, prefix int) {
	switch {
	case v.Type == model.RegSZ && canonicalString(v.Data) && !hasLineBreak(v.Data):
		ew.quotedString(v.Data)
	case v.Type == model.RegDWORD:
		if len(v.Data) != 4 {
			ew.fail("reged writes a %d-byte DWORD as garbage", len(v.Data))
			return
		}
		ew.text = fmt.Appendf(ew.text, "dword:%08x", binary.LittleEndian.Uint32(v.Data))
		ew.nl()
	default:
		ew.wrappedHex(v.Type, v.Data, prefix)
	}
}

func (ew *exportWriter) hivexData(v *model.Value) {
	switch {
	case v.Type == model.RegDWORD && len(v.Data) == 4:
		ew.text = fmt.Appendf(ew.text, "dword:%08x", binary.LittleEndian.Uint32(v.Data))
	case ew.style == HivexPrintable && (v.Type == model.RegSZ || v.Type == model.RegExpandSZ):
		s := []rune(string(utf16.Decode(units(v.Data))))
		if len(s) > 0 && s[len(s)-1] == 0 {
			s = s[:len(s)-1]
		}
		body := strings.ReplaceAll(string(s), `"`, `\"`)
		ew.text = fmt.Appendf(ew.text, "str(%x):\"", uint32(v.Type))
		ew.text = append(ew.text, ew.token(body)...)
		ew.text = append(ew.text, '"')
	default:
		ew.text = fmt.Appendf(ew.text, "hex(%x):", uint32(v.Type))
		for i, c := range v.Data {
			if i > 0 {
				ew.text = append(ew.text, ',')
			}
			ew.text = fmt.Appendf(ew.text, "%02x", c)
		}
	}
	ew.nl()
}

// quotedString writes REG_SZ data (UTF-16LE, one final NUL) as "…".
func (ew *exportWriter) quotedString(data []byte) {
	s := textenc.StringFromUTF16LE(data[:len(data)-2])
	ew.text = append(ew.text, '"')
	if ew.style == Reged {
		ew.text = append(ew.text, escape(cesu8(data[:len(data)-2]))...)
	} else {
		ew.text = append(ew.text, escape(ew.token(s))...)
	}
	ew.text = append(ew.text, '"')
	ew.nl()
}

// wrappedHex writes hex bytes as regedit and reged do: lines broken with
// `,\` once they reach 77 columns, continued with two spaces. reged writes
// no newline after a value without data.
func (ew *exportWriter) wrappedHex(typ model.ValueType, data []byte, prefix int) {
	var lead []byte
	if typ == model.RegBinary {
		lead = []byte("hex:")
	} else {
		lead = fmt.Appendf(nil, "hex(%x):", uint32(typ))
	}
	ew.text = append(ew.text, lead...)
	col := prefix + len(lead)
	if ew.style == Reged && typ != model.RegBinary {
		col = prefix + len("hex(0):") // reged counts hex(N): as 7 columns whatever N
	}
	for i, c := range data {
		ew.text = fmt.Appendf(ew.text, "%02x", c)
		col += 2
		if i == len(data)-1 {
			break
		}
		ew.text = append(ew.text, ',')
		col++
		if col >= 77 {
			ew.text = append(ew.text, '\\')
			ew.nl()
			ew.text = append(ew.text, ' ', ' ')
			col = 2
		}
	}
	if len(data) == 0 && ew.style == Reged {
		return // reged's bug: the next value follows on the same line
	}
	ew.nl()
}

// flush encodes the text and writes it.
func (ew *exportWriter) flush(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if ew.style == RegeditV5 {
		u, _ := textenc.AppendUTF16LE([]byte{0xFF, 0xFE}, ew.text)
		_, _ = bw.Write(u) // errors surface at Flush
	} else {
		_, _ = bw.Write(ew.text)
	}
	return bw.Flush()
}

func units(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// canonicalString reports whether data is what "…" carries: UTF-16LE
// ending with its only NUL.
func canonicalString(data []byte) bool {
	if len(data) < 2 || len(data)%2 != 0 || data[len(data)-1] != 0 || data[len(data)-2] != 0 {
		return false
	}
	for i := 0; i+2 < len(data); i += 2 {
		if data[i] == 0 && data[i+1] == 0 {
			return false
		}
	}
	return true
}

// hasLineBreak reports whether UTF-16LE data holds CR or LF before its
// final NUL: reged (and these writers) write such strings as hex(1).
func hasLineBreak(data []byte) bool {
	for i := 0; i+3 < len(data); i += 2 {
		if data[i+1] == 0 && (data[i] == '\r' || data[i] == '\n') {
			return true
		}
	}
	return false
}

// cesu8 writes UTF-16LE code units one by one in UTF-8 form, as reged does.
func cesu8(data []byte) []byte {
	var out []byte
	for _, c := range units(data) {
		r := rune(c)
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case r < 0x800:
			out = append(out, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
		default:
			out = append(out, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
		}
	}
	return out
}

// ansiBytes converts UTF-16LE data to cp1252, as regedit does when it
// writes REGEDIT4 hex(2)/hex(7).
func ansiBytes(data []byte) ([]byte, bool) {
	if len(data)%2 != 0 {
		return nil, false
	}
	s := textenc.StringFromUTF16LE(data)
	if !utf8.ValidString(s) {
		return nil, false
	}
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	return b, err == nil
}
