// Package regfile reads regedit .reg exports into a registry tree, from
// every producer auditors meet (FORMATS.md §1): regedit version 5
// (UTF-16LE with BOM) and REGEDIT4 (ANSI code page) exports,
// hivexregedit's hex-only and "printable" (str(N)) forms, reged's 8-bit
// exports with their missing-newline bug, and files that went through
// editors (UTF-8 with or without BOM, LF or CR line ends, a trailing
// Ctrl-Z).
//
// The file is streamed: only one line is held at a time, the lines of
// keys the filter does not want are skipped without being decoded, and
// UTF-16 is decoded in bulk. Memory depends on what is kept, not on the
// size of the file.
//
// Values are stored as Windows stores them (model.Value): `"text"` and
// str(N) strings become UTF-16LE with a terminating NUL, `dword:` four
// little-endian bytes, and in REGEDIT4 files the ANSI bytes of hex(2) and
// hex(7) data become UTF-16LE, as regedit itself does when it imports
// them. Names and strings of 8-bit files are read as UTF-8 (or CESU-8, as
// reged writes it) where they are valid, else in the code page: producers
// mix both in one file.
//
// Values of keys the filter does not want are not syntax-checked.
package regfile

import (
	"fmt"
	"io"
	"os"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// Options say what to keep and how to read 8-bit text.
type Options struct {
	Filter   *model.KeyFilter // keys to keep; nil keeps all
	CodePage string           // for REGEDIT4 / ANSI text; "" = cp1252 (textenc.DefaultCodePage)
}

// Result is what was read from one export.
type Result struct {
	Tree     *model.RegTree
	Header   string              // "Windows Registry Editor Version 5.00", "REGEDIT4"
	Encoding textenc.Info        // how the text was decoded (and invalid byte count for code pages)
	Errors   []*model.ParseError // syntax errors (Column counts characters from 1); parsing went on after each
	Warnings []model.Problem     // e.g. "bytes not valid in cp1252 at line N", values outside HKLM skipped
	// KeysSeen counts the [key] lines read (deletions included); KeysKept
	// and ValuesKept count what Tree holds at the end.
	KeysSeen, KeysKept, ValuesKept int
}

// maxErrors bounds the syntax errors kept for one file; further ones are
// counted in a last error.
const maxErrors = 1000

// Bounds on what one export may make the parser keep, so that memory
// depends on what the rules need, never on what a file claims.
const (
	// MaxValueSize is the most data kept of one value: 1 MiB, the
	// registry's own limit for a value in the standard hive format
	// (Microsoft, "Registry element size limits"). A value with more is
	// truncated there and the truncation is a syntax error of the file.
	MaxValueSize = 1 << 20
	// MaxKeptBytes bounds what one file's kept keys and values take
	// (data, names, and a fixed cost for each) when Options.Filter says
	// what to keep; past it, later keys and values are not kept, and that
	// is a syntax error of the file. (Without a filter the caller asked
	// for everything: tools reading whole exports.)
	MaxKeptBytes = 32 << 20
	// keptOverhead is the cost counted for each key or value kept besides
	// its names and data: what the tree's structures take (measured: 100,000
	// keys of two small values take 89 MB).
	keptOverhead = 384
)

// ParseFile reads the export at path.
func ParseFile(path string, opts Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path, opts)
}

// Parse reads an export from r; file names it in locations and errors.
// The error is non-nil only when r cannot be read or does not hold a .reg
// export at all; syntax errors are in Result.Errors, and the rest of the
// file is still read after each.
func Parse(r io.Reader, file string, opts Options) (*Result, error) {
	return parse(r, file, opts, chunkBytes)
}

// parse is Parse reading chunk bytes at a time (tests vary it).
func parse(r io.Reader, file string, opts Options, chunk int) (*Result, error) {
	cp, err := textenc.NewCodePageDecoder(opts.CodePage)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	src, info, err := startSource(r, cp, chunk)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	defer src.release() // the result holds copies of what it keeps
	p := newParser(src, file, opts.Filter, cp)
	defer p.releaseScratch()
	p.res.Encoding = info
	if err := p.readHeader(); err != nil {
		return nil, err
	}
	p.run()
	if src.err != nil {
		return nil, fmt.Errorf("%s: %w", file, src.err)
	}
	p.finish()
	return p.res, nil
}

// startSource starts cutting the lines of r: it sniffs the encoding from
// the head (8-bit text in cp) and skips a byte order mark.
func startSource(r io.Reader, cp *textenc.CodePageDecoder, chunk int) (*lineSource, textenc.Info, error) {
	src := newLineSource(r, chunk)
	if err := src.prime(); err != nil {
		return nil, textenc.Info{}, err
	}
	info := textenc.Sniff(src.head(headBytes), cp.Name())
	bom := 0
	if info.BOM {
		bom = 2
		if info.Encoding == textenc.UTF8 {
			bom = 3
		}
	}
	wide := info.Encoding == textenc.UTF16LE || info.Encoding == textenc.UTF16BE
	src.setup(wide, info.Encoding == textenc.UTF16BE, bom)
	return src, info, nil
}
