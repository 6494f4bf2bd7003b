package policywriter

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The object classes (GPIPSEC.md §1.1).
const (
	clsPolicy = "ipsecPolicy"
	clsISAKMP = "ipsecISAKMPPolicy"
	clsNFA    = "ipsecNFA"
	clsNegPol = "ipsecNegotiationPolicy"
	clsFilter = "ipsecFilter"
)

const ownersValue = "ipsecOwnersReference"

// objectTokenRe finds an object-name token in a reference (GPIPSEC.md §1.3).
var objectTokenRe = regexp.MustCompile(`(?i)ipsec(?:ISAKMPPolicy|NegotiationPolicy|Policy|NFA|Filter)\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}`)

// object is one registry key to write.
type object struct {
	cls    string
	g      guid
	path   string
	values []*model.Value // every value but ipsecOwnersReference
	owners []string       // references of the objects that own it
	what   string         // the model object, for errors
}

func (o *object) name() string { return o.cls + o.g.String() }

// own adds a back-link, once.
func (o *object) own(ref string) {
	for _, r := range o.owners {
		if strings.EqualFold(r, ref) {
			return
		}
	}
	o.owners = append(o.owners, ref)
}

// builder turns model objects into registry objects, collecting every
// error before anything is written.
type builder struct {
	store   string
	opts    Options
	changed uint32
	objs    map[string]*object // by lower-case key name
	order   []*object
	errs    []error
	// lists and actions are the model's shared objects already built
	// (each is checked and reported once).
	lists   map[*model.FilterList]*object
	actions map[*model.FilterAction]*object
}

func newBuilder(store string, opts Options) (*builder, error) {
	t := opts.WhenChanged
	if t.IsZero() {
		t = defaultWhenChanged
	}
	if t.Unix() <= 0 || t.Unix() > 0xFFFFFFFF {
		return nil, fmt.Errorf("policywriter: WhenChanged %s does not fit whenChanged (a DWORD of Unix seconds)", t)
	}
	if opts.Me.IsValid() && !opts.Me.Is4() {
		return nil, fmt.Errorf("policywriter: Me %s: legacy filters hold IPv4 addresses only", opts.Me)
	}
	return &builder{store: store, opts: opts, changed: uint32(t.Unix()), objs: map[string]*object{},
		lists: map[*model.FilterList]*object{}, actions: map[*model.FilterAction]*object{}}, nil
}

func (b *builder) fail(what, field string, loc model.Location, format string, args ...any) {
	b.errs = append(b.errs, &Error{Object: what, Field: field, Reason: fmt.Sprintf(format, args...), Loc: loc})
}

// guidOf returns the model's GUID, or one derived from parts when the
// model holds none.
func (b *builder) guidOf(have, what string, loc model.Location, parts ...string) guid {
	if have == "" {
		return derive(b.opts.Seed, parts...)
	}
	g, ok := parseGUID(have)
	if !ok {
		b.fail(what, "guid", loc, "%q is not a GUID", have)
	}
	return g
}

// newObject starts an object with the values every class has first.
func (b *builder) newObject(cls string, g guid, what string) *object {
	o := &object{cls: cls, g: g, what: what}
	o.path = b.store + `\` + o.name()
	o.add(sz(o.path, "ClassName", cls))
	o.add(sz(o.path, "ipsecID", g.String()))
	return o
}

func (o *object) add(v *model.Value) { o.values = append(o.values, v) }

// finish adds the values every class has after its own ones (which the
// caller has added after ClassName and ipsecID), in the order the real
// Windows 2000 export lists them: ipsecName (when given; nil leaves it
// out), ipsecDataType, description (when given), ipsecData, whenChanged,
// name; then the class's reference values (post). It records the object.
func (b *builder) finish(o *object, ipsecName *string, description *string, data []byte, post ...*model.Value) *object {
	if ipsecName != nil {
		o.add(sz(o.path, "ipsecName", *ipsecName))
	}
	o.add(dword(o.path, "ipsecDataType", 256))
	if description != nil {
		o.add(sz(o.path, "description", *description))
	}
	o.add(&model.Value{Name: "ipsecData", Type: model.RegBinary, Data: data, Loc: valueLoc(o.path, "ipsecData")})
	o.add(dword(o.path, "whenChanged", b.changed))
	o.add(sz(o.path, "name", o.name()))
	for _, v := range post {
		o.add(v)
	}
	return b.put(o)
}

// put records o, or returns the object already recorded under its key
// when it is the same (a filter list or action shared by several rules).
func (b *builder) put(o *object) *object {
	lk := strings.ToLower(o.name())
	old, ok := b.objs[lk]
	if !ok {
		b.objs[lk] = o
		b.order = append(b.order, o)
		return o
	}
	if !sameValues(old.values, o.values) {
		b.fail(o.what, "", model.Location{}, "its key %s would also hold %s, which differs (two objects with one GUID or one name)", o.name(), old.what)
	}
	return old
}

// sameValues reports whether two value lists hold the same names,
// types and data, in any order.
func sameValues(a, b []*model.Value) bool {
	if len(a) != len(b) {
		return false
	}
	byName := make(map[string]*model.Value, len(b))
	for _, v := range b {
		byName[strings.ToLower(v.Name)] = v
	}
	for _, v := range a {
		w := byName[strings.ToLower(v.Name)]
		if w == nil || w.Type != v.Type || !bytes.Equal(w.Data, v.Data) {
			return false
		}
	}
	return true
}

// ref is how the store names an object: its key path without the hive,
// as the Windows 2000 local store does. The form Windows uses inside
// Policy\Cache is not established by any public source (GPIPSEC.md
// §1.3); the same path form is written there.
func (b *builder) ref(o *object) string { return o.path }

// check compares the objects with what the tree already holds: an
// object whose key exists must hold the same values (its owners aside).
func (b *builder) check(tree *model.RegTree) []error {
	var errs []error
	for _, o := range b.order {
		k := tree.Key(o.path)
		if k == nil {
			continue
		}
		var have []*model.Value
		for _, v := range k.Values {
			if !strings.EqualFold(v.Name, ownersValue) {
				have = append(have, v)
			}
		}
		if !sameValues(have, o.values) {
			errs = append(errs, &Error{Object: o.what, Reason: fmt.Sprintf("the tree already holds a different object at %s", o.path)})
		}
	}
	return errs
}

// apply writes the objects, the store key and its parents, merging the
// back-links with those already in the tree.
func (b *builder) apply(tree *model.RegTree) {
	parts := strings.Split(b.store, `\`)
	for i := range parts {
		p := strings.Join(parts[:i+1], `\`)
		tree.EnsureKey(p, model.Location{Key: p})
	}
	for _, o := range b.order {
		k := tree.EnsureKey(o.path, model.Location{Key: o.path})
		owners := o.owners
		if old := k.Value(ownersValue); old != nil {
			prev, _ := old.AsStrings()
			merged := &object{owners: prev}
			for _, r := range owners {
				merged.own(r)
			}
			owners = merged.owners
		}
		for _, v := range o.values {
			k.SetValue(v)
		}
		if o.cls != clsPolicy && len(owners) > 0 {
			k.SetValue(multi(o.path, ownersValue, owners...))
		}
	}
}

func valueLoc(key, name string) model.Location { return model.Location{Key: key, Value: name} }

func sz(key, name, s string) *model.Value {
	return &model.Value{Name: name, Type: model.RegSZ, Data: model.UTF16String(s), Loc: valueLoc(key, name)}
}

func multi(key, name string, ss ...string) *model.Value {
	return &model.Value{Name: name, Type: model.RegMultiSZ, Data: model.UTF16MultiString(ss), Loc: valueLoc(key, name)}
}

func dword(key, name string, n uint32) *model.Value {
	return &model.Value{Name: name, Type: model.RegDWORD, Data: model.DWORDData(n), Loc: valueLoc(key, name)}
}
