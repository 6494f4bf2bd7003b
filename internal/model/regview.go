package model

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/slab"
)

// CurrentControlSet is the alias Windows shows for the control set in use.
const CurrentControlSet = "CurrentControlSet"

// Registry is the view of a host's HKLM that rules query: every registry
// source of the host merged into one tree, with `SYSTEM\CurrentControlSet`
// resolved to the control set `SYSTEM\Select\Current` names.
type Registry struct {
	Tree *RegTree `json:"-"`
	// CurrentSet is N of ControlSet00N, 0 when unknown.
	CurrentSet int `json:"currentControlSet,omitempty"`
	// CurrentSetSource says where CurrentSet came from: the Select\Current
	// value, or the only control set present.
	CurrentSetSource Location `json:"currentControlSetSource,omitzero"`
	// CurrentSetNote explains a control set that could not be resolved.
	CurrentSetNote string `json:"currentControlSetNote,omitempty"`
	// Conflicts lists values on which the host's sources disagree.
	Conflicts []ValueConflict `json:"conflicts,omitempty"`
}

// retainedRegistries holds the hosts' registry views.
var retainedRegistries slab.Slab[Registry]

// NewRegistry returns a view of tree and resolves its current control set.
func NewRegistry(tree *RegTree) *Registry {
	if tree == nil {
		tree = NewRegTree()
	}
	r := &retainedRegistries.Make(1)[0] // a host's, for the whole audit (see slab)
	r.Tree = tree
	r.resolveCurrentSet()
	r.Conflicts = r.aliasConflicts()
	return r
}

// aliasConflicts compares the keys a live export names under
// SYSTEM\CurrentControlSet with the same keys of the current ControlSet00N
// (from a hive, or an export of it): where both hold a value with
// different data, CurrentControlSet's is the one Value returns, and the
// disagreement is recorded.
func (r *Registry) aliasConflicts() []ValueConflict {
	if r.CurrentSet <= 0 {
		return nil
	}
	current := `SYSTEM\` + ControlSetName(r.CurrentSet)
	var out []ValueConflict
	for _, k := range r.Tree.Keys() {
		rest, ok := underCurrentControlSet(k.Path)
		if !ok || rest == "" {
			continue // only the keys below CurrentControlSet have a twin
		}
		other := r.Tree.Key(current + rest)
		if other == nil {
			continue
		}
		for _, v := range k.Values {
			if o := other.Value(v.Name); o != nil && (o.Type != v.Type || string(o.Data) != string(v.Data)) {
				out = append(out, ValueConflict{Key: k.Path, Kept: v, Lost: o})
			}
		}
	}
	return out
}

func (r *Registry) resolveCurrentSet() {
	if v := r.Tree.Key(`SYSTEM\Select`).Value("Current"); v != nil {
		if n, ok := v.AsDWORD(); ok {
			r.CurrentSet = int(n)
			r.CurrentSetSource = v.Loc
			if r.Tree.Key(`SYSTEM\`+ControlSetName(int(n))) == nil && len(r.Tree.Subkeys(`SYSTEM\`+ControlSetName(int(n)))) == 0 {
				r.CurrentSetNote = "SYSTEM\\Select\\Current names " + ControlSetName(int(n)) + ", which is not in the exports"
			}
			return
		}
		r.CurrentSetNote = "SYSTEM\\Select\\Current is not a REG_DWORD: " + v.Display()
	}
	var sets []int
	for _, name := range r.Tree.Subkeys("SYSTEM") {
		if n, ok := controlSetNumber(name); ok {
			sets = append(sets, n)
		}
	}
	if len(sets) == 1 {
		r.CurrentSet = sets[0]
		r.CurrentSetNote = "SYSTEM\\Select\\Current is not in the exports; " + ControlSetName(sets[0]) + " is the only control set present"
		if k := r.Tree.Key(`SYSTEM\` + ControlSetName(sets[0])); k != nil {
			r.CurrentSetSource = k.Loc
		}
	} else if len(sets) > 1 && r.CurrentSetNote == "" {
		r.CurrentSetNote = "SYSTEM\\Select\\Current is not in the exports and several control sets are present: CurrentControlSet is read only where exported as such"
	}
}

// Resolve returns the concrete paths that may hold the key at path, best
// first. `SYSTEM\CurrentControlSet\X` gives the literal path (as a live
// export writes it) and `SYSTEM\ControlSet00N\X` for the current set.
func (r *Registry) Resolve(path string) []string {
	p, alt, n := r.resolve(path)
	switch n {
	case 0:
		return nil
	case 1:
		return []string{p}
	}
	return []string{p, alt}
}

// resolve is Resolve without a slice: the n (0, 1 or 2) paths, p first.
func (r *Registry) resolve(path string) (p, alt string, n int) {
	p, rest, n := r.resolveLazily(path)
	if n == 2 {
		alt = r.currentSetPath(rest)
	}
	return p, alt, n
}

// resolveLazily is resolve without making the second path: rest is
// what follows CurrentControlSet in it (see currentSetPath). Key and
// Value, which every fact is read through, make it only when the first
// path is not in the tree.
func (r *Registry) resolveLazily(path string) (p, rest string, n int) {
	p, ok := CleanKeyPath(path)
	if !ok {
		return "", "", 0
	}
	rest, ok = underCurrentControlSet(p)
	if !ok || r.CurrentSet <= 0 {
		return p, "", 1
	}
	return p, rest, 2
}

// currentSetPath is the path below the current ControlSet00N that rest
// (what follows CurrentControlSet) names.
func (r *Registry) currentSetPath(rest string) string {
	return `SYSTEM\` + ControlSetName(r.CurrentSet) + rest
}

// underCurrentControlSet reports whether the clean path p is
// SYSTEM\CurrentControlSet or below it (any case), and returns what
// follows CurrentControlSet ("" or "\Services\...").
func underCurrentControlSet(p string) (rest string, ok bool) {
	const prefix = `SYSTEM\` + CurrentControlSet
	if !isASCII(p) { // EqualFold folds some non-ASCII letters to ASCII ones (ſ, K)
		parts := strings.SplitN(p, `\`, 3)
		if len(parts) < 2 || !strings.EqualFold(parts[0], "SYSTEM") || !strings.EqualFold(parts[1], CurrentControlSet) {
			return "", false
		}
		if len(parts) == 3 {
			return `\` + parts[2], true
		}
		return "", true
	}
	if len(p) < len(prefix) || !strings.EqualFold(p[:len(prefix)], prefix) {
		return "", false
	}
	rest = p[len(prefix):]
	return rest, rest == "" || rest[0] == '\\'
}

// Key returns the first key that exists at path (see Resolve), or nil.
func (r *Registry) Key(path string) *Key {
	if r == nil {
		return nil
	}
	p, rest, n := r.resolveLazily(path)
	if n == 0 {
		return nil
	}
	if k := r.Tree.Key(p); k != nil || n == 1 {
		return k
	}
	return r.Tree.Key(r.currentSetPath(rest))
}

// HasKey reports whether the key at path, or anything below it, is in
// the exports.
func (r *Registry) HasKey(path string) bool {
	if r == nil {
		return false
	}
	for _, p := range r.Resolve(path) {
		if r.Tree.Key(p) != nil || len(r.Tree.Subkeys(p)) > 0 {
			return true
		}
	}
	return false
}

// Value returns the named value of the key at path, looking through every
// resolution of the path, or nil.
func (r *Registry) Value(path, name string) *Value {
	if r == nil {
		return nil
	}
	p, rest, n := r.resolveLazily(path)
	if n == 0 {
		return nil
	}
	if v := r.Tree.Key(p).Value(name); v != nil || n == 1 {
		return v
	}
	return r.Tree.Key(r.currentSetPath(rest)).Value(name)
}

// Subkeys returns the names of the subkeys of path, over every resolution
// of the path, without duplicates.
func (r *Registry) Subkeys(path string) []string {
	if r == nil {
		return nil
	}
	ps := r.Resolve(path)
	if len(ps) == 1 { // one tree's names: distinct already
		if names := r.Tree.Subkeys(ps[0]); len(names) > 0 {
			return names
		}
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		for _, name := range r.Tree.Subkeys(p) {
			if ln := strings.ToLower(name); !seen[ln] {
				seen[ln] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// ConflictOn returns the disagreement between the host's sources about
// the value name of key path (resolved as Value resolves it), nil when
// they do not disagree on it.
func (r *Registry) ConflictOn(path, name string) *ValueConflict {
	if r == nil {
		return nil
	}
	for _, p := range r.Resolve(path) {
		for i := range r.Conflicts {
			c := &r.Conflicts[i]
			if c.Kept != nil && strings.EqualFold(c.Key, p) && strings.EqualFold(c.Kept.Name, name) {
				return c
			}
		}
	}
	return nil
}

// Disputed says in words how the sources disagree on a value ("" for
// nil): both values, both places.
func (c *ValueConflict) Disputed() string {
	if c == nil {
		return ""
	}
	lost := "another value"
	if c.Lost != nil {
		lost = c.Lost.Display() + " at " + c.Lost.Loc.String()
	}
	return fmt.Sprintf("the exports disagree on %s\\%s: %s at %s, but %s", c.Key, c.Kept.Name, c.Kept.Display(), c.Kept.Loc.String(), lost)
}
