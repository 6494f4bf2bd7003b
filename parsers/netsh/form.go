package netsh

import (
	"strings"
	"unsafe"

	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// SniffBytes is how much of the start of a file decides its form: Parse
// looks at the first SniffBytes bytes only, so that content sniffing
// (parsers/detect) that sees them decides as Parse does.
const SniffBytes = 16 << 10

// formCounts are what sniffForm counts in a file's head.
type formCounts struct {
	netsh, ipsecpol int  // commands the script reader would run
	noData          bool // ERR IPsec lines
	labels, names   int  // label lines and table columns of a listing; object names among them
	netdiag         int  // netdiag result lines
}

// sniffForm tells which form of IPSec text the decoded text holds (its
// physical lines: see eachPhysicalLine). Commands are recognized by the
// script reader itself, run dry (nothing is built), so that what it calls
// a script is what parseScript reads; the other forms by prefix and label
// lookups. No regular expression is involved.
//
// It keeps nothing of text: the script reader and builder it makes are
// dropped when it returns (a dry run reaches no cache; methodCache clones
// its keys anyway), the label and command tables are only read, and what
// it returns is one of the form constants.
func sniffForm(text string) string {
	var n formCounts
	st := newScriptState(newBuilder("", "", &Result{}))
	st.dry = true
	st.lines(text)
	n.netsh, n.ipsecpol, n.noData = st.commands, st.ipsecpols, len(st.b.noData) > 0
	st.release()
	eachPhysicalLine(text, func(raw string) {
		t := strings.TrimSpace(raw)
		if t == "" || t[0] == '#' {
			return
		}
		n.countLabels(raw, t)
		if n.netsh == 0 && n.ipsecpol == 0 && n.netdiag == 0 && isNetdiagLine(t) {
			n.netdiag++
		}
	})
	switch {
	case n.names > 0 && n.labels > n.netsh:
		return formShowAll
	case n.netsh > 0:
		return formScript
	case n.ipsecpol > 0:
		return formIPSecPol
	case n.netdiag > 0:
		return formNetdiag
	case n.noData:
		return formScript
	}
	return ""
}

// countLabels counts the listing labels of a line: a table header's
// columns, or a "Label : value" line's label.
func (n *formCounts) countLabels(raw, t string) {
	for _, c := range tableColumns(strings.TrimRight(raw, " \t")) {
		n.labels++
		if isNameField(c.field) {
			n.names++
		}
	}
	if label, _, ok := splitLabel(t); ok {
		if lm, ok := lookupLabel(vocab.labels, label); ok {
			n.labels++
			if isNameField(lm.field) {
				n.names++
			}
		}
	}
}

// isNameField reports whether f starts an object of a listing.
func isNameField(f field) bool {
	return f == fPolicyName || f == fFilterListName || f == fFilterActionName || f == fRuleName
}

func isNetdiagLine(t string) bool {
	if isNetdiagTest(t) {
		return true
	}
	_, _, ok := netdiagActiveLine(t)
	return ok
}

// Form tells which IPSec text a decoded file head holds: "script" (netsh
// commands), "show-all" (a listing), "ipsecpol" (Windows 2000 ipsecpol or
// XP ipseccmd commands), "netdiag" (netdiag /test:ipsec output), or ""
// when none. Give it the first SniffBytes bytes of a file decoded with
// textenc.Decode: Parse decides from exactly that, so a file is called a
// netsh file exactly when Parse reads it. The one exception is a blank
// file, which Form calls nothing and Parse reads as a script with no data.
//
// Form keeps nothing of text (see sniffForm), so that a caller may give
// it a view of a buffer that it writes again once Form has returned.
func Form(text string) string {
	return sniffForm(strings.ReplaceAll(text, "\x00", ""))
}

// formOf is Form of a file's first bytes (any more than SniffBytes are
// not looked at), decoded as Parse decodes them; codepage is for 8-bit
// text as in Options. Valid UTF-8 is read where it is, in head; other
// text is decoded into bufs.out, the decoder's buffer, which ParseReader
// has not used yet and which keeps what it grew to.
func formOf(head []byte, codepage string, bufs *buffers) string {
	head = head[:min(len(head), SniffBytes)]
	info := textenc.Sniff(head[:min(len(head), encodingHead)], codepage)
	text, _, inPlace := textenc.DecodeAs(bufs.out[:0], head, info)
	if !inPlace {
		bufs.out = text[:0]
	}
	// A view, not a copy: Form keeps nothing of text, and neither head
	// nor bufs.out is written before it has returned.
	return Form(unsafe.String(unsafe.SliceData(text), len(text)))
}

// FormDetail describes a form for a report.
func FormDetail(form string) string {
	switch form {
	case formScript:
		return "netsh ipsec script"
	case formShowAll:
		return "netsh ipsec static show all listing"
	case formIPSecPol:
		return "ipsecpol/ipseccmd command script (Windows 2000/XP)"
	case formNetdiag:
		return "netdiag /test:ipsec output"
	}
	return ""
}
