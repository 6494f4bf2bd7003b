package audit

import (
	"github.com/ipseclint/ipseclint/internal/model"
)

// contribution is what a file of one kind gives its host.
type contribution int

// The contributions of the input kinds.
const (
	givesNothing  contribution = iota
	givesRegistry              // registry keys, merged into the host's view of HKLM
	givesPolicy                // IPSec policy stores
)

// reader is one kind of input ipseclint reads: the one list that
// recognising, reading, planning and accounting consult (the idea of
// Trivy's file-type → scanner table). Adding an input kind is one entry
// here plus its parser package (and its recogniser in parsers/detect).
type reader struct {
	kind model.FileKind
	// binary formats are located by registry key, text ones by line.
	binary bool
	// gives is what a file of the kind contributes to its host; a folder
	// holding a file that gives something is a host folder.
	gives contribution
	// read parses the file into j; nil for kinds that are listed but not
	// read on their own, with the reason in skip.
	read func(j *fileJob)
	skip string
	// eightBit is set for kinds whose 8-bit text is decoded in a code
	// page, so that they are read again when the host's own code page
	// turns out to differ (it may be declared under the ComputerName the
	// registry reveals).
	eightBit bool
}

// readers lists every input kind. Kinds are told apart by content only
// (detect.Sniff), never by file name.
var readers = []reader{
	{kind: model.KindHive, binary: true, gives: givesRegistry, read: (*fileJob).readHive},
	{kind: model.KindRegExport, gives: givesRegistry, read: (*fileJob).readReg, eightBit: true},
	{kind: model.KindNetsh, gives: givesPolicy, read: (*fileJob).readNetsh, eightBit: true},
	// A log that a dirty hive beside it needs is read with that hive and
	// accounted as read there.
	{kind: model.KindHiveLog, binary: true, skip: "transaction log with no hive beside it that needs it"},
	{kind: model.KindConfig, skip: "looks like an ipseclint configuration, but only files named ipseclint.yaml are read as one"},
}

// readerOf returns the entry of kind, or nil for kinds ipseclint does not
// read (unknown files).
func readerOf(kind model.FileKind) *reader {
	for i := range readers {
		if readers[i].kind == kind {
			return &readers[i]
		}
	}
	return nil
}

// isInput reports whether files of kind make their folder a host folder:
// they contribute to a host, or belong to a file that does (hive logs).
func isInput(kind model.FileKind) bool {
	r := readerOf(kind)
	return r != nil && (r.gives != givesNothing || kind == model.KindHiveLog)
}
