package netsh

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// errLine is netsh's "nothing to show" message (ERR IPsec[05072] ...).
var errLine = regexp.MustCompile(`(?i)^\s*ERR\s+IPsec\s*\[\d+\]`)

// logPrefix is a log label in front of a command ("Entry added: netsh ...").
var logPrefix = regexp.MustCompile(`(?i)^[^=:"]{1,60}:\s*((?:[a-z]:)?[^\s"]*netsh(?:\.exe)?\s)`)

// scriptState is the state of a script being read: the netsh context that
// `pushd` or `netsh -f` set, and counters for the summary warnings.
type scriptState struct {
	b          *builder
	ctx        []string   // current netsh context, e.g. [ipsec static]
	stack      [][]string // pushd stack
	dynamic    int        // netsh ipsec dynamic commands skipped
	dynamicAt  int
	dynPol     int // ipsecpol commands in dynamic mode skipped
	dynPolAt   int
	assigns    map[*model.Policy][]assignment
	sawNetsh   bool
	sawIPSecPl bool
}

// cmdContext reports problems of one command at their place.
type cmdContext struct {
	b    *builder
	line *logicalLine
}

func (c *cmdContext) errorf(off int, format string, args ...any) {
	l, col := c.line.pos(off)
	c.b.errAt(l, col, fmt.Sprintf(format, args...))
}

func (c *cmdContext) warnf(off int, format string, args ...any) {
	l, col := c.line.pos(off)
	c.b.warnAt(l, col, fmt.Sprintf(format, args...))
}

func (c *cmdContext) loc(off int) model.Location {
	l, col := c.line.pos(off)
	return c.b.loc(l, col)
}

// parseScript reads netsh command lines (and ipsecpol lines) in order.
func parseScript(b *builder, lines []string) bool {
	st := &scriptState{b: b, assigns: map[*model.Policy][]assignment{}}
	logical := joinContinuations(lines)
	for i := range logical {
		st.logicalLine(&logical[i])
	}
	if st.dynamic > 0 {
		b.warnAt(st.dynamicAt, 0, fmt.Sprintf("%d netsh ipsec dynamic command(s) skipped: dynamic policy is volatile and not part of the static store (only ipsecexempt is kept)", st.dynamic))
	}
	if st.dynPol > 0 {
		b.warnAt(st.dynPolAt, 0, fmt.Sprintf("%d ipsecpol/ipseccmd command(s) in dynamic mode (no -w) skipped: dynamic policy is volatile and not part of the static store", st.dynPol))
	}
	for _, p := range b.store.Policies {
		st.warnFlips(p)
	}
	return st.sawNetsh || st.sawIPSecPl || b.noDataSeen
}

// assignment is one assign=yes|no of a policy.
type assignment struct {
	loc model.Location
	on  bool
}

// warnFlips warns when a policy is both assigned and unassigned by the
// file: a batch file's control flow decides which runs.
func (st *scriptState) warnFlips(p *model.Policy) {
	as := st.assigns[p]
	flips, on := false, false
	for _, a := range as {
		flips = flips || (on && !a.on) // assigned, then unassigned again
		on = on || a.on
	}
	if !flips {
		return
	}
	var at []string
	for _, a := range as {
		at = append(at, fmt.Sprintf("%d (%v)", a.loc.Line, map[bool]string{true: "assign", false: "unassign"}[a.on]))
	}
	st.b.warnAt(as[len(as)-1].loc.Line, 0, fmt.Sprintf("policy %q is assigned, then unassigned, on lines %s; which runs depends on the batch file's control flow (goto, exit): the last one is kept (assigned=%v)", p.Name, strings.Join(at, ", "), p.Assigned))
}

func (st *scriptState) logicalLine(l *logicalLine) {
	t := strings.TrimSpace(l.text)
	switch {
	case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "::") || strings.HasPrefix(t, ";"):
		return
	case errLine.MatchString(t):
		st.b.noDataSeen = true
		return
	}
	for _, sp := range splitCommands(l) {
		st.command(sp)
	}
}

// command reads one command of a line.
func (st *scriptState) command(sp span) {
	c := &cmdContext{b: st.b, line: sp.line}
	s := sp.text()
	base := sp.start
	// Leading blanks and cmd's echo-off '@'.
	for len(s) > 0 && (isSpace(s[0]) || s[0] == '@') {
		s, base = s[1:], base+1
	}
	if hasLogPrefix(s) {
		m := logPrefix.FindStringSubmatchIndex(s)
		if m != nil {
			s, base = s[m[2]:], base+m[2]
		}
	}
	toks := tokenize(s, base)
	if len(toks) == 0 || !toks[0].bare() {
		return
	}
	word := strings.ToLower(toks[0].value)
	if i := strings.LastIndexAny(word, `\/`); i >= 0 {
		word = word[i+1:]
	}
	word = strings.TrimSuffix(word, ".exe")
	switch word {
	case "netsh":
		st.netsh(c, toks[1:])
	case "ipsecpol", "ipseccmd":
		st.sawIPSecPl = true
		st.ipsecpol(c, s, base)
	case "pushd":
		st.stack = append(st.stack, st.ctx)
		if ctx, rest := contextWords(nil, toks[1:]); len(ctx) > 0 && len(rest) == 0 {
			st.ctx = ctx
			st.b.dumpFrame = true
		} else {
			st.ctx = nil // a directory, not a netsh context
		}
	case "popd":
		if n := len(st.stack); n > 0 {
			st.ctx, st.stack = st.stack[n-1], st.stack[:n-1]
		} else {
			st.ctx = nil
		}
	case "ipsec", "static", "dynamic":
		ctx, rest := contextWords(st.ctx, toks)
		st.run(c, ctx, rest)
	case "add", "set", "delete", "show", "exportpolicy", "importpolicy", "dump":
		switch {
		case len(st.ctx) > 0:
			st.run(c, st.ctx, toks)
		case len(toks) > 1 && toks[1].bare() && isStaticObject(toks[1].value):
			// A netsh command without its context (a `netsh -c "ipsec
			// static" -f` script, or a pasted snippet): static is assumed.
			st.run(c, []string{"ipsec", "static"}, toks)
		}
	}
	// Anything else is another batch command (rem, echo, pause, exit...).
}

// hasLogPrefix is a cheap test for a "Label: netsh ..." line.
func hasLogPrefix(s string) bool {
	head := s
	if len(head) > 62 {
		head = head[:62]
	}
	return strings.IndexByte(head, ':') > 0 && strings.Contains(strings.ToLower(s), "netsh")
}

// isStaticObject reports whether w names an object of `ipsec static`.
func isStaticObject(w string) bool {
	switch strings.ToLower(w) {
	case "policy", "filterlist", "filter", "filteraction", "rule", "defaultrule", "store", "all":
		return true
	}
	return false
}

// contextWords reads netsh context words (ipsec, static, dynamic) in front
// of a command, relative to the current context.
func contextWords(cur []string, toks []token) ([]string, []token) {
	ctx := append([]string(nil), cur...)
	for len(toks) > 0 && toks[0].bare() && !toks[0].quoted {
		w := strings.ToLower(toks[0].value)
		switch {
		case w == "ipsec":
			ctx = []string{"ipsec"}
		case (w == "static" || w == "dynamic") && len(ctx) > 0 && ctx[0] == "ipsec":
			ctx = []string{"ipsec", w}
		case w == "..":
			if len(ctx) > 0 {
				ctx = ctx[:len(ctx)-1]
			}
		default:
			return ctx, toks
		}
		toks = toks[1:]
	}
	return ctx, toks
}

// netsh reads `netsh [-a f] [-c ctx] [-r host] [-u user] [-p pw] [-f
// script] [context] command`.
func (st *scriptState) netsh(c *cmdContext, toks []token) {
	var ctx []string
	for len(toks) > 0 && toks[0].bare() && len(toks[0].value) == 2 && (toks[0].value[0] == '-' || toks[0].value[0] == '/') {
		opt := strings.ToLower(toks[0].value[1:])
		if len(toks) < 2 {
			c.errorf(toks[0].valOff, "netsh: option %s needs a value", toks[0].value)
			return
		}
		switch opt {
		case "c":
			ctx, _ = contextWords(nil, tokenize(toks[1].value, toks[1].valOff))
		case "f":
			st.sawNetsh = true
			c.warnf(toks[1].valOff, "netsh runs the script %q, which is not part of this file", toks[1].value)
		}
		toks = toks[2:]
	}
	ctx, rest := contextWords(ctx, toks)
	if len(ctx) == 0 || ctx[0] != "ipsec" {
		return // another netsh context (firewall, interface...)
	}
	st.run(c, ctx, rest)
}

// run executes a command in a netsh context.
func (st *scriptState) run(c *cmdContext, ctx []string, toks []token) {
	if len(ctx) == 0 || ctx[0] != "ipsec" {
		return // "static ..." outside the ipsec context: not a netsh command
	}
	st.sawNetsh = true
	if len(toks) == 0 {
		return // a bare context: interactive netsh, nothing to read
	}
	verbTok := toks[0]
	verb := strings.ToLower(verbTok.value)
	if len(ctx) == 1 { // ipsec itself: dump, help
		switch verb {
		case "dump", "help", "?", "show":
			return
		}
		c.errorf(verbTok.valOff, "netsh ipsec: %q needs the static or dynamic context", verbTok.value)
		return
	}
	if ctx[1] == "dynamic" {
		st.dynamicCommand(c, toks)
		return
	}
	switch verb {
	case "show", "dump", "help", "?", "exportpolicy":
		return
	case "importpolicy":
		c.warnf(verbTok.valOff, "importpolicy loads policies from a file that is not part of this one: the store may hold more than this file shows")
		return
	case "add", "set", "delete":
	default:
		c.errorf(verbTok.valOff, "netsh ipsec static: unknown command %q", verbTok.value)
		return
	}
	if len(toks) < 2 || !toks[1].bare() {
		c.errorf(verbTok.valOff, "%s: what to %s is missing", verb, verb)
		return
	}
	obj, err := matchTag(strings.ToLower(toks[1].value), staticObjects[verb])
	if err != "" {
		c.errorf(toks[1].valOff, "%s: %s", verb, strings.Replace(err, "parameter", "object", 1))
		return
	}
	cmd := verb + " " + obj
	p := c.resolveTags(cmd, toks[2:])
	st.static(c, cmd, p, verbTok.valOff)
}

// staticObjects are the objects each verb of `ipsec static` takes.
var staticObjects = map[string][]string{
	"add":    {"policy", "filterlist", "filter", "filteraction", "rule"},
	"set":    {"policy", "filterlist", "filteraction", "rule", "defaultrule", "store", "batch"},
	"delete": {"policy", "filterlist", "filter", "filteraction", "rule", "all"},
}

// dynamicCommand keeps `set config property=ipsecexempt value=N` and
// skips every other dynamic command.
func (st *scriptState) dynamicCommand(c *cmdContext, toks []token) {
	verb := strings.ToLower(toks[0].value)
	if verb == "set" && len(toks) > 1 && strings.EqualFold(toks[1].value, "config") {
		var prop, val *token
		for i := range toks[2:] {
			t := &toks[2+i]
			switch {
			case t.tag != "" && strings.HasPrefix("property", t.tag): //nolint:gocritic // the tag abbreviates the keyword
				prop = t
			case t.tag != "" && strings.HasPrefix("value", t.tag): //nolint:gocritic // the tag abbreviates the keyword
				val = t
			}
		}
		if prop != nil && strings.EqualFold(prop.value, "ipsecexempt") {
			if val == nil {
				c.errorf(prop.valOff, "set config property=ipsecexempt: value is missing")
				return
			}
			n, err := parseCount(val.value)
			if err != nil || n > 3 {
				c.errorf(val.valOff, "set config ipsecexempt: %q is not 0, 1, 2 or 3", val.value)
				return
			}
			st.b.store.IPSecExempt = &model.SettingInt{Value: n, Loc: c.loc(toks[0].valOff)}
			return
		}
	}
	if st.dynamic == 0 {
		st.dynamicAt, _ = c.line.pos(toks[0].valOff)
	}
	st.dynamic++
}

// static executes one `ipsec static` command.
func (st *scriptState) static(c *cmdContext, cmd string, p params, at int) {
	b := st.b
	loc := c.loc(at)
	switch cmd {
	case "add policy":
		name, ok := st.required(c, cmd, p, "name", at)
		if !ok {
			return
		}
		if b.store.Policy(name) != nil {
			c.warnf(at, "add policy: policy %q already exists; netsh refuses the command", name)
			return
		}
		st.policySettings(c, b.newPolicy(name, loc), p)
	case "set policy":
		pol := st.findPolicy(c, cmd, p, at)
		if pol == nil {
			return
		}
		if nn, ok := p["newname"]; ok {
			pol.Name = nn.value
		}
		st.policySettings(c, pol, p)
	case "delete policy":
		st.deleteNamed(c, cmd, p, at, func(name string) bool {
			if pol := b.store.Policy(name); pol != nil {
				b.removePolicy(pol)
				return true
			}
			return false
		}, func() {
			for _, pol := range append([]*model.Policy(nil), b.store.Policies...) {
				b.removePolicy(pol)
			}
		})
	case "add filterlist":
		name, ok := st.required(c, cmd, p, "name", at)
		if !ok {
			return
		}
		if b.store.FilterList(name) != nil {
			c.warnf(at, "add filterlist: filter list %q already exists; netsh refuses the command", name)
			return
		}
		l := b.newFilterList(name, loc)
		if d, ok := p["description"]; ok {
			l.Description = d.value
		}
	case "set filterlist":
		l := st.findByNameOrGUID(c, cmd, p, at, "filter list", func(n string) any { return nilIfNone(b.store.FilterList(n)) }, func(g string) any { return nilIfNone(findListGUID(b.store, g)) })
		if l == nil {
			return
		}
		fl := l.(*model.FilterList)
		if nn, ok := p["newname"]; ok {
			renameRefs(b.store, func(r *model.Rule) *string { return &r.FilterListName }, fl.Name, nn.value)
			fl.Name = nn.value
		}
		if d, ok := p["description"]; ok {
			fl.Description = d.value
		}
	case "delete filterlist":
		st.deleteNamed(c, cmd, p, at, func(name string) bool {
			if l := b.store.FilterList(name); l != nil {
				b.store.FilterLists = without(b.store.FilterLists, l)
				return true
			}
			return false
		}, func() { b.store.FilterLists = b.store.FilterLists[:0] })
	case "add filter":
		st.addFilter(c, p, at)
	case "delete filter":
		st.deleteFilter(c, p, at)
	case "add filteraction":
		name, ok := st.required(c, cmd, p, "name", at)
		if !ok {
			return
		}
		if b.store.FilterAction(name) != nil {
			c.warnf(at, "add filteraction: filter action %q already exists; netsh refuses the command", name)
			return
		}
		st.actionSettings(c, b.newFilterAction(name, loc), p)
	case "set filteraction":
		a := st.findByNameOrGUID(c, cmd, p, at, "filter action", func(n string) any { return nilIfNone(b.store.FilterAction(n)) }, func(g string) any { return nilIfNone(findActionGUID(b.store, g)) })
		if a == nil {
			return
		}
		fa := a.(*model.FilterAction)
		if nn, ok := p["newname"]; ok {
			renameRefs(b.store, func(r *model.Rule) *string { return &r.FilterActionName }, fa.Name, nn.value)
			fa.Name = nn.value
		}
		st.actionSettings(c, fa, p)
	case "delete filteraction":
		st.deleteNamed(c, cmd, p, at, func(name string) bool {
			if a := b.store.FilterAction(name); a != nil {
				b.store.FilterActions = without(b.store.FilterActions, a)
				return true
			}
			return false
		}, func() { b.store.FilterActions = b.store.FilterActions[:0] })
	case "add rule":
		st.addRule(c, p, at)
	case "set rule":
		if r := st.findRule(c, cmd, p, at); r != nil {
			if nn, ok := p["newname"]; ok {
				r.Name = nn.value
			}
			st.ruleSettings(c, r, p)
		}
	case "delete rule":
		st.deleteRule(c, p, at)
	case "set defaultrule":
		polName, ok := st.required(c, cmd, p, "policy", at)
		if !ok {
			return
		}
		pol := b.store.Policy(polName)
		if pol == nil {
			c.warnf(at, "set defaultrule: no policy %q earlier in the file; command ignored", polName)
			return
		}
		st.defaultRuleSettings(c, pol, p)
	case "set store":
		if l, ok := p["location"]; ok {
			v := strings.ToLower(l.value)
			switch v {
			case "local", "persistent", "domain":
				b.store.Store, b.store.StoreLoc = model.Store(v), c.loc(l.off)
			default:
				c.errorf(l.off, "set store: location %q is not local, persistent or domain", l.value)
			}
		}
	case "set batch":
	case "delete all":
		b.store.Policies = b.store.Policies[:0]
		b.store.FilterLists = b.store.FilterLists[:0]
		b.store.FilterActions = b.store.FilterActions[:0]
	}
}

func nilIfNone[T any](p *T) any {
	if p == nil {
		return nil
	}
	return p
}

func findListGUID(s *model.PolicyStore, g string) *model.FilterList {
	for _, l := range s.FilterLists {
		if strings.EqualFold(l.GUID, g) {
			return l
		}
	}
	return nil
}

func findActionGUID(s *model.PolicyStore, g string) *model.FilterAction {
	for _, a := range s.FilterActions {
		if strings.EqualFold(a.GUID, g) {
			return a
		}
	}
	return nil
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

// required returns a parameter that the command cannot do without.
func (st *scriptState) required(c *cmdContext, cmd string, p params, tag string, at int) (string, bool) {
	v, ok := p[tag]
	if !ok || v.value == "" {
		c.errorf(at, "%s: %s is required", cmd, tag)
		return "", false
	}
	return v.value, true
}

// findByNameOrGUID finds the object a set command names by name= or guid=.
func (st *scriptState) findByNameOrGUID(c *cmdContext, cmd string, p params, at int, what string, byName, byGUID func(string) any) any {
	if n, ok := p["name"]; ok {
		if o := byName(n.value); o != nil {
			return o
		}
		c.warnf(at, "%s: no %s %q earlier in the file; command ignored", cmd, what, n.value)
		return nil
	}
	if g, ok := p["guid"]; ok {
		if o := byGUID(g.value); o != nil {
			return o
		}
		c.warnf(at, "%s: no %s with GUID %s earlier in the file; command ignored", cmd, what, g.value)
		return nil
	}
	c.errorf(at, "%s: name or guid is required", cmd)
	return nil
}

func (st *scriptState) findPolicy(c *cmdContext, cmd string, p params, at int) *model.Policy {
	o := st.findByNameOrGUID(c, cmd, p, at, "policy", func(n string) any { return nilIfNone(st.b.store.Policy(n)) }, func(g string) any {
		for _, pol := range st.b.store.Policies {
			if strings.EqualFold(pol.GUID, g) {
				return pol
			}
		}
		return nil
	})
	if o == nil {
		return nil
	}
	return o.(*model.Policy)
}

// deleteNamed runs `delete X name=N | all`.
func (st *scriptState) deleteNamed(c *cmdContext, cmd string, p params, at int, del func(string) bool, all func()) {
	n, hasName := p["name"]
	_, hasAll := p["all"]
	if hasAll || (hasName && strings.EqualFold(n.value, "all")) {
		all()
		return
	}
	if !hasName {
		c.errorf(at, "%s: name or all is required", cmd)
		return
	}
	del(n.value) // deleting what the file never made is no problem of the file
}

func (st *scriptState) setBool(c *cmdContext, p params, tag string, dst *bool) {
	if v, ok := p[tag]; ok {
		x, err := parseBool(v.value)
		if err != nil {
			c.errorf(v.off, "%s: %v", tag, err)
			return
		}
		*dst = x
	}
}

func (st *scriptState) setInt(c *cmdContext, p params, tag string, dst *int, parse func(string) (int, error)) {
	if v, ok := p[tag]; ok {
		x, err := parse(v.value)
		if err != nil {
			c.errorf(v.off, "%s: %v", tag, err)
			return
		}
		*dst = x
	}
}

func (st *scriptState) policySettings(c *cmdContext, pol *model.Policy, p params) {
	if d, ok := p["description"]; ok {
		pol.Description = d.value
	}
	st.setBool(c, p, "mmpfs", &pol.MMPFS)
	st.setInt(c, p, "qmpermm", &pol.QMPerMM, parseCount)
	st.setInt(c, p, "mmlifetime", &pol.MMLifetimeMin, parseMinutes)
	st.setInt(c, p, "pollinginterval", &pol.PollingIntervalMin, parseMinutes)
	if _, ok := p["activatedefaultrule"]; ok {
		on := pol.ActivateDefaultRule
		st.setBool(c, p, "activatedefaultrule", &on)
		setActivateDefault(pol, on)
	}
	if v, ok := p["mmsecmethods"]; ok {
		m, err := parseMMMethods(v.value)
		if err != nil {
			c.errorf(v.off, "mmsecmethods: %v", err)
		} else {
			pol.MMSecMethods = m
		}
	}
	if v, ok := p["assign"]; ok {
		on, err := parseBool(v.value)
		if err != nil {
			c.errorf(v.off, "assign: %v", err)
			return
		}
		loc := c.loc(v.tagAt)
		st.b.assign(pol, on, loc)
		st.assigns[pol] = append(st.assigns[pol], assignment{loc, on})
	}
}

func (st *scriptState) actionSettings(c *cmdContext, a *model.FilterAction, p params) {
	if d, ok := p["description"]; ok {
		a.Description = d.value
	}
	st.setBool(c, p, "qmpfs", &a.QMPFS)
	st.setBool(c, p, "inpass", &a.InPass)
	st.setBool(c, p, "soft", &a.Soft)
	if v, ok := p["action"]; ok {
		k, err := parseAction(v.value)
		if err != nil {
			c.errorf(v.off, "action: %v", err)
		} else {
			a.Action = k
		}
	}
	if v, ok := p["qmsecmethods"]; ok {
		m, err := parseQMMethods(v.value)
		if err != nil {
			c.errorf(v.off, "qmsecmethods: %v", err)
		} else {
			a.Methods = m
		}
	}
}

// addFilter runs `add filter`; the filter list is made when missing (as
// netsh does).
func (st *scriptState) addFilter(c *cmdContext, p params, at int) {
	listName, ok := st.required(c, "add filter", p, "filterlist", at)
	if !ok {
		return
	}
	f, ok := st.filterFrom(c, "add filter", p, at)
	if !ok {
		return
	}
	if d, ok := p["description"]; ok {
		f.Description = d.value
	}
	l := st.b.filterList(listName)
	if l == nil {
		l = st.b.newFilterList(listName, f.Loc)
	}
	l.Filters = append(l.Filters, f)
}

// filterFrom builds a filter from the parameters of add/delete filter,
// with netsh's defaults.
func (st *scriptState) filterFrom(c *cmdContext, cmd string, p params, at int) (*model.Filter, bool) {
	f := &model.Filter{Mirrored: true, Loc: c.loc(at)}
	ok := true
	for _, side := range []struct {
		addr, mask string
		dst        *model.Address
	}{{"srcaddr", "srcmask", &f.Src}, {"dstaddr", "dstmask", &f.Dst}} {
		v, has := p[side.addr]
		if !has {
			c.errorf(at, "%s: %s is required", cmd, side.addr)
			ok = false
			continue
		}
		a, err := parseAddr(v.value)
		if err != nil {
			c.errorf(v.off, "%s: %v", side.addr, err)
			ok = false
			continue
		}
		bits := 32
		if m, has := p[side.mask]; has {
			if bits, err = parseMask(m.value); err != nil {
				c.errorf(m.off, "%s: %v", side.mask, err)
				bits = 32
			}
		}
		*side.dst = withMask(a, bits)
	}
	if v, has := p["protocol"]; has {
		n, err := parseProtocol(v.value)
		if err != nil {
			c.errorf(v.off, "protocol: %v", err)
		}
		f.Protocol = n
	}
	for _, port := range []struct {
		tag string
		dst *uint16
	}{{"srcport", &f.SrcPort}, {"dstport", &f.DstPort}} {
		if v, has := p[port.tag]; has {
			n, err := parsePort(v.value)
			if err != nil {
				c.errorf(v.off, "%s: %v", port.tag, err)
			}
			*port.dst = n
			if n != 0 && f.Protocol != 6 && f.Protocol != 17 && p.has("protocol") {
				c.warnf(v.off, "%s: a port only applies to TCP and UDP filters", port.tag)
			}
		}
	}
	st.setBool(c, p, "mirrored", &f.Mirrored)
	return f, ok
}

// deleteFilter removes the filters of a list that match every given field.
func (st *scriptState) deleteFilter(c *cmdContext, p params, at int) {
	listName, ok := st.required(c, "delete filter", p, "filterlist", at)
	if !ok {
		return
	}
	want, ok := st.filterFrom(c, "delete filter", p, at)
	if !ok {
		return
	}
	l := st.b.store.FilterList(listName)
	if l == nil {
		return
	}
	keep := l.Filters[:0]
	for _, f := range l.Filters {
		same := f.Src == want.Src && f.Dst == want.Dst &&
			(!p.has("protocol") || f.Protocol == want.Protocol) &&
			(!p.has("srcport") || f.SrcPort == want.SrcPort) &&
			(!p.has("dstport") || f.DstPort == want.DstPort) &&
			(!p.has("mirrored") || f.Mirrored == want.Mirrored)
		if !same {
			keep = append(keep, f)
		}
	}
	l.Filters = keep
}

// addRule runs `add rule`; a policy the file never made is made with
// netsh's defaults (the file is then a fragment of a longer story).
func (st *scriptState) addRule(c *cmdContext, p params, at int) {
	name, ok1 := st.required(c, "add rule", p, "name", at)
	polName, ok2 := st.required(c, "add rule", p, "policy", at)
	_, ok3 := st.required(c, "add rule", p, "filterlist", at)
	_, ok4 := st.required(c, "add rule", p, "filteraction", at)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	pol := st.b.store.Policy(polName)
	if pol == nil {
		c.warnf(at, "add rule: policy %q was not made earlier in the file; assumed to exist with netsh's default settings", polName)
		pol = st.b.newPolicy(polName, c.loc(at))
	}
	if pol.Rule(name) != nil {
		c.warnf(at, "add rule: policy %q already has a rule %q; netsh refuses the command", polName, name)
		return
	}
	r := &model.Rule{Name: name, PolicyName: pol.Name, Active: true, ConnType: model.ConnAll, Loc: c.loc(at)}
	st.ruleSettings(c, r, p)
	if len(r.Auth) == 0 && !p.has("kerberos") && !p.has("psk") && !p.has("rootca") {
		r.Auth = []model.AuthMethod{{Kind: model.AuthKerberos, Loc: c.loc(at)}}
	}
	if len(r.Auth) == 0 {
		c.warnf(at, "add rule: no authentication method left (kerberos=no and no psk or rootca)")
	}
	insertRule(pol, r)
}

// insertRule adds a rule to a policy, keeping the default response rule
// last.
func insertRule(pol *model.Policy, r *model.Rule) {
	n := len(pol.Rules)
	if n > 0 && pol.Rules[n-1].Default {
		pol.Rules = append(pol.Rules[:n-1], r, pol.Rules[n-1])
		return
	}
	pol.Rules = append(pol.Rules, r)
}

// ruleSettings applies rule parameters, authentication in the order given.
func (st *scriptState) ruleSettings(c *cmdContext, r *model.Rule, p params) {
	if v, ok := p["description"]; ok {
		r.Description = v.value
	}
	if v, ok := p["filterlist"]; ok {
		r.FilterListName = v.value
	}
	if v, ok := p["filteraction"]; ok {
		r.FilterActionName = v.value
	}
	if v, ok := p["tunnel"]; ok {
		t := strings.TrimSpace(v.value)
		if t == "0.0.0.0" || strings.EqualFold(t, "none") {
			t = ""
		}
		if t != "" {
			if _, err := parseAddr(t); err != nil {
				c.errorf(v.off, "tunnel: %v", err)
			}
		}
		r.TunnelEndpoint = t
	}
	if v, ok := p["conntype"]; ok {
		ct, err := parseConnType(v.value)
		if err != nil {
			c.errorf(v.off, "conntype: %v", err)
		} else {
			r.ConnType = ct
		}
	}
	st.setBool(c, p, "activate", &r.Active)
	st.authSettings(c, &r.Auth, p)
}

// authSettings applies kerberos=, psk= and rootca= in the order written.
func (st *scriptState) authSettings(c *cmdContext, auth *[]model.AuthMethod, p params) {
	var given []param
	for _, tag := range []string{"kerberos", "psk", "rootca"} {
		if v, ok := p[tag]; ok {
			given = append(given, v)
		}
	}
	sort.Slice(given, func(i, j int) bool { return given[i].tagAt < given[j].tagAt })
	for _, v := range given {
		switch v.tag {
		case "kerberos":
			on, err := parseBool(v.value)
			if err != nil {
				c.errorf(v.off, "kerberos: %v", err)
				continue
			}
			*auth = removeAuth(*auth, model.AuthMethod{Kind: model.AuthKerberos})
			if on {
				*auth = append(*auth, model.AuthMethod{Kind: model.AuthKerberos, Loc: c.loc(v.off)})
			}
		case "psk":
			*auth = removeAuth(*auth, model.AuthMethod{Kind: model.AuthPreshared})
			if v.value != "" {
				*auth = append(*auth, model.AuthMethod{Kind: model.AuthPreshared, KeyLength: len([]rune(v.value)), Loc: c.loc(v.off)})
			}
		case "rootca":
			ca := model.AuthMethod{Kind: model.AuthCertificate, CA: rootCAName(v.value), Loc: c.loc(v.off)}
			*auth = append(removeAuth(*auth, ca), ca)
		}
	}
}

// rootCAName drops the certmap:/excludecaname: options of a rootca value.
func rootCAName(v string) string {
	for _, opt := range []string{" certmap:", " excludecaname:"} {
		if i := strings.Index(strings.ToLower(v), opt); i >= 0 {
			v = v[:i]
		}
	}
	return strings.TrimSpace(v)
}

func removeAuth(list []model.AuthMethod, m model.AuthMethod) []model.AuthMethod {
	out := list[:0:0]
	for _, a := range list {
		if a.Kind != m.Kind || !strings.EqualFold(a.CA, m.CA) {
			out = append(out, a)
		}
	}
	return out
}

// findRule finds the rule of `set rule`/`delete rule` by name or id.
func (st *scriptState) findRule(c *cmdContext, cmd string, p params, at int) *model.Rule {
	polName, ok := st.required(c, cmd, p, "policy", at)
	if !ok {
		return nil
	}
	pol := st.b.store.Policy(polName)
	if pol == nil {
		c.warnf(at, "%s: no policy %q earlier in the file; command ignored", cmd, polName)
		return nil
	}
	if n, ok := p["name"]; ok {
		if r := pol.Rule(n.value); r != nil && !r.Default {
			return r
		}
		c.warnf(at, "%s: policy %q has no rule %q earlier in the file; command ignored", cmd, polName, n.value)
		return nil
	}
	if id, ok := p["id"]; ok {
		n, err := parseCount(id.value)
		if err != nil {
			c.errorf(id.off, "id: %v", err)
			return nil
		}
		// Rule ids count the policy's rules in order, the default
		// response rule excluded (uncertain: netsh numbers them itself).
		i := 0
		for _, r := range pol.Rules {
			if r.Default {
				continue
			}
			if i++; i == n {
				return r
			}
		}
		c.warnf(at, "%s: policy %q has no rule %d in this file; command ignored", cmd, polName, n)
		return nil
	}
	c.errorf(at, "%s: name or id is required", cmd)
	return nil
}

func (st *scriptState) deleteRule(c *cmdContext, p params, at int) {
	if p.has("all") || (p.has("name") && strings.EqualFold(p["name"].value, "all")) {
		polName, ok := st.required(c, "delete rule", p, "policy", at)
		if !ok {
			return
		}
		if pol := st.b.store.Policy(polName); pol != nil {
			keep := pol.Rules[:0]
			for _, r := range pol.Rules {
				if r.Default {
					keep = append(keep, r)
				}
			}
			pol.Rules = keep
		}
		return
	}
	if r := st.findRule(c, "delete rule", p, at); r != nil {
		pol := st.b.store.Policy(p["policy"].value)
		pol.Rules = without(pol.Rules, r)
	}
}

// defaultRuleSettings runs `set defaultrule`.
func (st *scriptState) defaultRuleSettings(c *cmdContext, pol *model.Policy, p params) {
	d := pol.DefaultRule()
	if d == nil {
		return
	}
	if _, ok := p["activate"]; ok {
		on := d.Active
		st.setBool(c, p, "activate", &on)
		setActivateDefault(pol, on)
	}
	st.setBool(c, p, "qmpfs", &d.FilterAction.QMPFS)
	if v, ok := p["qmsecmethods"]; ok {
		m, err := parseQMMethods(v.value)
		if err != nil {
			c.errorf(v.off, "qmsecmethods: %v", err)
		} else {
			d.FilterAction.Methods = m
		}
	}
	st.authSettings(c, &d.Auth, p)
}
