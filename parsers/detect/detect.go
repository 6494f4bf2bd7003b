// Package detect tells what an input file is from its content, never from
// its name: a binary hive (regf), a hive transaction log, a regedit export,
// a netsh IPSec dump or listing, or the fleet configuration.
package detect

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"regexp"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// HeadSize is how many leading bytes Sniff wants to see.
const HeadSize = 16 << 10

// Result is what Sniff found.
type Result struct {
	Kind   model.FileKind
	Detail string
}

var (
	regHeader = regexp.MustCompile(`(?i)^(?:Windows Registry Editor Version \d+\.\d+|REGEDIT4?)\s*$`)
	configKey = regexp.MustCompile(`^(?:hosts|backends|frontends|codepage)\s*:`)
)

// Sniff classifies a file from its first bytes (up to HeadSize). codepage
// is the code page for 8-bit text.
func Sniff(head []byte, codepage string) Result {
	if len(head) >= 4 && string(head[:4]) == "regf" {
		return sniffRegf(head)
	}
	if looksBinary(head) {
		return Result{Kind: model.KindUnknown, Detail: "binary file of unknown format"}
	}
	text, _ := textenc.Decode(head, codepage)
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), len(text)+1)
	// IPSec text (netsh scripts and listings, ipsecpol, netdiag) is
	// recognized by the netsh parser's own sniffer, so that a file is
	// called netsh exactly when that parser reads it.
	form := netsh.Form(string(text))
	lines, first := 0, ""
	configLines := 0
	for sc.Scan() && lines < 200 {
		line := strings.TrimRight(strings.TrimPrefix(sc.Text(), "\uFEFF"), "\r\x1a \t")
		if strings.TrimSpace(line) == "" {
			continue
		}
		lines++
		if first == "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, ";") {
			first = strings.TrimSpace(line)
			if regHeader.MatchString(first) {
				return Result{Kind: model.KindRegExport, Detail: first}
			}
		}
		if configKey.MatchString(line) {
			configLines++
		}
	}
	switch {
	case form != "":
		return Result{Kind: model.KindNetsh, Detail: netsh.FormDetail(form)}
	case configLines > 0:
		return Result{Kind: model.KindConfig, Detail: "ipseclint configuration"}
	}
	return Result{Kind: model.KindUnknown, Detail: "text that is neither a .reg export nor a netsh IPSec dump"}
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
// has, once UTF-16 (with its NUL bytes) is accounted for.
func looksBinary(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	info := textenc.Sniff(head, textenc.DefaultCodePage)
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
