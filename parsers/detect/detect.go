// Package detect tells what an input file is from its content, never from
// its name: a binary hive (regf), a hive transaction log, a regedit export,
// a netsh IPSec dump or listing, or the fleet configuration.
//
// It looks at a file's head only (HeadSize bytes) and decides with byte
// and prefix scans: it runs on every file of an audit.
package detect

import (
	"bytes"
	"encoding/binary"
	"strings"
	"sync"
	"unsafe"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// HeadSize is how many leading bytes Sniff wants to see. It is the netsh
// parser's SniffBytes, so that a file is called netsh exactly when that
// parser reads it.
const HeadSize = netsh.SniffBytes

// Result is what Sniff found.
type Result struct {
	Kind   model.FileKind
	Detail string
	// Form is the form netsh.Form found in the head of a KindNetsh file:
	// netsh.Options.Form, so that the parser need not look again.
	Form string
	// CodePage is the code page the head's 8-bit text was decoded in, ""
	// when the head is UTF-8 or UTF-16: then its text, and so Form, are
	// the same whatever the code page.
	CodePage string
}

// encodingHead is how much of a head textenc.Decode decides the encoding
// from; looksBinary takes UTF-16 from the same bytes.
const encodingHead = 8192

// regPrefix is how much of a head regExport decodes.
const regPrefix = 2048

// regExport tells a .reg export from the start of its head alone, as
// Sniff would from all of it: when the start reads in the encoding the
// whole head does and its first line that is not blank or a comment ends
// within it (what follows the last line end of the decoded start may be
// a character cut in two), that line is the one the whole head's text
// starts with. ok is false when the start does not settle it.
// info is the encoding of the whole head, in codepage.
func regExport(head []byte, codepage string, info textenc.Info) (Result, bool) {
	if len(head) == 0 {
		return Result{}, false
	}
	pre := head[:min(len(head), regPrefix)]
	if textenc.Sniff(pre, codepage) != info {
		return Result{}, false
	}
	buf := decodeBufs.Get().(*[]byte)
	defer decodeBufs.Put(buf)
	decoded, _ := textenc.AppendDecodeAs((*buf)[:0], pre, info)
	*buf = decoded
	end := bytes.LastIndexByte(decoded, '\n')
	if end < 0 {
		return Result{}, false
	}
	// A view of the decoded start, not a copy: the buffer goes back to
	// the pool only when regExport returns, and the line it keeps is
	// cloned (it would otherwise be a piece of a buffer used again).
	first := firstLine(unsafe.String(unsafe.SliceData(decoded), end+1))
	if first == "" || !isRegHeader(first) {
		return Result{}, false
	}
	return Result{Kind: model.KindRegExport, Detail: strings.Clone(first)}, true
}

// configLines is how many non-blank lines are searched for the keys of
// an ipseclint configuration.
const configLines = 200

// Sniff classifies a file from its first bytes (up to HeadSize). codepage
// is the code page for 8-bit text.
func Sniff(head []byte, codepage string) Result {
	head = head[:min(len(head), HeadSize)]
	if len(head) >= 4 && string(head[:4]) == "regf" {
		return sniffRegf(head)
	}
	// The encoding, from the bytes textenc.Decode decides it from, once
	// for the checks and the decoding below.
	info := textenc.Sniff(head[:min(len(head), encodingHead)], codepage)
	// The regedit header decides before the control bytes do: a real
	// export may hold NULs in a string's data (hivexregedit writes them),
	// which the .reg reader handles.
	if r, ok := regExport(head, codepage, info); ok {
		return r
	}
	if looksBinary(head, info) {
		return Result{Kind: model.KindUnknown, Detail: "binary file of unknown format"}
	}
	return sniffText(head, info)
}

// decodeBufs are the buffers heads are decoded into: Sniff runs on every
// file of an audit, and keeps nothing of the decoded text (what a Result
// holds of it is a copy).
var decodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, HeadSize*3/2+8); return &b }}

// sniffText classifies a head of text, in encoding info, from all of it.
// The text is read where it was decoded, not copied (a copy of every
// file's head was a twentieth of what an audit allocated): the buffer
// goes back to decodeBufs only when sniffText returns, and nothing it
// returns holds a piece of it (see the view below).
func sniffText(head []byte, info textenc.Info) Result {
	buf := decodeBufs.Get().(*[]byte)
	decoded, info, inPlace := textenc.DecodeAs((*buf)[:0], head, info)
	if !inPlace {
		*buf = decoded
	}
	defer decodeBufs.Put(buf)
	// A view of decoded, valid until the buffer is put back: firstLine's
	// line is cloned before it is returned, netsh.Form keeps nothing of
	// its text and returns a constant (FormDetail's too), and
	// hasConfigKey only reads it.
	text := unsafe.String(unsafe.SliceData(decoded), len(decoded))
	cp := info.Encoding
	if cp == textenc.UTF8 || cp == textenc.UTF16LE || cp == textenc.UTF16BE {
		cp = ""
	}
	if first := firstLine(text); isRegHeader(first) {
		return Result{Kind: model.KindRegExport, Detail: strings.Clone(first)}
	}
	// IPSec text (netsh scripts and listings, ipsecpol, netdiag) is
	// recognized by the netsh parser's own sniffer, on the same bytes it
	// decides from, so that a file is called netsh exactly when that
	// parser reads it.
	if form := netsh.Form(text); form != "" {
		return Result{Kind: model.KindNetsh, Detail: netsh.FormDetail(form), Form: form, CodePage: cp}
	}
	if hasConfigKey(text) {
		return Result{Kind: model.KindConfig, Detail: "ipseclint configuration"}
	}
	return Result{Kind: model.KindUnknown, Detail: "text that is neither a .reg export nor a netsh IPSec dump"}
}

// lines calls f with each line of text (without its line end, a BOM, a
// trailing Ctrl-Z and blanks) that is not blank, until f returns false.
func lines(text string, f func(line string) bool) {
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		line = strings.TrimRight(strings.TrimPrefix(line, "\uFEFF"), "\r\x1a \t")
		if strings.TrimSpace(line) != "" && !f(line) {
			return
		}
	}
}

// firstLine is the first non-blank line that is not a comment (# or ;),
// trimmed.
func firstLine(text string) string {
	first := ""
	lines(text, func(line string) bool {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			return true
		}
		first = strings.TrimSpace(line)
		return false
	})
	return first
}

// isRegHeader recognizes regedit's first line: "Windows Registry Editor
// Version 5.00" or "REGEDIT4" (any case, blanks after it).
func isRegHeader(s string) bool {
	s = strings.TrimRight(s, " \t\r\n\f\v")
	if len(s) <= 8 && (strings.EqualFold(s, "REGEDIT") || strings.EqualFold(s, "REGEDIT4")) {
		return true
	}
	const prefix = "windows registry editor version "
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return false
	}
	major, minor, ok := strings.Cut(s[len(prefix):], ".")
	return ok && allDigits(major) && allDigits(minor)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// hasConfigKey reports whether one of the first configLines non-blank
// lines starts with a top-level key of ipseclint.yaml.
func hasConfigKey(text string) bool {
	found, n := false, 0
	lines(text, func(line string) bool {
		for _, key := range []string{"hosts", "backends", "frontends", "codepage"} {
			if rest, ok := strings.CutPrefix(line, key); ok && strings.HasPrefix(strings.TrimLeft(rest, " \t\f\r\n"), ":") {
				found = true
			}
		}
		n++
		return !found && n < configLines
	})
	return found
}

// sniffRegf tells a primary hive from a transaction log by the base
// block's file type (0 = primary; 1, 2, 6 = logs).
func sniffRegf(head []byte) Result {
	if len(head) < 0x20 {
		return Result{Kind: model.KindHive, Detail: "regf file too short for a base block"}
	}
	switch binary.LittleEndian.Uint32(head[0x1C:]) {
	case 0:
		return Result{Kind: model.KindHive, Detail: "registry hive"}
	case 1, 2, 6:
		return Result{Kind: model.KindHiveLog, Detail: "registry hive transaction log"}
	}
	return Result{Kind: model.KindHive, Detail: "registry hive (unknown file type)"}
}

// looksBinary reports whether head holds control bytes that no text file
// has, once UTF-16 (with its NUL bytes) is accounted for; info is the
// head's encoding (UTF-16 or not whatever the code page).
func looksBinary(head []byte, info textenc.Info) bool {
	if len(head) == 0 {
		return false
	}
	if info.Encoding == textenc.UTF16LE || info.Encoding == textenc.UTF16BE {
		return false
	}
	bad := 0
	for _, c := range head {
		if c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1A && c != 0x1B) {
			bad++
		}
	}
	return bad*100 > len(head)
}
