package model

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ipseclint/ipseclint/internal/slab"
)

// Key is one registry key with its values. Path is relative to
// HKEY_LOCAL_MACHINE ("SYSTEM\ControlSet001\Services\PolicyAgent"), in the
// spelling of the source that first named it. Names compare
// case-insensitively, as Windows compares them.
type Key struct {
	Path   string   `json:"path"`
	Loc    Location `json:"location"`
	Values []*Value `json:"values,omitempty"`
	index  map[string]int
}

// indexFrom is how many values a key holds before it indexes them by
// name; a key with fewer is searched in order, which costs less than a
// map for the few values most keys hold.
const indexFrom = 8

// Value returns the value with the given name ("" = default value), or nil.
func (k *Key) Value(name string) *Value {
	if k == nil {
		return nil
	}
	if k.index == nil {
		if i := k.valueIndex(name); i >= 0 {
			return k.Values[i]
		}
		return nil
	}
	if i, ok := lookupLower(k.index, name); ok {
		return k.Values[i]
	}
	return nil
}

// SetValue adds v, replacing any value of the same name (later wins, as
// when regedit imports a file that names a value twice).
func (k *Key) SetValue(v *Value) {
	if i := k.valueIndex(v.Name); i >= 0 {
		k.Values[i] = v
		return
	}
	k.Values = append(k.Values, v)
	switch n := len(k.Values); {
	case k.index != nil:
		k.index[strings.ToLower(v.Name)] = n - 1
	case n >= indexFrom:
		k.reindex()
	}
}

// valueIndex returns the position of the value named name, or -1.
func (k *Key) valueIndex(name string) int {
	if k.index != nil {
		if i, ok := lookupLower(k.index, name); ok {
			return i
		}
		return -1
	}
	for i, v := range k.Values {
		if sameLower(v.Name, name) {
			return i
		}
	}
	return -1
}

// sameLower reports whether strings.ToLower(a) == strings.ToLower(b),
// the names' identity in the index, without allocating for ASCII names.
func sameLower(a, b string) bool {
	if len(a) != len(b) {
		if isASCII(a) && isASCII(b) {
			return false // lower-casing ASCII keeps the length
		}
		return strings.ToLower(a) == strings.ToLower(b) //nolint:staticcheck // the index's identity, which EqualFold's folding is not
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 0x80 || y >= 0x80 {
			return strings.ToLower(a) == strings.ToLower(b) //nolint:staticcheck // as above
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 { // eight bytes a test: registry paths are long
		if (s[i]|s[i+1]|s[i+2]|s[i+3]|s[i+4]|s[i+5]|s[i+6]|s[i+7])&0x80 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// reindex indexes the values by name, when there are enough of them.
func (k *Key) reindex() {
	k.index = nil
	if len(k.Values) < indexFrom {
		return
	}
	k.index = make(map[string]int, len(k.Values))
	for i, v := range k.Values {
		k.index[strings.ToLower(v.Name)] = i
	}
}

// DeleteValue removes the value with the given name, if present.
func (k *Key) DeleteValue(name string) {
	i := k.valueIndex(name)
	if i < 0 {
		return
	}
	k.Values = append(k.Values[:i], k.Values[i+1:]...)
	k.reindex()
}

// CleanKeyPath turns any spelling of an HKLM key path into the form the
// model uses: relative to HKLM, backslash-separated, no empty components.
// "HKEY_LOCAL_MACHINE\SYSTEM\" and "HKLM\SYSTEM" both become "SYSTEM".
// ok is false when the path names another root (HKEY_CURRENT_USER, ...).
func CleanKeyPath(p string) (clean string, ok bool) {
	if isCleanRelative(p) {
		return p, true
	}
	parts := strings.Split(p, `\`)
	out := parts[:0]
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "", true
	}
	switch strings.ToUpper(out[0]) {
	case "HKEY_LOCAL_MACHINE", "HKLM":
		out = out[1:]
	case "HKEY_CURRENT_USER", "HKCU", "HKEY_USERS", "HKU", "HKEY_CLASSES_ROOT", "HKCR",
		"HKEY_CURRENT_CONFIG", "HKCC", "HKEY_DYN_DATA", "HKEY_PERFORMANCE_DATA":
		return "", false
	}
	return strings.Join(out, `\`), true
}

// isCleanRelative reports whether CleanKeyPath would give p back as it
// is: no empty component, and a first one that is no root key's name
// (the paths the model itself writes), told without splitting p.
func isCleanRelative(p string) bool {
	if p == "" || p[0] == '\\' || p[len(p)-1] == '\\' || strings.Contains(p, `\\`) {
		return false
	}
	first, _, _ := strings.Cut(p, `\`)
	if !isASCII(first) {
		return false // ToUpper of a non-ASCII name could spell a root's
	}
	return !isRootName(first)
}

// rootNames are the root keys' names, upper-case, as CleanKeyPath knows
// them.
var rootNames = []string{"HKEY_LOCAL_MACHINE", "HKLM", "HKEY_CURRENT_USER", "HKCU", "HKEY_USERS", "HKU", "HKEY_CLASSES_ROOT", "HKCR",
	"HKEY_CURRENT_CONFIG", "HKCC", "HKEY_DYN_DATA", "HKEY_PERFORMANCE_DATA"}

func isRootName(name string) bool {
	for _, r := range rootNames {
		if len(r) == len(name) && strings.EqualFold(r, name) {
			return true
		}
	}
	return false
}

func lowerPath(p string) string { return strings.ToLower(p) }

// maxStackPath is the longest ASCII path looked up without allocating
// its lower-case form.
const maxStackPath = 256

// lookup returns the key at path from keys, lower-casing an ASCII path
// on the stack (the map is read with it, not a new string).
func lookup(keys map[string]*Key, path string) (*Key, bool) { return lookupLower(keys, path) }

// lookupLower returns m[strings.ToLower(s)], lower-casing an ASCII s on
// the stack: the map is read with it, not with a new string.
func lookupLower[V any](m map[string]V, s string) (V, bool) {
	if len(s) <= maxStackPath {
		var buf [maxStackPath]byte
		b := buf[:len(s)]
		ascii := true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 0x80 {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		if ascii {
			v, ok := m[string(b)]
			return v, ok
		}
	}
	v, ok := m[strings.ToLower(s)]
	return v, ok
}

func parentPath(p string) (parent, name string) {
	i := strings.LastIndexByte(p, '\\')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// RegTree is registry content: the keys one source holds, or the merge of
// every source of a host. Paths are HKLM-relative (see CleanKeyPath).
type RegTree struct {
	keys map[string]*Key // lower-case path -> key; nil in a tree Retain made
	// sorted holds the keys of a tree Retain made instead of keys: sorted
	// by lower-case path (lessLower), found by binary search. A host's
	// retained tree stays for the whole audit and holds a few keys, for
	// which a slice costs a fraction of a map. Changing the tree turns it
	// back into a map (thaw).
	sorted []*Key
	// children is lower-case parent -> lower-case child name -> spelling:
	// each child spelled as the first key made below it spells it. It is
	// built when first needed (buildIndex) from order, the keys in the
	// order they were made, so that a tree that is only filled and
	// merged, as most are, never builds it. A tree Retain made has
	// neither: its subkeys are found from its keys (few), spelled as
	// scanSubkeys says, until it is changed.
	children map[string]map[string]string
	order    []*Key
	lazy     bool // order is kept and children not built yet
	scans    int  // Subkeys answered from order so far
}

// lazyScans is how many Subkeys calls a tree answers by scanning its
// keys before it builds its children index.
const lazyScans = 32

// NewRegTree returns an empty tree.
func NewRegTree() *RegTree {
	return &RegTree{keys: make(map[string]*Key), lazy: true}
}

// Len returns the number of keys held.
func (t *RegTree) Len() int {
	if t.keys == nil {
		return len(t.sorted)
	}
	return len(t.keys)
}

// find returns the key at path (case-insensitive), from whichever of
// keys and sorted the tree holds its keys in.
func (t *RegTree) find(path string) (*Key, bool) {
	if t.keys != nil {
		return lookup(t.keys, path)
	}
	i := sort.Search(len(t.sorted), func(i int) bool { return !lessLower(t.sorted[i].Path, path) })
	if i < len(t.sorted) && sameLower(t.sorted[i].Path, path) {
		return t.sorted[i], true
	}
	return nil, false
}

// thaw moves the keys of a tree Retain made into a map, before the tree
// is changed.
func (t *RegTree) thaw() {
	if t.keys != nil {
		return
	}
	t.keys = make(map[string]*Key, len(t.sorted))
	for _, k := range t.sorted {
		t.keys[lowerPath(k.Path)] = k
	}
	t.sorted = nil
}

// each calls fn with every key, in no set order.
func (t *RegTree) each(fn func(*Key)) {
	if t.keys == nil {
		for _, k := range t.sorted {
			fn(k)
		}
		return
	}
	for _, k := range t.keys {
		fn(k)
	}
}

// Key returns the key at path (case-insensitive), or nil.
func (t *RegTree) Key(path string) *Key {
	if t == nil {
		return nil
	}
	k, _ := t.find(path)
	return k
}

// EnsureKey returns the key at path, creating it (and recording it under
// its parents, so that Subkeys finds it) when absent. loc is kept only
// when the key is created.
func (t *RegTree) EnsureKey(path string, loc Location) *Key {
	if k, ok := t.find(path); ok {
		return k
	}
	t.thaw()
	k := &Key{Path: path, Loc: loc}
	t.keys[lowerPath(path)] = k
	if t.lazy {
		t.order = append(t.order, k)
	} else {
		t.link(path)
	}
	return k
}

// buildIndex builds the children index of a lazy tree, linking its keys
// in the order they were made, as EnsureKey linked them before the
// index was lazy.
func (t *RegTree) buildIndex() {
	if !t.lazy {
		return
	}
	t.children = map[string]map[string]string{}
	for _, k := range t.order {
		t.link(k.Path)
	}
	t.order, t.lazy = nil, false
}

func (t *RegTree) link(path string) {
	if t.children == nil {
		t.indexKeys()
	}
	for path != "" {
		parent, name := parentPath(path)
		lp := lowerPath(parent)
		kids := t.children[lp]
		if kids == nil {
			kids = make(map[string]string)
			t.children[lp] = kids
		}
		ln := strings.ToLower(name)
		if _, ok := kids[ln]; ok {
			return
		}
		kids[ln] = name
		path = parent
	}
}

// indexKeys builds the children index of a tree Retain made from its
// keys, spelling each child as scanSubkeys does (as its own key spells
// it, else the least spelling below it), whatever the map's order.
func (t *RegTree) indexKeys() {
	t.children = map[string]map[string]string{}
	own := map[string]bool{} // lower-case parent + "\\" + child with a key of its own
	t.each(func(k *Key) {
		parent, name := parentPath(k.Path)
		if k.Path != "" {
			t.setChild(parent, name, true, own)
		}
		for p := parent; p != ""; {
			pp, n := parentPath(p)
			t.setChild(pp, n, false, own)
			p = pp
		}
	})
}

// setChild records name under parent in the index: a key's own spelling
// wins, else the least.
func (t *RegTree) setChild(parent, name string, isOwn bool, own map[string]bool) {
	lp, ln := lowerPath(parent), strings.ToLower(name)
	kids := t.children[lp]
	if kids == nil {
		kids = map[string]string{}
		t.children[lp] = kids
	}
	id := lp + "\\" + ln
	switch have, ok := kids[ln]; {
	case isOwn:
		kids[ln], own[id] = name, true
	case !ok || (!own[id] && name < have):
		kids[ln] = name
	}
}

// DeleteTree removes the key at path and every key below it, as a
// `[-HKEY_LOCAL_MACHINE\...]` line in a .reg file does.
func (t *RegTree) DeleteTree(path string) {
	t.thaw()
	t.buildIndex()
	if t.children == nil {
		t.link("")
	}
	lp := lowerPath(path)
	for ln := range t.children[lp] {
		t.DeleteTree(path + `\` + ln)
	}
	delete(t.children, lp)
	delete(t.keys, lp)
	if parent, name := parentPath(path); name != "" {
		if kids := t.children[lowerPath(parent)]; kids != nil {
			delete(kids, strings.ToLower(name))
		}
	}
}

// Subkeys returns the names of the direct subkeys of path, sorted
// case-insensitively.
func (t *RegTree) Subkeys(path string) []string {
	if t == nil {
		return nil
	}
	if t.lazy && t.scans < lazyScans {
		t.scans++
		out := t.lazySubkeys(path)
		if out == nil {
			out = []string{} // as the index answers: never nil
		}
		return sortFold(out)
	}
	t.buildIndex()
	if t.children == nil {
		return t.scanSubkeys(path)
	}
	kids := t.children[lowerPath(path)]
	out := make([]string, 0, len(kids))
	for _, name := range kids {
		out = append(out, name)
	}
	return sortFold(out)
}

// sortFold sorts names by their lower-case forms (distinct ones), as
// Subkeys always has.
func sortFold(names []string) []string {
	sort.Slice(names, func(i, j int) bool { return lessLower(names[i], names[j]) })
	return names
}

// lessLower reports whether strings.ToLower(a) < strings.ToLower(b),
// without allocating for ASCII names.
func lessLower(a, b string) bool {
	if !isASCII(a) || !isASCII(b) {
		return strings.ToLower(a) < strings.ToLower(b)
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}

// lazySubkeys is Subkeys of a lazy tree, from its keys in the order they
// were made: what the index built from them would hold under path (each
// name spelled as the first key below it spells it).
func (t *RegTree) lazySubkeys(path string) []string {
	var out []string
	var seen map[string]bool // lower-case names, once there are many
	add := func(name string) {
		if seen == nil && len(out) < 16 { // most keys have few subkeys: a list costs less than a map
			for _, have := range out {
				if sameLower(have, name) {
					return
				}
			}
			out = append(out, name)
			return
		}
		if seen == nil {
			seen = make(map[string]bool, 2*len(out))
			for _, have := range out {
				seen[strings.ToLower(have)] = true
			}
		}
		if ln := strings.ToLower(name); !seen[ln] {
			seen[ln] = true
			out = append(out, name)
		}
	}
	lp, ascii := lowerPath(path), isASCII(path)
	for _, k := range t.order {
		if name, ok := childBelow(k.Path, path, lp, ascii); ok {
			add(name)
		}
		if path == "" {
			if top, _, _ := strings.Cut(k.Path, `\`); top != "" {
				add(top)
			}
		}
	}
	return out
}

// childBelow returns the name that follows path (lp: lower-cased;
// pathASCII: whether it is ASCII) in key path p, when a prefix of p
// ending before one of its backslashes is path as the index compares
// paths (lower-cased): the child of path that the index would record
// for p.
func childBelow(p, path, lp string, pathASCII bool) (string, bool) {
	if len(p) <= len(path) {
		if pathASCII && isASCII(p) {
			return "", false
		}
	} else if pathASCII && isASCII(p[:len(path)+1]) {
		if p[len(path)] != '\\' || !sameLower(p[:len(path)], path) {
			return "", false
		}
		name, _, _ := strings.Cut(p[len(path)+1:], `\`)
		return name, true
	}
	lowered := lowerPath(p)
	if len(lowered) <= len(lp) || lowered[len(lp)] != '\\' || lowered[:len(lp)] != lp {
		return "", false
	}
	// the backslash at len(lp) of lowered is backslash number n of p
	n := strings.Count(lp, `\`) + 1
	rest := p
	for range n {
		_, rest, _ = strings.Cut(rest, `\`)
	}
	name, _, _ := strings.Cut(rest, `\`)
	return name, true
}

// scanSubkeys is Subkeys for a tree without its children index: the
// names one level below path of the keys below it, each spelled as its
// own key is (else as the first spelling in order), so that the answer
// does not depend on the map's order.
func (t *RegTree) scanSubkeys(path string) []string {
	prefix := lowerPath(path) + `\`
	if path == "" {
		prefix = ""
	}
	spelling := map[string]string{} // lower-case name -> spelling
	own := map[string]bool{}
	// The name below path is found by components, not bytes: lower-casing
	// may change a path's length (U+0130 "İ" takes three bytes lowered,
	// an invalid byte becomes U+FFFD), never its backslashes.
	depth := strings.Count(prefix, `\`)
	add := func(k *Key) { // a key below path
		rest := k.Path
		for range depth {
			_, rest, _ = strings.Cut(rest, `\`)
		}
		name, rest, deeper := strings.Cut(rest, `\`)
		ln := strings.ToLower(name)
		switch {
		case name == "" || own[ln]:
		case !deeper && rest == "":
			spelling[ln], own[ln] = name, true
		case spelling[ln] == "" || name < spelling[ln]:
			spelling[ln] = name
		}
	}
	if t.keys != nil {
		for lp, k := range t.keys {
			if strings.HasPrefix(lp, prefix) && len(lp) != len(prefix) {
				add(k)
			}
		}
	} else {
		// The keys whose lower-case paths start with prefix are one run
		// of sorted.
		i := sort.Search(len(t.sorted), func(i int) bool { return !lessLower(t.sorted[i].Path, prefix) })
		for _, k := range t.sorted[i:] {
			in, n := false, 0
			if isASCII(k.Path) {
				in, n = hasPrefixLowerASCII(k.Path, prefix), len(k.Path)
			} else {
				lp := lowerPath(k.Path)
				in, n = strings.HasPrefix(lp, prefix), len(lp)
			}
			if !in {
				break
			}
			if n != len(prefix) {
				add(k)
			}
		}
	}
	out := make([]string, 0, len(spelling))
	for _, name := range spelling {
		out = append(out, name)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// Keys returns every key, sorted by path (case-insensitively).
func (t *RegTree) Keys() []*Key {
	if t == nil {
		return nil
	}
	if t.keys == nil {
		out := make([]*Key, len(t.sorted))
		copy(out, t.sorted)
		return out
	}
	paths := make([]string, 0, len(t.keys))
	for lp := range t.keys {
		paths = append(paths, lp)
	}
	sort.Strings(paths)
	out := make([]*Key, len(paths))
	for i, lp := range paths {
		out[i] = t.keys[lp]
	}
	return out
}

// ValueConflict records that two sources of one host disagree on a value.
type ValueConflict struct {
	Key  string `json:"key"`
	Kept *Value `json:"kept"`
	Lost *Value `json:"overridden"`
}

// Merge copies every key and value of src into t. A value present in both
// is taken from src (a later source overrides an earlier one); when the
// data differ the disagreement is returned so that it can be reported.
func (t *RegTree) Merge(src *RegTree) []ValueConflict {
	var conflicts []ValueConflict
	for _, sk := range src.Keys() {
		conflicts = append(conflicts, t.mergeKey(sk)...)
	}
	return conflicts
}

// Absorb is Merge for a src that is not used again: the keys t lacks are
// taken from src as they are (with their values) instead of copied, so
// that t and src share them. t holds the same keys, values and
// locations as after Merge, and makes the same conflicts.
func (t *RegTree) Absorb(src *RegTree) []ValueConflict {
	var conflicts []ValueConflict
	t.thaw()
	for _, sk := range src.Keys() {
		if _, ok := lookup(t.keys, sk.Path); ok {
			conflicts = append(conflicts, t.mergeKey(sk)...)
			continue
		}
		t.keys[lowerPath(sk.Path)] = sk
		if t.lazy {
			t.order = append(t.order, sk)
		} else {
			t.link(sk.Path)
		}
	}
	return conflicts
}

// mergeKey merges the values of sk into t's key of the same path.
func (t *RegTree) mergeKey(sk *Key) []ValueConflict {
	var conflicts []ValueConflict
	dk := t.EnsureKey(sk.Path, sk.Loc)
	for _, v := range sk.Values {
		if old := dk.Value(v.Name); old != nil && (old.Type != v.Type || string(old.Data) != string(v.Data)) {
			conflicts = append(conflicts, ValueConflict{Key: sk.Path, Kept: v, Lost: old})
		}
		dk.SetValue(v)
	}
	return conflicts
}

// ShareStrings replaces the strings t holds (its keys' paths, the
// lower-case paths it finds them by, its values' names, and the key and
// value names of their locations) by one's copies of them, equal
// strings: the trees of many hosts that name the same keys then hold one
// copy of each name. Keys and values t shares with another tree share
// the copies too.
func (t *RegTree) ShareStrings(one func(string) string) {
	if t == nil {
		return
	}
	share := func(k *Key) {
		k.Path = one(k.Path)
		k.Loc.Key, k.Loc.Value = one(k.Loc.Key), one(k.Loc.Value)
		for _, v := range k.Values {
			v.Name = one(v.Name)
			v.Loc.Key, v.Loc.Value = one(v.Loc.Key), one(v.Loc.Value)
		}
	}
	if t.keys == nil { // sorted holds no lower-case paths
		for _, k := range t.sorted {
			share(k)
		}
		return
	}
	keys := make(map[string]*Key, len(t.keys))
	for lp, k := range t.keys {
		keys[one(lp)] = k
		share(k)
	}
	t.keys = keys
}

// ControlSetNumber returns N for "ControlSet00N" (any number of digits).
func ControlSetNumber(name string) (int, bool) { return controlSetNumber(name) }

func controlSetNumber(name string) (int, bool) {
	if len(name) <= len("ControlSet") || !strings.EqualFold(name[:len("ControlSet")], "ControlSet") {
		return 0, false
	}
	n, err := strconv.Atoi(name[len("ControlSet"):])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// ControlSetName returns the key name of control set n ("ControlSet001").
func ControlSetName(n int) string {
	if n >= 0 && n < len(controlSetNames) {
		return controlSetNames[n]
	}
	return controlSetName(n)
}

// controlSetNames are the names of the control sets a registry holds in
// practice (Windows keeps two or three, numbered from 1): every fact read
// below CurrentControlSet names one, and making it each time was 1% of
// what an audit of 10,000 hosts allocated.
var controlSetNames = func() (names [16]string) {
	for i := range names {
		names[i] = controlSetName(i)
	}
	return names
}()

func controlSetName(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return "ControlSet" + s
}

// Retain returns a tree holding only what r keeps of t: the keys of the
// subtrees it names, each with the values it keeps; and the keys and
// values whose locations cited reports true for (the places other facts
// were read from, which outputs may show). Values are shared with t;
// keys whose values are all kept too. The tree holds its keys in a
// sorted slice, not a map (see RegTree.sorted).
//
// An ancestor of the subtrees r names (SOFTWARE, SOFTWARE\Policies, ...:
// the parsers keep them, see KeyFilter.Wants) is kept only when it holds
// a value r keeps, its location is cited, or no key of t is above it
// (SOFTWARE, SYSTEM): the rules read inside their subtrees, and whether
// an export covers one (Host.Covers: a key at its path or above it) is
// told by the topmost key of the ancestors as by all of them, while
// Subkeys still names them from the keys below. It is kept too when a
// key below it spells its path otherwise, so that Subkeys spells its
// name as before (its own spelling wins over theirs).
func (t *RegTree) Retain(r *Retention, cited func(Location) bool) *RegTree {
	out := &RegTree{}
	if t == nil {
		return out
	}
	var kept []*Value    // the values kept of one key, a buffer used again
	var ancestors []*Key // ancestors let go, unless spelled otherwise below
	var below []*Key     // the keys below ancestors, kept or let go
	t.each(func(k *Key) {
		wanted, inside := r.keyKept(k.Path)
		kept = kept[:0]
		for _, v := range k.Values {
			if (wanted && r.wantsValue(k.Path, v.Name)) || cited(v.Loc) {
				kept = append(kept, v)
			}
		}
		switch {
		case !wanted && len(kept) == 0 && !cited(k.Loc):
		case wanted && !inside && len(kept) == 0 && !cited(k.Loc):
			ancestors = append(ancestors, k)
			below = append(below, k)
		case len(kept) == len(k.Values):
			out.sorted = append(out.sorted, k)
			below = append(below, k)
		default:
			// A key of its own, its values in a slice of their number: it
			// stays with the host for the whole audit.
			nk := &Key{Path: k.Path, Loc: k.Loc}
			if len(kept) > 0 {
				nk.Values = slices.Clone(kept)
				nk.reindex()
			}
			out.sorted = append(out.sorted, nk)
			below = append(below, k)
		}
	})
	for _, a := range ancestors {
		if !t.hasAncestor(a.Path) || spelledOtherwiseBelow(a, below) {
			out.sorted = append(out.sorted, a)
		}
	}
	out.sorted = slices.Clone(out.sorted) // of its length: it stays with the host
	sort.Slice(out.sorted, func(i, j int) bool { return lessLower(out.sorted[i].Path, out.sorted[j].Path) })
	return out
}

// hasAncestor reports whether t holds a key above the key at path (the
// root key aside: Host.Covers does not look at it).
func (t *RegTree) hasAncestor(path string) bool {
	for p, _ := parentPath(path); p != ""; p, _ = parentPath(p) {
		if _, ok := t.find(p); ok {
			return true
		}
	}
	return false
}

// spelledOtherwiseBelow reports whether a key of keys lies below a (its
// path starts with a's and a backslash, case-insensitively) without
// starting with a's path as a spells it.
func spelledOtherwiseBelow(a *Key, keys []*Key) bool {
	var la string // lower-case a.Path + `\`, made when first needed
	for _, k := range keys {
		if len(k.Path) > len(a.Path) && k.Path[len(a.Path)] == '\\' && strings.HasPrefix(k.Path, a.Path) {
			continue // below a, spelled as a spells it
		}
		if isASCII(k.Path) && isASCII(a.Path) {
			if len(k.Path) > len(a.Path) && k.Path[len(a.Path)] == '\\' && sameLower(k.Path[:len(a.Path)], a.Path) {
				return true
			}
			continue
		}
		if la == "" {
			la = lowerPath(a.Path) + `\`
		}
		if strings.HasPrefix(lowerPath(k.Path), la) {
			return true
		}
	}
	return false
}

// Pack moves a tree Retain made, and the extra values given, into
// memory of their own: its keys into one block, their values (the
// extra ones with them) into another, the values' lists and data into
// one each. It returns the copies of extra, in order (nil for nil; a
// value the tree holds is copied once). Nothing else may point into
// the tree's keys and values: the values it copies are the tree's from
// now on.
//
// A host keeps a few keys and values for the whole audit, each read
// among tens of thousands the parsers made and let go: left where they
// were made, each one kept a run of the collector's memory for objects
// of its size from going back to other uses (about 35 MB at 10,000
// hosts), while the copies share chunks with other hosts' (package
// slab).
func (t *RegTree) Pack(extra ...*Value) []*Value {
	if t == nil || t.keys != nil {
		return extra // a tree Retain did not make
	}
	inTree, nv, nd := 0, 0, 0
	for _, k := range t.sorted {
		inTree += len(k.Values)
		for _, v := range k.Values {
			nd += len(v.Data)
		}
	}
	nv = inTree
	for _, v := range extra {
		if v != nil {
			nv++
			nd += len(v.Data)
		}
	}
	keys := packMem.keys.Make(len(t.sorted))
	vals := packMem.vals.Make(nv)[:0] // never grown: the keys point into it
	lists := packMem.lists.Make(inTree)[:0]
	data := packMem.data.Make(nd)[:0]
	moved := make(map[*Value]*Value, nv)
	move := func(v *Value) *Value {
		if c, ok := moved[v]; ok {
			return c
		}
		vals = append(vals, *v)
		c := &vals[len(vals)-1]
		start := len(data)
		data = append(data, v.Data...)
		c.Data = data[start:len(data):len(data)]
		if v.Data == nil {
			c.Data = nil
		}
		moved[v] = c
		return c
	}
	for i, k := range t.sorted {
		keys[i] = *k
		if len(k.Values) > 0 {
			start := len(lists)
			for _, v := range k.Values {
				lists = append(lists, move(v))
			}
			keys[i].Values = lists[start:len(lists):len(lists)]
		}
		t.sorted[i] = &keys[i]
	}
	out := make([]*Value, len(extra))
	for i, v := range extra {
		if v != nil {
			out[i] = move(v)
		}
	}
	return out
}

var packMem struct {
	keys  slab.Slab[Key]
	vals  slab.Slab[Value]
	lists slab.Slab[*Value]
	data  slab.Slab[byte]
}
