package netsh

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// staticCommand is one `netsh ipsec static` command: its name, the tags
// Windows Server 2003 accepts in their positional order (a value without
// a tag takes the next tag of this list; a tag may be abbreviated to any
// unambiguous prefix of one), and what it does.
type staticCommand struct {
	name string // "add policy"
	tags []string
	run  func(x *call)
	// needsContext is set for commands a batch line must put in the
	// `ipsec static` context to be read as netsh (`set batch` alone is
	// more likely cmd's own `set`).
	needsContext bool
	// storeless commands do not act on the current store.
	storeless bool
}

// staticCommands is every `ipsec static` command this parser reads, by
// object kind. The tags are from netsh's own usage text (FORMATS.md §3.1,
// samples/netsh/21_*). Adding a command is adding its entry here and its
// handler in the cmd_*.go file of its object.
var staticCommands = []staticCommand{
	{name: "add policy", run: addPolicy, tags: []string{"name", "description", "mmpfs", "qmpermm", "mmlifetime", "activatedefaultrule", "pollinginterval", "assign", "mmsecmethods"}},
	{name: "set policy", run: setPolicy, tags: []string{"name", "guid", "newname", "description", "mmpfs", "qmpermm", "mmlifetime", "activatedefaultrule", "pollinginterval", "assign", "gpo", "mmsecmethods"}},
	{name: "delete policy", run: deletePolicy, tags: []string{"name", "all"}},
	{name: "add filterlist", run: addFilterList, tags: []string{"name", "description"}},
	{name: "set filterlist", run: setFilterList, tags: []string{"name", "guid", "newname", "description"}},
	{name: "delete filterlist", run: deleteFilterList, tags: []string{"name", "all"}},
	{name: "add filter", run: addFilter, tags: []string{"filterlist", "srcaddr", "dstaddr", "description", "protocol", "mirrored", "srcmask", "dstmask", "srcport", "dstport"}},
	{name: "delete filter", run: deleteFilter, tags: []string{"filterlist", "srcaddr", "dstaddr", "protocol", "srcmask", "dstmask", "srcport", "dstport", "mirrored"}},
	{name: "add filteraction", run: addFilterAction, tags: []string{"name", "description", "qmpfs", "inpass", "soft", "action", "qmsecmethods"}},
	{name: "set filteraction", run: setFilterAction, tags: []string{"name", "guid", "newname", "description", "qmpfs", "inpass", "soft", "action", "qmsecmethods"}},
	{name: "delete filteraction", run: deleteFilterAction, tags: []string{"name", "all"}},
	{name: "add rule", run: addRule, tags: []string{"name", "policy", "filterlist", "filteraction", "tunnel", "conntype", "activate", "description", "kerberos", "psk", "rootca"}},
	{name: "set rule", run: setRule, tags: []string{"name", "id", "policy", "newname", "description", "filterlist", "filteraction", "tunnel", "conntype", "activate", "kerberos", "psk", "rootca"}},
	{name: "delete rule", run: deleteRule, tags: []string{"name", "id", "all", "policy"}},
	{name: "set defaultrule", run: setDefaultRule, tags: []string{"policy", "qmpfs", "activate", "qmsecmethods", "kerberos", "psk", "rootca"}},
	{name: "set store", run: setStore, tags: []string{"location", "domain"}, storeless: true},
	{name: "set batch", run: func(*call) {}, tags: []string{"mode"}, needsContext: true, storeless: true},
	{name: "delete all", run: deleteAll, tags: []string{}},
}

// commandIndex is staticCommands by name, and the objects each verb takes
// in table order (for prefix matching), derived from the table once.
type commandIndex struct {
	byName map[string]*staticCommand
	// objects are the object words of each verb ("add": policy,
	// filterlist, ...).
	objects map[string][]string
	// bare are the object words read as netsh without the ipsec static
	// context ("add policy ..." pasted into a batch file).
	bare map[string]bool
}

var commands = indexCommands(staticCommands)

func indexCommands(list []staticCommand) *commandIndex {
	ix := &commandIndex{byName: map[string]*staticCommand{}, objects: map[string][]string{}, bare: map[string]bool{}}
	for i := range list {
		c := &list[i]
		verb, obj, _ := strings.Cut(c.name, " ")
		ix.byName[c.name] = c
		ix.objects[verb] = append(ix.objects[verb], obj)
		if !c.needsContext {
			ix.bare[obj] = true
		}
	}
	return ix
}

// isStaticObject reports whether w names an object of `ipsec static`
// that a command outside the context is read for.
func isStaticObject(w string) bool { return commands.bare[strings.ToLower(w)] }

// isStaticVerb reports whether w is a verb of the command table.
func isStaticVerb(w string) bool { _, ok := commands.objects[w]; return ok }

// call is one `ipsec static` command being run: where it is, its
// resolved parameters and the script it belongs to.
type call struct {
	*cmdContext
	st   *scriptState
	name string // "add policy"
	p    params
	at   int // offset of the verb in the logical line
}

// store is the policy store the command acts on.
func (x *call) store() *model.PolicyStore { return x.st.b.store }

// here is the location of the command (its verb).
func (x *call) here() model.Location { return x.loc(x.at) }

// staticCommand finds and runs `verb object params...`.
func (st *scriptState) staticCommand(c *cmdContext, verbTok token, toks []token) {
	verb := strings.ToLower(verbTok.value)
	if len(toks) < 1 || !toks[0].bare() {
		c.errorf(verbTok.valOff, "%s: what to %s is missing", verb, verb)
		return
	}
	obj, err := matchTag(strings.ToLower(toks[0].value), commands.objects[verb])
	if err != "" {
		c.errorf(toks[0].valOff, "%s: %s", verb, strings.Replace(err, "parameter", "object", 1))
		return
	}
	cmd := commands.byName[verb+" "+obj]
	p := c.resolveTags(cmd, toks[1:], &st.params)
	if !cmd.storeless {
		st.b.use()
	}
	st.call = call{cmdContext: c, st: st, name: cmd.name, p: p, at: verbTok.valOff}
	cmd.run(&st.call)
}

// required returns a parameter that the command cannot do without.
func (x *call) required(tag string) (string, bool) {
	v, ok := x.p.get(tag)
	if !ok || v.value == "" {
		x.errorf(x.at, "%s: %s is required", x.name, tag)
		return "", false
	}
	return v.value, true
}

// newName returns the name= of an add command; ok is false when it is
// missing, or when exists says the store already holds an object of that
// kind and name (netsh refuses the command).
func (x *call) newName(what string, exists bool) (string, bool) {
	name, ok := x.required("name")
	if ok && exists {
		x.warnf(x.at, "%s: %s %q already exists; netsh refuses the command", x.name, what, name)
		return "", false
	}
	return name, ok
}

// lookup finds the object a set command names by name= or guid=; what
// names the kind of object in warnings.
func lookup[T any](x *call, what string, byName func(string) *T, guid func(*T) string, all []*T) *T {
	if n, ok := x.p.get("name"); ok {
		if o := byName(n.value); o != nil {
			return o
		}
		x.warnf(x.at, "%s: no %s %q earlier in the file; command ignored", x.name, what, n.value)
		return nil
	}
	if g, ok := x.p.get("guid"); ok {
		for _, o := range all {
			if strings.EqualFold(guid(o), g.value) {
				return o
			}
		}
		x.warnf(x.at, "%s: no %s with GUID %s earlier in the file; command ignored", x.name, what, g.value)
		return nil
	}
	x.errorf(x.at, "%s: name or guid is required", x.name)
	return nil
}

// deleteNamed runs `delete X name=N | all`.
func (x *call) deleteNamed(del func(name string), all func()) {
	n, hasName := x.p.get("name")
	if x.p.has("all") || (hasName && strings.EqualFold(n.value, "all")) {
		all()
		return
	}
	if !hasName {
		x.errorf(x.at, "%s: name or all is required", x.name)
		return
	}
	del(n.value) // deleting what the file never made is no problem of the file
}

// setBool reads a yes|no parameter into dst. netsh refuses the command
// when the value is neither: dst is then left as it was and, when ds is
// not nil, field gets a doubt (refuse).
func (x *call) setBool(tag string, dst *bool, ds *model.Doubts, field string) {
	if v, ok := x.p.get(tag); ok {
		b, err := parseBool(v.value)
		if err != nil {
			x.refuse(v, tag, err, ds, field)
			return
		}
		*dst = b
		known(ds, field)
	}
}

// refuse reports a value netsh refuses and, when ds is not nil, records
// a doubt on field of the object: netsh refuses the whole command, so on
// the host the object (add) or this change to it (set) may be missing,
// and the field's value is not known.
func (x *call) refuse(v param, tag string, err error, ds *model.Doubts, field string) {
	x.errorf(v.off, "%s: %v", tag, err)
	if ds == nil {
		return
	}
	*ds = append(*ds, model.Doubt{Field: field, Loc: x.loc(v.off), Reason: fmt.Sprintf(
		"%s=%s (%s) is a value netsh refuses, and with it the command %q: on the host that object or setting may be missing, and its value is unknown",
		tag, x.redact(v.off, strconv.Quote(v.value)), x.loc(v.off), x.name)})
}

// known drops the doubts on field of an object once a later command sets
// it to a value netsh accepts.
func known(ds *model.Doubts, field string) {
	if ds != nil && ds.About(field) != nil {
		*ds = slices.DeleteFunc(*ds, func(d model.Doubt) bool { return d.Field == field })
	}
}

func (x *call) setInt(tag string, dst *int, parse func(string) (int, error)) {
	if v, ok := x.p.get(tag); ok {
		n, err := parse(v.value)
		if err != nil {
			x.errorf(v.off, "%s: %v", tag, err)
			return
		}
		*dst = n
	}
}

// setMethods parses a methods parameter (qmsecmethods, mmsecmethods) into
// dst; a bad value leaves dst as it was.
func setMethods[M any](x *call, tag string, dst *[]M, parse func(string) ([]M, error), ds *model.Doubts) {
	if v, ok := x.p.get(tag); ok {
		m, err := parse(v.value)
		if err != nil {
			x.refuse(v, tag, err, ds, "qmSecMethods")
			return
		}
		*dst = m
		known(ds, "qmSecMethods")
	}
}

// renameRefs follows a rename in the rules that refer to the old name.
func renameRefs(s *model.PolicyStore, field func(*model.Rule) *string, old, new string) {
	for _, p := range s.Policies {
		for _, r := range p.Rules {
			if f := field(r); strings.EqualFold(*f, old) {
				*f = new
			}
		}
	}
}
