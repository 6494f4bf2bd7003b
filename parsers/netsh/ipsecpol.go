package netsh

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// splitArgs splits a command line into words at blanks, keeping double
// quoted parts together (quotes removed); base is s's offset in its line.
func splitArgs(s string, base int) []token {
	var out []token
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return out
		}
		start := i
		var w strings.Builder
		quoted := false
		for i < len(s) && !isSpace(s[i]) {
			if s[i] == '"' {
				quoted = true
				end := strings.IndexByte(s[i+1:], '"')
				if end < 0 {
					w.WriteString(s[i+1:])
					i = len(s)
					break
				}
				w.WriteString(s[i+1 : i+1+end])
				i += end + 2
				continue
			}
			w.WriteByte(s[i])
			i++
		}
		out = append(out, token{value: w.String(), valOff: base + start, quoted: quoted})
	}
}

// ipsecpolCmd is one ipsecpol/ipseccmd command line, options gathered.
type ipsecpolCmd struct {
	store                 string // -w: REG or DS:domain; "" = dynamic mode
	policy                *token // -p name[:pollinterval]
	rules                 []token
	filters, negs, auths  []token
	mmMethods             []token
	tunnel                *token
	soft, lan, dialup     bool
	assign, unassign, del bool
}

// ipsecpolOption is what one option of ipsecpol does: take the next
// argument as its value, start a list of the arguments that follow, or
// set a flag. An option with none of them is accepted and ignored.
type ipsecpolOption struct {
	value func(cmd *ipsecpolCmd, v token)
	list  func(cmd *ipsecpolCmd) *[]token
	flag  func(cmd *ipsecpolCmd) *bool
}

// ipsecpolOptions are the options of ipsecpol (Windows 2000 Resource Kit)
// and ipseccmd (XP Support Tools), from their usage text (KB 813878).
var ipsecpolOptions = map[string]ipsecpolOption{
	"-w":       {value: func(cmd *ipsecpolCmd, v token) { cmd.store = v.value }},
	"-p":       {value: func(cmd *ipsecpolCmd, v token) { cmd.policy = &v }},
	"-r":       {value: func(cmd *ipsecpolCmd, v token) { cmd.rules = append(cmd.rules, v) }},
	"-t":       {value: func(cmd *ipsecpolCmd, v token) { cmd.tunnel = &v }},
	"-1k":      {value: func(*ipsecpolCmd, token) {}},
	"-1e":      {value: func(*ipsecpolCmd, token) {}},
	"-1f":      {value: func(*ipsecpolCmd, token) {}},
	"-f":       {list: func(cmd *ipsecpolCmd) *[]token { return &cmd.filters }},
	"-n":       {list: func(cmd *ipsecpolCmd) *[]token { return &cmd.negs }},
	"-a":       {list: func(cmd *ipsecpolCmd) *[]token { return &cmd.auths }},
	"-1s":      {list: func(cmd *ipsecpolCmd) *[]token { return &cmd.mmMethods }},
	"-soft":    {flag: func(cmd *ipsecpolCmd) *bool { return &cmd.soft }},
	"-lan":     {flag: func(cmd *ipsecpolCmd) *bool { return &cmd.lan }},
	"-dialup":  {flag: func(cmd *ipsecpolCmd) *bool { return &cmd.dialup }},
	"-x":       {flag: func(cmd *ipsecpolCmd) *bool { return &cmd.assign }},
	"-y":       {flag: func(cmd *ipsecpolCmd) *bool { return &cmd.unassign }},
	"-o":       {flag: func(cmd *ipsecpolCmd) *bool { return &cmd.del }},
	"-1p":      {},
	"-confirm": {},
	"-?":       {},
	"-u":       {}, // delete all dynamic policy
}

// ipsecpol reads a Windows 2000 ipsecpol (or XP ipseccmd) command line.
// Static ones (-w REG, -w DS) are read into the store like the netsh
// commands they stand for; dynamic ones (no -w) are skipped.
func (st *scriptState) ipsecpol(c *cmdContext, s string, base int) {
	args := splitArgs(s, base)[1:]
	if len(args) > 0 && strings.HasPrefix(args[0].value, `\\`) {
		args = args[1:] // \\computer
	}
	for _, a := range args {
		if kind, _, ok := strings.Cut(a.value, ":"); ok && mayBeKeyKind(kind) {
			c.secretFrom(a.valOff) // -a PRESHARE:"key": what follows may be key text
			break
		}
	}
	cmd := readIPSecPolArgs(c, args)
	if cmd.store == "" {
		if st.dynPol == 0 {
			st.dynPolAt, _ = c.line.pos(base)
		}
		st.dynPol++
		return
	}
	st.ipsecpolStatic(c, cmd, base)
}

// readIPSecPolArgs gathers the options of an ipsecpol command line.
func readIPSecPolArgs(c *cmdContext, args []token) *ipsecpolCmd {
	var cmd ipsecpolCmd
	var list *[]token
	for i := 0; i < len(args); i++ {
		a := args[i]
		opt := strings.ToLower(a.value)
		if !strings.HasPrefix(opt, "-") || len(opt) < 2 {
			if list == nil {
				c.errorf(a.valOff, "ipsecpol: unexpected argument %q", a.value)
				continue
			}
			*list = append(*list, a)
			continue
		}
		list = nil
		o, known := ipsecpolOptions[opt]
		switch {
		case !known:
			c.errorf(a.valOff, "ipsecpol: unknown option %q", a.value)
		case o.value != nil:
			if i+1 >= len(args) || strings.HasPrefix(args[i+1].value, "-") && !args[i+1].quoted {
				c.errorf(a.valOff, "ipsecpol: option %q needs a value", a.value)
				continue
			}
			i++
			o.value(&cmd, args[i])
		case o.list != nil:
			list = o.list(&cmd)
		case o.flag != nil:
			*o.flag(&cmd) = true
		}
	}
	return &cmd
}

func (st *scriptState) ipsecpolStatic(c *cmdContext, cmd *ipsecpolCmd, at int) {
	b := st.b
	switch t := strings.ToUpper(cmd.store); {
	case t == "REG":
		b.switchStore(model.StoreLocal, c.loc(at))
	case strings.HasPrefix(t, "DS"):
		b.switchStore(model.StoreDomain, c.loc(at))
	default:
		c.errorf(at, "ipsecpol: -w %q is not REG or DS:domain", cmd.store)
		return
	}
	b.use()
	if cmd.policy == nil {
		c.errorf(at, "ipsecpol: -p policy is required with -w")
		return
	}
	name, poll := policyAndPolling(cmd.policy.value)
	pol := b.store.Policy(name)
	if cmd.del {
		if pol != nil {
			b.removePolicy(pol)
		}
		return
	}
	loc := c.loc(cmd.policy.valOff)
	if pol == nil {
		pol = b.newPolicy(name, loc)
	}
	if poll >= 0 {
		pol.PollingIntervalMin = poll
	}
	for _, m := range cmd.mmMethods {
		// A copy of the text: a netsh store's methods are not detached
		// from the input later (see methodCache).
		mm, err := parseMMMethod(strings.Clone(m.value))
		if err != nil {
			c.errorf(m.valOff, "ipsecpol -1s: %v", err)
			continue
		}
		pol.MMSecMethods = append(pol.MMSecMethods, mm)
	}
	if len(cmd.rules) > 0 && (len(cmd.filters) > 0 || len(cmd.negs) > 0) {
		st.ipsecpolRule(c, pol, cmd)
	}
	switch {
	case cmd.assign:
		st.assign(pol, true, loc)
	case cmd.unassign:
		st.assign(pol, false, loc)
	}
}

// policyAndPolling splits -p's "name:pollinterval"; poll is -1 when not
// given.
func policyAndPolling(v string) (name string, poll int) {
	if i := strings.LastIndexByte(v, ':'); i > 0 {
		if n, err := strconv.Atoi(v[i+1:]); err == nil {
			return v[:i], n
		}
	}
	return v, -1
}

// ipsecpolRule makes or updates the rule -r names, with a filter list and
// a filter action of the rule's name owned by the policy.
func (st *scriptState) ipsecpolRule(c *cmdContext, pol *model.Policy, cmd *ipsecpolCmd) {
	r, l, a := st.ipsecpolObjects(c, pol, cmd.rules[0])
	for _, ft := range cmd.filters {
		f, err := parseIPSecPolFilter(ft.value)
		if err != nil {
			c.errorf(ft.valOff, "ipsecpol -f: %v", err)
			if l.Doubts.About("filters") == nil { // the filter may be there, in some form
				l.Doubts = append(l.Doubts, model.Doubt{Field: "filters", Loc: c.loc(ft.valOff),
					Reason: fmt.Sprintf("the filter at %s was not read (%v): what else the list matches on the host is unknown", c.loc(ft.valOff), err)})
			}
			continue
		}
		f.Loc = c.loc(ft.valOff)
		if hasSameFilter(l, f) {
			continue // the same command run again adds nothing
		}
		st.b.made(1)
		l.Filters = append(l.Filters, f)
	}
	ipsecpolNegotiation(c, a, cmd.negs)
	a.Soft = a.Soft || cmd.soft
	if cmd.tunnel != nil {
		r.TunnelEndpoint = cmd.tunnel.value
	}
	if cmd.lan {
		r.ConnType = model.ConnLAN
	}
	if cmd.dialup {
		r.ConnType = model.ConnDialup
	}
	ipsecpolAuth(c, r, cmd.auths)
}

// ipsecpolObjects finds or makes the rule that -r names, and its own
// filter list and filter action.
func (st *scriptState) ipsecpolObjects(c *cmdContext, pol *model.Policy, rt token) (*model.Rule, *model.FilterList, *model.FilterAction) {
	b := st.b
	r := pol.Rule(rt.value)
	if r == nil {
		b.made(1)
		r = &model.Rule{Name: rt.value, PolicyName: pol.Name, Active: true, ConnType: model.ConnAll, Auth: []model.AuthMethod{{Kind: model.AuthKerberos}}, Loc: c.loc(rt.valOff)}
		insertRule(pol, r)
		r.FilterListName = st.ownedName(pol, rt.value, func(n string) bool { return b.store.FilterList(n) != nil })
		r.FilterActionName = st.ownedName(pol, rt.value, func(n string) bool { return b.store.FilterAction(n) != nil })
		if b.ownedLists == nil {
			b.ownedLists, b.ownedActions = map[*model.Policy][]*model.FilterList{}, map[*model.Policy][]*model.FilterAction{}
		}
		b.ownedLists[pol] = append(b.ownedLists[pol], b.newFilterList(r.FilterListName, r.Loc))
		b.ownedActions[pol] = append(b.ownedActions[pol], b.newFilterAction(r.FilterActionName, r.Loc))
	}
	l, a := b.store.FilterList(r.FilterListName), b.store.FilterAction(r.FilterActionName)
	if l == nil { // deleted by a netsh command in between
		l = b.newFilterList(r.FilterListName, r.Loc)
	}
	if a == nil {
		a = b.newFilterAction(r.FilterActionName, r.Loc)
	}
	return r, l, a
}

// ipsecpolNegotiation applies -n: BLOCK, PASS, INPASS or quick-mode
// methods (ESP[3DES,SHA1]).
func ipsecpolNegotiation(c *cmdContext, a *model.FilterAction, negs []token) {
	if len(negs) > 0 {
		a.Methods = nil
	}
	for _, n := range negs {
		switch strings.ToUpper(n.value) {
		case "BLOCK":
			a.Action = model.ActionBlock
		case "PASS":
			a.Action = model.ActionPermit
		case "INPASS":
			a.InPass = true
		default:
			m, err := parseQMMethod(strings.TrimRight(n.value, "0123456789"))
			if err != nil {
				c.errorf(n.valOff, "ipsecpol -n: %v", err)
				continue
			}
			m.Text = strings.Clone(n.value) // not detached later (see methodCache)
			a.Action = model.ActionNegotiate
			a.Methods = append(a.Methods, m)
		}
	}
}

// ipsecpolAuth applies -a: KERBEROS, PRESHARE:"key" or CERT:"ca".
func ipsecpolAuth(c *cmdContext, r *model.Rule, auths []token) {
	if len(auths) > 0 {
		r.Auth = nil
	}
	for _, au := range auths {
		kind, val, _ := strings.Cut(au.value, ":")
		switch strings.ToUpper(kind) {
		case "K", "KERBEROS":
			r.Auth = append(r.Auth, model.AuthMethod{Kind: model.AuthKerberos, Loc: c.loc(au.valOff)})
		case "P", "PRESHARE": // the key itself is not kept, only its length
			r.Auth = append(r.Auth, model.AuthMethod{Kind: model.AuthPreshared, KeyLength: len([]rune(strings.Trim(val, `"`))), Loc: c.loc(au.valOff)})
		case "C", "CERT":
			r.Auth = append(r.Auth, model.AuthMethod{Kind: model.AuthCertificate, CA: val, Loc: c.loc(au.valOff)})
		default: // quote the method, not what follows it: a mistyped PRESHARE's key
			shown := kind
			if val != "" {
				shown += ":" + model.Redacted
			}
			c.errorf(au.valOff, "ipsecpol -a: %q is not KERBEROS, PRESHARE:key or CERT:ca", shown)
		}
	}
}

// mayBeKeyKind reports whether the word before a colon may introduce a
// pre-shared key: PRESHARE and P, and any other word that is not a known
// method (a mistyped PRESHARED), so that no message quotes what follows.
// Filters (0:80+*::TCP) and security methods do not start with a word.
func mayBeKeyKind(kind string) bool {
	if kind == "" {
		return false
	}
	for _, r := range kind {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	switch strings.ToUpper(kind) {
	case "K", "KERBEROS", "C", "CERT":
		return false
	}
	return true
}

// ownedName is the rule's name, or "rule (policy)" when another policy's
// rule already gave that name to a filter list or action.
func (st *scriptState) ownedName(pol *model.Policy, rule string, taken func(string) bool) string {
	if !taken(rule) {
		return rule
	}
	return fmt.Sprintf("%s (%s)", rule, pol.Name)
}

// parseIPSecPolFilter reads an ipsecpol filter spec:
// src[/mask][:port](=|+)dst[/mask][:port][:protocol]; "=" is mirrored,
// "+" is not; 0 is this host, * is any.
func parseIPSecPolFilter(spec string) (*model.Filter, error) {
	s := strings.Trim(spec, "[]()")
	i := strings.IndexAny(s, "=+")
	if i < 0 {
		return nil, fmt.Errorf("filter %q: want src=dst (mirrored) or src+dst", spec)
	}
	f := model.NewFilter(model.FilterSpec{Mirrored: s[i] == '='}, model.Location{})
	srcParts := strings.Split(s[:i], ":")
	dstParts := strings.Split(s[i+1:], ":")
	if len(srcParts) > 2 || len(dstParts) > 3 {
		return nil, fmt.Errorf("filter %q: too many ':' parts", spec)
	}
	var err error
	if f.Src, err = ipsecpolAddr(srcParts[0]); err != nil {
		return nil, fmt.Errorf("filter %q: %w", spec, err)
	}
	if f.Dst, err = ipsecpolAddr(dstParts[0]); err != nil {
		return nil, fmt.Errorf("filter %q: %w", spec, err)
	}
	if len(srcParts) == 2 && srcParts[1] != "" {
		if f.SrcPort, err = parsePort(srcParts[1]); err != nil {
			return nil, fmt.Errorf("filter %q: %w", spec, err)
		}
	}
	if len(dstParts) >= 2 && dstParts[1] != "" {
		if f.DstPort, err = parsePort(dstParts[1]); err != nil {
			return nil, fmt.Errorf("filter %q: %w", spec, err)
		}
	}
	if len(dstParts) == 3 && dstParts[2] != "" {
		if f.Protocol, err = parseProtocol(dstParts[2]); err != nil {
			return nil, fmt.Errorf("filter %q: %w", spec, err)
		}
	}
	return f, nil
}

// ipsecpolAddr reads 0 (this host), * (any), an address with an optional
// /mask, or a DNS name.
func ipsecpolAddr(s string) (model.Address, error) {
	switch s {
	case "0":
		return model.Address{Kind: model.AddrMe}, nil
	case "*":
		return model.Address{Kind: model.AddrAny}, nil
	case "":
		return model.Address{}, fmt.Errorf("an address is missing")
	}
	addr, mask, hasMask := strings.Cut(s, "/")
	a, err := parseAddr(addr)
	if err != nil {
		return a, err
	}
	bits := 32
	if hasMask {
		if bits, err = parseMask(mask); err != nil {
			return a, err
		}
	}
	return withMask(a, bits), nil
}

// hasSameFilter reports whether l already holds a filter equal to f.
func hasSameFilter(l *model.FilterList, f *model.Filter) bool {
	for _, g := range l.Filters {
		if g.Src == f.Src && g.Dst == f.Dst && g.Protocol == f.Protocol && g.SrcPort == f.SrcPort && g.DstPort == f.DstPort && g.Mirrored == f.Mirrored {
			return true
		}
	}
	return false
}
