package policywriter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/gpipsec"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

// TestPSKInBlobNeverDecoded writes a rule with a pre-shared key given
// through Options: the key is in the blob in clear, as Windows stores
// it; Decode reports only its length, and blanks it in the registry.
func TestPSKInBlobNeverDecoded(t *testing.T) {
	const key = "Fixture-PSK-9f3c"
	ps := parseScript(t, "tunnel.netsh")
	tree := model.NewRegTree()
	if _, err := WriteStore(tree, StoreLocal, ps, Options{PSK: map[string]string{"Site tunnel/Outbound": key, "Inbound": key}}); err != nil {
		t.Fatal(err)
	}
	clear := model.UTF16String(key)
	var holders []*model.Value
	for _, k := range tree.Keys() {
		if v := k.Value("ipsecData"); v != nil && bytes.Contains(v.Data, clear) {
			holders = append(holders, v)
		}
	}
	if len(holders) != 2 {
		t.Fatalf("the key is in %d blobs, want the 2 rules' NFAs", len(holders))
	}
	var reg bytes.Buffer
	if err := WriteReg(&reg, tree); err != nil {
		t.Fatal(err)
	}
	res := gpipsec.Decode(model.NewRegistry(tree))
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(key)) || bytes.Contains(out, clear) {
		t.Fatal("the decoded result holds the key")
	}
	for _, v := range holders {
		if bytes.Contains(v.Data, clear) {
			t.Errorf("%s: Decode left the key in the registry", v.Loc.Key)
		}
	}
	p := storeOf(t, res, model.StoreLocal).Policy("Site tunnel")
	for _, name := range []string{"Outbound", "Inbound"} {
		if a := p.Rule(name).Auth; len(a) != 1 || a[0].Kind != model.AuthPreshared || a[0].KeyLength != len(key) {
			t.Errorf("rule %s: auth %+v, want one pre-shared key of %d characters", name, a, len(key))
		}
	}
	if !bytes.Contains(reg.Bytes(), hexUTF16(key)) {
		t.Error("the .reg export does not hold the key's bytes")
	}
}

// hexUTF16 is how a .reg export spells the start of s's UTF-16 bytes
// (before any line wrap): "46,00,69,00".
func hexUTF16(s string) []byte {
	var parts []string
	for _, b := range model.UTF16String(s[:2]) {
		parts = append(parts, fmt.Sprintf("%02x", b))
	}
	text := strings.Join(parts[:4], ",")
	var out []byte
	for _, c := range text { // regedit version 5 is UTF-16LE
		out = append(out, byte(c), 0)
	}
	return out
}

// TestRefused writes what has no known encoding: each is an *Error that
// names the object, the field and the netsh line, and nothing is written.
func TestRefused(t *testing.T) {
	base := "pushd ipsec static\nadd policy name=P mmsec=\"3DES-SHA1-2\"\nadd filterlist name=L\n"
	cases := []struct {
		name, script string
		opts         Options
		field, want  string
		line         int
	}{
		{"soft", "add filter filterlist=L srcaddr=any dstaddr=any\nadd filteraction name=A soft=yes qmsec=\"ESP[3DES,SHA1]\"\nadd rule name=R policy=P filterlist=L filteraction=A\n", Options{}, "soft", "not established", 5},
		{"esp none", "add filter filterlist=L srcaddr=any dstaddr=any\nadd filteraction name=A qmsec=\"ESP[3DES,SHA1] ESP[None,SHA1]\"\nadd rule name=R policy=P filterlist=L filteraction=A\n", Options{}, "qmSecMethods[1]", "ESP without encryption", 5},
		{"me", "add filter filterlist=L srcaddr=me dstaddr=any\nadd filteraction name=A action=permit\nadd rule name=R policy=P filterlist=L filteraction=A\n", Options{}, "src", `"me"`, 4},
		{"psk missing", "add filter filterlist=L srcaddr=any dstaddr=any\nadd filteraction name=A action=permit\nadd rule name=R policy=P filterlist=L filteraction=A psk=secret\n", Options{PSK: map[string]string{"Other": "x"}}, "auth[0]", "pre-shared key (6 characters)", 6},
		{"inpass permit", "add filter filterlist=L srcaddr=any dstaddr=any\nadd filteraction name=A action=permit inpass=yes\nadd rule name=R policy=P filterlist=L filteraction=A\n", Options{}, "inpass", "kind of negotiation", 5},
		{"two specials", "add filter filterlist=L srcaddr=dns dstaddr=wins\nadd filteraction name=A action=permit\nadd rule name=R policy=P filterlist=L filteraction=A\n", Options{}, "dst", "both be special", 4},
		{"negotiate without methods", "add filter filterlist=L srcaddr=any dstaddr=any\nadd filteraction name=A action=negotiate\nadd rule name=R policy=P filterlist=L filteraction=A\n", Options{}, "qmSecMethods", "not established", 5},
		{"missing list", "add filteraction name=A action=permit\nadd rule name=R policy=P filterlist=Nowhere filteraction=A\n", Options{}, "filterList", `"Nowhere" is not in the model`, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := parseText(t, tc.name, []byte(base+tc.script+"popd\n"))
			tree := model.NewRegTree()
			_, err := WriteStore(tree, StoreLocal, ps, tc.opts)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want an *Error", err)
			}
			if e.Field != tc.field || !strings.Contains(e.Reason, tc.want) || int(e.Loc.Line) != tc.line || e.Loc.File != tc.name {
				t.Errorf("error %+v (%v), want field %q, reason with %q, line %d", e, err, tc.field, tc.want, tc.line)
			}
			if tree.Len() != 0 {
				t.Errorf("%d keys written despite the error", tree.Len())
			}
		})
	}
}

// TestAllErrorsAtOnce: every problem of a store is reported in one error.
func TestAllErrorsAtOnce(t *testing.T) {
	ps := parseText(t, "many", []byte("add policy name=P\nadd filter filterlist=L srcaddr=me dstaddr=any\nadd filteraction name=A soft=yes qmsec=\"ESP[None,MD5]\"\nadd rule name=R policy=P filterlist=L filteraction=A psk=x\n"))
	_, err := WriteStore(model.NewRegTree(), StoreLocal, ps, Options{})
	var n int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *Error
		if errors.As(e, &pe) {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d errors (%v), want 4: me, soft, ESP None, psk", n, err)
	}
}

// TestDeterministic: the same input and seed give the same tree; another
// seed gives other GUIDs; the model's own GUIDs are kept.
func TestDeterministic(t *testing.T) {
	write := func(seed string) *model.RegTree {
		tree := model.NewRegTree()
		if _, err := WriteStore(tree, StoreLocal, parseScript(t, "fe-be.netsh"), Options{Seed: seed, PSK: fixtureKeys}); err != nil {
			t.Fatal(err)
		}
		return tree
	}
	a, b, c := write("host1"), write("host1"), write("host2")
	if d := regtest.Diff(a, b); len(d) > 0 {
		t.Fatalf("two writes differ:\n%s", strings.Join(d, "\n"))
	}
	for _, k := range a.Keys() {
		if c.Key(k.Path) != nil && strings.Contains(k.Path, "{") {
			t.Errorf("%s: the same key with another seed", k.Path)
		}
	}
	tree := model.NewRegTree()
	key, err := Write(tree, StoreLocal, w2kModel(), Options{Seed: "other", PSK: map[string]string{"PSK rule": "example-psk"}})
	if err != nil || key != StoreLocal+`\ipsecPolicy{A1A1A1A1-0001-4000-8000-000000000001}` {
		t.Errorf("key %s, %v: the model's GUID is not kept", key, err)
	}
}

// TestBackLinks: every reference names an object of the store, and that
// object's ipsecOwnersReference names the referrer; every owner listed
// refers to the object; the policy has none.
func TestBackLinks(t *testing.T) {
	tree := model.NewRegTree()
	if _, err := WriteStore(tree, StoreLocal, parseScript(t, "shared.netsh"), Options{}); err != nil {
		t.Fatal(err)
	}
	refers := map[string]map[string]bool{} // target path → referrers
	for _, k := range tree.Keys() {
		for _, v := range k.Values {
			if !strings.HasSuffix(v.Name, "Reference") || v.Name == ownersValue {
				continue
			}
			ss, _ := v.AsStrings()
			for _, s := range ss {
				if tree.Key(s) == nil {
					t.Errorf("%s %s names %s, which is not written", k.Path, v.Name, s)
				}
				if refers[s] == nil {
					refers[s] = map[string]bool{}
				}
				refers[s][k.Path] = true
			}
		}
	}
	for _, k := range tree.Keys() {
		if !strings.Contains(k.Path, "{") {
			continue
		}
		owners, _ := k.Value(ownersValue).AsStrings()
		if strings.Contains(k.Path, `\ipsecPolicy{`) && owners != nil {
			t.Errorf("%s: a policy with owners %v", k.Path, owners)
		}
		if k.Value(ownersValue) != nil && k.Value(ownersValue).Type != model.RegMultiSZ {
			t.Errorf("%s: owners not REG_MULTI_SZ", k.Path)
		}
		got := map[string]bool{}
		for _, o := range owners {
			got[o] = true
		}
		if fmt.Sprint(got) != fmt.Sprint(refers[k.Path]) && (len(got) > 0 || len(refers[k.Path]) > 0) {
			t.Errorf("%s: owners %v, referred to by %v", k.Path, owners, refers[k.Path])
		}
	}
	l := tree.Key(StoreLocal + `\` + clsFilter + derive("", clsFilter, "Infrastructure").String())
	if owners, _ := l.Value(ownersValue).AsStrings(); len(owners) != 2 {
		t.Errorf("the shared list has owners %v, want the two policies' rules", owners)
	}
}

// TestSharedAcrossWrites: a second Write of a policy that shares a list
// adds owners to it; a different object under a taken key is refused,
// and nothing is written then.
func TestSharedAcrossWrites(t *testing.T) {
	ps := parseScript(t, "shared.netsh")
	tree := model.NewRegTree()
	for _, p := range ps.Policies {
		if _, err := Write(tree, StoreLocal, p, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	one := model.NewRegTree()
	if _, err := WriteStore(one, StoreLocal, ps, Options{}); err != nil {
		t.Fatal(err)
	}
	// The store write also has the unused list and action.
	for _, k := range one.Keys() {
		if tree.Key(k.Path) == nil && !strings.Contains(k.Path, derive("", clsFilter, "Unused list").String()) && !strings.Contains(k.Path, derive("", clsNegPol, "Unused action").String()) {
			t.Errorf("%s: written by WriteStore only", k.Path)
		}
		if tk := tree.Key(k.Path); tk != nil && !sameValues(tk.Values, k.Values) {
			t.Errorf("%s: differs between Write and WriteStore", k.Path)
		}
	}
	before := regtest.Dump(tree)
	p := ps.Policies[0]
	p.Rules[0].FilterList.Filters[0].DstPort = 54 // the same list, other contents
	if _, err := Write(tree, StoreLocal, p, Options{}); err == nil || !strings.Contains(err.Error(), "already holds a different object") {
		t.Errorf("error %v, want a refusal", err)
	}
	if regtest.Dump(tree) != before {
		t.Error("the tree changed despite the error")
	}
}

// TestAssign writes both assignments and reads them back.
func TestAssign(t *testing.T) {
	tree := model.NewRegTree()
	ps := parseScript(t, "shared.netsh")
	local, err := Write(tree, StoreLocal, ps.Policies[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := Write(tree, StoreCache, ps.Policies[1], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := AssignLocal(tree, cache); err == nil {
		t.Error("a cache policy assigned as the local one")
	}
	if err := AssignLocal(tree, StoreLocal+`\ipsecPolicy{00000000-0000-0000-0000-000000000000}`); err == nil {
		t.Error("a policy the tree lacks assigned")
	}
	if err := AssignDomain(tree, "LDAP://CN=nothing", "x"); err == nil {
		t.Error("a path naming no policy accepted")
	}
	path := LDAPPath(cache, "DC=example,DC=com")
	if want := "LDAP://CN=" + cache[len(StoreCache)+1:] + ",CN=IP Security,CN=System,DC=example,DC=com"; path != want {
		t.Errorf("LDAPPath %s, want %s", path, want)
	}
	if AssignLocal(tree, local) != nil || AssignDomain(tree, path, "Server B") != nil {
		t.Fatal("assignment refused")
	}
	res := gpipsec.Decode(model.NewRegistry(tree))
	if res.Local == nil || res.Local.Policy == nil || res.Local.Policy.Name != "Server A" || res.Local.Ref != local {
		t.Errorf("local assignment %+v", res.Local)
	}
	if res.Domain == nil || res.Domain.Policy == nil || res.Domain.Policy.Name != "Server B" || res.Domain.Name != "Server B" || len(res.Problems) > 0 {
		t.Errorf("domain assignment %+v, problems %v", res.Domain, res.Problems)
	}
}

// TestOptionsChecked: stores, times and Me are checked.
func TestOptionsChecked(t *testing.T) {
	p := parseScript(t, "defaults.netsh").Policies[0]
	for _, tc := range []struct {
		store string
		opts  Options
	}{
		{`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Persistent`, Options{}},
		{StoreLocal, Options{WhenChanged: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{StoreLocal, Options{Me: netip.MustParseAddr("2001:db8::1")}},
	} {
		if _, err := Write(model.NewRegTree(), tc.store, p, tc.opts); err == nil {
			t.Errorf("%s %+v accepted", tc.store, tc.opts)
		}
	}
	tree := model.NewRegTree()
	key, err := Write(tree, `HKEY_LOCAL_MACHINE\software\policies\microsoft\windows\ipsec\policy\local`, p, Options{WhenChanged: time.Unix(1700000000, 0)})
	if err != nil || !strings.HasPrefix(key, StoreLocal+`\`) {
		t.Fatalf("key %s, %v", key, err)
	}
	if n, _ := tree.Key(key).Value("whenChanged").AsDWORD(); n != 1700000000 {
		t.Errorf("whenChanged %d", n)
	}
}
