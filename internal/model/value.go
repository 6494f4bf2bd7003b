package model

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ValueType is a registry value type (REG_SZ, REG_DWORD, ...). Types that
// Windows does not define keep their number.
type ValueType uint32

// The registry value types Windows defines.
const (
	RegNone                     ValueType = 0
	RegSZ                       ValueType = 1
	RegExpandSZ                 ValueType = 2
	RegBinary                   ValueType = 3
	RegDWORD                    ValueType = 4
	RegDWORDBigEndian           ValueType = 5
	RegLink                     ValueType = 6
	RegMultiSZ                  ValueType = 7
	RegResourceList             ValueType = 8
	RegFullResourceDescriptor   ValueType = 9
	RegResourceRequirementsList ValueType = 10
	RegQWORD                    ValueType = 11
)

var valueTypeNames = [...]string{
	"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
	"REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
	"REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
}

// String returns the Windows name of the type, or "REG_0x1234" for types
// Windows does not define.
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("REG_0x%X", uint32(t))
}

// MarshalText renders the type by name in JSON.
func (t ValueType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Value is one registry value. Data holds the bytes as Windows stores them,
// whatever the source: strings are UTF-16LE with their terminating NUL,
// DWORDs four little-endian bytes. A .reg parser converts `"text"` and
// `dword:` forms into that representation, so that a value reads the same
// from a hive and from any export of it.
type Value struct {
	Name string    `json:"name"` // "" is the key's default value (@ in a .reg file)
	Type ValueType `json:"type"`
	Data []byte    `json:"-"`
	Loc  Location  `json:"location"`
}

// UTF16String encodes s as REG_SZ data: UTF-16LE with a terminating NUL.
func UTF16String(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return append(b, 0, 0)
}

// UTF16MultiString encodes ss as REG_MULTI_SZ data.
func UTF16MultiString(ss []string) []byte {
	var b []byte
	for _, s := range ss {
		b = append(b, UTF16String(s)...)
	}
	return append(b, 0, 0)
}

// DWORDData encodes n as REG_DWORD data.
func DWORDData(n uint32) []byte {
	return binary.LittleEndian.AppendUint32(nil, n)
}

// UTF16Text decodes little-endian UTF-16 up to the first NUL character,
// as utf16.Decode decodes it (a surrogate alone is U+FFFD): the text of
// REG_SZ data, and of the strings of registry blobs and hive headers.
func UTF16Text(b []byte) string {
	n, ascii := 0, true // code units before the first NUL
	for ; 2*n+1 < len(b); n++ {
		c := binary.LittleEndian.Uint16(b[2*n:])
		if c == 0 {
			break
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	// Most registry strings are ASCII: their text is made in one
	// allocation, not three (code units, runes, string), for the
	// facts, the policies and the rules read strings many times.
	if ascii {
		var sb strings.Builder
		sb.Grow(n)
		for i := range n {
			sb.WriteByte(b[2*i])
		}
		return sb.String()
	}
	var stack [256]byte
	out := stack[:0]
	for i := 0; i < n; i++ {
		r := rune(binary.LittleEndian.Uint16(b[2*i:]))
		if utf16.IsSurrogate(r) {
			// A pair is one rune; a surrogate alone is U+FFFD, as
			// utf16.Decode makes it.
			if i+1 < n {
				if p := utf16.DecodeRune(r, rune(binary.LittleEndian.Uint16(b[2*i+2:]))); p != utf8.RuneError {
					out = utf8.AppendRune(out, p)
					i++
					continue
				}
			}
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

// AsString returns the text of a REG_SZ or REG_EXPAND_SZ value, cut at the
// first NUL. ok is false for any other type.
func (v *Value) AsString() (s string, ok bool) {
	if v == nil || (v.Type != RegSZ && v.Type != RegExpandSZ) {
		return "", false
	}
	return UTF16Text(v.Data), true
}

// AsStrings returns the strings of a REG_MULTI_SZ value (empty strings
// dropped), or a one-element list for REG_SZ/REG_EXPAND_SZ.
func (v *Value) AsStrings() ([]string, bool) {
	if v == nil {
		return nil, false
	}
	switch v.Type {
	case RegSZ, RegExpandSZ:
		s := UTF16Text(v.Data)
		if s == "" {
			return nil, true
		}
		return []string{s}, true
	case RegMultiSZ:
	default:
		return nil, false
	}
	var out []string
	var cur []uint16
	for i := 0; i+1 < len(v.Data); i += 2 {
		c := binary.LittleEndian.Uint16(v.Data[i:])
		if c == 0 {
			if len(cur) > 0 {
				out = append(out, string(utf16.Decode(cur)))
			}
			cur = cur[:0]
			continue
		}
		cur = append(cur, c)
	}
	if len(cur) > 0 {
		out = append(out, string(utf16.Decode(cur)))
	}
	return out, true
}

// AsDWORD returns the number held by a REG_DWORD (or REG_DWORD_BIG_ENDIAN)
// value of exactly four bytes. ok is false for any other type or size: a
// string "1" is not the DWORD 1.
func (v *Value) AsDWORD() (n uint32, ok bool) {
	if v == nil || len(v.Data) != 4 {
		return 0, false
	}
	switch v.Type {
	case RegDWORD:
		return binary.LittleEndian.Uint32(v.Data), true
	case RegDWORDBigEndian:
		return binary.BigEndian.Uint32(v.Data), true
	}
	return 0, false
}

// AsQWORD returns the number held by a REG_QWORD value of exactly 8 bytes.
func (v *Value) AsQWORD() (uint64, bool) {
	if v == nil || v.Type != RegQWORD || len(v.Data) != 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(v.Data), true
}

// Display renders the value for people: type and data, the way regedit
// would show it ("REG_DWORD 0x00000001 (1)", `REG_SZ "1"`).
//
// A long string is clipped (its length said), so that one hostile value
// cannot make every message quoting it megabytes long; `ipseclint dump`
// shows values whole.
func (v *Value) Display() string {
	if v == nil {
		return "(absent)"
	}
	switch v.Type {
	case RegSZ, RegExpandSZ:
		s, _ := v.AsString()
		return fmt.Sprintf("%s %s", v.Type, quoteClipped(s))
	case RegMultiSZ:
		ss, _ := v.AsStrings()
		n := min(len(ss), displayStrings)
		q := make([]string, n, n+1)
		for i, s := range ss[:n] {
			q[i] = quoteClipped(s)
		}
		if len(ss) > n {
			q = append(q, fmt.Sprintf("and %d more strings", len(ss)-n))
		}
		return fmt.Sprintf("%s [%s]", v.Type, strings.Join(q, ", "))
	case RegDWORD, RegDWORDBigEndian:
		if n, ok := v.AsDWORD(); ok {
			return fmt.Sprintf("%s 0x%08x (%d)", v.Type, n, n)
		}
	case RegQWORD:
		if n, ok := v.AsQWORD(); ok {
			return fmt.Sprintf("%s 0x%016x (%d)", v.Type, n, n)
		}
	}
	return fmt.Sprintf("%s %s", v.Type, hexBytes(v.Data, 64))
}

func hexBytes(b []byte, limit int) string {
	if len(b) == 0 {
		return "(empty)"
	}
	var sb strings.Builder
	for i, c := range b {
		if i == limit {
			fmt.Fprintf(&sb, ",... (%d bytes)", len(b))
			break
		}
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}

// displayChars and displayStrings bound what Display quotes of a string
// value: the characters of one string, the strings of a REG_MULTI_SZ.
const (
	displayChars   = 256
	displayStrings = 16
)

// quoteClipped quotes s, clipped to displayChars characters.
func quoteClipped(s string) string {
	r := []rune(s)
	if len(r) <= displayChars {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d characters, the first %d shown)", string(r[:displayChars]), len(r), displayChars)
}
