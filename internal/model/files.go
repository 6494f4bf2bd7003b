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
	// Name is the file's display name: slash-separated, relative to the
	// audited root ("EXFE01/system.reg"), or the absolute path of a file
	// outside it. Every Location of the file's facts names it so.
	Name string `json:"uri"`
	// Path is the file as opened (an absolute path); never shown, since
	// outputs must not depend on where the audit ran.
	Path   string     `json:"-"`
	Size   int64      `json:"size,omitempty"`   // bytes, when the file could be opened
	Host   string     `json:"host,omitempty"`   // host the file was assigned to
	Kind   FileKind   `json:"kind"`             // what the content is
	Binary bool       `json:"binary,omitempty"` // a binary format (a hive): locations name keys, not lines
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

// Location returns a location naming the file as a whole; for a binary
// file, key names the registry key the fact is about.
func (f *InputFile) Location(key string) Location {
	if f == nil {
		return Location{}
	}
	loc := Location{File: f.Name}
	if f.Binary {
		loc.Key = key
	}
	return loc
}
