package netsh

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ipseclint/ipseclint/internal/model"
)

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
	// dry is set while sniffing: commands are recognized and counted
	// (commands: netsh ipsec ones and ipsec contexts entered; ipsecpols)
	// but not run.
	dry                 bool
	commands, ipsecpols int
	// toks is the tokens of the command being read, a buffer used again
	// for each (nothing keeps tokens past their command).
	toks  []token
	spans []span // the commands of the line being read, a buffer too
	join  joiner
	cur   logicalLine // the line being read: nothing keeps it past its commands
	// params are the parameters of the command being run, a list used
	// again for each (resolveTags).
	params params
	// cmd and call are the context and the static command call of the
	// command being run, used again for each: nothing keeps them (or a
	// pointer to them) past their command, and a command runs no other.
	cmd  cmdContext
	call call
	// scratch is where toks, spans and params.list came from and go back
	// to (release).
	scratch *scriptScratch
}

func newScriptState(b *builder) *scriptState {
	st := &scriptState{b: b}
	st.scratch, _ = scratchPool.Get().(*scriptScratch)
	if st.scratch == nil {
		st.scratch = &scriptScratch{}
	}
	st.toks, st.spans, st.params.list = st.scratch.toks, st.scratch.spans, st.scratch.params
	return st
}

// scriptScratch are the buffers of a scriptState that are used again for
// each command (toks, spans, params): every file read, and every head
// sniffed, grew new ones.
type scriptScratch struct {
	toks   []token
	spans  []span
	params []param
}

var scratchPool sync.Pool

// release gives st's command buffers back for another script to use: st
// reads no line after. They are cleared, so that the pool keeps no piece
// of this file's text.
func (st *scriptState) release() {
	sc := st.scratch
	*sc = scriptScratch{toks: st.toks[:0], spans: st.spans[:0], params: st.params.list[:0]}
	clear(sc.toks[:cap(sc.toks)])
	clear(sc.spans[:cap(sc.spans)])
	clear(sc.params[:cap(sc.params)])
	st.toks, st.spans, st.params.list, st.scratch = nil, nil, nil, nil
	scratchPool.Put(sc)
}

// cmdContext reports problems of one command at their place.
type cmdContext struct {
	b    *builder
	line *logicalLine
	// secret says that from offset secret-1 on, the line may hold a
	// pre-shared key (psk=, ipsecpol -a PRESHARE:); 0 when it holds none.
	secret int
}

// secretFrom marks the text of the line from off on as possibly secret:
// problems reported there quote none of it.
func (c *cmdContext) secretFrom(off int) {
	c.b.keep.secretIn(c.line, off)
	if c.secret == 0 || off+1 < c.secret {
		c.secret = off + 1
	}
}

// redact replaces the input text a message about offset off quotes
// (every message quotes input with %q) when it may be a key: from where
// the command's reading met one (secretFrom), or from where the line's
// text looks like one whatever the reading made of it (secretColumn: a
// tag the reader did not take for psk, such as "psk"= or psk:).
func (c *cmdContext) redact(off int, msg string) string {
	from := c.secret
	if col := secretColumn(c.line.text, formScript); col > 0 && (from == 0 || col < from) {
		from = col
	}
	if from == 0 || off+1 < from {
		return msg
	}
	return redactQuoted(msg)
}

func (c *cmdContext) errorf(off int, format string, args ...any) {
	if len(c.b.res.Errors) >= MaxProblems { // not kept: not formatted
		c.b.droppedErrs++
		return
	}
	l, col := c.line.pos(off)
	c.b.errAt(l, col, c.redact(off, fmt.Sprintf(format, args...)))
}

func (c *cmdContext) warnf(off int, format string, args ...any) {
	if len(c.b.res.Warnings) >= MaxProblems {
		c.b.droppedWarns++
		return
	}
	l, col := c.line.pos(off)
	c.b.warnAt(l, col, c.redact(off, fmt.Sprintf(format, args...)))
}

// redactQuoted replaces each double-quoted (Go-quoted) part of msg with
// model.Redacted.
func redactQuoted(msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		j := i + 1
		for j < len(msg) && msg[j] != '"' {
			if msg[j] == '\\' {
				j++
			}
			j++
		}
		b.WriteString(msg[:i])
		b.WriteString(model.Redacted)
		msg = msg[min(j+1, len(msg)):]
	}
}

func (c *cmdContext) loc(off int) model.Location {
	l, col := c.line.pos(off)
	return c.b.loc(l, col)
}

// feed reads physical line n of a script; continued lines are joined
// first.
func (st *scriptState) feed(n int, s string) {
	if ll, ok := st.join.add(s, n); ok {
		st.cur = ll
		st.logicalLine(&st.cur)
	}
}

// lines reads the physical lines of a script's decoded text (its head,
// while sniffing; see eachPhysicalLine).
func (st *scriptState) lines(text string) {
	n := 0
	eachPhysicalLine(text, func(l string) {
		n++
		st.feed(n, l)
	})
	st.flush()
}

// flush reads a continued line that the input ended in.
func (st *scriptState) flush() {
	if ll, ok := st.join.flush(); ok {
		st.cur = ll
		st.logicalLine(&st.cur)
	}
}

// end finishes a script: the summary warnings.
func (st *scriptState) end() {
	st.flush()
	b := st.b
	if st.dynamic > 0 {
		b.warnAt(st.dynamicAt, 0, fmt.Sprintf("%d netsh ipsec dynamic command(s) skipped: dynamic policy is volatile and not part of the static store (only ipsecexempt is kept)", st.dynamic))
	}
	if st.dynPol > 0 {
		b.warnAt(st.dynPolAt, 0, fmt.Sprintf("%d ipsecpol/ipseccmd command(s) in dynamic mode (no -w) skipped: dynamic policy is volatile and not part of the static store", st.dynPol))
	}
	for _, s := range b.stores() {
		for _, p := range s.Policies {
			st.warnFlips(p)
		}
	}
}

// assignment is one assign=yes|no of a policy.
type assignment struct {
	loc model.Location
	on  bool
}

// assign assigns or unassigns a policy, remembering where for warnFlips.
func (st *scriptState) assign(p *model.Policy, on bool, loc model.Location) {
	st.b.assign(p, on, loc)
	if st.assigns == nil { // made when first written: a sniffed head assigns nothing
		st.assigns = map[*model.Policy][]assignment{}
	}
	st.assigns[p] = append(st.assigns[p], assignment{loc, on})
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
	st.b.warnAt(int(as[len(as)-1].loc.Line), 0, fmt.Sprintf("policy %q is assigned, then unassigned, on lines %s; which runs depends on the batch file's control flow (goto, exit): the last one is kept (assigned=%v)", p.Name, strings.Join(at, ", "), p.Assigned))
}

func (st *scriptState) logicalLine(l *logicalLine) {
	t := strings.TrimSpace(l.text)
	switch {
	case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "::") || strings.HasPrefix(t, ";"):
		return
	case isErrLine(t):
		st.b.sawNoData()
		return
	}
	st.spans = splitCommands(st.spans[:0], l)
	secret := 0 // a key in one command of a line: the commands after it may hold the rest
	for _, sp := range st.spans {
		secret = st.command(sp, secret)
	}
}

// command reads one command of a line; secret is its cmdContext's
// secret from the commands before it on the line, returned updated.
func (st *scriptState) command(sp span, secret int) int {
	c := &st.cmd
	*c = cmdContext{b: st.b, line: sp.line, secret: secret}
	st.dispatch(c, sp)
	return c.secret
}

// dispatch reads a command by its first word.
func (st *scriptState) dispatch(c *cmdContext, sp span) {
	s, base := commandText(sp)
	word, ok := commandWord(firstWord(s))
	if !ok {
		return // another batch command (rem, echo, pause, exit...)
	}
	st.toks = appendTokens(st.toks[:0], s, base, st.tokenLimit(word))
	toks := st.toks
	switch word {
	case "netsh":
		st.netsh(c, toks[1:])
	case "ipsecpol", "ipseccmd":
		st.sawIPSecPl = true
		if st.ipsecpols++; !st.dry {
			st.ipsecpol(c, s, base)
		}
	case "pushd":
		st.pushd(toks[1:])
	case "popd":
		st.popd()
	case "ipsec", "static", "dynamic":
		ctx, rest := contextWords(st.ctx, toks)
		st.run(c, ctx, rest)
	default: // a verb
		switch {
		case len(st.ctx) > 0:
			st.run(c, st.ctx, toks)
		case len(toks) > 1 && toks[1].bare() && isStaticObject(toks[1].value):
			// A netsh command without its context (a `netsh -c "ipsec
			// static" -f` script, or a pasted snippet): static is assumed.
			st.run(c, []string{"ipsec", "static"}, toks)
		}
	}
}

// tokenLimit is how many tokens of a command are read: all of them, but
// while sniffing only as many as tell whether it is a netsh command (a
// verb and its object; `netsh -r host -u user -p pw -c ctx ipsec static`
// and its verb). Parameters do not tell.
func (st *scriptState) tokenLimit(word string) int {
	switch {
	case !st.dry:
		return -1
	case word == "netsh":
		return 14
	case word == "ipsecpol" || word == "ipseccmd":
		return 1
	}
	return 6
}

// commandWords are the first words of the commands a script is read
// for: programs, netsh contexts and the verbs of a netsh context.
var commandWords = map[string]string{}

func init() {
	for _, w := range []string{"netsh", "ipsecpol", "ipseccmd", "pushd", "popd", "ipsec", "static", "dynamic",
		"add", "set", "delete", "show", "exportpolicy", "importpolicy", "dump"} {
		commandWords[w] = w
	}
}

// commandWord looks a program name up in commandWords, in any case.
func commandWord(w string) (string, bool) {
	var buf [16]byte
	if len(w) > len(buf) {
		return "", false
	}
	for i := 0; i < len(w); i++ {
		buf[i] = lowerASCII(w[i])
	}
	word, ok := commandWords[string(buf[:len(w)])]
	return word, ok
}

// firstWord is the program name of the first token tokenize finds in s
// (without its directory and ".exe"), or "" when that token is a tag
// (`set policy=x` is cmd's set).
func firstWord(s string) string {
	i := 0
	for i < len(s) && (isSpace(s[i]) || s[i] == '=') { // tokenize skips stray '='
		i++
	}
	w, quoted := readWord(s, &i, true)
	if !quoted {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i < len(s) && s[i] == '=' {
			return ""
		}
	}
	if i := strings.LastIndexAny(w, `\/`); i >= 0 {
		w = w[i+1:]
	}
	if hasSuffixFold(w, ".exe") {
		w = w[:len(w)-len(".exe")]
	}
	return w
}

// commandText returns the text of a command without its leading blanks,
// cmd's echo-off '@' and a log label ("Entry added: netsh ..."), and its
// offset in the logical line.
func commandText(sp span) (string, int) {
	s, base := sp.text(), sp.start
	for len(s) > 0 && (isSpace(s[0]) || s[0] == '@') {
		s, base = s[1:], base+1
	}
	if p, ok := logPrefixEnd(s); ok {
		s, base = s[p:], base+p
	}
	return s, base
}

// pushd enters a netsh context (`pushd ipsec static`), or a directory.
func (st *scriptState) pushd(args []token) {
	st.stack = append(st.stack, st.ctx)
	if ctx, rest := contextWords(nil, args); len(ctx) > 0 && len(rest) == 0 {
		st.ctx = ctx
		st.b.dumpFrame = true
		st.commands++
	} else {
		st.ctx = nil // a directory, not a netsh context
	}
}

func (st *scriptState) popd() {
	if n := len(st.stack); n > 0 {
		st.ctx, st.stack = st.stack[n-1], st.stack[:n-1]
	} else {
		st.ctx = nil
	}
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
			c.errorf(toks[0].valOff, "netsh: option %q needs a value", toks[0].value)
			return
		}
		switch opt {
		case "c":
			ctx, _ = contextWords(nil, tokenize(toks[1].value, toks[1].valOff))
		case "f":
			st.sawNetsh = true
			st.commands++
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
	if st.commands++; st.dry || len(toks) == 0 {
		return // sniffing, or a bare context: interactive netsh, nothing to read
	}
	verbTok := toks[0]
	verb := strings.ToLower(verbTok.value)
	switch {
	case len(ctx) == 1: // ipsec itself: dump, help
		if !ipsecVerbs[verb] {
			c.errorf(verbTok.valOff, "netsh ipsec: %q needs the static or dynamic context", verbTok.value)
		}
	case ctx[1] == "dynamic":
		st.dynamicCommand(c, toks)
	case showVerbs[verb]:
	case verb == "importpolicy":
		c.warnf(verbTok.valOff, "importpolicy loads policies from a file that is not part of this one: the store may hold more than this file shows")
	case isStaticVerb(verb):
		st.staticCommand(c, verbTok, toks[1:])
	default:
		c.errorf(verbTok.valOff, "netsh ipsec static: unknown command %q", verbTok.value)
	}
}

// ipsecVerbs are the commands of the bare ipsec context; showVerbs those
// of ipsec static that change nothing.
var (
	ipsecVerbs = map[string]bool{"dump": true, "help": true, "?": true, "show": true}
	showVerbs  = map[string]bool{"show": true, "dump": true, "help": true, "?": true, "exportpolicy": true}
)

// dynamicCommand keeps `set config property=ipsecexempt value=N` and
// skips every other dynamic command.
func (st *scriptState) dynamicCommand(c *cmdContext, toks []token) {
	verb := strings.ToLower(toks[0].value)
	if verb == "set" && len(toks) > 1 && strings.EqualFold(toks[1].value, "config") && st.ipsecExempt(c, toks) {
		return
	}
	if st.dynamic == 0 {
		st.dynamicAt, _ = c.line.pos(toks[0].valOff)
	}
	st.dynamic++
}

// ipsecExempt reads `set config property=ipsecexempt value=N`; it reports
// whether the command was that one.
func (st *scriptState) ipsecExempt(c *cmdContext, toks []token) bool {
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
	if prop == nil || !strings.EqualFold(prop.value, "ipsecexempt") {
		return false
	}
	if val == nil {
		c.errorf(prop.valOff, "set config property=ipsecexempt: value is missing")
		return true
	}
	n, err := parseCount(val.value)
	if err != nil || n > 3 {
		c.errorf(val.valOff, "set config ipsecexempt: %q is not 0, 1, 2 or 3", val.value)
		return true
	}
	st.b.use()
	st.b.store.IPSecExempt = &model.SettingInt{Value: n, Loc: c.loc(toks[0].valOff)}
	return true
}
