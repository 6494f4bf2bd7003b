package model

import (
	"slices"
	"sort"
	"strings"
)

// KeyFilter is the set of registry subtrees the rules read. Parsers keep
// only keys inside it, so that memory does not grow with the size of an
// export. A path under `SYSTEM\CurrentControlSet` also selects the same
// path under every `SYSTEM\ControlSetNNN`. A nil *KeyFilter keeps every key.
type KeyFilter struct {
	prefixes [][]string // lower-case components, control set canonicalized
	raw      []string
	// trie holds prefixes component by component, so that Wants walks
	// one path down it instead of comparing it with every prefix.
	trie filterNode
}

// filterNode is a node of KeyFilter's trie: the prefixes that go on
// below it, by their next component, and whether one ends at it.
type filterNode struct {
	end  bool
	kids map[string]*filterNode
}

func (n *filterNode) add(components []string) {
	for _, c := range components {
		next := n.kids[c]
		if next == nil {
			if n.kids == nil {
				n.kids = map[string]*filterNode{}
			}
			next = &filterNode{}
			n.kids[c] = next
		}
		n = next
	}
	n.end = true
}

// NewKeyFilter returns a filter keeping the subtrees at paths (HKLM-relative
// or with an HKEY_LOCAL_MACHINE/HKLM root).
func NewKeyFilter(paths ...string) *KeyFilter {
	f := &KeyFilter{}
	seen := map[string]bool{}
	for _, p := range paths {
		c, ok := CleanKeyPath(p)
		if !ok || seen[strings.ToLower(c)] {
			continue
		}
		seen[strings.ToLower(c)] = true
		f.raw = append(f.raw, c)
		f.prefixes = append(f.prefixes, canonicalComponents(c))
		f.trie.add(f.prefixes[len(f.prefixes)-1])
	}
	sort.Strings(f.raw)
	return f
}

// Paths returns the subtrees the filter keeps, as given.
func (f *KeyFilter) Paths() []string {
	if f == nil {
		return nil
	}
	return f.raw
}

func canonicalComponents(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.ToLower(p), `\`)
	if len(parts) >= 2 && parts[0] == "system" {
		if _, ok := controlSetNumber(parts[1]); ok || parts[1] == "currentcontrolset" {
			parts[1] = "currentcontrolset"
		}
	}
	return parts
}

// Wants reports whether the key at path (HKLM-relative) is to be kept: it
// lies inside one of the filter's subtrees, or is an ancestor of one.
// Ancestors are kept (they are few) so that the model can tell which parts
// of the registry an export covered: an export holding
// `SOFTWARE\Policies\Microsoft\Windows` but no `IPSec` key below it says
// "no IPSec policy", an export without it says nothing.
func (f *KeyFilter) Wants(path string) bool {
	if f == nil {
		return true
	}
	wanted, _ := f.wants(path)
	return wanted
}

// wants is Wants, and whether the path lies inside one of the filter's
// subtrees (at its top or below it) rather than being only an ancestor
// of some.
func (f *KeyFilter) wants(path string) (wanted, inside bool) {
	if f == nil {
		return true, true
	}
	if isASCII(path) {
		return f.wantsASCII(path)
	}
	c := canonicalComponents(path)
	for _, p := range f.prefixes {
		if hasPrefix(c, p) {
			return true, true
		}
		if hasPrefix(p, c) {
			wanted = true
		}
	}
	return wanted, false
}

// wantsASCII is wants of an ASCII path, walked down the trie with its
// components lower-cased (and a control set canonicalized) on the stack:
// the path is wanted when a prefix ends at a node it reaches (it is
// inside that subtree), or when all of it is on the way to one (it is
// an ancestor).
func (f *KeyFilter) wantsASCII(path string) (wanted, inside bool) {
	if path == "" {
		return len(f.prefixes) > 0, f.trie.end // no components: a prefix of every path
	}
	n := &f.trie
	rest, system := path, false
	var buf [64]byte
	for i := 0; ; i++ {
		if n.end {
			return true, true
		}
		comp, more, found := strings.Cut(rest, `\`)
		switch {
		case i == 0:
			system = equalLowerASCII(comp, "system")
		case i == 1 && system && (equalLowerASCII(comp, "currentcontrolset") || isControlSet(comp)):
			comp = "currentcontrolset"
		}
		var next *filterNode
		if len(comp) <= len(buf) {
			next = n.kids[string(appendLowerASCII(buf[:0], comp))]
		} else {
			next = n.kids[strings.ToLower(comp)]
		}
		if next == nil {
			return false, false
		}
		if !found {
			return true, next.end
		}
		n, rest = next, more
	}
}

// appendLowerASCII appends the ASCII s lower-cased to dst.
func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// prefixedASCII reports whether the canonical components of the ASCII
// path start with prefix (hasPrefix of canonicalComponents), and returns
// the component after it, if any (as written).
func prefixedASCII(path string, prefix []string) (next string, more, ok bool) {
	if path == "" {
		return "", false, len(prefix) == 0
	}
	rest, system := path, false
	for i := range prefix {
		if rest == "" && i > 0 {
			return "", false, false // fewer components than the prefix
		}
		comp, after, found := strings.Cut(rest, `\`)
		switch {
		case i == 0:
			system = equalLowerASCII(comp, "system")
		case i == 1 && system && (equalLowerASCII(comp, "currentcontrolset") || isControlSet(comp)):
			comp = "currentcontrolset"
		}
		if !equalLowerASCII(comp, prefix[i]) {
			return "", false, false
		}
		if !found {
			return "", false, i == len(prefix)-1
		}
		rest = after
	}
	next, _, _ = strings.Cut(rest, `\`)
	if len(prefix) == 1 && system && (equalLowerASCII(next, "currentcontrolset") || isControlSet(next)) {
		next = "currentcontrolset" // canonical, as the second component
	}
	return next, true, true
}

// underPrefixASCII is prefixedASCII for a key strictly below prefix.
func underPrefixASCII(path string, prefix []string) (next string, below bool) {
	next, more, ok := prefixedASCII(path, prefix)
	return next, ok && more
}

// hasPrefixLowerASCII reports whether the ASCII s lower-cased starts
// with lower.
func hasPrefixLowerASCII(s, lower string) bool {
	return len(s) >= len(lower) && equalLowerASCII(s[:len(lower)], lower)
}

func isControlSet(name string) bool {
	_, ok := controlSetNumber(name)
	return ok
}

// equalLowerASCII reports whether the ASCII string s lower-cased is
// lower (lower-case already).
func equalLowerASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// Descend reports whether a walk of a tree must enter the key at path. It
// is the same as Wants, since ancestors of wanted subtrees are wanted.
func (f *KeyFilter) Descend(path string) bool { return f.Wants(path) }

func hasPrefix(s, prefix []string) bool {
	if len(prefix) > len(s) {
		return false
	}
	for i := range prefix {
		if s[i] != prefix[i] {
			return false
		}
	}
	return true
}

// KeepSpec is a registry subtree a rule still reads once the host facts
// are derived, and the names of the values it reads there (every value
// when Values is empty).
type KeepSpec struct {
	Key    string
	Values []string
	// Subkeys, when set, keeps only the keys below Key whose names (the
	// first name below Key) start with it, case-insensitively.
	Subkeys string
	// Except names keys directly below Key that are not kept (nor
	// anything below them), case-insensitively: the rule that keeps
	// the others reads nothing of these.
	Except []string
	// Shallow keeps Key without any key below it.
	Shallow bool
}

// Retention is what to keep of a host's registry (see RegTree.Retain)
// and of its policies (WithPolicies) once its facts are derived.
type Retention struct {
	keys  *KeyFilter
	only  []keepValues
	under []keepSubkeys
	// policy, when set, says which of a host's policies are read once
	// its facts are derived (WithPolicies); nil keeps them all.
	policy func(*Host, *Policy) bool
}

// WithPolicies returns r keeping, of each host's policies, those keep
// reports true for (and every policy the host's facts point to): the
// others, with the filter lists and filter actions only they use, go
// once the facts are derived.
func (r *Retention) WithPolicies(keep func(*Host, *Policy) bool) *Retention {
	c := *r
	c.policy = keep
	return &c
}

// KeepsPolicy reports whether p, a policy of host h, is kept.
func (r *Retention) KeepsPolicy(h *Host, p *Policy) bool {
	return r == nil || r.policy == nil || r.policy(h, p) || slices.Contains(h.Facts.Policy.Value.Policies(), p)
}

// keepSubkeys limits the keys kept below one key.
type keepSubkeys struct {
	prefix  []string // canonical components of the key
	name    string   // lower-case prefix of the names kept below it
	except  []string // lower-case names not kept below it
	shallow bool     // none kept
}

// keepValues limits the values kept in one subtree.
type keepValues struct {
	prefix []string // canonical components
	names  []string
}

// NewRetention returns the retention of the subtrees specs name.
func NewRetention(specs ...KeepSpec) *Retention {
	r := &Retention{}
	var paths []string
	for _, s := range specs {
		c, ok := CleanKeyPath(s.Key)
		if !ok {
			continue
		}
		paths = append(paths, c)
		if len(s.Values) > 0 {
			r.only = append(r.only, keepValues{prefix: canonicalComponents(c), names: s.Values})
		}
		if s.Subkeys != "" || s.Shallow || len(s.Except) > 0 {
			except := make([]string, len(s.Except))
			for i, e := range s.Except {
				except[i] = strings.ToLower(e)
			}
			r.under = append(r.under, keepSubkeys{prefix: canonicalComponents(c), name: strings.ToLower(s.Subkeys), except: except, shallow: s.Shallow})
		}
	}
	r.keys = NewKeyFilter(paths...)
	return r
}

// wantsKey reports whether the key at path is kept.
func (r *Retention) wantsKey(path string) bool {
	wanted, _ := r.keyKept(path)
	return wanted
}

// keyKept is wantsKey, and whether the key lies inside a subtree a
// KeepSpec names (inside is false for a key kept only as an ancestor of
// such subtrees, which no rule reads: Retain lets it go when it holds
// nothing else that is kept).
func (r *Retention) keyKept(path string) (wanted, inside bool) {
	wanted, inside = r.keys.wants(path)
	if !wanted || !inside {
		return wanted, false
	}
	return r.underKept(path), true
}

// underKept reports whether no Subkeys, Except or Shallow limit of a
// KeepSpec leaves out the key at path.
func (r *Retention) underKept(path string) bool {
	if isASCII(path) {
		for _, u := range r.under {
			next, more := underPrefixASCII(path, u.prefix)
			if !more {
				continue
			}
			first, _, _ := strings.Cut(next, `\`)
			if u.shallow || !hasPrefixLowerASCII(next, u.name) || slices.ContainsFunc(u.except, func(e string) bool { return equalLowerASCII(first, e) }) {
				return false
			}
		}
		return true
	}
	c := canonicalComponents(path)
	for _, u := range r.under {
		if len(c) > len(u.prefix) && hasPrefix(c, u.prefix) && (u.shallow || !strings.HasPrefix(c[len(u.prefix)], u.name) || slices.Contains(u.except, c[len(u.prefix)])) {
			return false
		}
	}
	return true
}

// wantsValue reports whether the value name of the key at path is kept:
// its key is kept, and no spec limiting the values of a subtree holding
// the key leaves it out.
func (r *Retention) wantsValue(path, name string) bool {
	if isASCII(path) {
		for _, o := range r.only {
			if _, _, ok := prefixedASCII(path, o.prefix); ok && !slices.ContainsFunc(o.names, func(n string) bool { return strings.EqualFold(n, name) }) {
				return false
			}
		}
		return true
	}
	c := canonicalComponents(path)
	for _, o := range r.only {
		if hasPrefix(c, o.prefix) && !slices.ContainsFunc(o.names, func(n string) bool { return strings.EqualFold(n, name) }) {
			return false
		}
	}
	return true
}
