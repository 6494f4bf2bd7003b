package netsh

import (
	"fmt"
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

// params is the resolved parameters of one command, by full tag name.
type params map[string]param

func (p params) has(tag string) bool { _, ok := p[tag]; return ok }

// resolveTags matches the tokens of a command to its tags: exact tag, or
// an unambiguous prefix of one, or positional. It reports unknown and
// ambiguous tags and values it could not place.
func (c *cmdContext) resolveTags(sc *staticCommand, toks []token) params {
	cmd, tags := sc.name, sc.tags
	out := make(params, len(toks))
	next := 0 // next positional tag
	var last *param
	var joined map[string]int    // tags whose value went on in bare words
	var more map[string][]string // the bare words, by tag
	for _, t := range toks {
		if t.bare() {
			if last != nil && stringTags[last.tag] && !t.quoted {
				// An unquoted name with spaces, as a logged argv shows it.
				if more == nil {
					joined, more = map[string]int{}, map[string][]string{}
				}
				more[last.tag] = append(more[last.tag], t.value)
				if _, seen := joined[last.tag]; !seen {
					joined[last.tag] = t.valOff
				}
				continue
			}
			if next >= len(tags) {
				c.errorf(t.valOff, "%s: unexpected value %q", cmd, t.value)
				continue
			}
			tag := tags[next]
			if tag == "guid" || tag == "id" { // name|guid: a positional value is the name
				next++
				tag = tags[next]
			}
			next++
			p := param{tag: tag, value: t.value, off: t.valOff, tagAt: t.valOff}
			out[tag] = p
			last = &p
			continue
		}
		tag, err := matchTag(t.tag, tags)
		if err != "" {
			c.errorf(t.tagOff, "%s: %s", cmd, err)
			last = nil
			continue
		}
		if _, dup := out[tag]; dup {
			c.errorf(t.tagOff, "%s: %s given twice", cmd, tag)
		}
		p := param{tag: tag, value: t.value, off: t.valOff, tagAt: t.tagOff}
		out[tag] = p
		last = &p
		next = len(tags) // after a tag, values must be tagged
	}
	for _, tag := range tags {
		if off, ok := joined[tag]; ok {
			p := out[tag]
			p.value += " " + strings.Join(more[tag], " ")
			out[tag] = p
			c.warnf(off, "unquoted value with spaces: %s=%q taken as one value (netsh itself would need quotes)", tag, out[tag].value)
		}
	}
	return out
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
