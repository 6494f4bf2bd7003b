package netsh

import (
	"fmt"
	"slices"
	"strings"
)

// stringTags take free text: an unquoted value with spaces (a logged argv,
// samples/netsh/17_*) goes on in the bare words that follow them.
var stringTags = map[string]bool{
	"name": true, "newname": true, "description": true, "policy": true,
	"filterlist": true, "filteraction": true, "psk": true, "rootca": true,
}

// param is one resolved parameter of a command.
type param struct {
	tag   string // full tag name
	value string
	off   int // offset of the value in the logical line
	tagAt int // offset of the tag (or value, when positional)
}

// params is the resolved parameters of one command, by full tag name:
// a short list (a command takes a dozen at most), searched in order,
// which costs less than a map.
type params struct{ list []param }

// get returns the parameter of tag.
func (p *params) get(tag string) (param, bool) {
	for _, q := range p.list {
		if q.tag == tag {
			return q, true
		}
	}
	return param{}, false
}

// val returns the parameter of tag, the zero one when it was not given.
func (p *params) val(tag string) param {
	q, _ := p.get(tag)
	return q
}

func (p *params) has(tag string) bool {
	_, ok := p.get(tag)
	return ok
}

// put sets the parameter of q's tag.
func (p *params) put(q param) {
	for i := range p.list {
		if p.list[i].tag == q.tag {
			p.list[i] = q
			return
		}
	}
	p.list = append(p.list, q)
}

// resolveTags matches the tokens of a command to its tags: exact tag, or
// an unambiguous prefix of one, or positional. It reports unknown and
// ambiguous tags and values it could not place. From a psk on, the
// command's text may be a key: the problems reported there quote none of
// it (cmdContext.secretFrom).
//
// out is where the parameters go: a map emptied first, used again for
// each command of a script (nothing keeps a command's parameters past
// it), so that a script does not make a map per command.
func (c *cmdContext) resolveTags(sc *staticCommand, toks []token, out *params) params {
	out.list = out.list[:0]
	r := resolver{c: c, cmd: sc.name, tags: sc.tags, out: out}
	for _, t := range toks {
		switch {
		case t.bare() && isBarePSK(t, r.next, r.tags):
			// `psk KEY`: read as psk=KEY, so that the key is in no name.
			c.secretFrom(t.valOff)
			c.warnf(t.valOff, "%s: psk written without '=': the words after it are read as the pre-shared key", r.cmd)
			r.set(param{tag: "psk", off: t.valOff, tagAt: t.valOff})
		case t.bare():
			r.bare(t)
		default:
			r.tagged(t)
		}
	}
	r.joinWords()
	return *r.out
}

// resolver is the state of resolveTags.
type resolver struct {
	c    *cmdContext
	cmd  string
	tags []string
	out  *params
	next int    // next positional tag
	last string // the tag read last; "" after a bad one
	// lastQuoted says the value of the tag read last was quoted.
	lastQuoted bool
	// joined are the tags whose value went on in bare words (where the
	// first was), and the words.
	joined map[string]int
	more   map[string][]string
}

func (r *resolver) set(p param) {
	r.out.put(p)
	r.last = p.tag
}

// bare places a value without a tag: the rest of an unquoted value with
// spaces, or the next positional tag's value.
func (r *resolver) bare(t token) {
	if slices.Contains(r.tags, "psk") {
		// In a command that takes a key, which word a positional value
		// fills depends on how the words before it were split (a name
		// with spaces, a word joined to it): any of them may be the key.
		r.c.secretFrom(t.valOff)
	}
	if r.last != "" && stringTags[r.last] && !t.quoted && !r.lastQuoted {
		// An unquoted name with spaces, as a logged argv shows it (after
		// a quoted value the value is complete: a word after it is the
		// next parameter, not more of the name).
		if r.more == nil {
			r.joined, r.more = map[string]int{}, map[string][]string{}
		}
		r.more[r.last] = append(r.more[r.last], t.value)
		if _, seen := r.joined[r.last]; !seen {
			r.joined[r.last] = t.valOff
		}
		return
	}
	if r.next >= len(r.tags) {
		r.c.errorf(t.valOff, "%s: unexpected value %q", r.cmd, t.value)
		return
	}
	tag := r.tags[r.next]
	if tag == "guid" || tag == "id" { // name|guid: a positional value is the name
		r.next++
		tag = r.tags[r.next]
	}
	r.next++
	if tag == "psk" {
		r.c.secretFrom(t.valOff)
	}
	r.set(param{tag: tag, value: t.value, off: t.valOff, tagAt: t.valOff})
	r.lastQuoted = t.quoted
}

// tagged places a `tag=value` token.
func (r *resolver) tagged(t token) {
	tag, err := matchTag(t.tag, r.tags)
	if err != "" {
		r.c.errorf(t.tagOff, "%s: %s", r.cmd, err)
		r.last = ""
		return
	}
	if tag == "psk" {
		r.c.secretFrom(t.tagOff) // the key, and what follows it if it has spaces
	}
	if r.out.has(tag) {
		r.c.errorf(t.tagOff, "%s: %s given twice", r.cmd, tag)
	}
	r.set(param{tag: tag, value: t.value, off: t.valOff, tagAt: t.tagOff})
	r.lastQuoted = t.quoted
	r.next = len(r.tags) // after a tag, values must be tagged
}

// joinWords makes the bare words after a free-text tag part of its value.
func (r *resolver) joinWords() {
	for _, tag := range r.tags {
		if off, ok := r.joined[tag]; ok {
			p := r.out.val(tag)
			p.value = strings.TrimPrefix(p.value+" "+strings.Join(r.more[tag], " "), " ")
			r.out.put(p)
			r.c.warnf(off, "unquoted value with spaces: %s=%q taken as one value (netsh itself would need quotes)", tag, p.value)
		}
	}
}

// isBarePSK reports whether t is the word psk where a tagged parameter is
// due (after a tag), in a command that takes psk=.
func isBarePSK(t token, next int, tags []string) bool {
	return !t.quoted && next >= len(tags) && strings.EqualFold(t.value, "psk") && slices.Contains(tags, "psk")
}

// matchTag resolves a tag as netsh does: case-insensitive, exact or an
// unambiguous prefix.
func matchTag(tag string, tags []string) (string, string) {
	var found []string
	for _, t := range tags {
		if t == tag {
			return t, ""
		}
		if strings.HasPrefix(t, tag) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Sprintf("unknown parameter %q", tag)
	case 1:
		return found[0], ""
	}
	return "", fmt.Sprintf("ambiguous parameter %q (%s)", tag, strings.Join(found, ", "))
}
