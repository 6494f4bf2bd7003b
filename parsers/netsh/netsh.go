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
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// Options control how a file is read.
type Options struct {
	// CodePage is the code page of 8-bit text ("cp850", "cp936"); "" is
	// textenc's default. UTF-8 and UTF-16 are recognized by themselves.
	CodePage string
}

// Result is what Parse found in a file.
type Result struct {
	Store    *model.PolicyStore
	Encoding textenc.Info
	// Errors are malformed lines and unknown parameters; parsing went on
	// after each.
	Errors []*model.ParseError
	// Warnings are things understood only in part: unknown labels of a
	// listing, truncated names, objects referred to but never defined,
	// commands whose effect depends on the batch file's control flow.
	Warnings []model.Problem
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
	head := make([]byte, SniffBytes)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	head, err = head[:n], nil
	form := formOf(head, opts.CodePage)
	info := textenc.Sniff(head[:min(n, encodingHead)], opts.CodePage)
	res := &Result{Encoding: info, Store: newStore(file, form)}
	b := &builder{file: file, res: res, store: res.Store}
	text := newTextLines(head, r, info)
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
		b.finish()
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
		rd.feed(text.n, line)
	}
	rd.end()
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

// newStore is an empty store of a netsh file, in netsh's default store.
func newStore(file, form string) *model.PolicyStore {
	return &model.PolicyStore{File: file, Source: model.SourceNetsh, Form: form, Store: model.StoreLocal, Policies: []*model.Policy{}, FilterLists: []*model.FilterList{}, FilterActions: []*model.FilterAction{}}
}

// The forms of file Parse reads (PolicyStore.Form).
const (
	formScript   = model.FormScript
	formShowAll  = model.FormShowAll
	formIPSecPol = model.FormIpsecpol
	formNetdiag  = model.FormNetdiag
)

// builder turns parsed commands or listing blocks into a PolicyStore.
type builder struct {
	file  string
	res   *Result
	store *model.PolicyStore
	// noDataSeen is set by ERR IPsec lines; dumpFrame by `pushd ipsec`,
	// which a dump has even when the store is empty.
	noDataSeen, dumpFrame bool
	// ownedLists and ownedActions are made by ipsecpol for its rules, and
	// go when the policy goes.
	ownedLists   map[*model.Policy][]*model.FilterList
	ownedActions map[*model.Policy][]*model.FilterAction
	// lastList is the filter list last looked up by name: consecutive
	// add filter lines name the same list.
	lastList *model.FilterList
}

// filterList finds a filter list by name, the last one found first.
func (b *builder) filterList(name string) *model.FilterList {
	if l := b.lastList; l != nil && strings.EqualFold(l.Name, name) {
		for i := len(b.store.FilterLists) - 1; i >= 0; i-- { // still there?
			if b.store.FilterLists[i] == l {
				return l
			}
		}
	}
	b.lastList = b.store.FilterList(name)
	return b.lastList
}

func (b *builder) errAt(line, col int, msg string) {
	b.res.Errors = append(b.res.Errors, &model.ParseError{File: b.file, Line: line, Column: col, Err: errors.New(msg)})
}

func (b *builder) warnAt(line, col int, msg string) {
	b.res.Warnings = append(b.res.Warnings, model.Problem{Loc: model.Location{File: b.file, Line: line, Column: col}, Message: msg})
}

func (b *builder) loc(line, col int) model.Location {
	return model.Location{File: b.file, Line: line, Column: col}
}

// newPolicy makes a policy with netsh's defaults (FORMATS.md §3.1) and
// its default response rule.
func (b *builder) newPolicy(name string, loc model.Location) *model.Policy {
	p := &model.Policy{Name: name, MMLifetimeMin: 480, PollingIntervalMin: 180, ActivateDefaultRule: true, Rules: []*model.Rule{}, Loc: loc}
	p.Rules = append(p.Rules, &model.Rule{
		Name: "Default Response", PolicyName: name, Default: true, Active: true, ConnType: model.ConnAll,
		Auth: []model.AuthMethod{{Kind: model.AuthKerberos}}, FilterAction: &model.FilterAction{Name: "Default Response", Action: model.ActionNegotiate, Loc: loc}, Loc: loc,
	})
	b.store.Policies = append(b.store.Policies, p)
	return p
}

// setActivateDefault keeps the policy's flag and its default rule in step.
func setActivateDefault(p *model.Policy, on bool) {
	p.ActivateDefaultRule = on
	if d := p.DefaultRule(); d != nil {
		d.Active = on
	}
}

// assign makes p the assigned policy (a host has at most one).
func (b *builder) assign(p *model.Policy, on bool, loc model.Location) {
	if on {
		for _, q := range b.store.Policies {
			if q != p && q.Assigned {
				q.Assigned, q.AssignLoc = false, model.Location{}
				b.warnAt(loc.Line, loc.Column, fmt.Sprintf("assigning policy %q unassigns policy %q (a host has at most one assigned policy)", p.Name, q.Name))
			}
		}
		p.Assigned, p.AssignLoc = true, loc
		return
	}
	p.Assigned, p.AssignLoc = false, model.Location{}
}

func (b *builder) newFilterList(name string, loc model.Location) *model.FilterList {
	l := &model.FilterList{Name: name, Filters: []*model.Filter{}, Loc: loc}
	b.store.FilterLists = append(b.store.FilterLists, l)
	return l
}

func (b *builder) newFilterAction(name string, loc model.Location) *model.FilterAction {
	a := &model.FilterAction{Name: name, Action: model.ActionNegotiate, Loc: loc}
	b.store.FilterActions = append(b.store.FilterActions, a)
	return a
}

// removePolicy deletes a policy with its rules, and what ipsecpol made for it.
func (b *builder) removePolicy(p *model.Policy) {
	b.store.Policies = without(b.store.Policies, p)
	for _, l := range b.ownedLists[p] {
		b.store.FilterLists = without(b.store.FilterLists, l)
	}
	for _, a := range b.ownedActions[p] {
		b.store.FilterActions = without(b.store.FilterActions, a)
	}
}

func without[T comparable](list []T, x T) []T {
	out := list[:0]
	for _, v := range list {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// finish resolves the rules' filter lists and actions by name, and says
// whether the file held data at all.
func (b *builder) finish() {
	s := b.store
	for _, p := range s.Policies {
		p.Store = s.Store
		for _, r := range p.Rules {
			r.PolicyName = p.Name
			if r.Default {
				continue
			}
			r.FilterList, r.FilterAction = nil, nil
			if r.FilterListName != "" {
				r.FilterList = s.FilterList(r.FilterListName)
				if r.FilterList == nil {
					b.warnAt(r.Loc.Line, r.Loc.Column, fmt.Sprintf("rule %q of policy %q names filter list %q, which the file does not hold", r.Name, p.Name, r.FilterListName))
				}
			}
			if r.FilterActionName != "" {
				r.FilterAction = s.FilterAction(r.FilterActionName)
				if r.FilterAction == nil {
					b.warnAt(r.Loc.Line, r.Loc.Column, fmt.Sprintf("rule %q of policy %q names filter action %q, which the file does not hold", r.Name, p.Name, r.FilterActionName))
				}
			}
		}
	}
	empty := len(s.Policies) == 0 && len(s.FilterLists) == 0 && len(s.FilterActions) == 0 && s.IPSecExempt == nil
	if (b.noDataSeen || b.dumpFrame) && empty {
		s.NoData = true
	}
}
