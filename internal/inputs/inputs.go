// Package inputs turns the paths given to ipseclint into a deterministic,
// safe list of input entries: the files under the folders named, the
// files named, and the members of the zip, tar and gzip-compressed tar
// archives among them (found by content, read as if they were folders,
// nested one level). It knows nothing of file formats beyond archive magic
// numbers; deciding what an entry holds is the caller's business.
//
// Safety is the point of the package. Only regular files are ever opened,
// and opened non-blocking with the mode checked again on the open file, so
// a named pipe, a socket, a device or a link to one can never hang an
// audit; links that leave the audited folder are not followed; folders
// met twice or in a loop are reported once; archive members never touch
// the disk, names that would climb out of an archive are refused, and the
// sizes, counts and compression ratios of archives are bounded. Nothing is
// dropped silently: every path met is either an Entry or a Skipped, each
// Skipped with its Kind and a one-sentence reason.
package inputs

import (
	"errors"
	"io"
	"path/filepath"
	"sort"
)

// Default limits, used where Options leave a limit at zero.
const (
	DefaultMaxFileSize       = 1 << 30 // 1 GiB: any one file or archive member
	DefaultMaxArchiveTotal   = 4 << 30 // 4 GiB: all archive members together
	DefaultMaxArchiveEntries = 10_000  // members of all archives together (a fleet of 2,000 hosts of 5 files)
	DefaultMaxRatio          = 200     // uncompressed:compressed, past RatioGrace
	// RatioGrace is how much any compressed member or stream may expand to
	// before the compression ratio limit applies.
	RatioGrace = 1 << 20
	// MaxLineLength is the longest line accepted in a list of paths read
	// from standard input.
	MaxLineLength = 32 << 10
)

// Options control what Collect reads and its limits. A zero limit means
// the default; no limit can be switched off.
type Options struct {
	// Stdin is where the argument "-" reads its list of paths from.
	Stdin io.Reader
	// MaxFileSize is the size past which a file or an archive member is
	// skipped (archives themselves are not subject to it: their members are).
	MaxFileSize int64
	// MaxFiles, when positive, is how many entries are listed at most; the
	// rest (in name order) are skipped.
	MaxFiles int
	// MaxArchiveTotal bounds the sizes of all archive members together.
	MaxArchiveTotal int64
	// MaxArchiveEntries bounds the number of members (folders included) of
	// all archives together.
	MaxArchiveEntries int
	// MaxRatio bounds how much a compressed member (or a gzip stream) may
	// expand, once past RatioGrace bytes: 200 means 200 to 1.
	MaxRatio int64
	// AllowHidden lists hidden names (".ipseclint.yaml") that are listed
	// like any other file instead of being skipped; compared ignoring case.
	AllowHidden []string
	// Sniff, when set, is given the first HeadSize bytes (fewer for a
	// shorter file) of each file on disk listed as an entry (not one past
	// MaxFileSize), and what it returns is the entry's Sniffed: the
	// caller tells what each file holds from the bytes the listing reads
	// anyway, in parallel, instead of opening every file again. It is
	// called from several goroutines at once, and must not keep head.
	Sniff    func(head []byte) any
	HeadSize int
}

func (o Options) withDefaults() Options {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.MaxArchiveTotal <= 0 {
		o.MaxArchiveTotal = DefaultMaxArchiveTotal
	}
	if o.MaxArchiveEntries <= 0 {
		o.MaxArchiveEntries = DefaultMaxArchiveEntries
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = DefaultMaxRatio
	}
	o.MaxRatio = min(o.MaxRatio, 1<<20) // no overflow in ratio × size
	return o
}

// Kind says why a path was skipped.
type Kind string

// The reasons a path is skipped.
const (
	KindFIFO        Kind = "fifo"                 // a named pipe, or a link to one
	KindSocket      Kind = "socket"               // a Unix socket, or a link to one
	KindDevice      Kind = "device"               // a character or block device, or a link to one
	KindIrregular   Kind = "irregular"            // some other file that is not a regular file
	KindSymlink     Kind = "symlink"              // a link not followed: to a folder, or inside an archive
	KindOutsideRoot Kind = "outside-root"         // a link whose target leaves the audited folder
	KindLoop        Kind = "loop"                 // a link or folder leading back to an enclosing folder
	KindDuplicate   Kind = "duplicate"            // a second path to something already listed, or a second member of that name
	KindHidden      Kind = "hidden"               // a name starting with "." (.git, ._x from macOS)
	KindTooLarge    Kind = "too-large"            // past MaxArchiveTotal, or a nested archive past what may be held in memory
	KindPastMaxSize Kind = "past-max-file-size"   // a file or member past MaxFileSize (--max-file-size): skipped, as the user asked
	KindTooMany     Kind = "too-many"             // past MaxFiles or MaxArchiveEntries
	KindRatio       Kind = "compression-ratio"    // expands past MaxRatio (a zip bomb's shape)
	KindUnsafeName  Kind = "archive-entry-unsafe" // a member name that is absolute or climbs out with ".."
	KindEncrypted   Kind = "encrypted"            // an encrypted zip member
	KindUnsupported Kind = "unsupported"          // a compression method or member type not read
	KindTooDeep     Kind = "too-deep"             // an archive nested more than one level deep
	KindCorrupt     Kind = "corrupt"              // a damaged archive or member
	KindUnreadable  Kind = "unreadable"           // the system refused to read it (permissions, I/O error)
	KindMissing     Kind = "missing"              // no such file, or a link to nothing
	KindEmpty       Kind = "empty-archive"        // an archive that holds no member at all
)

// Skipped is a path met but not listed as an entry, and why. A duplicate
// (KindDuplicate) has the name of the entry it duplicates; a limit or
// damage that stops an archive part way is recorded under the archive's
// name ("fleet.tgz": "the rest was not read").
type Skipped struct {
	Name   string // display name, as for Entry.Name ("fleet.zip!/../evil" keeps the member's name as stored)
	Dir    string // display name of the folder it is in, as for Entry.Dir ("fleet.zip!" for a refused member name)
	Path   string // absolute path when on disk; "" inside an archive
	Kind   Kind
	Reason string // one sentence, sizes named where they matter
	Size   int64  // the size met, when the reason is a size; else 0
	Limit  int64  // the limit passed, when the reason is a limit; else 0
	Target string // a link's text, when the path is a link; else ""
}

// Archive is an archive read as a folder.
type Archive struct {
	Name    string // display name ("fleet.zip", "fleet.zip!/EXFE01.tgz")
	Path    string // absolute path when on disk; "" when inside another archive
	Format  string // "zip", "tar" or "tar+gzip"
	Size    int64  // the archive's own size in bytes
	Members int    // entries listed from it (not counting those of archives inside it)
}

// Set is what Collect found.
type Set struct {
	// Root is the absolute folder every path given lies in: the folder
	// itself for a single folder, the file's folder for a single file.
	Root string
	// Given is the paths given, absolute and clean: the arguments in
	// order ("-" left out), then the paths standard input listed.
	Given    []string
	Entries  []Entry   // sorted by Name, byte order
	Skipped  []Skipped // sorted by Name, byte order
	Archives []Archive // sorted by Name, byte order

	pool *pool
}

// Close releases the archives the entries are read from. Entries of
// archives cannot be opened after it; files on disk still can.
func (s *Set) Close() error {
	if s == nil || s.pool == nil {
		return nil
	}
	s.pool.closeAll()
	return nil
}

// ErrUsage marks errors Collect returns: usage mistakes, not input problems.
var ErrUsage = errors.New("usage")

// Collect lists the entries under args: folders (walked, hidden entries
// and links to folders skipped), files, archives, and "-" for a list of
// paths read from opts.Stdin, one per line (as find prints them: a listed
// path with a hidden part below the root, ".git/config", is skipped as
// hidden, as a walk would have). It fails only for usage
// mistakes (no paths, "-" without standard input or given twice, a line
// on standard input that is not a path); everything else is recorded in
// the set. The set holds archives open lazily: Close it when done.
func Collect(args []string, opts Options) (*Set, error) {
	opts = opts.withDefaults()
	paths, listed, err := expandArgs(args, opts.Stdin)
	if err != nil {
		return nil, err
	}
	w := newWalker(paths, opts)
	w.listed = listed
	for _, p := range w.paths {
		w.arg(p)
	}
	w.listPending()
	set := w.set
	set.Given = paths
	set.limitFiles(opts.MaxFiles)
	sort.SliceStable(set.Entries, func(i, j int) bool { return set.Entries[i].Name < set.Entries[j].Name })
	sort.SliceStable(set.Skipped, func(i, j int) bool { return set.Skipped[i].Name < set.Skipped[j].Name })
	sort.SliceStable(set.Archives, func(i, j int) bool { return set.Archives[i].Name < set.Archives[j].Name })
	return set, nil
}

// limitFiles skips the entries past max, in name order.
func (s *Set) limitFiles(max int) {
	if max <= 0 || len(s.Entries) <= max {
		return
	}
	sort.SliceStable(s.Entries, func(i, j int) bool { return s.Entries[i].Name < s.Entries[j].Name })
	for _, e := range s.Entries[max:] {
		s.Skipped = append(s.Skipped, Skipped{
			Name: e.Name, Dir: e.Dir, Path: e.Path, Kind: KindTooMany, Limit: int64(max),
			Reason: plural(len(s.Entries), "file") + " found, past the limit of " + plural(max, "file") + "; this one is not read",
		})
	}
	s.Entries = s.Entries[:max]
}

// displayDir returns the folder part of a display name: "." for a name
// directly in the root, "fleet.zip!" for a member at the top of an archive.
func displayDir(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return name[:i]
		}
	}
	return "."
}

// joinName joins a display folder and a base name.
func joinName(dir, base string) string {
	if dir == "" || dir == "." {
		return base
	}
	return dir + "/" + base
}

// relName is the display name of an absolute path under root.
func relName(root, abs string) string {
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}
