package inputs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// The zip end records (APPNOTE.TXT 4.3.14–4.3.16).
var (
	sigEnd      = []byte("PK\x05\x06")
	sigEnd64    = []byte("PK\x06\x06")
	sigLocator  = []byte("PK\x06\x07")
	errNoEndRec = fmt.Errorf("no end of central directory record")
)

const (
	endLen        = 22
	locatorLen    = 20
	end64Len      = 56
	maxCommentLen = 0xFFFF
	// recordBytes is how much central directory a member may take on
	// average (a 46-byte header, its name and extra fields) before the
	// directory is judged too large for the members it could list.
	recordBytes = 512
)

// zipDir is what a zip's end record says of its central directory.
type zipDir struct {
	records int64 // members listed
	offset  int64 // where the directory starts
}

// readZipDir reads the end of central directory record (and its zip64
// version) at the end of an archive of size bytes.
func readZipDir(ra io.ReaderAt, size int64) (zipDir, error) {
	tailLen := min(size, endLen+maxCommentLen)
	tail := make([]byte, tailLen)
	if _, err := ra.ReadAt(tail, size-tailLen); err != nil && err != io.EOF { //nolint:errorlint // ReadAt returns io.EOF itself
		return zipDir{}, err
	}
	at := -1
	for i := len(tail) - endLen; i >= 0; i-- {
		if bytes.Equal(tail[i:i+4], sigEnd) && i+endLen+int(binary.LittleEndian.Uint16(tail[i+20:])) <= len(tail) {
			at = i
			break
		}
	}
	if at < 0 {
		return zipDir{}, errNoEndRec
	}
	end := tail[at:]
	d := zipDir{records: int64(binary.LittleEndian.Uint16(end[10:])), offset: int64(binary.LittleEndian.Uint32(end[16:]))}
	if at >= locatorLen && bytes.Equal(tail[at-locatorLen:at-locatorLen+4], sigLocator) {
		off := int64(binary.LittleEndian.Uint64(tail[at-locatorLen+8:]))
		rec := make([]byte, end64Len)
		if off >= 0 && off <= size-end64Len {
			if _, err := ra.ReadAt(rec, off); err == nil && bytes.Equal(rec[:4], sigEnd64) {
				d.records = int64(min(binary.LittleEndian.Uint64(rec[32:]), 1<<62))
				d.offset = int64(min(binary.LittleEndian.Uint64(rec[48:]), 1<<62))
			}
		}
	}
	return d, nil
}

// checkZipDir refuses, before the central directory is read into memory,
// a zip that lists more members than left may still be listed, or whose
// directory is far larger than that many members could need (a
// directory that understates its count, as archive/zip reads every
// record there is).
func checkZipDir(ra io.ReaderAt, size int64, left int) error {
	d, err := readZipDir(ra, size)
	if err != nil {
		return nil //nolint:nilerr // no end record to check: archive/zip says what is wrong
	}
	if d.records > int64(left) {
		return &limitError{kind: KindTooMany, size: d.records, limit: int64(left),
			msg: fmt.Sprintf("the archive lists %d members, more than the %s left of the limit for all archives together", d.records, plural(left, "member"))}
	}
	dirLen := size - min(max(d.offset, 0), size)
	if allowed := int64(left)*recordBytes + endLen + maxCommentLen; dirLen > allowed {
		return &limitError{kind: KindTooMany, size: dirLen, limit: allowed,
			msg: fmt.Sprintf("the archive's central directory takes %s, more than the %s that %s (the limit left) could need", sizeText(dirLen), sizeText(allowed), plural(left, "member"))}
	}
	return nil
}
