package policywriter

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The Interface-Type values (GPIPSEC.md §4.2).
const (
	ifAll    = 0xFFFFFFFD
	ifLAN    = 0xFFFFFFFE
	ifDialup = 0xFFFFFFFF
)

// The authentication method types (GPIPSEC.md §4.1).
const (
	authPSK         = 1
	authCertificate = 3
	authKerberos    = 5
)

// defaultResponseName is the default response rule's name in the model
// (netsh's and the decoder's).
const defaultResponseName = "Default Response"

// w2kDefaultMM is the main-mode method list Windows 2000 writes for a new
// policy (GPIPSEC.md §4.4, §5.8); it is written when the model names none.
var w2kDefaultMM = []mmMethod{{3, 2, 2}, {3, 1, 2}, {1, 2, 1}, {1, 1, 1}}

// w2kDefaultResponse is the offer list of the Windows 2000 default
// response rule (GPIPSEC.md §5.7): ESP 3DES/SHA-1, 3DES/MD5, DES/SHA-1,
// DES/MD5, AH SHA-1, AH MD5. It is written when the model's default
// response rule has no methods.
var w2kDefaultResponse = []slot{
	{3, 2, offerESP}, {3, 1, offerESP}, {1, 2, offerESP}, {1, 1, offerESP}, {2, 0, offerAH}, {1, 0, offerAH},
}

// Quick-mode offer types (GPIPSEC.md §3.4).
const (
	offerAH  = 1
	offerESP = 2
)

// policy builds a policy's objects and returns its key path.
func (b *builder) policy(p *model.Policy) string {
	if p == nil {
		b.fail("policy", "", model.Location{}, "nil policy")
		return ""
	}
	what := fmt.Sprintf("policy %q", p.Name)
	if strings.TrimSpace(p.Name) == "" {
		b.fail(what, "name", p.Loc, "a policy needs a name")
	}
	pg := b.guidOf(p.GUID, what, p.Loc, clsPolicy, p.Name)
	po := b.newObject(clsPolicy, pg, what)
	isakmp := b.isakmp(p, pg, b.ref(po))

	def := p.DefaultRule()
	if def == nil {
		// Windows makes every policy with a default response rule; the
		// model's ActivateDefaultRule says whether it is active.
		def = &model.Rule{Name: defaultResponseName, Default: true, Active: p.ActivateDefaultRule, ConnType: model.ConnAll,
			Auth: []model.AuthMethod{{Kind: model.AuthKerberos}}}
	}
	nfas := []string{b.ref(b.defaultRule(p, pg, def, b.ref(po)))}
	for _, r := range p.Rules {
		if !r.Default {
			nfas = append(nfas, b.ref(b.rule(p, pg, r, b.ref(po))))
		}
	}
	polling := uint32(0)
	if p.PollingIntervalMin != 0 {
		polling = b.seconds(what, "pollingIntervalMinutes", p.Loc, p.PollingIntervalMin)
	}
	b.finish(po, &p.Name, &p.Description, policyBlob(polling),
		sz(po.path, "ipsecISAKMPReference", b.ref(isakmp)),
		multi(po.path, "ipsecNFAReference", nfas...))
	return po.path
}

// seconds converts minutes, refusing what a DWORD of seconds cannot hold.
func (b *builder) seconds(what, field string, loc model.Location, minutes int) uint32 {
	if minutes < 0 || int64(minutes)*60 > 0xFFFFFFFF {
		b.fail(what, field, loc, "%d minutes does not fit a DWORD of seconds", minutes)
		return 0
	}
	return uint32(minutes * 60)
}

// isakmp builds the policy's main-mode object.
func (b *builder) isakmp(p *model.Policy, pg guid, owner string) *object {
	what := fmt.Sprintf("policy %q", p.Name)
	o := b.newObject(clsISAKMP, derive(b.opts.Seed, clsISAKMP, pg.String()), what+" main mode")
	s := isakmpSpec{instance: o.g, masterPFS: p.MMPFS, methods: w2kDefaultMM}
	if p.QMPerMM < 0 {
		b.fail(what, "qmPerMM", p.Loc, "%d is negative", p.QMPerMM)
	}
	s.qmLimit = uint32(max(p.QMPerMM, 0))
	if p.MMLifetimeMin != 0 {
		s.lifeSec = b.seconds(what, "mmLifetimeMinutes", p.Loc, p.MMLifetimeMin)
	}
	if len(p.MMSecMethods) > 0 {
		s.methods = nil
		for i, m := range p.MMSecMethods {
			s.methods = append(s.methods, b.mmMethod(what, fmt.Sprintf("mmSecMethods[%d]", i), p.Loc, m))
		}
	}
	io := b.finish(o, nil, nil, isakmpBlob(s))
	io.own(owner)
	return io
}

// mmMethod encodes one main-mode method (GPIPSEC.md §4.4). DH group 3
// (2048 bits) is written as Oakley-Group 0x10000001, the value
// [MS-GPIPSEC] gives; whether Windows Server 2003 writes it so, or in
// New-DH, or through Random-Function, is uncertain.
func (b *builder) mmMethod(what, field string, loc model.Location, m model.MMMethod) mmMethod {
	var out mmMethod
	switch m.Cipher {
	case model.AlgDES:
		out.cipher = 1
	case model.Alg3DES:
		out.cipher = 3
	default:
		b.fail(what, field, loc, "main-mode cipher %q: only DES (1) and 3DES (3) are established", m.Cipher)
	}
	switch m.Integrity {
	case model.AlgMD5:
		out.hash = 1
	case model.AlgSHA1:
		out.hash = 2
	default:
		b.fail(what, field, loc, "main-mode hash %q: only MD5 (1) and SHA1 (2) are established", m.Integrity)
	}
	switch m.DHGroup {
	case 1, 2:
		out.group = uint32(m.DHGroup)
	case 3:
		out.group = 0x10000001
	default:
		b.fail(what, field, loc, "DH group %d: 1, 2 or 3 (2048 bits) expected", m.DHGroup)
	}
	return out
}

// defaultRule builds the default response rule's NFA and its own filter
// action: no ipsecName (as [MODERN] writes these objects; the decoder
// names them "Default Response"), no filter list.
func (b *builder) defaultRule(p *model.Policy, pg guid, r *model.Rule, owner string) *object {
	what := fmt.Sprintf("rule %q of policy %q", r.Name, p.Name)
	g := b.guidOf(r.GUID, what, r.Loc, clsNFA, pg.String(), "default response")
	o := b.newObject(clsNFA, g, what)

	a := r.FilterAction
	if a == nil {
		a = &model.FilterAction{Name: defaultResponseName, Action: model.ActionNegotiate}
	}
	awhat := fmt.Sprintf("filter action of rule %q of policy %q", r.Name, p.Name)
	ag := b.guidOf(a.GUID, awhat, a.Loc, clsNegPol, pg.String(), "default response")
	ao := b.newObject(clsNegPol, ag, awhat)
	if a.Action != model.ActionNegotiate || a.InPass || a.Soft {
		b.fail(awhat, "action", a.Loc, "a default response action negotiates (action %q, inpass %v, soft %v)", a.Action, a.InPass, a.Soft)
	}
	offers := b.offers(awhat, a)
	if len(a.Methods) == 0 {
		for _, s := range w2kDefaultResponse {
			offers = append(offers, offer{pfs: a.QMPFS, slots: []slot{s}})
		}
	}
	ao.add(sz(ao.path, "ipsecNegotiationPolicyType", negTypeDefault.String()))
	ao.add(sz(ao.path, "ipsecNegotiationPolicyAction", actionNegotiate.String()))
	ao = b.finish(ao, nil, nil, negPolBlob(offers))
	ao.own(b.ref(o))

	o.add(sz(o.path, "ipsecNegotiationPolicyReference", b.ref(ao)))
	b.finish(o, nil, nil, nfaBlob(b.nfaSpec(p, r, what))).own(owner)
	return o
}

// rule builds one rule's NFA, its filter list and its filter action.
func (b *builder) rule(p *model.Policy, pg guid, r *model.Rule, owner string) *object {
	what := fmt.Sprintf("rule %q of policy %q", r.Name, p.Name)
	if strings.TrimSpace(r.Name) == "" {
		b.fail(what, "name", r.Loc, "a rule needs a name")
	}
	o := b.newObject(clsNFA, b.guidOf(r.GUID, what, r.Loc, clsNFA, pg.String(), r.Name), what)
	var lo, ao *object
	if r.FilterList == nil {
		b.fail(what, "filterList", r.Loc, "filter list %q is not in the model", r.FilterListName)
	} else {
		lo = b.filterList(r.FilterList)
	}
	if r.FilterAction == nil {
		b.fail(what, "filterAction", r.Loc, "filter action %q is not in the model", r.FilterActionName)
	} else {
		ao = b.filterAction(r.FilterAction)
	}
	if ao != nil {
		o.add(sz(o.path, "ipsecNegotiationPolicyReference", b.ref(ao)))
		ao.own(b.ref(o))
	}
	var post []*model.Value
	if lo != nil {
		post = append(post, multi(o.path, "ipsecFilterReference", b.ref(lo)))
		lo.own(b.ref(o))
	}
	b.finish(o, &r.Name, &r.Description, nfaBlob(b.nfaSpec(p, r, what)), post...).own(owner)
	return o
}
