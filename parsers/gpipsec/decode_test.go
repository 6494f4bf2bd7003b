package gpipsec

// Tests on synthetic registries (see synth_test.go): every blob is built
// from GPIPSEC.md §3 and labelled synthetic.

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

func TestNotCovered(t *testing.T) {
	s := newSynthReg()
	s.key(`SOFTWARE\Microsoft\Windows NT\CurrentVersion`, sz("ProductName", "Microsoft Windows Server 2003"))
	res := Decode(s.registry())
	if res.Covered || len(res.Stores) != 0 || res.Local != nil || res.Domain != nil {
		t.Errorf("%+v: want not covered, nothing decoded", res)
	}
	if res := Decode(nil); res.Covered {
		t.Error("a nil registry is covered")
	}
}

// TestDomainCache: a domain policy assigned by GPTIPSECPolicy and cached
// under Policy\Cache (references as DNs, synthetic), beside a weaker local
// policy that ActivePolicy names. Both are exposed and marked assigned.
func TestDomainCache(t *testing.T) {
	s := newSynthReg()
	weak := defaultRuleOpts()
	weak.action = actionPermit.String()
	weak.offers = nil
	loc := s.writePolicy(localStore, "Local permit", 0x10, weak)
	s.key(localStore, sz("ActivePolicy", loc.path("ipsecPolicy", loc.pol)))
	dom := s.writePolicy(cacheStore, "Domain FE-BE", 0x20, defaultRuleOpts())
	s.key(gptKey,
		sz("DSIPSECPolicyPath", "LDAP://CN=ipsecPolicy"+strings.ToLower(dom.pol)+",CN=IP Security,CN=System,DC=example,DC=com"),
		sz("DSIPSECPolicyName", "Domain FE-BE"), sz("GPOName", "Exchange IPSec"))
	res := Decode(s.registry())

	if len(res.Stores) != 2 || res.Stores[0].Store != model.StoreLocal || res.Stores[1].Store != model.StoreDomainCache {
		t.Fatalf("stores %v", storeNames(res))
	}
	lp := policyOf(t, storeOf(t, res, model.StoreLocal), loc.pol)
	dp := policyOf(t, storeOf(t, res, model.StoreDomainCache), dom.pol)
	checkAssignments(t, res, lp, dp)
	r := ruleOf(t, dp, dom.rule)
	if r.FilterAction == nil || r.FilterAction.Action != model.ActionNegotiate || r.FilterList == nil || len(r.FilterList.Filters) != 1 {
		t.Errorf("cached rule not resolved through DN references: %+v", r)
	}
	if got := ruleOf(t, lp, loc.rule).FilterAction; got == nil || got.Action != model.ActionPermit || len(got.Methods) != 0 {
		t.Errorf("local permit action %+v", got)
	}
	problemWith(t, res.Problems, `GPTIPSECPolicy value "GPOName"`)
	for _, ps := range res.Stores {
		if len(ps.Problems) != 0 {
			t.Errorf("%s store problems: %v", ps.Store, ps.Problems)
		}
	}
}

// checkAssignments: both assignments resolve, each in its own store.
func checkAssignments(t *testing.T, res *Result, lp, dp *model.Policy) {
	t.Helper()
	if res.Local == nil || res.Local.Policy != lp || !lp.Assigned || res.Local.Store != model.StoreLocal {
		t.Errorf("local assignment %+v", res.Local)
	}
	d := res.Domain
	if d == nil || d.Policy != dp || !dp.Assigned || d.Name != "Domain FE-BE" || d.Store != model.StoreDomainCache || len(d.Missing) != 0 {
		t.Fatalf("domain assignment %+v", d)
	}
	if d.RefLoc.Value != "DSIPSECPolicyPath" || d.NameLoc.Value != "DSIPSECPolicyName" || dp.AssignLoc != d.RefLoc {
		t.Errorf("domain evidence %+v / %+v / %+v", d.RefLoc, d.NameLoc, dp.AssignLoc)
	}
}

func storeNames(res *Result) []string {
	var out []string
	for _, s := range res.Stores {
		out = append(out, string(s.Store))
	}
	return out
}

// TestDomainPolicyNotCached: assigned, but the cache lacks it: the keys to
// export are named.
func TestDomainPolicyNotCached(t *testing.T) {
	s := newSynthReg()
	g := synthGUID(0x30)
	s.key(gptKey, sz("DSIPSECPolicyPath", "LDAP://CN=ipsecPolicy"+g+",CN=IP Security,CN=System,DC=example,DC=com"), sz("DSIPSECPolicyName", "Domain"))
	res := Decode(s.registry())
	d := res.Domain
	want := cacheStore + `\ipsecPolicy` + g
	if d == nil || d.Policy != nil || len(d.Missing) != 1 || d.Missing[0] != want || d.Key != want {
		t.Fatalf("domain %+v; want missing %s", d, want)
	}
	problemWith(t, res.Problems, "export "+want)

	// The policy is cached but one of its rules is not: that key is named.
	s = newSynthReg()
	set := s.writePolicy(cacheStore, "Domain", 0x40, defaultRuleOpts())
	s.t.DeleteTree(set.path("ipsecNFA", set.rule))
	s.key(gptKey, sz("DSIPSECPolicyPath", "LDAP://CN=ipsecPolicy"+set.pol+",CN=IP Security,CN=System,DC=example,DC=com"))
	res = Decode(s.registry())
	if d := res.Domain; d.Policy == nil || len(d.Missing) != 1 || !strings.EqualFold(d.Missing[0], set.path("ipsecNFA", set.rule)) {
		t.Errorf("domain %+v; want the rule's key missing", d)
	}
	doubtAbout(t, res.Domain.Policy.Doubts, "rules", "which the store does not hold")
}

// TestRuleSettings: connection types, inactive and tunnel rules.
func TestRuleSettings(t *testing.T) {
	cases := []struct {
		name   string
		nfa    nfaSpec
		conn   model.ConnType
		active bool
		tunnel string
		doubt  string // field in doubt, "" for none
	}{
		{"dial-up only", nfaSpec{ifType: ifDialup, isActive: 1}, model.ConnDialup, true, "", ""},
		{"LAN", nfaSpec{ifType: ifLAN, isActive: 1}, model.ConnLAN, true, "", ""},
		{"inactive", nfaSpec{ifType: ifAll, isActive: 0}, model.ConnAll, false, "", ""},
		{"tunnel to an address", nfaSpec{ifType: ifAll, isActive: 1, isTunnel: 1, tunnel: "198.51.100.7"}, model.ConnAll, true, "198.51.100.7", ""},
		{"tunnel to a name", nfaSpec{ifType: ifAll, isActive: 1, isTunnel: 1, endpoint: "gw.example.com"}, model.ConnAll, true, "gw.example.com", ""},
		{"tunnel to nothing", nfaSpec{ifType: ifAll, isActive: 1, isTunnel: 1}, model.ConnAll, true, "", "tunnelEndpoint"},
		{"unknown interface type", nfaSpec{ifType: 7, isActive: 1}, "", true, "", "connType"},
		{"active flag 2", nfaSpec{ifType: ifAll, isActive: 2}, model.ConnAll, false, "", "active"},
		{"named interface", nfaSpec{ifType: ifLAN, isActive: 1, ifName: "Local Area Connection 2"}, model.ConnLAN, true, "", "connType"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSynthReg()
			o := defaultRuleOpts()
			c.nfa.auth = authList(kerberosAuth())
			o.nfa = c.nfa
			set := s.writePolicy(localStore, "P", 0x50, o)
			r := ruleOf(t, policyOf(t, storeOf(t, Decode(s.registry()), model.StoreLocal), set.pol), set.rule)
			if r.ConnType != c.conn || r.Active != c.active || r.TunnelEndpoint != c.tunnel {
				t.Errorf("conntype %q active %v tunnel %q; want %q %v %q", r.ConnType, r.Active, r.TunnelEndpoint, c.conn, c.active, c.tunnel)
			}
			if c.doubt == "" && len(r.Doubts) != 0 || c.doubt != "" && r.Doubts.About(c.doubt) == nil {
				t.Errorf("doubts %v, want one on %q", r.Doubts, c.doubt)
			}
			if d := r.Doubts.About(c.doubt); d != nil && (d.Loc.Value != "ipsecData" || d.Loc.Offset == 0) {
				t.Errorf("doubt without a blob offset: %+v", d.Loc)
			}
		})
	}
}

// TestActions: what the action GUIDs and the offers say.
func TestActions(t *testing.T) {
	s := newSynthReg()
	s.writePolicy(localStore, "P", 0x60, defaultRuleOpts())
	neg := func(n int, action string, offers ...offerSpec) *model.FilterAction {
		g := synthGUID(n)
		s.obj(localStore, "ipsecNegotiationPolicy", g, synthNegPolBlob(offers...), sz("ipsecName", "action "+g),
			sz("ipsecNegotiationPolicyAction", action), sz("ipsecNegotiationPolicyType", negTypeStandard.String()))
		return &model.FilterAction{GUID: g}
	}
	block := neg(0x70, actionBlock.String())
	permit := neg(0x71, strings.ToLower(actionPermit.String()))
	inpass := neg(0x72, actionInPass.String(), offerSpec{slots: []slotSpec{esp3DESSHA1}})
	ahOnly := neg(0x73, actionNegotiate.String(), offerSpec{life: 300, slots: []slotSpec{ahSHA1}}, offerSpec{kb: 50000, slots: []slotSpec{ahMD5}})
	mixed := neg(0x74, actionNegotiate.String(), offerSpec{life: 3600, kb: 100000, slots: []slotSpec{esp3DESSHA1}}, offerSpec{slots: []slotSpec{ahSHA1, espDESMD5}})
	cipher2 := neg(0x75, actionNegotiate.String(), offerSpec{slots: []slotSpec{{2, 2, offerESP}}}, offerSpec{slots: []slotSpec{{0, 1, offerESP}}})
	pfsOn := neg(0x76, actionNegotiate.String(), offerSpec{pfs: 1, slots: []slotSpec{esp3DESSHA1}})
	pfsMixed := neg(0x77, actionNegotiate.String(), offerSpec{pfs: 1, slots: []slotSpec{esp3DESSHA1}}, offerSpec{slots: []slotSpec{esp3DESMD5}})
	noOffer := neg(0x78, actionNegotiate.String())
	count4 := neg(0x79, actionNegotiate.String(), offerSpec{count: 4, slots: []slotSpec{esp3DESSHA1}})
	unknown := neg(0x7A, "{00000000-1111-2222-3333-444444444444}")
	ps := storeOf(t, Decode(s.registry()), model.StoreLocal)
	get := func(a *model.FilterAction) *model.FilterAction { return actionOf(t, ps, a.GUID) }
	for _, c := range []struct {
		a      *model.FilterAction
		action model.ActionKind
		inpass bool
		text   string
	}{
		{block, model.ActionBlock, false, ""}, {permit, model.ActionPermit, false, ""},
		{inpass, model.ActionNegotiate, true, "ESP[3DES,SHA1]"},
		{ahOnly, model.ActionNegotiate, false, "AH[SHA1]:300s AH[MD5]:50000k"},
		{mixed, model.ActionNegotiate, false, "ESP[3DES,SHA1]:100000k/3600s AH[SHA1]+ESP[DES,MD5]"},
		{cipher2, model.ActionNegotiate, false, "ESP[unknown(2),SHA1] ESP[unknown(0),MD5]"},
	} {
		got := get(c.a)
		if got.Action != c.action || got.InPass != c.inpass || methodTexts(got) != c.text {
			t.Errorf("%s: %s inpass %v %q; want %s %v %q", got.Name, got.Action, got.InPass, methodTexts(got), c.action, c.inpass, c.text)
		}
		if got.Doubts.About("soft") == nil {
			t.Errorf("%s: no doubt about soft", got.Name)
		}
	}
	checkEncryption(t, get(ahOnly), get(cipher2))
	if a := get(pfsOn); !a.QMPFS || a.Doubts.About("qmpfs") == nil {
		t.Errorf("PFS 1: qmpfs %v doubts %v; want on, uncertain", a.QMPFS, a.Doubts)
	}
	if a := get(pfsMixed); a.QMPFS {
		t.Error("PFS on in only one offer counts as on")
	}
	doubtAbout(t, get(pfsMixed).Doubts, "qmpfs", "differs between offers")
	doubtAbout(t, get(noOffer).Doubts, "qmSecMethods", "no security offer")
	if m := get(count4).Methods; len(m) != 1 || !strings.Contains(m[0].Doubt, "Algorithm-Offer-Count is 4") {
		t.Errorf("count 4: %+v", m)
	}
	if a := get(unknown); a.Action != "" || a.Doubts.About("action") == nil {
		t.Errorf("unknown action GUID: %q %v", a.Action, a.Doubts)
	}
	if len(ps.FilterActions) != 12 {
		t.Errorf("%d actions; the default response action must not be among them", len(ps.FilterActions))
	}
}

// TestAuthentication: certificate, Kerberos, pre-shared key (length only)
// and an unknown type.
func TestAuthentication(t *testing.T) {
	s := newSynthReg()
	o := defaultRuleOpts()
	o.nfa.auth = authList(certAuth("CN=Example Root CA,DC=example,DC=com"), kerberosAuth(), pskAuth("synthetic-key-1"), authSpec{2, []byte{1, 2, 3, 4}})
	set := s.writePolicy(localStore, "P", 0x80, o)
	tree := s.t
	res := Decode(s.registry())
	r := ruleOf(t, policyOf(t, storeOf(t, res, model.StoreLocal), set.pol), set.rule)
	want := []model.AuthMethod{{Kind: model.AuthCertificate, CA: "CN=Example Root CA,DC=example,DC=com"}, {Kind: model.AuthKerberos},
		{Kind: model.AuthPreshared, KeyLength: len("synthetic-key-1")}, {Kind: model.AuthUnknown}}
	if len(r.Auth) != len(want) {
		t.Fatalf("auth %+v", r.Auth)
	}
	for i := range want {
		got := r.Auth[i]
		if got.Kind != want[i].Kind || got.CA != want[i].CA || got.KeyLength != want[i].KeyLength || got.Loc.Offset == 0 {
			t.Errorf("auth[%d] = %+v, want %+v with an offset", i, got, want[i])
		}
	}
	doubtAbout(t, r.Doubts, "auth[3]", "Auth-Type 2")
	assertNoSecret(t, res, tree, "synthetic-key-1")
}

// TestReferences: dangling references, cycles, wrong classes, REG_SZ and
// REG_MULTI_SZ forms.
func TestReferences(t *testing.T) {
	s := newSynthReg()
	set := s.writePolicy(localStore, "P", 0x90, defaultRuleOpts())
	rule := s.t.Key(set.path("ipsecNFA", set.rule))
	// The filter reference names the rule itself, the action reference a missing object.
	rule.SetValue(multi("ipsecFilterReference", set.path("ipsecNFA", set.rule), set.path("ipsecFilter", synthGUID(0x9F))))
	rule.SetValue(sz("ipsecNegotiationPolicyReference", set.path("ipsecNegotiationPolicy", synthGUID(0x9E))))
	// The policy lists its default rule twice and itself once.
	pol := s.t.Key(set.path("ipsecPolicy", set.pol))
	pol.SetValue(multi("ipsecNFAReference", set.path("ipsecNFA", set.defRule), set.path("ipsecPolicy", set.pol), set.path("ipsecNFA", set.rule), set.path("ipsecNFA", set.defRule)))
	pol.SetValue(sz("ipsecISAKMPReference", "not a reference"))
	res := Decode(s.registry())
	ps := storeOf(t, res, model.StoreLocal)
	p := policyOf(t, ps, set.pol)
	if len(p.Rules) != 2 {
		t.Fatalf("%d rules, want the default rule once and the damaged rule", len(p.Rules))
	}
	doubtAbout(t, p.Doubts, "rules", "names the object itself")
	doubtAbout(t, p.Doubts, "mmSecMethods", "names 0 ipsec objects")
	problemWith(t, ps.Problems, "twice")
	r := ruleOf(t, p, set.rule)
	doubtAbout(t, r.Doubts, "filterList", "names the object itself")
	doubtAbout(t, r.Doubts, "filterList", "which the store does not hold")
	doubtAbout(t, r.Doubts, "filterAction", "which the store does not hold")
	if r.FilterList != nil || r.FilterAction != nil || !r.Active || r.ConnType != model.ConnAll {
		t.Errorf("damaged rule %+v: the rest of it must still be decoded", r)
	}
	problemWith(t, ps.Problems, "ipsecFilter"+set.filt+": no object of the store refers to it")
	problemWith(t, ps.Problems, "ipsecNegotiationPolicy"+set.action+": no object of the store refers to it")
	// The rule names an action of the wrong class.
	rule.SetValue(sz("ipsecNegotiationPolicyReference", set.path("ipsecFilter", set.filt)))
	res = Decode(s.registry())
	doubtAbout(t, ruleOf(t, policyOf(t, storeOf(t, res, model.StoreLocal), set.pol), set.rule).Doubts, "filterAction", "where an ipsecNegotiationPolicy is expected")
}

// TestOwnersMismatch: a back-reference that does not name the referrer.
func TestOwnersMismatch(t *testing.T) {
	s := newSynthReg()
	set := s.writePolicy(localStore, "P", 0xA0, defaultRuleOpts())
	s.t.Key(set.path("ipsecFilter", set.filt)).SetValue(sz("ipsecOwnersReference", set.path("ipsecNFA", set.defRule)))
	ps := storeOf(t, Decode(s.registry()), model.StoreLocal)
	problemWith(t, ps.Problems, "its ipsecOwnersReference does not name it")
}

// TestSpellings: IPSEC and lower-case key names, lower-case GUIDs,
// className, REG_SZ references, upper-case references.
func TestSpellings(t *testing.T) {
	s := newSynthReg()
	store := `SOFTWARE\Policies\Microsoft\Windows\IPSEC\policy\local`
	g := func(n int) string { return strings.ToLower(synthGUID(n)) }
	ref := func(cls string, n int) string {
		return strings.ToUpper(`SOFTWARE\Policies\Microsoft\Windows\IPSEC\Policy\Local\` + cls + g(n))
	}
	mk := func(cls string, n int, data []byte, extra ...*model.Value) {
		name := strings.ToLower(cls) + g(n)
		s.key(store+`\`+name, append([]*model.Value{sz("className", cls), sz("name", name), sz("ipsecID", g(n)),
			dword("ipsecDataType", 256), bin("ipsecData", data)}, extra...)...)
	}
	mk("ipsecPolicy", 1, synthPolicyBlob(0), sz("ipsecName", "Modern"), sz("ipsecISAKMPReference", ref("ipsecISAKMPPolicy", 2)), sz("ipsecNFAReference", ref("ipsecNFA", 3)))
	mk("ipsecISAKMPPolicy", 2, synthISAKMPBlob(1, 1, 3600, [4]uint8{}, mmSpec{3, 2, 2, 3600, 0}))
	mk("ipsecNFA", 3, synthNFABlob(nfaSpec{auth: authList(kerberosAuth()), ifType: ifLAN, isActive: 1}),
		sz("ipsecNegotiationPolicyReference", ref("ipsecNegotiationPolicy", 4)), sz("ipsecFilterReference", ref("ipsecFilter", 5)))
	mk("ipsecNegotiationPolicy", 4, synthNegPolBlob(offerSpec{slots: []slotSpec{esp3DESSHA1}}), sz("ipsecName", "Require"),
		sz("ipsecNegotiationPolicyAction", strings.ToLower(actionNegotiate.String())), sz("ipsecNegotiationPolicyType", strings.Trim(negTypeStandard.String(), "{}")))
	mk("ipsecFilter", 5, synthFilterBlob(true, nil, filterSpec{src: "192.0.2.0", srcMask: "255.255.255.0", dst: "192.0.2.30", dstMask: "255.255.255.255"}), sz("ipsecName", "BE"))
	s.key(store, sz("ActivePolicy", ref("ipsecPolicy", 1)))
	res := Decode(s.registry())
	ps := storeOf(t, res, model.StoreLocal)
	if len(ps.Problems) != 0 {
		t.Errorf("problems: %v", ps.Problems)
	}
	if res.Local == nil || res.Local.Policy == nil {
		t.Fatalf("ActivePolicy did not resolve: %+v", res.Local)
	}
	p := res.Local.Policy
	if p.GUID != strings.ToUpper(g(1)) || !p.MMPFS || p.QMPerMM != 1 || p.MMLifetimeMin != 60 || p.PollingIntervalMin != 180 || len(p.Rules) != 1 || len(p.Doubts) != 0 {
		t.Fatalf("policy %+v", p)
	}
	r := p.Rules[0]
	if r.Name != "BE" || r.ConnType != model.ConnLAN || r.FilterAction == nil || r.FilterAction.Name != "Require" || len(r.FilterList.Filters) != 1 {
		t.Errorf("rule %+v", r)
	}
	if f := r.FilterList.Filters[0]; f.Src.Net != netip.MustParsePrefix("192.0.2.0/24") || f.Mirrored {
		t.Errorf("filter %+v", f)
	}
	if p.DefaultRule() != nil || p.ActivateDefaultRule {
		t.Error("a policy without a default response NFA has a default rule")
	}
}

// TestUnrecognisedStore: objects elsewhere under the IPSec key.
func TestUnrecognisedStore(t *testing.T) {
	s := newSynthReg()
	place := `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Persistent`
	set := s.writePolicy(place, "Boot-time", 0xB0, defaultRuleOpts())
	s.key(localStore+`\Stray`, sz("x", "y"))
	s.key(localStore+`\ipsecWidget`+synthGUID(0xBF), sz("x", "y"))
	res := Decode(s.registry())
	ps := storeOf(t, res, model.StoreUnrecognised)
	if !strings.EqualFold(ps.StoreLoc.Key, place) || policyOf(t, ps, set.pol).Store != model.StoreUnrecognised {
		t.Errorf("unrecognised store at %+v", ps.StoreLoc)
	}
	problemWith(t, ps.Problems, "unrecognised store")
	local := storeOf(t, res, model.StoreLocal)
	problemWith(t, local.Problems, `unknown class "ipsecWidget"`)
	problemWith(t, local.Problems, `"Stray": a subkey of the local store`)
}

// TestObjectChecks: identity mismatches are notes; data that cannot be
// decoded is a doubt on every field it holds.
func TestObjectChecks(t *testing.T) {
	s := newSynthReg()
	set := s.writePolicy(localStore, "P", 0xC0, defaultRuleOpts())
	k := s.t.Key(set.path("ipsecFilter", set.filt))
	k.SetValue(sz("ClassName", "ipsecNFA"))
	k.SetValue(sz("ipsecID", synthGUID(1)))
	s.t.Key(set.path("ipsecNegotiationPolicy", set.action)).SetValue(dword("ipsecDataType", 257))
	odd := synthGUID(0xCF) // an unreferenced NFA whose data type is not understood, holding a key
	s.obj(localStore, "ipsecNFA", odd, synthNFABlob(nfaSpec{auth: authList(pskAuth("undecoded-secret")), ifType: ifAll}), dword("ipsecDataType", 1))
	s.t.Key(set.path("ipsecNFA", set.defRule)).DeleteValue("ipsecData")
	res := Decode(s.registry())
	ps := storeOf(t, res, model.StoreLocal)
	problemWith(t, ps.Problems, `ClassName is "ipsecNFA"`)
	problemWith(t, ps.Problems, "not the key's GUID")
	p := policyOf(t, ps, set.pol)
	a := ruleOf(t, p, set.rule).FilterAction
	doubtAbout(t, a.Doubts, "qmSecMethods", "only 256 is understood")
	d := p.DefaultRule()
	doubtAbout(t, d.Doubts, "active", "no ipsecData")
	doubtAbout(t, d.Doubts, "auth", "no ipsecData")
	problemWith(t, ps.Problems, "were not decoded and were blanked")
	assertNoSecret(t, res, s.t, "undecoded-secret")
}

// TestAddresses: GPIPSEC.md §4.8 rules 1–4, and what falls outside them.
func TestAddresses(t *testing.T) {
	ip := func(s string) [4]byte { return netip.MustParseAddr(s).As4() }
	for _, c := range []struct {
		addr, mask, name string
		special          model.AddrKind
		want             model.Address
		doubt            bool
	}{
		{"0.0.0.0", "0.0.0.0", "", 0, model.Address{Kind: model.AddrAny}, false},
		{"192.0.2.10", "255.255.255.255", "", 0, model.Address{Kind: model.AddrIP, Net: netip.MustParsePrefix("192.0.2.10/32")}, false},
		{"10.1.0.0", "255.255.0.0", "", 0, model.Address{Kind: model.AddrIP, Net: netip.MustParsePrefix("10.1.0.0/16")}, false},
		{"10.1.2.3", "255.255.0.0", "", 0, model.Address{Kind: model.AddrIP, Net: netip.MustParsePrefix("10.1.0.0/16")}, false}, // a subnet, with a warning
		{"10.1.2.3", "255.0.255.0", "", 0, model.Address{Kind: model.AddrUnknown}, true},
		{"0.0.0.0", "255.255.255.255", "", 0, model.Address{Kind: model.AddrUnknown}, true},
		{"10.1.2.3", "0.0.0.0", "", 0, model.Address{Kind: model.AddrUnknown}, true},
		{"0.0.0.0", "0.0.0.0", "", model.AddrDNS, model.Address{Kind: model.AddrDNS}, false},
		{"192.0.2.5", "255.255.255.255", "be01.example.com", 0, model.Address{Kind: model.AddrDNSName, Name: "be01.example.com"}, false},
	} {
		got, why, warn := mapAddr(ip(c.addr), ip(c.mask), c.name, c.special)
		if got != c.want || (why != "") != c.doubt {
			t.Errorf("%s/%s %q %q: %+v %q; want %+v, doubt %v", c.addr, c.mask, c.name, c.special, got, why, c.want, c.doubt)
		}
		if hostBits := c.addr == "10.1.2.3" && c.mask == "255.255.0.0"; (warn != "") != hostBits {
			t.Errorf("%s/%s: warning %q (GPIPSEC.md §4.8: warn of host bits outside the mask, and only of that)", c.addr, c.mask, warn)
		}
	}
}

// TestFilterBlobs: special filters, names, V2 sections, protocols.
func TestFilterBlobs(t *testing.T) {
	bl := blobLoc{Key: "k", Value: "ipsecData"}
	decode := func(b []byte) *model.FilterList {
		l := &model.FilterList{}
		mapFilterBlob(decodeFilterBlob(b), l, bl)
		return l
	}
	specials := decode(synthFilterBlob(false, nil,
		filterSpec{special: 0x02, dst: "192.0.2.30", dstMask: "255.255.255.255", proto: 17, dport: 53},
		filterSpec{special: 0x84},
		filterSpec{special: 0x55},
		filterSpec{srcName: "fe01.example.com", src: "192.0.2.20", srcMask: "255.255.255.255", desc: "from the front-end", proto: 300, isTunnel: 1}))
	f := specials.Filters
	if len(f) != 4 || f[0].Src.Kind != model.AddrWINS || f[0].Dst.Net.String() != "192.0.2.30/32" || f[1].Dst.Kind != model.AddrGateway || f[1].Src.Kind != model.AddrAny {
		t.Fatalf("special filters %+v", f)
	}
	if f[2].Src.Kind != model.AddrUnknown || f[2].Dst.Kind != model.AddrUnknown || f[2].Doubts.About("src") == nil {
		t.Errorf("special 0x55: %+v", f[2])
	}
	if f[3].Src.Kind != model.AddrDNSName || f[3].Src.Name != "fe01.example.com" || f[3].Description != "from the front-end" || f[3].Doubts.About("protocol") == nil || f[3].Doubts.About("tunnel") == nil {
		t.Errorf("named filter %+v", f[3])
	}
	// A V2 section that adds nothing is accepted; one with filters is not decoded.
	empty := (&bw{}).guid(typeFilterV2).u32(12).u32(0).u32(0).b
	if l := decode(synthFilterBlob(true, empty, filterSpec{})); len(l.Doubts) != 0 || len(l.Filters) != 1 {
		t.Errorf("empty V2 section: %+v", l)
	}
	full := (&bw{}).guid(typeFilterV2).u32(40).u32(1).u32(2).raw(make([]byte, 40)...).b
	l := decode(synthFilterBlob(true, full, filterSpec{}))
	if d := doubtAbout(t, l.Doubts, "filters", "V2 filter section"); d.Loc.Offset != 24+70 {
		t.Errorf("V2 doubt at %d", d.Loc.Offset)
	}
	if len(l.Filters) != 1 {
		t.Errorf("the legacy filter of a V2 list is lost: %+v", l.Filters)
	}
}

// TestMainMode: the uncertain DH 2048 encodings and unknown values.
func TestMainMode(t *testing.T) {
	ib := decodeISAKMPBlob(synthISAKMPBlob(2, 0, 0, [4]uint8{4, 0, 0, 9},
		mmSpec{3, 2, 0x10000001, 3600, 0}, mmSpec{2, 1, 2, 7200, 0}, mmSpec{9, 9, 9, 3600, 0}, mmSpec{1, 1, 1, 3600, 3}))
	p := &model.Policy{}
	mapISAKMP(ib, p, blobLoc{Value: "ipsecData"})
	var texts []string
	for _, m := range p.MMSecMethods {
		texts = append(texts, m.Text)
		if m.Doubt == "" {
			t.Errorf("%s has no doubt", m.Text)
		}
	}
	want := "3DES-SHA1-3 unknown-unknown-3 3DES-SHA1-3 3DES-MD5-2 unknown-unknown-unknown 3DES-MD5-3"
	if strings.Join(texts, " ") != want {
		t.Errorf("methods %v, want %s", texts, want)
	}
	doubtAbout(t, p.Doubts, "mmpfs", "Master-PFS-Required 2")
	doubtAbout(t, p.Doubts, "mmLifetimeMinutes", "differ")
	if p.MMLifetimeMin != 60 {
		t.Errorf("lifetime %d min, want the first method's 60", p.MMLifetimeMin)
	}
}

func actionOf(t *testing.T, ps *model.PolicyStore, g string) *model.FilterAction {
	t.Helper()
	for _, x := range ps.FilterActions {
		if x.GUID == g {
			return x
		}
	}
	t.Fatalf("no action %s", g)
	return nil
}

func methodTexts(a *model.FilterAction) string {
	var out []string
	for _, m := range a.Methods {
		out = append(out, m.Text)
	}
	return strings.Join(out, " ")
}

// checkEncryption: AH-only offers encrypt nothing, and so does an ESP
// cipher no public source maps (with a doubt saying why).
func checkEncryption(t *testing.T, ahOnly, unknownCipher *model.FilterAction) {
	t.Helper()
	for _, m := range ahOnly.Methods {
		if m.Confidential() || m.Doubt != "" {
			t.Errorf("AH-only %s: confidential %v, doubt %q", m.Text, m.Confidential(), m.Doubt)
		}
	}
	for _, m := range unknownCipher.Methods {
		if m.Confidential() || !strings.Contains(m.Doubt, "ESP cipher") || m.Loc.Value != "ipsecData" {
			t.Errorf("unknown ESP cipher %s: confidential %v, doubt %q at %+v", m.Text, m.Confidential(), m.Doubt, m.Loc)
		}
	}
}

// TestDecodeDamagedEverywhere cuts each object's blob of a synthetic
// policy at every offset and decodes the registry: it never panics, the
// policy is always there, and the damaged object has a doubt.
func TestDecodeDamagedEverywhere(t *testing.T) {
	s := newSynthReg()
	o := defaultRuleOpts()
	o.nfa.auth = authList(pskAuth("sweep-secret"), kerberosAuth())
	set := s.writePolicy(localStore, "P", 0xD0, o)
	for _, k := range s.t.Keys() {
		v := k.Value("ipsecData")
		if v == nil {
			continue
		}
		full := append([]byte(nil), v.Data...)
		for cut := 0; cut < len(full)-1; cut++ { // without only the final 00, a blob is whole
			v.Data = append([]byte(nil), full[:cut]...)
			res := Decode(s.registry())
			p := policyOf(t, storeOf(t, res, model.StoreLocal), set.pol)
			if !hasDoubt(p) {
				t.Fatalf("%s cut at %d: no doubt anywhere in the policy", k.Path, cut)
			}
			if treeHolds(s.t, "sweep-secret") || strings.Contains(mustJSON(t, res), "sweep") {
				t.Fatalf("%s cut at %d: the key survives", k.Path, cut)
			}
		}
		v.Data = full
	}
}

// hasDoubt reports whether the policy or anything it uses has a doubt
// other than the ever-present one about soft.
func hasDoubt(p *model.Policy) bool {
	n := len(p.Doubts)
	for _, r := range p.Rules {
		n += len(r.Doubts)
		if r.FilterList != nil {
			n += len(r.FilterList.Doubts)
			for _, f := range r.FilterList.Filters {
				n += len(f.Doubts)
			}
		}
		if a := r.FilterAction; a != nil {
			n += len(a.Doubts) - 1
			for _, m := range a.Methods {
				if m.Doubt != "" {
					n++
				}
			}
		}
	}
	return n > 0
}

// TestConflictScrubbed: when two exports of a host disagree on an NFA
// blob, the overridden one (kept in Registry.Conflicts) is scrubbed too.
func TestConflictScrubbed(t *testing.T) {
	older, newer := newSynthReg(), newSynthReg()
	o := defaultRuleOpts()
	o.nfa.auth = authList(pskAuth("older-secret"))
	older.writePolicy(localStore, "P", 0xE0, o)
	o.nfa.auth = authList(pskAuth("newer-secret"))
	newer.writePolicy(localStore, "P", 0xE0, o)
	merged := model.NewRegTree()
	merged.Merge(older.t)
	conflicts := merged.Merge(newer.t)
	r := model.NewRegistry(merged)
	r.Conflicts = conflicts
	if len(conflicts) == 0 {
		t.Fatal("no conflict: the test would prove nothing")
	}
	res := Decode(r)
	assertNoSecret(t, res, merged, "newer-secret")
	for _, c := range conflicts {
		if bytes.Contains(c.Lost.Data, model.UTF16String("older-secret")[:10]) {
			t.Errorf("the overridden value of %s still holds its key", c.Key)
		}
	}
}

// TestCertificateNameNotADN: a certificate method whose CA name does not
// read as a distinguished name (a pre-shared key whose Auth-Type was
// damaged to 3 reads so) is kept as a certificate method without the
// name, with a doubt, and its bytes are blanked like a key's.
func TestCertificateNameNotADN(t *testing.T) {
	const key = "Damaged-To-Cert-Key"
	s := newSynthReg()
	o := defaultRuleOpts()
	o.nfa.auth = authList(certAuth(key), certAuth("CN=Contoso Root CA, O=Contoso, C=US"))
	set := s.writePolicy(localStore, "P", 0x80, o)
	tree := s.t
	res := Decode(s.registry())
	r := ruleOf(t, policyOf(t, storeOf(t, res, model.StoreLocal), set.pol), set.rule)
	if len(r.Auth) != 2 || r.Auth[0].Kind != model.AuthCertificate || r.Auth[0].CA != "" || r.Auth[1].CA != "CN=Contoso Root CA, O=Contoso, C=US" {
		t.Fatalf("auth %+v", r.Auth)
	}
	doubtAbout(t, r.Doubts, "auth[0].ca", "does not read as a distinguished name")
	assertNoSecret(t, res, tree, key)
}

// TestReadsAsDN: the names Windows shows a CA by read as distinguished
// names; a key, a bare word or a broken name does not.
func TestReadsAsDN(t *testing.T) {
	for s, want := range map[string]bool{
		"CN=Example Root CA,DC=example,DC=com": true, "CN=Contoso Root CA, O=Contoso, C=US": true,
		`CN=Contoso\, Inc. Root`: true, `O="Contoso, Inc.", C=US`: true, "2.5.4.3=Root; OU=IT": true,
		"E=pki@example.com+CN=Root": true, " CN = Root CA ": true, "OID.2.5.4.97=VATDE-123, CN=Root": true,
		"OID.=x": false, "OID.x=y": false, "OID.2.=x": false,
		"": false, "Damaged-To-Cert-Key": false, "CN=": false, "=Root": false, "CN=Root,": false,
		"Root CA, CN=x": false, `CN="Root`: false, `CN=Root\`: false, "1.=x": false, "C N=x": false, "9a=x": false,
	} {
		if got := readsAsDN(s); got != want {
			t.Errorf("readsAsDN(%q) = %v, want %v", s, got, want)
		}
	}
}
