package netsh

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// builder turns parsed commands or listing blocks into policy stores: a
// script may switch store as it goes (`set store location=persistent`,
// then `local`), and every object is made in the store current at its
// line.
type builder struct {
	file, form string
	res        *Result
	// store is the current store; byLoc every store the file has named,
	// by location; used says which are in res.Stores (those a command
	// acted on, in the order of the first). used and noData are made
	// when first written: a sniffed head (a builder of its own) writes
	// neither, most often.
	store *model.PolicyStore
	byLoc map[model.Store]*model.PolicyStore
	used  map[*model.PolicyStore]bool
	// noData holds the stores an ERR IPsec line was seen in; dumpFrame is
	// set by `pushd ipsec`, which a dump has even when the store is empty.
	noData    map[*model.PolicyStore]bool
	dumpFrame bool
	// ownedLists and ownedActions are made by ipsecpol for its rules, and
	// go when the policy goes.
	ownedLists   map[*model.Policy][]*model.FilterList
	ownedActions map[*model.Policy][]*model.FilterAction
	// lastList is the filter list last looked up by name: consecutive
	// add filter lines name the same list.
	lastList *model.FilterList
	// keep keeps the text (Options.KeepText); nil when not asked.
	keep *keeper
	// objects counts the policies, rules, filter lists, filters and
	// filter actions made, against MaxObjects; dropped counts the errors
	// and warnings past MaxProblems, which are not kept.
	objects                   int
	droppedErrs, droppedWarns int
}

// Bounds on what one file may make the parser hold, so that memory
// follows what a real policy holds, not what a file claims.
const (
	// MaxObjects is the most policies, rules, filter lists, filters and
	// filter actions read from one file (about 50 MB in memory); the
	// rest of the file is not read. A policy of 50,000 filters is read.
	MaxObjects = 100_000
	// MaxProblems is the most errors, and the most warnings, kept for
	// one file; further ones are counted in a last one.
	MaxProblems = 1000
)

// made counts n objects made.
func (b *builder) made(n int) { b.objects += n }

// full reports whether the file has made more than MaxObjects objects.
func (b *builder) full() bool { return b.objects > MaxObjects }

// newBuilder starts the stores of a file of the given form, in netsh's
// default (local) store.
func newBuilder(file, form string, res *Result) *builder {
	s := newStore(file, form)
	return &builder{file: file, form: form, res: res, store: s,
		byLoc: map[model.Store]*model.PolicyStore{model.StoreLocal: s}}
}

// newStore is an empty store of a netsh file, in netsh's default store.
func newStore(file, form string) *model.PolicyStore {
	return &model.PolicyStore{File: file, Source: model.SourceNetsh, Form: form, Store: model.StoreLocal, Policies: []*model.Policy{}, FilterLists: []*model.FilterList{}, FilterActions: []*model.FilterAction{}}
}

// switchStore makes the store of that location current (`set store`,
// ipsecpol -w); at is where the line names it, kept as the store's
// StoreLoc the first time.
func (b *builder) switchStore(loc model.Store, at model.Location) {
	s := b.byLoc[loc]
	if s == nil {
		s = newStore(b.file, b.form)
		s.Store = loc
		b.byLoc[loc] = s
	}
	if s.StoreLoc.IsZero() {
		s.StoreLoc = at
	}
	b.store = s
}

// use marks the current store as acted on: it is one of the file's.
func (b *builder) use() {
	if !b.used[b.store] {
		if b.used == nil {
			b.used = map[*model.PolicyStore]bool{}
		}
		b.used[b.store] = true
		b.res.Stores = append(b.res.Stores, b.store)
	}
}

// sawNoData records an ERR IPsec line ("No Policies in Policy Store")
// about the current store.
func (b *builder) sawNoData() {
	b.use()
	if b.noData == nil {
		b.noData = map[*model.PolicyStore]bool{}
	}
	b.noData[b.store] = true
}

// stores are the file's stores: those acted on, or else the current one.
func (b *builder) stores() []*model.PolicyStore {
	if len(b.res.Stores) == 0 {
		return []*model.PolicyStore{b.store}
	}
	return b.res.Stores
}

// close sets the Result's stores, whatever was read.
func (b *builder) close() {
	b.res.Stores = b.stores()
	b.res.Store = b.res.Stores[0]
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
	if len(b.res.Errors) >= MaxProblems {
		b.droppedErrs++
		return
	}
	b.res.Errors = append(b.res.Errors, &model.ParseError{File: b.file, Line: line, Column: col, Err: errors.New(msg)})
}

func (b *builder) warnAt(line, col int, msg string) {
	if len(b.res.Warnings) >= MaxProblems {
		b.droppedWarns++
		return
	}
	b.res.Warnings = append(b.res.Warnings, model.Problem{Loc: model.Location{File: b.file, Line: int32(line), Column: int32(col)}, Message: msg})
}

// countDropped adds, at line n, the errors and warnings not kept.
func (b *builder) countDropped(n int) {
	if b.droppedErrs > 0 {
		b.res.Errors = append(b.res.Errors, &model.ParseError{File: b.file, Line: n, Column: 1, Err: fmt.Errorf("%d more errors not listed", b.droppedErrs)})
	}
	if b.droppedWarns > 0 {
		b.res.Warnings = append(b.res.Warnings, model.Problem{Loc: b.loc(n, 1), Message: fmt.Sprintf("%d more warnings not listed", b.droppedWarns)})
	}
}

func (b *builder) loc(line, col int) model.Location {
	return model.Location{File: b.file, Line: int32(line), Column: int32(col)}
}

// newPolicy makes a policy with netsh's defaults (FORMATS.md §3.1) and
// its default response rule.
func (b *builder) newPolicy(name string, loc model.Location) *model.Policy {
	b.made(2) // the policy and its default response rule
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

// assign makes p the assigned policy of the current store (a store has
// at most one; the host's persistent store applies in addition to its
// local or domain one).
func (b *builder) assign(p *model.Policy, on bool, loc model.Location) {
	if on {
		for _, q := range b.store.Policies {
			if q != p && q.Assigned {
				q.Assigned, q.AssignLoc = false, model.Location{}
				b.warnAt(int(loc.Line), int(loc.Column), fmt.Sprintf("assigning policy %q unassigns policy %q (a store has at most one assigned policy)", p.Name, q.Name))
			}
		}
		p.Assigned, p.AssignLoc = true, loc
		return
	}
	p.Assigned, p.AssignLoc = false, model.Location{}
}

func (b *builder) newFilterList(name string, loc model.Location) *model.FilterList {
	b.made(1)
	l := &model.FilterList{Name: name, Filters: []*model.Filter{}, Loc: loc}
	b.store.FilterLists = append(b.store.FilterLists, l)
	return l
}

func (b *builder) newFilterAction(name string, loc model.Location) *model.FilterAction {
	b.made(1)
	a := &model.FilterAction{Name: name, Action: model.ActionNegotiate, Loc: loc}
	b.store.FilterActions = append(b.store.FilterActions, a)
	return a
}

// removePolicy deletes a policy of the current store with its rules, and
// what ipsecpol made for it.
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

// finish resolves the rules' filter lists and actions by name in their
// own store, and says of each store whether the file held data about it.
func (b *builder) finish() {
	b.close()
	for _, s := range b.res.Stores {
		where := ""
		if len(b.res.Stores) > 1 {
			where = fmt.Sprintf(" in the %s store", s.Store)
		}
		for _, p := range s.Policies {
			p.Store = s.Store
			for _, r := range p.Rules {
				b.resolve(s, p, r, where)
			}
		}
		empty := len(s.Policies) == 0 && len(s.FilterLists) == 0 && len(s.FilterActions) == 0 && s.IPSecExempt == nil
		if (b.noData[s] || b.dumpFrame) && empty {
			s.NoData = true
		}
	}
}

// resolve finds a rule's filter list and action in its store.
func (b *builder) resolve(s *model.PolicyStore, p *model.Policy, r *model.Rule, where string) {
	r.PolicyName = p.Name
	if r.Default {
		return
	}
	r.FilterList, r.FilterAction = nil, nil
	if r.FilterListName != "" {
		r.FilterList = s.FilterList(r.FilterListName)
		if r.FilterList == nil {
			b.warnAt(int(r.Loc.Line), int(r.Loc.Column), fmt.Sprintf("rule %q of policy %q names filter list %q, which the file does not hold%s", r.Name, p.Name, r.FilterListName, where))
		}
	}
	if r.FilterActionName != "" {
		r.FilterAction = s.FilterAction(r.FilterActionName)
		if r.FilterAction == nil {
			b.warnAt(int(r.Loc.Line), int(r.Loc.Column), fmt.Sprintf("rule %q of policy %q names filter action %q, which the file does not hold%s", r.Name, p.Name, r.FilterActionName, where))
		}
	}
}
