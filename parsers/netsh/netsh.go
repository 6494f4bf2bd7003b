// Package netsh reads the IPSec configuration that Windows text tools
// print: `netsh ipsec static` scripts (the `dump` form, one-liner batch
// files, `netsh -f` scripts), `netsh ipsec static show all` listings in
// list and table format and in any language with a label table, and the
// Windows 2000 material that stands in for them (ipsecpol/ipseccmd
// command lines, netdiag /test:ipsec output).
//
// Parse never stops at the first problem: like encoding/csv and
// go/scanner it reports each malformed line as a ParseError with its
// position and goes on with the next one. It only says what the file
// holds; whether the configuration is right is for the rules to judge.
//
// ParseReader streams: it decodes the text as it reads it and holds one
// line at a time (at most MaxLineBytes), so memory depends on what the
// file describes, not on its size.
package netsh

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// Options control how a file is read.
type Options struct {
	// CodePage is the code page of 8-bit text ("cp850", "cp936"); "" is
	// textenc's default. UTF-8 and UTF-16 are recognized by themselves.
	CodePage string
	// Form, when set, is the form Form found in the file's first
	// SniffBytes bytes decoded as ParseReader decodes them (in CodePage),
	// as parsers/detect found it: ParseReader then does not look again.
	// A wrong one reads the file as that form.
	Form string
	// KeepText keeps the file's text, its secrets cut out, in
	// Result.Text (see Text); off, nothing of the text is kept.
	KeepText bool
}

// Result is what Parse found in a file.
type Result struct {
	// Stores are the policy stores the file describes, one per store
	// location it uses, in the order of first use: a script that switches
	// store (`set store location=persistent`, later `local` or `domain`)
	// has its objects in the store current at their line. A file that
	// acts on no store (an empty dump) has the store it was in.
	Stores []*model.PolicyStore
	// Store is Stores[0], for callers that read one store. It will go:
	// read Stores (a deprecated alias, not marked so while internal/audit
	// reads it).
	Store    *model.PolicyStore
	Encoding textenc.Info
	// Errors are malformed lines and unknown parameters; parsing went on
	// after each.
	Errors []*model.ParseError
	// Warnings are things understood only in part: unknown labels of a
	// listing, truncated names, objects referred to but never defined,
	// commands whose effect depends on the batch file's control flow.
	Warnings []model.Problem
	// Text is the file's text, when Options.KeepText asks for it.
	Text *Text
}

// ErrNotIPSec is returned when a file holds no netsh IPSec content at all.
var ErrNotIPSec = errors.New("no netsh IPSec content")

// Parse reads one file held in memory; it is ParseReader of its bytes.
func Parse(data []byte, file string, opts Options) (*Result, error) {
	return ParseReader(bytes.NewReader(data), file, opts)
}

// ParseReader reads one file from r, a line at a time: memory holds what
// the file describes and a few buffers, never the file. The form is
// decided from the first SniffBytes bytes (see Form), the encoding from
// the first 8 KiB as textenc.Decode decides it; 8-bit text is decoded in
// opts.CodePage. A line longer than MaxLineBytes is a ParseError and is
// skipped.
//
// The error is non-nil when the text holds no IPSec content at all
// (wrapping ErrNotIPSec), and when r fails (Result then holds what was
// read before); problems inside the file are in Result.Errors and
// Result.Warnings.
func ParseReader(r io.Reader, file string, opts Options) (*Result, error) {
	bufs := bufferPool.Get().(*buffers)
	head := bufs.head
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		bufs.put(nil)
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	head, err = head[:n], nil
	form := opts.Form
	if form == "" {
		form = formOf(head, opts.CodePage, bufs)
	}
	info := textenc.Sniff(head[:min(n, encodingHead)], opts.CodePage)
	res := &Result{Encoding: info}
	b := newBuilder(file, form, res)
	if opts.KeepText {
		b.keep = &keeper{secret: map[int]int{}}
	}
	text := newTextLinesIn(bufs, head, r, info)
	defer bufs.put(text) // the model holds copies of the text it keeps
	var rd formReader
	switch form {
	case formShowAll:
		rd = newListing(b)
	case formNetdiag:
		rd = &netdiagReader{b: b}
	case formScript, formIPSecPol:
		if form == formIPSecPol {
			b.warnAt(0, 0, "ipsecpol/ipseccmd command script (Windows 2000 Resource Kit / XP Support Tools): read as the static policy its -w REG/DS commands make; dynamic-mode commands are skipped")
		}
		rd = newScriptState(b)
	default:
		err = notIPSec(b, text)
	}
	if rd != nil {
		readLines(b, text, rd)
		if st, ok := rd.(*scriptState); ok {
			st.release()
		}
		b.finish()
	}
	b.close()
	if b.keep != nil {
		res.Text = b.keep.text(form)
	}
	res.Encoding.Invalid = text.Invalid()
	encodingWarnings(b, opts)
	if text.err != nil {
		return res, fmt.Errorf("%s: %w", file, text.err)
	}
	return res, err
}

// formReader is what reads one form of text, a physical line at a time.
type formReader interface {
	feed(n int, line string)
	end()
}

// readLines feeds every line of the text to rd; an over-long line is an
// error, and an empty line to rd.
func readLines(b *builder, text *textLines, rd formReader) {
	for {
		line, long, ok := text.next()
		if !ok {
			break
		}
		if long {
			b.errAt(text.n, 1, fmt.Sprintf("the line is longer than %d bytes: it was not read", MaxLineBytes))
		}
		b.keep.keepLine(text.n, line, long)
		rd.feed(text.n, line)
		if b.full() { // kept even past MaxProblems: it says the file was not read to its end
			b.res.Errors = append(b.res.Errors, &model.ParseError{File: b.file, Line: text.n, Column: 1,
				Err: fmt.Errorf("the file has made more than %d policies, rules, filter lists, filters and filter actions by this line: the rest of it is not read", MaxObjects)})
			break
		}
	}
	rd.end()
	b.countDropped(text.n)
}

// notIPSec handles a file whose head holds no IPSec text: a blank file is
// a script with no data (as netsh writes an empty dump); anything else is
// ErrNotIPSec. Only a blank head is read on, to see that all is blank.
func notIPSec(b *builder, text *textLines) error {
	for !text.sawText {
		if _, _, ok := text.next(); !ok {
			break
		}
	}
	if text.sawText {
		return fmt.Errorf("%s: %w (neither a netsh ipsec script, a show all listing, ipsecpol commands nor netdiag output in its first %d bytes)", b.file, ErrNotIPSec, SniffBytes)
	}
	b.store.Form, b.store.NoData = formScript, true
	b.warnAt(0, 0, "the file is empty: no IPSec data (not the same as no policy)")
	return nil
}

// encodingWarnings puts what the decoding found in front of the warnings.
func encodingWarnings(b *builder, opts Options) {
	var w []model.Problem
	info := b.res.Encoding
	if info.Invalid > 0 {
		w = append(w, model.Problem{Loc: b.loc(0, 0), Message: fmt.Sprintf("%d bytes are not valid %s; they were replaced", info.Invalid, info.Encoding)})
	}
	// Assumed means the head is not valid UTF-8: it has 8-bit bytes.
	if info.Assumed && opts.CodePage == "" {
		w = append(w, model.Problem{Loc: b.loc(0, 0), Message: fmt.Sprintf("8-bit text decoded as %s, which was assumed: names and descriptions with accented or non-Latin letters may be wrong (a server's OEM code page is cp437/cp850 in the west, cp936 in China)", info.Encoding)})
	}
	b.res.Warnings = append(w, b.res.Warnings...)
}

// The forms of file Parse reads (PolicyStore.Form).
const (
	formScript   = model.FormScript
	formShowAll  = model.FormShowAll
	formIPSecPol = model.FormIpsecpol
	formNetdiag  = model.FormNetdiag
)
