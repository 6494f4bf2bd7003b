package fleetconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The parser looks at each key and list item once per use: an alias
// used many times over (or merge keys merging each other) would make a
// small file take minutes. So it stops after visiting twice as many keys
// and items as the file holds, plus slack for templates used by many
// hosts; a file without aliases never comes near.
const visitSlack = 10_000

// parser walks one decoded document and collects the mistakes.
type parser struct {
	file string
	errs []*model.ParseError
	seen map[errKey]bool
	// seenKey holds the unknown keys reported, so that close matches are
	// not looked for again when an alias brings a key back.
	seenKey map[*yaml.Node]bool
	// mistakes counts every mistake met, those reported before through
	// another alias included, so that a part can tell it had one.
	mistakes int
	visits   int
	budget   int
}

// errKey identifies a mistake: a node reached through several aliases is
// one mistake, reported once.
type errKey struct {
	node *yaml.Node
	msg  string
}

func newParser(file string) *parser {
	return &parser{file: file, seen: map[errKey]bool{}, seenKey: map[*yaml.Node]bool{}}
}

// fail records a mistake in the value n about the key at path. A value
// reached through an alias is reported where it is written, once.
func (p *parser) fail(n *yaml.Node, path, format string, args ...any) {
	p.failHere(resolve(n), path, format, args...)
}

// failHere records a mistake at node n itself, an alias included.
func (p *parser) failHere(n *yaml.Node, path, format string, args ...any) {
	p.mistakes++
	msg := fmt.Sprintf(format, args...)
	k := errKey{n, msg}
	if n != nil && p.seen[k] {
		return
	}
	p.seen[k] = true
	if path != "" {
		msg = path + ": " + msg
	}
	e := &model.ParseError{File: p.file, Err: errors.New(msg)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// result returns the mistakes joined, in the order of the file.
func (p *parser) result() error {
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i], p.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// visit counts one key or list item; false once the budget is spent.
func (p *parser) visit(n *yaml.Node) bool {
	p.visits++
	if p.visits == p.budget+1 {
		p.fail(n, "", "aliases repeat parts of the configuration more than %d times; the rest of the file is not read", p.budget)
	}
	return p.visits <= p.budget
}

var yamlLine = regexp.MustCompile(`^yaml: line ([0-9]+): `)

// syntaxError turns a YAML library error into a ParseError with the line
// it names.
func syntaxError(file string, err error, format string) *model.ParseError {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return model.ParseErrorf(file, line, 0, format, msg)
}

// decode reads the first YAML document of data and returns its top node
// (nil for an empty file). A second document is a mistake reported in
// extra; a syntax error in the first is fatal.
func decode(data []byte, file string) (root *yaml.Node, extra []*model.ParseError, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, syntaxError(file, err, "not valid YAML: %s; nothing in the file applies")
	}
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		extra = append(extra, syntaxError(file, err, "not valid YAML after the first document: %s"))
	case len(next.Content) > 0 && next.Content[0].ShortTag() != "!!null":
		n := next.Content[0]
		extra = append(extra, model.ParseErrorf(file, n.Line, n.Column, "a second YAML document (after \"---\") is not read: ipseclint reads only the first; merge them into one"))
	}
	return root, extra, nil
}

// countNodes returns how many nodes the document holds, aliases not
// followed.
func countNodes(root *yaml.Node) int {
	n := 0
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n++
		stack = append(stack, top.Content...)
	}
	return n
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// entry is one key of a mapping: its key node and its value, as written
// (raw: perhaps an alias) and resolved.
type entry struct {
	key, raw, value *yaml.Node
}

// entries returns the keys of mapping m in order, with merge keys ("<<:
// *anchor") expanded: keys written in m win over merged ones, and earlier
// merged mappings over later ones. A key written twice is a mistake; the
// first applies. Keys that are not text are mistakes and left out.
func (p *parser) entries(path string, m *yaml.Node) []entry {
	var out []entry
	have := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), m.Content[i+1]
		if !p.visit(k) {
			return out
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
			p.fail(k, path, "a key must be a plain name, not %s", describe(k))
			continue
		}
		if first := have[k.Value]; first != nil {
			p.fail(k, path, "key %s is given twice (first on line %d); the first applies", quote(k.Value), first.Line)
			continue
		}
		have[k.Value] = k
		out = append(out, entry{key: k, raw: v, value: resolve(v)})
	}
	for _, src := range p.mergeSources(path, merges, map[*yaml.Node]bool{m: true}) {
		for _, e := range p.entries(path, src) {
			if have[e.key.Value] == nil {
				have[e.key.Value] = e.key
				out = append(out, e)
			}
		}
	}
	return out
}

// mergeSources returns the mappings named by merge keys' values (an alias
// of a mapping, or a list of them), each once.
func (p *parser) mergeSources(path string, merges []*yaml.Node, done map[*yaml.Node]bool) []*yaml.Node {
	var out []*yaml.Node
	add := func(n *yaml.Node) {
		r := resolve(n)
		switch {
		case r == nil || done[r]:
		case r.Kind != yaml.MappingNode:
			p.failHere(n, path, "\"<<\" merges mappings: give an alias of one (<<: *name) or a list of them, not %s", describe(r))
		default:
			done[r] = true
			out = append(out, r)
		}
	}
	for _, v := range merges {
		if r := resolve(v); r != nil && r.Kind == yaml.SequenceNode {
			for _, item := range r.Content {
				add(item)
			}
			continue
		}
		add(v)
	}
	return out
}

// field is a key a mapping may hold and what reads its value.
type field struct {
	key  string
	read func(e entry)
}

// keys returns the fields' keys, in order.
func keys(fields []field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// mapping reads the mapping n (null: nothing) with fields; what says what
// the mapping holds, for the message when n is something else. Other keys
// are mistakes, with close matches; skip, when set, says which keys to
// pass over in silence.
func (p *parser) mapping(path, what string, n *yaml.Node, fields []field, skip func(string) bool) bool {
	if !p.isMapping(path, what, n) {
		return false
	}
	for _, e := range p.entries(path, resolve(n)) {
		if skip != nil && skip(e.key.Value) {
			continue
		}
		f := lookup(fields, e.key.Value)
		if f == nil {
			p.unknownKey(path, e.key, keys(fields))
			continue
		}
		f.read(e)
	}
	return true
}

// isMapping reports whether n is a mapping, and reports the mistake when
// it is neither a mapping nor empty.
func (p *parser) isMapping(path, what string, n *yaml.Node) bool {
	r := resolve(n)
	switch {
	case r == nil || isNull(r):
		return false
	case r.Kind != yaml.MappingNode:
		p.fail(n, path, "expected %s, not %s", what, describe(r))
		return false
	}
	return true
}

func lookup(fields []field, key string) *field {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	return nil
}

func (p *parser) unknownKey(path string, k *yaml.Node, known []string) {
	if p.seenKey[k] { // met again through an alias: reported already
		p.mistakes++
		return
	}
	p.seenKey[k] = true
	if m := model.CloseMatches(k.Value, known, 1); len(m) > 0 {
		p.fail(k, path, "unknown key %s; did you mean %s?", quote(k.Value), quote(m[0]))
		return
	}
	extra := ""
	if path == "" {
		extra = `; keys starting with "x-" or "." are ignored, for anchors`
	}
	p.fail(k, path, "unknown key %s (known: %s%s)", quote(k.Value), strings.Join(known, ", "), extra)
}

// list returns the items of list n (null: none), or reports what n is.
func (p *parser) list(path, what string, n *yaml.Node) ([]*yaml.Node, bool) {
	r := resolve(n)
	switch {
	case r == nil || isNull(r):
		return nil, true
	case r.Kind != yaml.SequenceNode:
		p.fail(n, path, "expected %s, not %s", what, describe(r))
		return nil, false
	}
	var out []*yaml.Node
	for _, item := range r.Content {
		if !p.visit(item) {
			break
		}
		out = append(out, item)
	}
	return out, true
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe says in words what a node is, for "expected X, not Y".
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping (key: value lines or {…})"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "an empty value"
	case "!!bool":
		return "the value " + n.Value
	case "!!int", "!!float":
		return "the number " + n.Value // digits, signs, dots, "_", "x", ".inf"
	case "!!timestamp":
		return "the date " + n.Value // digits, "-", ":", "T", spaces
	}
	return "the text " + quote(n.Value)
}

// quote quotes text from the file for a message: escaped (no control
// characters reach the terminal) and cut to 60 characters.
func quote(s string) string {
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return strconv.Quote(s)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// loc returns the location of node n.
func (p *parser) loc(n *yaml.Node) model.Location {
	if n == nil {
		return model.Location{File: p.file}
	}
	return model.Location{File: p.file, Line: int32(n.Line), Column: int32(n.Column)}
}
