package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// randomPath is a key path of one to four names drawn from names that
// differ in case, lower-case to other lengths (İ, the Kelvin sign), are
// empty (a hostile hive's nameless key) or invalid UTF-8.
func randomPath(rng *rand.Rand) string {
	names := []string{"SYSTEM", "system", "System", "Services", "SERVICES", "a", "A", "İ", "i̇", "\u212a", "k", "K", "", "\xff", "b\xc3"}
	parts := make([]string, 1+rng.IntN(4))
	for i := range parts {
		parts[i] = names[rng.IntN(len(names))]
	}
	return strings.Join(parts, `\`)
}

// TestLazySubkeysAsIndexed: a tree that answers Subkeys from its keys in
// the order they were made (before it builds its children index) gives
// every path the names, spelled the same, that the index gives.
func TestLazySubkeysAsIndexed(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	checked := 0
	for round := range 400 {
		lazy, indexed := NewRegTree(), NewRegTree()
		var paths []string
		for range 1 + rng.IntN(30) {
			p := randomPath(rng)
			if rng.IntN(8) == 0 {
				p = `\` + p // a name-less top component
			}
			paths = append(paths, p)
			lazy.EnsureKey(p, Location{})
			indexed.EnsureKey(p, Location{})
		}
		if round%4 == 0 { // many subkeys of one key, some in two spellings
			for i := range 40 {
				p := fmt.Sprintf(`SYSTEM\Svc%d`, rng.IntN(30))
				if i%3 == 0 {
					p = strings.ToUpper(p)
				}
				paths = append(paths, p+`\x`)
				lazy.EnsureKey(p+`\x`, Location{})
				indexed.EnsureKey(p+`\x`, Location{})
			}
		}
		indexed.buildIndex()
		queries := append([]string{"", `\`}, paths...)
		for _, p := range paths {
			parent, _ := parentPath(p)
			queries = append(queries, parent, strings.ToUpper(parent), strings.ToLower(parent))
		}
		for _, q := range queries {
			lazy.scans = 0 // answer every query from the keys
			got, want := lazy.Subkeys(q), indexed.Subkeys(q)
			if !slices.Equal(got, want) || (got == nil) != (want == nil) {
				t.Fatalf("round %d: keys %q: Subkeys(%q) from the keys %q, from the index %q", round, paths, q, got, want)
			}
			checked++
		}
		if !lazy.lazy {
			t.Fatal("answering Subkeys built the index")
		}
	}
	t.Logf("%d queries", checked)
}

// TestLazyTreeBuildsItsIndex: after lazyScans answers a tree builds its
// index, and deleting builds it first; answers stay the same.
func TestLazyTreeBuildsItsIndex(t *testing.T) {
	tr := NewRegTree()
	for _, p := range []string{`SYSTEM\Select`, `system\ControlSet001\Services\IPSec`, `SYSTEM\controlset001\Services\PolicyAgent`, `SOFTWARE\Policies`} {
		tr.EnsureKey(p, Location{})
	}
	want := []string{"ControlSet001", "Select"}
	for i := range lazyScans + 2 {
		if got := tr.Subkeys("system"); !slices.Equal(got, want) {
			t.Fatalf("call %d: Subkeys(system) = %q, want %q", i, got, want)
		}
	}
	if tr.lazy || tr.children == nil {
		t.Error("the tree did not build its index after many calls")
	}
	d := NewRegTree()
	d.EnsureKey(`SYSTEM\A\B`, Location{})
	d.EnsureKey(`SYSTEM\C`, Location{})
	d.DeleteTree(`SYSTEM\A`)
	if got := d.Subkeys("SYSTEM"); !slices.Equal(got, []string{"C"}) || d.Key(`SYSTEM\A\B`) != nil {
		t.Errorf("after DeleteTree: Subkeys %q, key %v", got, d.Key(`SYSTEM\A\B`))
	}
}

// TestKeyLookupAnyCase: Key finds a key in any case, with ASCII paths
// looked up without allocating.
func TestKeyLookupAnyCase(t *testing.T) {
	tr := NewRegTree()
	k := tr.EnsureKey(`SYSTEM\CurrentControlSet\Services\PolicyAgent`, Location{})
	tr.EnsureKey("SOFTWARE\\Ünïcode\\Kelvin\\\u212a", Location{})
	for _, p := range []string{`system\currentcontrolset\services\policyagent`, `SYSTEM\CURRENTCONTROLSET\SERVICES\POLICYAGENT`} {
		if tr.Key(p) != k {
			t.Errorf("Key(%q) = %v", p, tr.Key(p))
		}
	}
	if tr.Key(`software\ünïcode\kelvin\k`) == nil {
		t.Error("a non-ASCII path is not found in another case")
	}
	if n := testing.AllocsPerRun(100, func() { tr.Key(`SYSTEM\CurrentControlSet\Services\PolicyAgent`) }); n != 0 {
		t.Errorf("Key allocates %.0f times for an ASCII path", n)
	}
}

// TestKeyFilterWantsASCIIAsSplit: Wants of ASCII paths, compared in
// place, agrees with the component lists it compares for other paths.
func TestKeyFilterWantsASCIIAsSplit(t *testing.T) {
	f := NewKeyFilter(FactKeys()...)
	g := NewKeyFilter(`SYSTEM`, `SYSTEM\ControlSet002\Services\X`, `Cluster\Groups`, `SOFTWARE\A\\B\`)
	rng := rand.New(rand.NewPCG(3, 7))
	names := []string{"SYSTEM", "system", "CurrentControlSet", "currentcontrolset", "ControlSet001", "controlset7", "ControlSet+1", "ControlSet-1",
		"ControlSetX", "Services", "PolicyAgent", "Oakley", "IPSec", "SOFTWARE", "Policies", "Microsoft", "Windows", "Cluster", "Groups", "", "A", "B", "X"}
	for range 20000 {
		parts := make([]string, rng.IntN(6))
		for i := range parts {
			parts[i] = names[rng.IntN(len(names))]
		}
		p := strings.Join(parts, `\`)
		for _, kf := range []*KeyFilter{f, g} {
			c := canonicalComponents(p)
			want := slices.ContainsFunc(kf.prefixes, func(pre []string) bool { return hasPrefix(c, pre) || hasPrefix(pre, c) })
			if got := kf.Wants(p); got != want {
				t.Fatalf("Wants(%q) = %v, the components say %v", p, got, want)
			}
		}
	}
}

// TestResolveAsSplit: Resolve and CleanKeyPath, which read clean ASCII
// paths in place, answer as splitting the path does, for paths in every
// case, with empty components, roots, and letters that fold to ASCII.
func TestResolveAsSplit(t *testing.T) {
	split := func(r *Registry, path string) []string {
		parts := strings.Split(path, `\`)
		out := parts[:0:0]
		for _, s := range parts {
			if s != "" {
				out = append(out, s)
			}
		}
		if len(out) > 0 {
			switch strings.ToUpper(out[0]) {
			case "HKEY_LOCAL_MACHINE", "HKLM":
				out = out[1:]
			case "HKEY_CURRENT_USER", "HKCU", "HKEY_USERS", "HKU", "HKEY_CLASSES_ROOT", "HKCR",
				"HKEY_CURRENT_CONFIG", "HKCC", "HKEY_DYN_DATA", "HKEY_PERFORMANCE_DATA":
				return nil
			}
		}
		p := strings.Join(out, `\`)
		ps := strings.SplitN(p, `\`, 3)
		if len(ps) < 2 || !strings.EqualFold(ps[0], "SYSTEM") || !strings.EqualFold(ps[1], CurrentControlSet) || r.CurrentSet <= 0 {
			return []string{p}
		}
		alt := `SYSTEM\` + ControlSetName(r.CurrentSet)
		if len(ps) == 3 {
			alt += `\` + ps[2]
		}
		return []string{p, alt}
	}
	names := []string{"SYSTEM", "system", "ſystem", "CurrentControlSet", "currentcontrolset", "CurrentControlSetX", "Current\u212aontrolSet", "Services",
		"HKLM", "hkey_local_machine", "HKCU", "hklm\u0131", "", "Tcpip", "ControlSet001"}
	rng := rand.New(rand.NewPCG(2, 9))
	for _, set := range []int{0, 2} {
		r := &Registry{Tree: NewRegTree(), CurrentSet: set}
		for range 20000 {
			parts := make([]string, rng.IntN(5))
			for i := range parts {
				parts[i] = names[rng.IntN(len(names))]
			}
			p := strings.Join(parts, `\`)
			if got, want := r.Resolve(p), split(r, p); !slices.Equal(got, want) {
				t.Fatalf("Resolve(%q) with current set %d = %q, want %q", p, set, got, want)
			}
		}
	}
}

// TestAbsorbIsMerge: a tree that absorbs others holds what it holds after
// merging them (keys, their spellings and locations, values in order,
// subkeys) and reports the same conflicts.
func TestAbsorbIsMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	tree := func(file string) *RegTree {
		tr := NewRegTree()
		for i := range 1 + rng.IntN(25) {
			k := tr.EnsureKey(randomPath(rng), Location{File: file, Line: int32(i + 1)})
			for range rng.IntN(10) {
				name := []string{"Start", "start", "Type", "NLBSFlags", "", "Value" + strconv.Itoa(rng.IntN(12))}[rng.IntN(6)]
				k.SetValue(&Value{Name: name, Type: RegDWORD, Data: DWORDData(uint32(rng.IntN(3))), Loc: Location{File: file, Line: int32(i + 1)}})
			}
		}
		return tr
	}
	dump := func(tr *RegTree) string {
		var b strings.Builder
		for _, k := range tr.Keys() {
			fmt.Fprintf(&b, "%q %v %q\n", k.Path, k.Loc, tr.Subkeys(k.Path))
			for _, v := range k.Values {
				fmt.Fprintf(&b, "  %q %x %v\n", v.Name, v.Data, v.Loc)
			}
		}
		fmt.Fprintf(&b, "%q\n", tr.Subkeys(""))
		return b.String()
	}
	for round := range 300 {
		first := tree("a")
		others := []*RegTree{tree("b"), tree("c")}
		merged, absorbed := NewRegTree(), NewRegTree()
		var mc, ac []ValueConflict
		mc = append(mc, merged.Merge(first)...)
		ac = append(ac, absorbed.Absorb(first)...)
		for _, o := range others {
			mc = append(mc, merged.Merge(o)...)
			ac = append(ac, absorbed.Absorb(o)...)
		}
		if m, a := dump(merged), dump(absorbed); m != a {
			t.Fatalf("round %d: merged\n%s\nabsorbed\n%s", round, m, a)
		}
		if fmt.Sprint(mc) != fmt.Sprint(ac) {
			t.Fatalf("round %d: conflicts %v, absorbed %v", round, mc, ac)
		}
	}
}

// TestRetentionASCIIAsSplit: what a Retention keeps of ASCII paths,
// compared in place, is what comparing their component lists keeps.
func TestRetentionASCIIAsSplit(t *testing.T) {
	r := NewRetention(
		KeepSpec{Key: `SYSTEM\CurrentControlSet\Services\PolicyAgent`, Shallow: true, Values: []string{"Start"}},
		KeepSpec{Key: `SYSTEM`, Subkeys: "control"},
		KeepSpec{Key: `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`, Subkeys: "ipsecPolicy", Except: []string{"IPSECpolicy{3}"}, Values: []string{"ipsecData", "ipsecName"}},
		KeepSpec{Key: `Cluster\Resources`},
	)
	wantsKey := func(path string) bool {
		if !r.keys.Wants(path) {
			return false
		}
		c := canonicalComponents(path)
		for _, u := range r.under {
			if len(c) > len(u.prefix) && hasPrefix(c, u.prefix) && (u.shallow || !strings.HasPrefix(c[len(u.prefix)], u.name) || slices.Contains(u.except, c[len(u.prefix)])) {
				return false
			}
		}
		return true
	}
	wantsValue := func(path, name string) bool {
		c := canonicalComponents(path)
		for _, o := range r.only {
			if hasPrefix(c, o.prefix) && !slices.ContainsFunc(o.names, func(n string) bool { return strings.EqualFold(n, name) }) {
				return false
			}
		}
		return true
	}
	names := []string{"SYSTEM", "system", "CurrentControlSet", "ControlSet001", "ControlSet002", "Control", "controlset9", "Services", "PolicyAgent",
		"Oakley", "SOFTWARE", "Policies", "Microsoft", "Windows", "IPSec", "Policy", "Local", "ipsecPolicy{1}", "IPSECNFA{2}", "ipsecPolicy{3}", "IpsecPolicy{3}x", "Cluster", "Resources", "", "X"}
	rng := rand.New(rand.NewPCG(8, 1))
	for range 50000 {
		parts := make([]string, rng.IntN(9))
		for i := range parts {
			parts[i] = names[rng.IntN(len(names))]
		}
		p := strings.Join(parts, `\`)
		if got, want := r.wantsKey(p), wantsKey(p); got != want {
			t.Fatalf("wantsKey(%q) = %v, the components say %v", p, got, want)
		}
		for _, v := range []string{"Start", "ipsecdata", "Other"} {
			if got, want := r.wantsValue(p, v), wantsValue(p, v); got != want {
				t.Fatalf("wantsValue(%q, %q) = %v, the components say %v", p, v, got, want)
			}
		}
	}
}

// TestShareStrings: a tree whose strings were replaced by shared copies
// answers as before, and holds the copies.
func TestShareStrings(t *testing.T) {
	tr := NewRegTree()
	k := tr.EnsureKey(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, Location{File: "h/system.reg", Line: 3, Key: `SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`})
	k.SetValue(&Value{Name: "NLBSFlags", Type: RegDWORD, Data: DWORDData(1), Loc: Location{File: "h/system.reg", Line: 4, Key: k.Path, Value: "NLBSFlags"}})
	before := fmt.Sprint(tr.Keys()[0].Path, tr.Keys()[0].Loc, tr.Key(`system\currentcontrolset\services\policyagent\oakley`).Value("nlbsflags").Loc)
	pool := map[string]string{}
	one := func(s string) string {
		if c, ok := pool[s]; ok {
			return c
		}
		c := strings.Clone(s)
		pool[c] = c
		return c
	}
	tr.ShareStrings(one)
	after := fmt.Sprint(tr.Keys()[0].Path, tr.Keys()[0].Loc, tr.Key(`system\currentcontrolset\services\policyagent\oakley`).Value("nlbsflags").Loc)
	if before != after {
		t.Fatalf("after sharing: %s, before %s", after, before)
	}
	v := k.Value("NLBSFlags")
	if unsafe.StringData(k.Path) != unsafe.StringData(pool[k.Path]) || unsafe.StringData(v.Loc.Key) != unsafe.StringData(pool[k.Path]) || unsafe.StringData(v.Name) != unsafe.StringData(pool["NLBSFlags"]) {
		t.Error("the tree does not hold the shared copies")
	}
}

// TestRetainLetsAncestorsGo: Retain lets go of a key that is only an
// ancestor of the subtrees kept (no value kept, not cited, a key above
// it), and keeps one that holds a value, is cited, is the topmost, or is
// spelled otherwise below it; Subkeys and Host.Covers answer as they do
// on the whole tree.
func TestRetainLetsAncestorsGo(t *testing.T) {
	full := NewRegTree()
	at := func(line int) Location { return Location{File: "h/x.reg", Line: int32(line)} }
	for i, p := range []string{
		`SOFTWARE`, `SOFTWARE\Policies`, `SOFTWARE\Policies\Microsoft`, `SOFTWARE\Policies\Microsoft\Windows`,
		`SOFTWARE\Policies\Microsoft\Windows\IPSec`, `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy`,
		`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`, `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local\ipsecPolicy{1}`,
		`SYSTEM`, `SYSTEM\CurrentControlSet`, `SYSTEM\CurrentControlSet\Services`, `SYSTEM\CurrentControlSet\Services\PolicyAgent`,
		`SYSTEM\ControlSet001`, `SYSTEM\ControlSet001\services`, `system\controlset001\services\PolicyAgent`,
		`Cluster`, `Cluster\Other`,
	} {
		full.EnsureKey(p, at(i+1))
	}
	full.Key(`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local\ipsecPolicy{1}`).SetValue(&Value{Name: "ipsecName", Type: RegSZ, Data: []byte("x\x00")})
	full.Key(`SOFTWARE\Policies\Microsoft`).SetValue(&Value{Name: "Kept", Type: RegDWORD, Data: DWORDData(1)})
	r := NewRetention(
		KeepSpec{Key: `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`, Subkeys: "ipsecPolicy"},
		KeepSpec{Key: `SYSTEM\CurrentControlSet\Services\PolicyAgent`, Shallow: true},
		KeepSpec{Key: `SYSTEM\CurrentControlSet\Services\IPSEC`, Shallow: true},
		KeepSpec{Key: `Cluster\Resources`},
	)
	cited := func(l Location) bool { return l == at(5) } // SOFTWARE\...\IPSec
	cut := full.Retain(r, cited)
	var kept []string
	for _, k := range cut.Keys() {
		kept = append(kept, k.Path)
	}
	want := []string{
		`Cluster`, // the topmost
		`SOFTWARE`,
		`SOFTWARE\Policies\Microsoft`, // a value kept
		`SOFTWARE\Policies\Microsoft\Windows\IPSec`, // cited
		`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`,
		`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local\ipsecPolicy{1}`,
		`SYSTEM`,
		`SYSTEM\ControlSet001`,
		`SYSTEM\ControlSet001\services`, // spelled otherwise below
		`system\controlset001\services\PolicyAgent`,
		`SYSTEM\CurrentControlSet\Services\PolicyAgent`,
	}
	if !slices.Equal(kept, want) {
		t.Errorf("kept %q\nwant %q", kept, want)
	}
	for _, p := range []string{"", "SOFTWARE", `SOFTWARE\Policies`, `SOFTWARE\Policies\Microsoft\Windows`, `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy`,
		"SYSTEM", `SYSTEM\CurrentControlSet`, `SYSTEM\ControlSet001`, `SYSTEM\ControlSet001\Services`} {
		if got, want := cut.Subkeys(p), full.Subkeys(p); !slices.Equal(got, want) {
			t.Errorf("Subkeys(%q) = %q, the whole tree's %q", p, got, want)
		}
	}
	whole, part := &Host{Registry: NewRegistry(full)}, &Host{Registry: NewRegistry(cut)}
	for _, p := range []string{`SYSTEM\CurrentControlSet\Services\IPSEC`, `SYSTEM\CurrentControlSet\Services\PolicyAgent`, `Cluster\Resources`,
		`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`, `SECURITY\Policy`} {
		if got, want := part.Covers(p), whole.Covers(p); got != want {
			t.Errorf("Covers(%q) = %v, on the whole tree %v", p, got, want)
		}
	}
}

// TestRetainedTreeSortedAsMap: a tree Retain made, which holds its keys
// in a sorted slice, answers Len, Key, Keys and Subkeys as the same
// keys held in a map do, for paths that differ in case or lower-case to
// other lengths (valid UTF-8: scanSubkeys, either way, does not take a
// path that lower-cases longer); and once changed, as a map again.
func TestRetainedTreeSortedAsMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	validPath := func() string { // invalid UTF-8 lower-cases longer, which scanSubkeys does not take
		for {
			if p := randomPath(rng); utf8.ValidString(p) {
				return p
			}
		}
	}
	for range 300 {
		full := NewRegTree()
		for range 1 + rng.IntN(30) {
			full.EnsureKey(validPath(), Location{})
		}
		cut := full.Retain(NewRetention(KeepSpec{Key: `SYSTEM`}, KeepSpec{Key: `a\k`}), func(Location) bool { return rng.IntN(4) == 0 })
		if cut.keys != nil {
			t.Fatal("a retained tree holds a map")
		}
		asMap := &RegTree{sorted: slices.Clone(cut.sorted)}
		asMap.thaw()
		paths := func(tr *RegTree) []string {
			var out []string
			for _, k := range tr.Keys() {
				out = append(out, k.Path)
			}
			return out
		}
		if cut.Len() != asMap.Len() || !slices.Equal(paths(cut), paths(asMap)) {
			t.Fatalf("keys %q, as a map %q", paths(cut), paths(asMap))
		}
		for range 40 {
			p := validPath()
			if rng.IntN(3) == 0 {
				p, _ = parentPath(p)
			}
			if cut.Key(p) != asMap.Key(p) {
				t.Fatalf("Key(%q) = %v, as a map %v", p, cut.Key(p), asMap.Key(p))
			}
			if got, want := cut.Subkeys(p), asMap.Subkeys(p); !slices.Equal(got, want) {
				t.Fatalf("Subkeys(%q) = %q, as a map %q", p, got, want)
			}
		}
		p := validPath()
		had := cut.Key(p) != nil
		cut.EnsureKey(p, Location{})
		asMap.EnsureKey(p, Location{})
		if (cut.keys == nil) != had || cut.Key(p) == nil || cut.Len() != asMap.Len() || !slices.Equal(paths(cut), paths(asMap)) {
			t.Fatalf("after EnsureKey(%q): keys %q, as a map %q", p, paths(cut), paths(asMap))
		}
		p, _ = parentPath(p)
		cut.DeleteTree(p)
		asMap.DeleteTree(p)
		if cut.keys == nil || !slices.Equal(paths(cut), paths(asMap)) {
			t.Fatalf("after DeleteTree(%q): keys %q, as a map %q", p, paths(cut), paths(asMap))
		}
	}
}

// TestSubkeysOfNamesThatLowerLonger: a name whose lower-case form takes
// more bytes (U+0130, an invalid byte) is listed whole, and the keys
// below it are found, in a retained tree as in a parsed one.
func TestSubkeysOfNamesThatLowerLonger(t *testing.T) {
	tr := NewRegTree()
	for _, p := range []string{`SYSTEM\İstanbul\Sub`, "SYSTEM\\b\xc3z\\Sub", `SYSTEM\plain`} {
		tr.EnsureKey(p, Location{})
	}
	kept := tr.Retain(NewRetention(KeepSpec{Key: `SYSTEM`}), func(Location) bool { return false })
	for name, tree := range map[string]*RegTree{"parsed": tr, "retained": kept} {
		if got, want := tree.Subkeys(`SYSTEM`), []string{"b\xc3z", "İstanbul", "plain"}; !slices.Equal(got, want) {
			t.Errorf("%s: Subkeys(SYSTEM) = %q, want %q", name, got, want)
		}
		if got := tree.Subkeys(`SYSTEM\İstanbul`); !slices.Equal(got, []string{"Sub"}) {
			t.Errorf("%s: Subkeys(SYSTEM\\İstanbul) = %q, want [Sub]", name, got)
		}
	}
}

// TestIsASCII: a byte of 0x80 or more anywhere, in the eight-byte blocks
// or the tail, makes a string not ASCII.
func TestIsASCII(t *testing.T) {
	base := "SYSTEM\\CurrentControlSet\\Services\\PolicyAgent" // 46 bytes: blocks and a tail
	if !isASCII(base) || !isASCII("") || !isASCII("abc") {
		t.Fatal("ASCII text taken for non-ASCII")
	}
	for i := range len(base) {
		b := []byte(base)
		b[i] = 0xc3
		if isASCII(string(b)) {
			t.Errorf("byte 0xc3 at %d not seen", i)
		}
	}
}

// TestRetainExcept: the keys a KeepSpec's Except names go, with the keys
// below them, while their siblings that Subkeys keeps stay.
func TestRetainExcept(t *testing.T) {
	tr := NewRegTree()
	local := `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`
	for _, name := range []string{"ipsecPolicy{72385230-70fa-11d1-864c-14a300000000}", "ipsecPolicy{F83BB7A1-062F-ECB0-6DB4-7B53D9F7F9CE}"} {
		k := tr.EnsureKey(local+`\`+name, Location{})
		k.SetValue(&Value{Name: "ipsecName", Type: RegSZ, Data: UTF16String("p")})
		tr.EnsureKey(local+`\`+name+`\sub`, Location{})
	}
	r := NewRetention(KeepSpec{Key: local, Subkeys: "ipsecPolicy", Except: []string{"IPSECPOLICY{72385230-70FA-11D1-864C-14A300000000}"}, Values: []string{"ipsecName"}})
	cut := tr.Retain(r, func(Location) bool { return false })
	if cut.Key(local+`\ipsecPolicy{72385230-70fa-11d1-864c-14a300000000}`) != nil || cut.Key(local+`\ipsecPolicy{72385230-70fa-11d1-864c-14a300000000}\sub`) != nil {
		t.Errorf("the excepted key or its subkey is kept: %v", cut.Keys())
	}
	if k := cut.Key(local + `\ipsecPolicy{F83BB7A1-062F-ECB0-6DB4-7B53D9F7F9CE}`); k == nil || k.Value("ipsecName") == nil {
		t.Errorf("the other policy's key or its name is not kept: %v", cut.Keys())
	}
}

// TestControlSetName: the names of the control sets, from the table or
// made.
func TestControlSetName(t *testing.T) {
	for n, want := range map[int]string{0: "ControlSet000", 1: "ControlSet001", 15: "ControlSet015", 16: "ControlSet016", 123: "ControlSet123", 1000: "ControlSet1000"} {
		if got := ControlSetName(n); got != want {
			t.Errorf("ControlSetName(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPack: a packed tree answers as before; the values it held and the
// extra ones are copies (a value of the tree given as extra is copied
// once, shared with the tree), and changing the old ones changes nothing.
func TestPack(t *testing.T) {
	full := treeOf(t, `SYSTEM\CurrentControlSet\Services\IPSec|NoDefaultExempt|dword|1`,
		`SYSTEM\CurrentControlSet\Services\PolicyAgent|Start|dword|2`,
		`SYSTEM\CurrentControlSet\Services\PolicyAgent|Other|sz|x`,
		`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley|NLBSFlags|dword|1`)
	tr := full.Retain(NewRetention(KeepSpec{Key: `SYSTEM\CurrentControlSet\Services\IPSec`, Shallow: true},
		KeepSpec{Key: `SYSTEM\CurrentControlSet\Services\PolicyAgent`, Shallow: true, Values: []string{"Start"}}), func(Location) bool { return false })
	dump := func(tr *RegTree) string {
		var b strings.Builder
		for _, k := range tr.Keys() {
			fmt.Fprintln(&b, k.Path, k.Loc)
			for _, v := range k.Values {
				fmt.Fprintln(&b, " ", v.Name, v.Type, string(v.Data), v.Loc)
			}
		}
		return b.String()
	}
	before := dump(tr)
	oldStart := tr.Key(`SYSTEM\CurrentControlSet\Services\PolicyAgent`).Value("Start")
	nlbs := full.Key(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`).Value("NLBSFlags")
	moved := tr.Pack(oldStart, nil, nlbs)
	if got := dump(tr); got != before {
		t.Fatalf("packed tree:\n%s\nwas:\n%s", got, before)
	}
	newStart := tr.Key(`SYSTEM\CurrentControlSet\Services\PolicyAgent`).Value("Start")
	if newStart == oldStart || moved[0] != newStart || moved[1] != nil || moved[2] == nlbs || moved[2].Name != "NLBSFlags" {
		t.Errorf("moved %v: the tree's value and the extra one are not the copies", moved)
	}
	oldStart.Data[0], nlbs.Data[0] = 9, 9
	if n, _ := newStart.AsDWORD(); n != 2 {
		t.Errorf("the copy shares its data with the old value: %d", n)
	}
	if n, _ := moved[2].AsDWORD(); n != 1 {
		t.Errorf("the extra copy shares its data with the old value: %d", n)
	}
	if fresh := NewRegTree(); len(fresh.Pack(nlbs)) != 1 || fresh.Pack(nlbs)[0] != nlbs {
		t.Error("a tree Retain did not make is packed")
	}
}
