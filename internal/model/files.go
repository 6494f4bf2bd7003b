package model

// FileKind is what an input file was recognized as, from its content.
type FileKind string

// The kinds of input file ipseclint recognizes.
const (
	KindRegExport FileKind = "reg"       // regedit .reg export (any version, any encoding)
	KindHive      FileKind = "hive"      // binary registry hive (regf)
	KindHiveLog   FileKind = "hive-log"  // transaction log of a hive (.LOG, .LOG1, .LOG2)
	KindNetsh     FileKind = "netsh"     // netsh ipsec static dump script or show-all listing
	KindConfig    FileKind = "config"    // ipseclint.yaml
	KindUnknown   FileKind = "unknown"   // not an input ipseclint reads
	KindDirectory FileKind = "directory" // a folder that was not read (hidden, unreadable)
)

// FileStatus says how much of an input file was understood.
type FileStatus string

// The statuses of an input file.
const (
	StatusRead    FileStatus = "read"    // read completely
	StatusPartial FileStatus = "partial" // read, but parts could not be understood (syntax errors, damage)
	StatusFailed  FileStatus = "failed"  // could not be read at all
	StatusSkipped FileStatus = "skipped" // not an input ipseclint reads; listed, not read
)

// Incomplete reports whether the file was not read completely: it failed
// or was only partly read. Such files make the audit exit with code 2.
func (s FileStatus) Incomplete() bool { return s == StatusPartial || s == StatusFailed }

// InputFile is one file given to the audit, with what became of it. Every
// file met is recorded, so that nothing is dropped silently.
type InputFile struct {
	Path   string     `json:"path"`             // as opened
	Size   int64      `json:"size,omitempty"`   // bytes, when the file could be opened
	Rel    string     `json:"uri"`              // slash-separated, relative to the audited root
	Host   string     `json:"host,omitempty"`   // host the file was assigned to
	Kind   FileKind   `json:"kind"`             // what the content is
	Detail string     `json:"detail,omitempty"` // e.g. "SYSTEM hive", "REGEDIT4, cp1252", "netsh dump script"
	Status FileStatus `json:"status"`
	// Reason explains a failed or skipped file in one sentence.
	Reason string `json:"reason,omitempty"`
	// Problems are the errors found while reading (syntax errors, damage).
	Problems []Problem `json:"problems,omitempty"`
	// Notes are facts about the reading worth knowing ("hive was dirty; logs applied").
	Notes []string `json:"notes,omitempty"`
	// Hives lists the top-level HKLM keys a registry file holds ("SYSTEM",
	// "SOFTWARE", "Cluster"), so that findings can point at the right file.
	Hives []string `json:"hives,omitempty"`
}
