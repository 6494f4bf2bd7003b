package model

import (
	"fmt"
	"strings"
)

// Location says where a fact was read. Text inputs (.reg exports, netsh
// dumps) carry a 1-based Line (and Column where known); binary hives carry
// the registry key path instead. Key is also set for values read from a
// .reg file, so that every registry fact can be named both ways.
//
// Its numbers are 32-bit: a fleet holds about a million locations, and
// its objects are a fifth smaller for it. Inputs are capped by
// --max-file-size (1 GiB by default), whose lines, columns and offsets
// fit; a line past 2^31 of a larger file would not be named right.
type Location struct {
	File    string `json:"file,omitempty"`    // path of the input file as it was opened
	Line    int32  `json:"line,omitempty"`    // 1-based line in a text file; 0 for binary inputs
	Column  int32  `json:"column,omitempty"`  // 1-based column, where known
	KeyLine int32  `json:"keyLine,omitempty"` // line of the [key] header a .reg value belongs to
	// Offset is the byte offset of a field inside a binary value's data
	// (an ipsecData blob), 0 when the location is not inside one: offset
	// 0 of a blob is its type GUID, never a field's evidence.
	Offset int32  `json:"offset,omitempty"`
	Key    string `json:"key,omitempty"`   // registry key path relative to HKLM (original spelling)
	Value  string `json:"value,omitempty"` // registry value name ("" = the key itself or the default value)
}

// IsZero reports whether the location names nothing.
func (l Location) IsZero() bool { return l == Location{} }

// String renders the location the way a compiler would: "file:line:col",
// "file:line", or "file [HKLM\key]" for hive facts.
func (l Location) String() string {
	var b strings.Builder
	b.WriteString(l.File)
	switch {
	case l.Line > 0 && l.Column > 0:
		fmt.Fprintf(&b, ":%d:%d", l.Line, l.Column)
	case l.Line > 0:
		fmt.Fprintf(&b, ":%d", l.Line)
	case l.Key != "":
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("[HKLM\\" + l.Key + "]")
		if l.Value != "" {
			b.WriteString(" " + l.Value)
		}
		if l.Offset > 0 {
			fmt.Fprintf(&b, " +0x%x", l.Offset)
		}
	}
	return b.String()
}
