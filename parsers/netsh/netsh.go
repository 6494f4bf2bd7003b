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
package netsh

import (
	"errors"
	"fmt"
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

// Parse reads one file. The error is non-nil (wrapping ErrNotIPSec) only
// when the text holds no IPSec content at all; problems inside the file
// are in Result.Errors and Result.Warnings.
func Parse(data []byte, file string, opts Options) (*Result, error) {
	text, info := textenc.Decode(data, opts.CodePage)
	res := &Result{Encoding: info, Store: newStore(file, "")}
	b := &builder{file: file, res: res, store: res.Store}
	if info.Invalid > 0 {
		b.warnAt(0, 0, fmt.Sprintf("%d bytes are not valid %s; they were replaced", info.Invalid, info.Encoding))
	}
	if info.Assumed && opts.CodePage == "" && hasHighBytes(data) {
		b.warnAt(0, 0, fmt.Sprintf("8-bit text decoded as %s, which was assumed: names and descriptions with accented or non-Latin letters may be wrong (a server's OEM code page is cp437/cp850 in the west, cp936 in China)", info.Encoding))
	}
	s := strings.ReplaceAll(string(text), "\x00", "")
	lines := physicalLines(s)
	if strings.TrimSpace(s) == "" {
		res.Store.Form = formScript
		res.Store.NoData = true
		b.warnAt(0, 0, "the file is empty: no IPSec data (not the same as no policy)")
		return res, nil
	}
	form := formOf(data, opts.CodePage)
	res.Store.Form = form
	switch form {
	case formShowAll:
		parseListing(b, lines)
	case formNetdiag:
		parseNetdiag(b, lines)
	case formScript, formIPSecPol:
		if form == formIPSecPol {
			b.warnAt(0, 0, "ipsecpol/ipseccmd command script (Windows 2000 Resource Kit / XP Support Tools): read as the static policy its -w REG/DS commands make; dynamic-mode commands are skipped")
		}
		parseScript(b, lines)
	default:
		return res, fmt.Errorf("%s: %w (neither a netsh ipsec script, a show all listing, ipsecpol commands nor netdiag output in its first %d bytes)", file, ErrNotIPSec, SniffBytes)
	}
	b.finish()
	return res, nil
}

// newStore is an empty store of a netsh file, in netsh's default store.
func newStore(file, form string) *model.PolicyStore {
	return &model.PolicyStore{File: file, Source: model.SourceNetsh, Form: form, Store: model.StoreLocal, Policies: []*model.Policy{}, FilterLists: []*model.FilterList{}, FilterActions: []*model.FilterAction{}}
}

// hasHighBytes reports whether data has bytes outside ASCII.
func hasHighBytes(data []byte) bool {
	for _, c := range data {
		if c >= 0x80 {
			return true
		}
	}
	return false
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
