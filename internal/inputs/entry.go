package inputs

import (
	"io"
	"os"
)

// Entry is one input file: a regular file on disk or a member of an archive.
type Entry struct {
	// Name is the display name, slash-separated, relative to the set's
	// Root: "EXFE01/system.reg"; a member of an archive is
	// "fleet.zip!/EXFE01/system.reg", one of a nested archive
	// "fleet.zip!/EXFE01.zip!/system.reg". Its bytes are the file
	// system's or the archive's, invalid UTF-8 included, except that an
	// archive's backslash separators become slashes.
	Name string
	// Dir is the display name of the folder the entry is in: "EXFE01",
	// "fleet.zip!/EXFE01", "fleet.zip!" at the top of an archive, "." in
	// the root. Entries of one host share it.
	Dir string
	// Size is the size in bytes when listed (a zip member's as its header
	// declares it; reading checks it).
	Size int64
	// Path is the absolute path of a file on disk (the target, when it was
	// reached through a link), for callers that map or read it themselves;
	// "" for an archive member. It was a regular file when listed: prefer
	// Open, which checks again.
	Path string
	// Link is the link's text when the file was reached through a
	// symbolic link; "" otherwise.
	Link string
	// Archive is the display name of the archive the entry is a member
	// of (the innermost one); "" on disk.
	Archive string
	// Seq is the order in which entries were found. Reading the members of
	// a compressed tar in Seq order decompresses it once; other orders may
	// decompress it again from the start.
	Seq int
	// Sniffed is what Options.Sniff said of the entry's first bytes; nil
	// without Options.Sniff, and for an archive member.
	Sniffed any

	arc   *archive
	m     *member
	limit int64 // files on disk: the size past which reading fails
}

// Open opens the entry's content. It never blocks on a pipe or a device:
// a file on disk is checked again to be a regular file, no larger than
// the limit it was listed with; a member is decompressed as it is read,
// bounded by its size and the compression ratio limit (a small member of
// a compressed tar is read into memory whole, a large one streamed).
// Errors, from Open and from the reader, are *ReadError.
func (e Entry) Open() (io.ReadCloser, error) {
	rc, err := e.open()
	if err != nil {
		return nil, readErr(e.Name, err)
	}
	return &entryReader{name: e.Name, rc: rc}, nil
}

func (e Entry) open() (io.ReadCloser, error) {
	if e.arc != nil {
		return e.arc.openMember(e.m)
	}
	f, fi, err := openRegular(e.Path, false)
	if err != nil {
		return nil, err
	}
	if fi.Size() > e.limit {
		f.Close()
		return nil, &limitError{kind: KindTooLarge, size: fi.Size(), limit: e.limit,
			msg: "file is now " + sizeText(fi.Size()) + ", past the limit of " + sizeText(e.limit)}
	}
	return &memberReader{r: f, limit: e.limit, over: "the limit for any one file (it grew after it was listed)", done: func() { f.Close() }}, nil
}

// OpenFile opens an entry that is a file on disk (not an archive member)
// for a reader that maps it instead of reading it (parsers/hive), with
// Open's checks: a regular file, within the size limit. ok is false for
// an archive member, which only Open reads.
func (e Entry) OpenFile() (f *os.File, ok bool, err error) {
	if e.arc != nil {
		return nil, false, nil
	}
	f, fi, err := openRegular(e.Path, false)
	if err != nil {
		return nil, true, readErr(e.Name, err)
	}
	if fi.Size() > e.limit {
		f.Close()
		return nil, true, readErr(e.Name, &limitError{kind: KindTooLarge, size: fi.Size(), limit: e.limit,
			msg: "file is now " + sizeText(fi.Size()) + ", past the limit of " + sizeText(e.limit)})
	}
	return f, true, nil
}

// Head returns the entry's first n bytes (fewer if it is shorter), for
// telling its kind from its content. It may be called any number of times.
func (e Entry) Head(n int) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	if e.arc != nil && e.arc.streamed() {
		data, err := e.arc.readStreamed(e.m, int64(n))
		if err != nil {
			return nil, readErr(e.Name, err)
		}
		return append([]byte(nil), data...), nil
	}
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readHeadOf(rc, n)
}
