package inputs

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strconv"
)

// format is an archive format, told from content.
type format int

const (
	formatNone  format = iota
	formatZip          // PK\x03\x04 (or the end record alone: an empty zip)
	formatTar          // POSIX/GNU ustar, or a v7 header with a valid checksum
	formatTarGz        // gzip wrapping a tar
)

func (f format) String() string {
	return [...]string{"none", "zip", "tar", "tar+gzip"}[f]
}

// sniffSize is how many leading bytes sniff looks at: a tar header is 512
// bytes, and a gzip stream's first 512 decompressed bytes come from far
// fewer compressed ones.
const sniffSize = 4096

// sniff tells an archive from its first bytes; formatNone for anything else.
func sniff(head []byte) format {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return formatZip
	case isEmptyZip(head):
		return formatZip
	case isTarHeader(head):
		return formatTar
	case len(head) > 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 8:
		if isTarHeader(gunzipHead(head)) {
			return formatTarGz
		}
	}
	return formatNone
}

// isEmptyZip reports whether head is a whole zip file with no members:
// the end record alone (22 bytes and its comment).
func isEmptyZip(head []byte) bool {
	return len(head) >= 22 && bytes.HasPrefix(head, []byte("PK\x05\x06")) &&
		len(head) == 22+(int(head[20])|int(head[21])<<8)
}

// gunzipHead decompresses what it can of the first tar block from the
// leading bytes of a gzip stream.
func gunzipHead(head []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(head))
	if err != nil {
		return nil
	}
	out := make([]byte, 512)
	n, err := io.ReadFull(zr, out)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil
	}
	return out[:n]
}

// isTarHeader reports whether block starts with a tar header: the ustar
// magic at 257, or (v7) a name and a checksum field that matches.
func isTarHeader(block []byte) bool {
	if len(block) < 512 {
		return false
	}
	block = block[:512]
	if bytes.Equal(block[257:262], []byte("ustar")) && tarChecksumOK(block) {
		return true
	}
	return block[0] != 0 && tarChecksumOK(block)
}

// tarChecksumOK checks the header checksum: the sum of the header's bytes
// with the checksum field counted as spaces, stored in octal at 148.
func tarChecksumOK(block []byte) bool {
	field := bytes.Trim(block[148:156], " \x00")
	if len(field) == 0 {
		return false
	}
	want, err := strconv.ParseUint(string(field), 8, 32)
	if err != nil {
		return false
	}
	var sum uint64
	for i, b := range block {
		if i >= 148 && i < 156 {
			b = ' '
		}
		sum += uint64(b)
	}
	return sum == want
}
