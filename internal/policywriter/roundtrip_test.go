package policywriter

import (
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/gpipsec"
)

// The pre-shared keys the fixtures' rules use (fixture strings).
var fixtureKeys = map[string]string{
	"Subnet":       "fixture-subnet-key",
	"FE to BE/RDP": "k2",
	"Outbound":     "branch-key",
	"Inbound":      "branch-key",
}

// roundTripCase is one netsh script written into a store and decoded.
type roundTripCase struct {
	script string
	opts   Options
	// expect edits the netsh store into what the registry is expected to
	// hold, for the documented differences (defaults filled in, "me"
	// written as an address); nil when there is none.
	expect func(*model.PolicyStore)
	// problems are substrings of every problem the decoded store may
	// report (information about unreferenced objects).
	problems []string
}

var roundTripCases = []roundTripCase{
	{script: "fe-be.netsh"},
	{script: "tunnel.netsh"},
	{script: "shared.netsh", problems: []string{unreferenced(clsFilter, "Unused list"), unreferenced(clsNegPol, "Unused action")}},
	{script: "defaults.netsh", expect: w2kDefaults},
	{script: "me.netsh", opts: Options{Me: netip.MustParseAddr("10.0.0.21")}, expect: meAs("10.0.0.21")},
}

// unreferenced is the decoder's note on an object no other object
// refers to, for an object whose GUID is derived from its name.
func unreferenced(cls, name string) string {
	return cls + derive("", cls, name).String() + ": no object of the store refers to it"
}

// w2kDefaults fills in what the writer writes where the script is
// silent: Windows 2000's main-mode methods and default response offers;
// and a lifetime or polling interval of 0, which the blob holds as 0 and
// [MS-GPIPSEC] reads as 28,800 s and 10,800 s.
func w2kDefaults(ps *model.PolicyStore) {
	for _, p := range ps.Policies {
		if p.MMLifetimeMin == 0 {
			p.MMLifetimeMin = 480
		}
		if p.PollingIntervalMin == 0 {
			p.PollingIntervalMin = 180
		}
		if len(p.MMSecMethods) == 0 {
			for _, s := range []string{"3DES-SHA1-2", "3DES-MD5-2", "DES-SHA1-1", "DES-MD5-1"} {
				f := strings.Split(s, "-")
				p.MMSecMethods = append(p.MMSecMethods, model.MMMethod{Cipher: f[0], Integrity: f[1], DHGroup: int(f[2][0] - '0')})
			}
		}
		a := p.DefaultRule().FilterAction
		if len(a.Methods) == 0 {
			a.Methods = []model.QMMethod{
				{ESP: &model.ESPTransform{Cipher: "3DES", Integrity: "SHA1"}}, {ESP: &model.ESPTransform{Cipher: "3DES", Integrity: "MD5"}},
				{ESP: &model.ESPTransform{Cipher: "DES", Integrity: "SHA1"}}, {ESP: &model.ESPTransform{Cipher: "DES", Integrity: "MD5"}},
				{AH: "SHA1"}, {AH: "MD5"},
			}
		}
	}
}

// meAs replaces "me" by the host's address, as Options.Me writes it.
func meAs(addr string) func(*model.PolicyStore) {
	me := model.Address{Kind: model.AddrIP, Net: netip.PrefixFrom(netip.MustParseAddr(addr), 32)}
	return func(ps *model.PolicyStore) {
		for _, l := range ps.FilterLists {
			for _, f := range l.Filters {
				if f.Src.Kind == model.AddrMe {
					f.Src = me
				}
				if f.Dst.Kind == model.AddrMe {
					f.Dst = me
				}
			}
		}
	}
}

// TestRoundTrip writes each fixture script's policies into the local
// store and the domain cache, with the script's assignment, and decodes
// the tree, its .reg export and its hive: the decoded policies are the
// script's, field for field, and the decoder's doubts are only those it
// always has.
func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases {
		for _, store := range []string{StoreLocal, StoreCache} {
			name := tc.script + "/" + store[strings.LastIndexByte(store, '\\')+1:]
			t.Run(name, func(t *testing.T) {
				ps := parseScript(t, tc.script)
				opts := tc.opts
				opts.PSK = fixtureKeys
				tree := model.NewRegTree()
				if _, err := WriteStore(tree, store, ps, opts); err != nil {
					t.Fatal(err)
				}
				assigned := assign(t, tree, store, ps)
				rbs := readBacks(t, tree)
				if tc.expect != nil {
					tc.expect(ps)
				}
				for _, rb := range rbs {
					res := gpipsec.Decode(model.NewRegistry(rb.tree))
					checkDecoded(t, rb.name, tc, ps, res, store, assigned)
				}
			})
		}
	}
}

// assign writes the script's assignment and returns the assigned
// policy's name ("" when the script assigns none).
func assign(t *testing.T, tree *model.RegTree, store string, ps *model.PolicyStore) string {
	t.Helper()
	p := ps.Assigned()
	if p == nil {
		return ""
	}
	var pkey string
	for _, k := range tree.Keys() {
		if v := k.Value("ipsecName"); v != nil && strings.Contains(k.Path, `\ipsecPolicy{`) {
			if s, _ := v.AsString(); s == p.Name && strings.HasPrefix(k.Path, store) {
				pkey = k.Path
			}
		}
	}
	var err error
	if store == StoreLocal {
		err = AssignLocal(tree, pkey)
	} else {
		err = AssignDomain(tree, LDAPPath(pkey, "DC=example,DC=com"), p.Name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p.Name
}

func checkDecoded(t *testing.T, via string, tc roundTripCase, want *model.PolicyStore, res *gpipsec.Result, store, assigned string) {
	t.Helper()
	kind := model.StoreLocal
	if store == StoreCache {
		kind = model.StoreDomainCache
	}
	if len(res.Problems) > 0 {
		t.Errorf("%s: problems %v", via, res.Problems)
	}
	got := storeOf(t, res, kind)
	checkProblems(t, via, got.Problems, tc.problems)
	if names(got.FilterLists) != names(want.FilterLists) || actionNames(got.FilterActions) != actionNames(want.FilterActions) {
		t.Errorf("%s: filter lists %s, actions %s; want %s, %s", via, names(got.FilterLists), actionNames(got.FilterActions), names(want.FilterLists), actionNames(want.FilterActions))
	}
	if len(got.Policies) != len(want.Policies) {
		t.Fatalf("%s: %d policies decoded, want %d", via, len(got.Policies), len(want.Policies))
	}
	for _, wp := range want.Policies {
		gp := got.Policy(wp.Name)
		if gp == nil {
			t.Errorf("%s: policy %q not decoded", via, wp.Name)
			continue
		}
		if ch := model.DiffPolicies(wp, gp); len(ch) > 0 {
			t.Errorf("%s: DiffPolicies: %v", via, ch)
		}
		if d := factDiff(facts(wp), facts(gp)); len(d) > 0 {
			t.Errorf("%s: decoded policy %q differs:\n%s", via, wp.Name, strings.Join(d, "\n"))
		}
		if d := unexpectedDoubts(gp); len(d) > 0 {
			t.Errorf("%s: unexpected doubts:\n%s", via, strings.Join(d, "\n"))
		}
		for _, r := range gp.Rules {
			if r.FilterAction != nil && r.FilterAction.Doubts.About("soft") == nil {
				t.Errorf("%s: filter action %q has no doubt on soft", via, r.FilterAction.Name)
			}
		}
		if gp.Assigned != (wp.Name == assigned) {
			t.Errorf("%s: policy %q assigned %v, want %v", via, wp.Name, gp.Assigned, wp.Name == assigned)
		}
	}
	checkAssignment(t, via, res, store, assigned)
}

func checkAssignment(t *testing.T, via string, res *gpipsec.Result, store, assigned string) {
	t.Helper()
	a, other := res.Local, res.Domain
	if store == StoreCache {
		a, other = res.Domain, res.Local
	}
	switch {
	case other != nil:
		t.Errorf("%s: an assignment in the other store: %+v", via, other)
	case assigned == "" && a != nil:
		t.Errorf("%s: assignment %+v, want none", via, a)
	case assigned != "" && (a == nil || a.Policy == nil || a.Policy.Name != assigned || len(a.Missing) > 0):
		t.Errorf("%s: assignment %+v, want policy %q complete", via, a, assigned)
	}
}

func checkProblems(t *testing.T, via string, got []model.Problem, want []string) {
	t.Helper()
	left := append([]string(nil), want...)
	for _, p := range got {
		i := -1
		for j, w := range left {
			if strings.Contains(p.Message, w) {
				i = j
				break
			}
		}
		if i < 0 {
			t.Errorf("%s: unexpected store problem: %s", via, p.Message)
			continue
		}
		left = append(left[:i], left[i+1:]...)
	}
	if len(left) > 0 {
		t.Errorf("%s: store problems %v missing", via, left)
	}
}

// sortedNames lists the objects' names, sorted, on one line.
func sortedNames[T any](objs []T, name func(T) string) string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, name(o))
	}
	sort.Strings(out)
	return strings.Join(out, "|")
}

func names(ls []*model.FilterList) string {
	return sortedNames(ls, func(l *model.FilterList) string { return l.Name })
}

func actionNames(as []*model.FilterAction) string {
	return sortedNames(as, func(a *model.FilterAction) string { return a.Name })
}
