package audit

import (
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/slab"
)

// release reduces a built host to what the rules read: its registry to
// what keep names (the facts are derived already), its policies to those
// keep keeps, and the text of its
// policy objects detached from the lines of the files they were read
// from, so that those lines can go; text that many hosts share (the same
// policy pushed to every server) is kept once, in strs. What the host
// keeps is then moved into memory that holds only what stays (package
// slab): packStores, packRegistry.
func release(h *model.Host, keep *model.Retention, omitCited bool, strs *interner) {
	h.IPSec = withoutCopies(h)
	for _, s := range h.IPSec {
		dropUnread(h, s, keep)
	}
	var cited citedLines // nil cites nothing: no output will show the lines
	if !omitCited {
		cited = citedPool.Get().(citedLines)
		defer func() { clear(cited); citedPool.Put(cited) }()
	}
	w := storeWalk{in: strs, cited: cited}
	for _, s := range h.IPSec {
		w.store(s)
	}
	packStores(h)
	cited.facts(h, strs.one)
	if h.Registry != nil {
		for _, c := range h.Registry.Conflicts {
			cited.add(c.Kept.Loc)
			cited.add(c.Lost.Loc)
		}
		h.Registry.Tree = h.Registry.Tree.Retain(keep, cited.has)
		h.Registry.Tree.ShareStrings(strs.one) // hosts name the same keys
		packRegistry(h)
	}
}

// packRegistry moves what the host keeps of its registry into memory of
// its own (RegTree.Pack), with the values the facts and the conflicts
// point to.
func packRegistry(h *model.Host) {
	nf := &h.Facts.NLBSFlags.Value
	cs := h.Registry.Conflicts
	extra := make([]*model.Value, 0, 2+2*len(cs))
	extra = append(extra, nf.Value, nf.Elsewhere)
	for _, c := range cs {
		extra = append(extra, c.Kept, c.Lost)
	}
	moved := h.Registry.Tree.Pack(extra...)
	nf.Value, nf.Elsewhere = moved[0], moved[1]
	for i := range cs {
		cs[i].Kept, cs[i].Lost = moved[2+2*i], moved[3+2*i]
	}
}

// citedLines are the lines of text inputs that a host's facts and policy
// objects were read from: outputs may cite them (SARIF shows the text
// there, rendered from the registry), so the registry keeps what it
// holds at those lines.
type citedLines map[lineRef]bool

// citedPool holds the maps release cites lines in, used again for host
// after host (a host cites a few hundred lines: a new map each time grew
// to that size again).
var citedPool = sync.Pool{New: func() any { return citedLines{} }}

type lineRef struct {
	file string
	line int
}

func (c citedLines) add(l model.Location) {
	if c != nil && l.Line > 0 {
		c[lineRef{l.File, int(l.Line)}] = true
	}
}

func (c citedLines) has(l model.Location) bool { return l.Line > 0 && c[lineRef{l.File, int(l.Line)}] }

// facts adds every location the host facts hold (the policy objects they
// point to are the stores'), and replaces the key and value names of each
// by one's copies: they are pieces of the registry text otherwise, which
// the facts would keep alive.
func (c citedLines) facts(h *model.Host, one func(string) string) {
	c.walk(reflect.ValueOf(&h.Facts).Elem(), one)
}

var (
	locationType = reflect.TypeFor[model.Location]()
	policyType   = reflect.TypeFor[*model.Policy]()
)

// walk adds the locations held in v, their names shared through one.
func (c citedLines) walk(v reflect.Value, one func(string) string) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == locationType {
			l := v.Interface().(model.Location)
			c.add(l)
			if v.CanSet() && (l.Key != "" || l.Value != "") {
				l.Key, l.Value = one(l.Key), one(l.Value)
				v.Set(reflect.ValueOf(l))
			}
			return
		}
		for i := range v.NumField() {
			c.walk(v.Field(i), one)
		}
	case reflect.Pointer:
		if !v.IsNil() && v.Type() != policyType {
			c.walk(v.Elem(), one)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			c.walk(v.Index(i), one)
		}
	}
}

// withoutCopies returns the host's policy stores without the registry's
// copies of what a netsh export holds: a registry local store all of whose
// policies a netsh export of the local store holds complete, under the
// same name, and none of which decides the host's traffic. The facts
// compared the two sources already; every rule reads the netsh policy
// first (and only one policy of a name).
func withoutCopies(h *model.Host) []*model.PolicyStore {
	netsh := map[string]bool{}
	for _, s := range h.IPSec {
		if s.Source != model.SourceNetsh || s.Store != model.StoreLocal || s.NoData {
			continue
		}
		for _, p := range s.Policies {
			if !p.Partial && p.Doubts.About("object") == nil && p.Doubts.About("rules") == nil {
				netsh[strings.ToLower(p.Name)] = true
			}
		}
	}
	used := h.Facts.Policy.Value.Policies()
	out := h.IPSec[:0:0]
	for _, s := range h.IPSec {
		if s.Source != model.SourceRegistry || s.Store != model.StoreLocal || len(s.Policies) == 0 || !copies(s, netsh, used) {
			out = append(out, s)
		}
	}
	return out
}

// dropUnread takes out of store s the policies of h that keep does not
// keep, and the filter lists and filter actions that only they use.
func dropUnread(h *model.Host, s *model.PolicyStore, keep *model.Retention) {
	var kept, dropped []*model.Policy
	for _, p := range s.Policies {
		if keep.KeepsPolicy(h, p) {
			kept = append(kept, p)
		} else {
			dropped = append(dropped, p)
		}
	}
	if len(dropped) == 0 {
		return
	}
	lists, actions := usedBy(dropped)
	keptLists, keptActions := usedBy(kept)
	s.Policies = kept
	s.FilterLists = slices.DeleteFunc(slices.Clone(s.FilterLists), func(l *model.FilterList) bool { return lists[l] && !keptLists[l] })
	s.FilterActions = slices.DeleteFunc(slices.Clone(s.FilterActions), func(a *model.FilterAction) bool { return actions[a] && !keptActions[a] })
}

// usedBy returns the filter lists and filter actions the rules of ps use.
func usedBy(ps []*model.Policy) (map[*model.FilterList]bool, map[*model.FilterAction]bool) {
	lists, actions := map[*model.FilterList]bool{}, map[*model.FilterAction]bool{}
	for _, p := range ps {
		for _, r := range p.Rules {
			if r.FilterList != nil {
				lists[r.FilterList] = true
			}
			if r.FilterAction != nil {
				actions[r.FilterAction] = true
			}
		}
	}
	return lists, actions
}

// copies reports whether every policy of s is in netsh (lower-case
// names) and none is among used.
func copies(s *model.PolicyStore, netsh map[string]bool, used []*model.Policy) bool {
	for _, p := range s.Policies {
		if !netsh[strings.ToLower(p.Name)] || slices.Contains(used, p) {
			return false
		}
	}
	return true
}

// interner keeps one copy of each string and each filter spec it is
// given; the workers share one.
type interner struct {
	mu    sync.Mutex
	strs  map[string]string
	specs map[model.FilterSpec]*model.FilterSpec
}

// storeWalk walks one host's policy stores, interning their strings in
// in and citing their locations in cited.
type storeWalk struct {
	in    *interner
	cited citedLines
	// sharedMethods is set for a netsh store: its security method lists
	// are the parser's shared, read-only ones (their strings are copies
	// already, and other workers read them), so they are left as they are.
	sharedMethods bool
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, specs: map[model.FilterSpec]*model.FilterSpec{}}
}

// one returns the interner's copy of s.
func (in *interner) one(s string) string {
	if s == "" {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.oneLocked(s)
}

func (in *interner) oneLocked(s string) string {
	if s == "" {
		return ""
	}
	if c, ok := in.strs[s]; ok {
		return c
	}
	c := retained.strs.Clone(s)
	in.strs[c] = c
	return c
}

// spec returns the interner's copy of a filter spec, its strings the
// interner's: the filters of a policy that many hosts hold share one
// spec (a fleet's hundreds of thousands of filters have a few thousand
// specs), so that a host keeps only where each was read.
func (in *interner) spec(s *model.FilterSpec) *model.FilterSpec {
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.specs[*s]; ok { // a lookup keeps none of s's strings
		return c
	}
	c := &retained.specs.Make(1)[0] // the parser's goes with its file
	*c = *s
	c.Description, c.GUID = in.oneLocked(s.Description), in.oneLocked(s.GUID)
	c.Src.Name, c.Dst.Name = in.oneLocked(s.Src.Name), in.oneLocked(s.Dst.Name)
	in.specs[*c] = c
	return c
}

// store replaces the strings of a store's objects, which parsers may have
// cut out of much longer lines of input, by the interner's copies.
// Every location met is cited.
func (in storeWalk) store(s *model.PolicyStore) {
	in.sharedMethods = s.Source == model.SourceNetsh
	cited := in.cited
	cited.add(s.StoreLoc)
	if s.IPSecExempt != nil {
		cited.add(s.IPSecExempt.Loc)
	}
	for _, p := range s.Problems {
		cited.add(p.Loc)
	}
	for _, p := range s.Policies {
		in.policy(p)
	}
	for _, l := range s.FilterLists {
		in.strs4(&l.Name, &l.Description, &l.GUID, nil)
		in.loc(&l.Loc)
		in.doubts(l.Doubts)
		for _, f := range l.Filters {
			f.FilterSpec = in.in.spec(f.FilterSpec)
			in.loc(&f.Loc)
			in.doubts(f.Doubts)
		}
	}
	for _, a := range s.FilterActions {
		in.action(a)
	}
}

func (in storeWalk) policy(p *model.Policy) {
	in.strs4(&p.Name, &p.Description, &p.GUID, &p.LastModified)
	in.loc(&p.Loc)
	in.loc(&p.AssignLoc)
	in.doubts(p.Doubts)
	for i := range p.MMSecMethods {
		if in.sharedMethods {
			break // the parser's shared lists (netsh)
		}
		m := &p.MMSecMethods[i]
		in.strs4(&m.Text, &m.Doubt, &m.Cipher, &m.Integrity)
		in.loc(&m.Loc)
	}
	for _, r := range p.Rules {
		in.strs4(&r.Name, &r.Description, &r.PolicyName, &r.GUID)
		in.strs4(&r.FilterListName, &r.FilterActionName, &r.TunnelEndpoint, nil)
		in.loc(&r.Loc)
		in.doubts(r.Doubts)
		for i := range r.Auth {
			in.strs4(&r.Auth[i].CA, nil, nil, nil)
			in.loc(&r.Auth[i].Loc)
		}
		if r.Default && r.FilterAction != nil {
			in.action(r.FilterAction) // its own, not among the store's
		}
	}
}

func (in storeWalk) action(a *model.FilterAction) {
	in.strs4(&a.Name, &a.Description, &a.GUID, nil)
	in.loc(&a.Loc)
	in.doubts(a.Doubts)
	for i := range a.Methods {
		if in.sharedMethods {
			break // the parser's shared lists (netsh)
		}
		m := &a.Methods[i]
		in.strs4(&m.Text, &m.Doubt, &m.AH, nil)
		in.loc(&m.Loc)
	}
}

// strs4 interns up to four strings (nil pointers are skipped).
func (in storeWalk) strs4(a, b, c, d *string) {
	for _, p := range []*string{a, b, c, d} {
		if p != nil {
			*p = in.in.one(*p)
		}
	}
}

// loc interns a location's registry key and value names (a file's name is
// already one string for all its locations), and cites it.
func (in storeWalk) loc(l *model.Location) {
	in.strs4(&l.Key, &l.Value, nil, nil)
	in.cited.add(*l)
}

func (in storeWalk) doubts(ds model.Doubts) {
	for i := range ds {
		in.strs4(&ds[i].Field, &ds[i].Reason, nil, nil)
		in.loc(&ds[i].Loc)
	}
}

// storeObjects are the policy objects of a host's stores, each once, in
// a fixed order: what packStores moves.
type storeObjects struct {
	stores  []*model.PolicyStore
	pols    []*model.Policy
	rules   []*model.Rule
	lists   []*model.FilterList
	actions []*model.FilterAction
	filters []*model.Filter
	seen    map[any]bool
}

// take adds x to *into unless it is nil or met already, and reports
// whether it did.
func take[T any](o *storeObjects, into *[]*T, x *T) bool {
	if x == nil || o.seen[x] {
		return false
	}
	o.seen[x] = true
	*into = append(*into, x)
	return true
}

func (o *storeObjects) list(l *model.FilterList) {
	if take(o, &o.lists, l) {
		for _, f := range l.Filters {
			take(o, &o.filters, f)
		}
	}
}

func collectStoreObjects(stores []*model.PolicyStore) *storeObjects {
	o := &storeObjects{seen: map[any]bool{}}
	for _, s := range stores {
		if !take(o, &o.stores, s) {
			continue
		}
		for _, p := range s.Policies {
			if take(o, &o.pols, p) {
				for _, r := range p.Rules {
					take(o, &o.rules, r)
				}
			}
		}
		for _, l := range s.FilterLists {
			o.list(l)
		}
		for _, a := range s.FilterActions {
			take(o, &o.actions, a)
		}
	}
	for _, r := range o.rules { // lists and actions of a rule's own
		o.list(r.FilterList)
		take(o, &o.actions, r.FilterAction)
	}
	return o
}

// packStores moves a released host's policy stores and their objects
// (policies, rules, filter lists, filters, filter actions, the doubts
// about them, the rules' authentication methods and every list of
// pointers between them) into chunks of what stays (package slab), and
// points the stores, the objects and the host's facts at the copies:
// made one by one while the host's files were read, each kept a run of
// the collector's memory for objects of its size from other uses. The
// filter specs and the security method lists stay shared.
func packStores(h *model.Host) {
	o := collectStoreObjects(h.IPSec)
	filterOf := moveAll(&retained.filters, o.filters, func(f *model.Filter) *model.Doubts { return &f.Doubts })
	listOf := moveAll(&retained.lists, o.lists, func(l *model.FilterList) *model.Doubts { return &l.Doubts })
	for _, l := range o.lists {
		c := listOf[l]
		c.Filters = remapAll(&retained.filterPtrs, c.Filters, filterOf)
	}
	actionOf := moveAll(&retained.actions, o.actions, func(a *model.FilterAction) *model.Doubts { return &a.Doubts })
	ruleOf := moveAll(&retained.rules, o.rules, func(r *model.Rule) *model.Doubts { return &r.Doubts })
	for _, r := range o.rules {
		c := ruleOf[r]
		c.Auth = slab.Copy(&retained.auth, c.Auth)
		c.FilterList, c.FilterAction = remap(c.FilterList, listOf), remap(c.FilterAction, actionOf)
	}
	polOf := moveAll(&retained.pols, o.pols, func(p *model.Policy) *model.Doubts { return &p.Doubts })
	for _, p := range o.pols {
		c := polOf[p]
		c.Rules = remapAll(&retained.rulePtrs, c.Rules, ruleOf)
	}
	storeOf := moveAll(&retained.stores, o.stores, func(*model.PolicyStore) *model.Doubts { return nil })
	for _, s := range o.stores {
		c := storeOf[s]
		c.Policies = remapAll(&retained.polPtrs, c.Policies, polOf)
		c.FilterLists = remapAll(&retained.listPtrs, c.FilterLists, listOf)
		c.FilterActions = remapAll(&retained.actionPtrs, c.FilterActions, actionOf)
	}
	h.IPSec = remapAll(&retained.storePtrs, h.IPSec, storeOf)
	ap := &h.Facts.Policy.Value
	ap.Policy = remap(ap.Policy, polOf)
	ap.Persistent = remapAll(&retained.polPtrs, ap.Persistent, polOf)
}

// moveAll copies objs into one block of s, each with its doubts (what
// doubts returns of the copy; nil for none) moved too, and returns where
// each went.
func moveAll[T any](s *slab.Slab[T], objs []*T, doubts func(*T) *model.Doubts) map[*T]*T {
	block := s.Make(len(objs))
	to := make(map[*T]*T, len(objs))
	for i, x := range objs {
		block[i] = *x
		if d := doubts(&block[i]); d != nil {
			*d = slab.Copy(&retained.doubts, *d)
		}
		to[x] = &block[i]
	}
	return to
}

// remap returns the copy of p, p itself when it has none.
func remap[T any](p *T, to map[*T]*T) *T {
	if c, ok := to[p]; ok {
		return c
	}
	return p
}

// remapAll returns the copies of ps (see remap) as a list made from s,
// nil or empty as ps was.
func remapAll[T any](s *slab.Slab[*T], ps []*T, to map[*T]*T) []*T {
	if len(ps) == 0 {
		return ps
	}
	out := s.Make(len(ps))
	for i, p := range ps {
		out[i] = remap(p, to)
	}
	return out
}

// retained is where what a fleet keeps of its hosts is made: the hosts
// and their files when made, what release keeps of their policies once
// the host is built (see package slab). Made one by one among the
// reading's garbage, they kept about 40 MB more memory from other uses
// at 10,000 hosts, and took the collector longer to scan.
var retained struct {
	hosts      slab.Slab[model.Host]
	files      slab.Slab[model.InputFile]
	auth       slab.Slab[model.AuthMethod]
	stores     slab.Slab[model.PolicyStore]
	pols       slab.Slab[model.Policy]
	rules      slab.Slab[model.Rule]
	lists      slab.Slab[model.FilterList]
	actions    slab.Slab[model.FilterAction]
	filters    slab.Slab[model.Filter]
	specs      slab.Slab[model.FilterSpec]
	strs       slab.Strings
	doubts     slab.Slab[model.Doubt]
	storePtrs  slab.Slab[*model.PolicyStore]
	polPtrs    slab.Slab[*model.Policy]
	rulePtrs   slab.Slab[*model.Rule]
	listPtrs   slab.Slab[*model.FilterList]
	actionPtrs slab.Slab[*model.FilterAction]
	filterPtrs slab.Slab[*model.Filter]
}
