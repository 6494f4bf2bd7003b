package gpipsec

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ipseclint/ipseclint/internal/model"
)

// storeBuilder turns the object keys of one store into a PolicyStore.
type storeBuilder struct {
	r         *model.Registry
	ps        *model.PolicyStore
	path      string
	objs      map[string]*object // by token
	byCls     [len(classNames)][]*object
	lists     map[*object]*model.FilterList
	actions   map[*object]*model.FilterAction
	isDefault map[*object]bool
	nfas      map[*object]*nfaBlob
	isakmps   map[*object]*isakmpBlob
	policies  map[*object]*model.Policy
	// missing lists, per referring object, the keys its references name
	// that the store does not hold; nfaOf the NFAs a policy resolved.
	missing map[*object][]string
	nfaOf   map[*object][]*object
	noted   map[*object]bool
	// dropped counts the problems past MaxProblems, not kept.
	dropped int
	// doubts is where a policy's doubts are gathered, used again policy
	// after policy: a policy object of the registry gathers a dozen,
	// one list or a few at a time, and growing each policy's own list
	// to that was a twentieth of what an audit of 10,000 hosts allocated.
	doubts model.Doubts
}

// MaxProblems is the most problems kept for one store, and for the
// registry outside the stores; further ones are counted in a last one,
// so that a registry of many broken objects cannot grow the report.
const MaxProblems = 1000

// Fields each class's blob holds, doubted together when it cannot be read.
var (
	policyFields = []string{"pollingIntervalMinutes"}
	nfaFields    = []string{"auth", "connType", "tunnelEndpoint", "active"}
	negPolFields = []string{"qmSecMethods", "qmpfs"}
	filterFields = []string{"filters"}
)

// softDoubt is on every registry filter action (GPIPSEC.md §7).
const softDoubt = "how 'allow unsecured communication with non-IPSec-aware computers' is stored is not established by any public source (MS-GPIPSEC)"

func newStoreBuilder(r *model.Registry, store model.Store, path string) *storeBuilder {
	loc := keyLoc(r.Key(path), path)
	if k := r.Key(path); k != nil {
		path = k.Path
	}
	return &storeBuilder{r: r, path: path,
		ps: &model.PolicyStore{Source: model.SourceRegistry, Form: model.FormRegistry, Store: store, StoreLoc: loc,
			Policies: []*model.Policy{}, FilterLists: []*model.FilterList{}, FilterActions: []*model.FilterAction{}},
		objs: map[string]*object{}, lists: map[*object]*model.FilterList{}, actions: map[*object]*model.FilterAction{},
		isDefault: map[*object]bool{}, nfas: map[*object]*nfaBlob{}, isakmps: map[*object]*isakmpBlob{},
		policies: map[*object]*model.Policy{}, missing: map[*object][]string{}, nfaOf: map[*object][]*object{}, noted: map[*object]bool{}}
}

func (sb *storeBuilder) note(loc model.Location, msg string) {
	if len(sb.ps.Problems) >= MaxProblems {
		sb.dropped++
		return
	}
	sb.ps.Problems = append(sb.ps.Problems, model.Problem{Loc: loc, Message: msg})
}

// countDropped adds the count of the problems not kept.
func (sb *storeBuilder) countDropped() {
	if sb.dropped > 0 {
		sb.ps.Problems = append(sb.ps.Problems, model.Problem{Loc: sb.ps.StoreLoc, Message: fmt.Sprintf("%d more problems of this store not listed", sb.dropped)})
		sb.dropped = 0
	}
}

// notes reports a decoder's notes about o's blob, once per object.
func (sb *storeBuilder) notes(o *object, fs []finding) {
	if sb.noted[o] {
		return
	}
	sb.noted[o] = true
	bl := o.dataLoc()
	for _, f := range fs {
		sb.note(bl.at(f.Off), fmt.Sprintf("%s ipsecData at offset %d: %s", o.name, f.Off, f.Msg))
	}
}

// build reads the objects named (subkeys of the store's key) and links them.
func (sb *storeBuilder) build(names []string) {
	for _, name := range names {
		m := objectKeyRe.FindStringSubmatch(name)
		cls, ok := classOf(m[1])
		if !ok {
			p := sb.path + `\` + name
			sb.note(keyLoc(sb.r.Key(p), p), fmt.Sprintf("%s: an object of the unknown class %q, not understood", name, m[1]))
			continue
		}
		o := sb.newObject(cls, name, sb.path+`\`+name)
		sb.objs[o.token] = o
		sb.byCls[cls] = append(sb.byCls[cls], o)
	}
	for _, o := range sb.byCls[clsFilter] {
		sb.ps.FilterLists = append(sb.ps.FilterLists, sb.filterList(o))
	}
	for _, o := range sb.byCls[clsNegPol] {
		if a := sb.filterAction(o); !sb.isDefault[o] {
			sb.ps.FilterActions = append(sb.ps.FilterActions, a)
		}
	}
	for _, o := range sb.byCls[clsISAKMP] {
		if o.data != nil {
			sb.isakmps[o] = decodeISAKMPBlob(o.data.Data)
		}
	}
	for _, o := range sb.byCls[clsNFA] {
		if o.data != nil {
			sb.nfas[o] = decodeNFABlob(o.data.Data)
		}
	}
	for _, o := range sb.byCls[clsPolicy] {
		p := sb.policy(o)
		sb.policies[o] = p
		sb.ps.Policies = append(sb.ps.Policies, p)
	}
	sb.unreferenced()
}

// unknownFields doubts each field for the object's own doubts (no data,
// a data type not understood).
func unknownFields(ds *model.Doubts, o *object, fields []string) {
	*ds = append(*ds, o.doubts...)
	if o.data != nil {
		return
	}
	for _, od := range o.doubts {
		for _, f := range fields {
			*ds = append(*ds, model.Doubt{Field: f, Reason: od.Reason, Loc: od.Loc})
		}
	}
}

// name returns the object's display name, or its key name.
func (o *object) nameOr(fallback string) string {
	if n := o.displayName(); n != "" {
		return n
	}
	return fallback
}

func (sb *storeBuilder) filterList(o *object) *model.FilterList {
	l := &model.FilterList{Name: o.nameOr(o.name), Description: o.str("description"), GUID: o.guid, Filters: []*model.Filter{}, Loc: o.loc}
	unknownFields(&l.Doubts, o, filterFields)
	if o.data != nil {
		sb.notes(o, mapFilterBlob(decodeFilterBlob(o.data.Data), l, o.dataLoc()))
	}
	sb.lists[o] = l
	return l
}

func (sb *storeBuilder) filterAction(o *object) *model.FilterAction {
	a := &model.FilterAction{Description: o.str("description"), GUID: o.guid, Loc: o.loc}
	unknownFields(&a.Doubts, o, negPolFields)
	sb.actionKind(o, a)
	a.Name = o.nameOr(o.name)
	if sb.isDefault[o] {
		a.Name = o.nameOr("Default Response")
	}
	a.Doubts = append(a.Doubts, model.Doubt{Field: "soft", Reason: softDoubt, Loc: o.loc})
	if o.data != nil {
		sb.notes(o, mapNegPol(decodeNegPolBlob(o.data.Data), a, o.dataLoc(), a.Action == model.ActionNegotiate))
	}
	sb.actions[o] = a
	return a
}

// actionKind reads ipsecNegotiationPolicyAction and …Type (GPIPSEC.md §4.3).
func (sb *storeBuilder) actionKind(o *object, a *model.FilterAction) {
	v := o.key.Value("ipsecNegotiationPolicyAction")
	g, ok := parseGUID(o.str("ipsecNegotiationPolicyAction"))
	switch {
	case ok && g == actionNegotiate:
		a.Action = model.ActionNegotiate
	case ok && g == actionInPass:
		a.Action, a.InPass = model.ActionNegotiate, true
	case ok && g == actionPermit:
		a.Action = model.ActionPermit
	case ok && g == actionBlock:
		a.Action = model.ActionBlock
	case v == nil:
		a.Doubts = append(a.Doubts, model.Doubt{Field: "action", Loc: o.loc, Reason: "no ipsecNegotiationPolicyAction value: what the action does is unknown"})
	default:
		a.Doubts = append(a.Doubts, model.Doubt{Field: "action", Loc: v.Loc, Reason: fmt.Sprintf("ipsecNegotiationPolicyAction %s is not a known action GUID: not understood", v.Display())})
	}
	t := o.key.Value("ipsecNegotiationPolicyType")
	g, ok = parseGUID(o.str("ipsecNegotiationPolicyType"))
	switch {
	case ok && g == negTypeDefault:
		sb.isDefault[o] = true
	case ok && g == negTypeStandard:
	case t == nil:
		a.Doubts = append(a.Doubts, model.Doubt{Field: "type", Loc: o.loc, Reason: "no ipsecNegotiationPolicyType value: whether this is a default response action is unknown (read as a standard action)"})
	default:
		a.Doubts = append(a.Doubts, model.Doubt{Field: "type", Loc: t.Loc, Reason: fmt.Sprintf("ipsecNegotiationPolicyType %s is not a known type GUID: not understood (read as a standard action)", t.Display())})
	}
}

func (sb *storeBuilder) policy(o *object) *model.Policy {
	p := &model.Policy{Name: o.nameOr(o.name), Description: o.str("description"), GUID: o.guid, Store: sb.ps.Store, Rules: []*model.Rule{}, Loc: o.loc}
	p.Doubts = sb.doubts[:0]
	defer func() {
		sb.doubts = p.Doubts[:0]
		p.Doubts = slices.Clone(p.Doubts)
		if len(p.Doubts) == 0 {
			p.Doubts = nil
		}
	}()
	if n, ok := o.key.Value("whenChanged").AsDWORD(); ok && n != 0 {
		p.LastModified = time.Unix(int64(n), 0).UTC().Format(time.RFC3339)
	}
	unknownFields(&p.Doubts, o, policyFields)
	if o.data != nil {
		sb.notes(o, mapPolicyBlob(decodePolicyBlob(o.data.Data), p, o.dataLoc()))
	}
	sb.policyISAKMP(o, p)
	nfas, ds, present := sb.resolve(o, "ipsecNFAReference", clsNFA)
	p.Doubts = append(p.Doubts, withField("rules", ds)...)
	if !present {
		p.Doubts = append(p.Doubts, model.Doubt{Field: "rules", Loc: o.loc, Reason: "no ipsecNFAReference value: the policy's rules are unknown"})
	}
	sb.nfaOf[o] = nfas
	for _, n := range nfas {
		p.Rules = append(p.Rules, sb.rules(p, n)...)
	}
	if d := p.DefaultRule(); d != nil {
		p.ActivateDefaultRule = d.Active
	}
	return p
}

func (sb *storeBuilder) policyISAKMP(o *object, p *model.Policy) {
	isk, ds, present := sb.resolve(o, "ipsecISAKMPReference", clsISAKMP)
	for _, d := range ds {
		mmUnknown(p, d.Reason, d.Loc)
	}
	switch {
	case !present:
		mmUnknown(p, "no ipsecISAKMPReference value: the main-mode settings are unknown", o.loc)
	case len(isk) > 1:
		mmUnknown(p, fmt.Sprintf("ipsecISAKMPReference names %d ISAKMP objects; one is expected (the first is used)", len(isk)), o.key.Value("ipsecISAKMPReference").Loc)
	}
	if len(isk) == 0 {
		return
	}
	io := isk[0]
	var ds2 model.Doubts
	unknownFields(&ds2, io, mmFields)
	p.Doubts = append(p.Doubts, ds2...)
	if ib := sb.isakmps[io]; ib != nil {
		sb.notes(io, mapISAKMP(ib, p, io.dataLoc()))
	}
}

// withField sets the field of reference doubts.
func withField(field string, ds []model.Doubt) []model.Doubt {
	for i := range ds {
		ds[i].Field = field
	}
	return ds
}

// rules makes the rule(s) of one NFA: one per filter list it names (the
// model's rule has one list; [MS-GPIPSEC] allows several).
func (sb *storeBuilder) rules(p *model.Policy, o *object) []*model.Rule {
	r := &model.Rule{Name: o.displayName(), Description: o.str("description"), PolicyName: p.Name, GUID: o.guid, Loc: o.loc}
	unknownFields(&r.Doubts, o, nfaFields)
	if nb := sb.nfas[o]; nb != nil {
		sb.notes(o, mapNFA(nb, r, o.dataLoc()))
	}
	sb.ruleAction(o, r)
	lists, ds, present := sb.resolve(o, "ipsecFilterReference", clsFilter)
	r.Doubts = append(r.Doubts, withField("filterList", ds)...)
	switch {
	case r.Default:
		if r.Name == "" {
			r.Name = "Default Response"
		}
		if len(lists) > 0 {
			sb.note(o.loc, o.name+": the default response rule names a filter list; it is kept, though such a rule has none")
		}
	case len(lists) == 0 && len(ds) == 0:
		why := "no ipsecFilterReference value"
		if present {
			why = "ipsecFilterReference names no filter list"
		}
		r.Doubts = append(r.Doubts, model.Doubt{Field: "filterList", Loc: o.loc, Reason: why + ": the traffic the rule applies to is unknown"})
	}
	if len(lists) == 0 {
		if r.Name == "" {
			r.Name = o.name
		}
		return []*model.Rule{r}
	}
	out := make([]*model.Rule, 0, len(lists))
	for _, lo := range lists {
		c := *r
		c.Doubts = append(model.Doubts(nil), r.Doubts...)
		c.Auth = append([]model.AuthMethod(nil), r.Auth...)
		c.FilterList = sb.lists[lo]
		c.FilterListName = c.FilterList.Name
		if c.Name == "" {
			c.Name = c.FilterList.Name
		}
		out = append(out, &c)
	}
	return out
}

func (sb *storeBuilder) ruleAction(o *object, r *model.Rule) {
	acts, ds, present := sb.resolve(o, "ipsecNegotiationPolicyReference", clsNegPol)
	r.Doubts = append(r.Doubts, withField("filterAction", ds)...)
	switch {
	case !present:
		r.Doubts = append(r.Doubts, model.Doubt{Field: "filterAction", Loc: o.loc, Reason: "no ipsecNegotiationPolicyReference value: what the rule does is unknown"})
	case len(acts) > 1:
		r.Doubts = append(r.Doubts, model.Doubt{Field: "filterAction", Loc: o.key.Value("ipsecNegotiationPolicyReference").Loc,
			Reason: fmt.Sprintf("ipsecNegotiationPolicyReference names %d filter actions; one is expected (the first is used)", len(acts))})
	}
	if len(acts) > 0 {
		r.FilterAction = sb.actions[acts[0]]
		r.FilterActionName = r.FilterAction.Name
		r.Default = sb.isDefault[acts[0]]
	}
}

// resolve follows the references in one value of from to objects of
// class want in the same store, by object-name token (GPIPSEC.md §1.3).
// Each reference that does not resolve (no token, several, wrong class,
// itself, absent) is a doubt returned without its field, and a problem of
// the store; absent targets are remembered as keys to export.
func (sb *storeBuilder) resolve(from *object, value string, want class) (out []*object, ds []model.Doubt, present bool) {
	v := from.key.Value(value)
	if v == nil {
		return nil, nil, false
	}
	bad := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		ds = append(ds, model.Doubt{Reason: msg, Loc: v.Loc})
		sb.note(v.Loc, from.name+": "+msg)
	}
	ss, ok := refStrings(v)
	if !ok {
		bad("%s is %s, not REG_SZ or REG_MULTI_SZ: not understood", value, v.Type)
		return nil, ds, true
	}
	seen := map[string]bool{}
	for _, s := range ss {
		toks := uniqueTokens(s)
		if len(toks) != 1 {
			bad("%s %q names %d ipsec objects; one is expected: not understood", value, s, len(toks))
			continue
		}
		tok := toks[0]
		m := objectKeyRe.FindStringSubmatch(tok)
		cls, _ := classOf(m[1])
		t := sb.objs[strings.ToLower(tok)]
		switch {
		case strings.EqualFold(tok, from.name):
			bad("%s names the object itself (a cycle): not understood", value)
		case cls != want:
			bad("%s names %s, an %s, where an %s is expected: not understood", value, tok, cls, want)
		case t == nil:
			key := sb.path + `\` + tok
			sb.missing[from] = appendOnce(sb.missing[from], key)
			bad("%s names %s, which the store does not hold (not in the exports, or deleted): export %s", value, tok, key)
		case seen[t.token]:
			sb.note(v.Loc, fmt.Sprintf("%s: %s names %s twice; it is used once", from.name, value, tok))
		default:
			seen[t.token] = true
			t.refs++
			sb.checkOwners(from, t)
			out = append(out, t)
		}
	}
	return out, ds, true
}

func uniqueTokens(s string) []string {
	var out []string
	for _, t := range tokenRe.FindAllString(s, -1) {
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, t)
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

// checkOwners warns when t's ipsecOwnersReference, where present, does
// not name from (GPIPSEC.md §6.7).
func (sb *storeBuilder) checkOwners(from, t *object) {
	v := t.key.Value("ipsecOwnersReference")
	ss, ok := refStrings(v)
	if v == nil || !ok {
		return
	}
	for _, s := range ss {
		for _, tok := range uniqueTokens(s) {
			if strings.EqualFold(tok, from.name) {
				return
			}
		}
	}
	sb.note(v.Loc, fmt.Sprintf("%s is referred to by %s, but its ipsecOwnersReference does not name it", t.name, from.name))
}

// unreferenced reports objects no other object of the store refers to.
func (sb *storeBuilder) unreferenced() {
	for cls := clsISAKMP; cls <= clsFilter; cls++ {
		for _, o := range sb.byCls[cls] {
			if o.refs == 0 {
				sb.note(o.loc, o.name+": no object of the store refers to it (information: it takes part in no policy)")
			}
		}
	}
}

// missingKeys lists the keys a policy's references name that the store
// does not hold, the policy's own and its rules'.
func (sb *storeBuilder) missingKeys(o *object) []string {
	out := append([]string(nil), sb.missing[o]...)
	for _, n := range sb.nfaOf[o] {
		for _, k := range sb.missing[n] {
			out = appendOnce(out, k)
		}
	}
	return out
}
