package diff

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// Kind names the audited fact a change is about.
type Kind string

// The kinds of change, in the order a host's changes are listed.
const (
	KindOS              Kind = "os"               // fields family, servicePack, build
	KindRole            Kind = "role"             // fields role, basis
	KindAddresses       Kind = "addresses"        // field addresses
	KindServerCluster   Kind = "serverCluster"    // fields node, nodes
	KindNLB             Kind = "nlb"              // fields member, clusterIPs
	KindVirtualAddress  Kind = "virtualAddress"   // object: the address
	KindNLBSFlags       Kind = "nlbsFlags"        // field Oakley\NLBSFlags
	KindPolicyAgent     Kind = "policyAgentStart" // field PolicyAgent\Start
	KindNoDefaultExempt Kind = "noDefaultExempt"  // field IPSEC\NoDefaultExempt
	KindAssignedPolicy  Kind = "assignedPolicy"   // fields state, origin, store, name, persistent
	KindPolicyObject    Kind = "policyObject"     // object: a policy, rule, filter list, filter or filter action
	KindFailover        Kind = "failover"         // object: a back-end virtual address
)

// Kinds lists the kinds in the order changes are listed.
var Kinds = []Kind{KindOS, KindRole, KindAddresses, KindServerCluster, KindNLB, KindVirtualAddress,
	KindNLBSFlags, KindPolicyAgent, KindNoDefaultExempt, KindAssignedPolicy, KindPolicyObject, KindFailover}

// Op says how a fact changed.
type Op string

// The operations.
const (
	OpAdded   Op = "added"   // the object is only in NEW
	OpRemoved Op = "removed" // the object is only in OLD
	OpChanged Op = "changed" // the field differs
)

// Change is one audited fact of a host that differs between OLD and NEW.
type Change struct {
	Kind Kind   `json:"kind"`
	Host string `json:"host"`
	// Object names the thing within the host for kinds that have several
	// (a virtual address, a policy object, a failover target); "" for a
	// host's single facts.
	Object string `json:"object,omitempty"`
	// Field is the field that differs; "" when a whole object was added
	// or removed.
	Field string `json:"field,omitempty"`
	Op    Op     `json:"op"`
	// Old and New are the value on each side; nil on the side an added
	// or removed object is missing from.
	Old *Value `json:"old,omitempty"`
	New *Value `json:"new,omitempty"`
}

// Value is one side of a change: the value as text, how it was found,
// and where.
type Value struct {
	// Text is the value ("REG_DWORD 0x00000001 (1)", "automatic (2)",
	// "about 2 minutes"); "unknown" when the exports do not tell; an
	// added or removed object's fields as "name=value ...".
	Text string `json:"text"`
	// Detail says how the value was found, or why it is unknown.
	Detail string `json:"detail,omitempty"`
	// Loc is the evidence; zero when there is none (a default, a value
	// the exports lack).
	Loc model.Location `json:"location,omitzero"`
}

// field is one field of an object.
type field struct {
	name string
	v    Value
	key  string // what is compared, when not v.Text
}

// same reports whether two fields have the same value.
func (f field) same(g field) bool {
	if f.key != "" || g.key != "" {
		return f.key == g.key
	}
	return f.v.Text == g.v.Text
}

// object is one thing of a host as the comparison sees it.
type object struct {
	kind   Kind
	name   string // "" for the host's single facts
	fields []field
}

func (o object) key() string { return string(o.kind) + "\x00" + o.name }

// summary writes an added or removed object's fields on one line, with
// the location of its first field that has one.
func (o object) summary() *Value {
	v := &Value{}
	parts := make([]string, 0, len(o.fields))
	for _, f := range o.fields {
		parts = append(parts, f.name+"="+f.v.Text)
		if v.Loc.IsZero() {
			v.Loc = f.v.Loc
		}
	}
	v.Text = strings.Join(parts, " ")
	return v
}

// hostChanges compares the audited facts of one host on both sides.
func hostChanges(o, n *model.Host, oo, no rules.Outcome) []Change {
	var out []Change
	a, b := hostObjects(o, oo), hostObjects(n, no)
	inB := map[string]object{}
	for _, ob := range b {
		inB[ob.key()] = ob
	}
	inA := map[string]bool{}
	for _, oa := range a {
		inA[oa.key()] = true
		ob, ok := inB[oa.key()]
		if !ok {
			out = append(out, Change{Kind: oa.kind, Host: n.Name, Object: oa.name, Op: OpRemoved, Old: oa.summary()})
			continue
		}
		out = append(out, fieldChanges(n.Name, oa, ob)...)
	}
	for _, ob := range b {
		if !inA[ob.key()] {
			out = append(out, Change{Kind: ob.kind, Host: n.Name, Object: ob.name, Op: OpAdded, New: ob.summary()})
		}
	}
	out = append(out, policyChanges(n.Name, o.Facts.Policy.Value, n.Facts.Policy.Value)...)
	rank := map[Kind]int{}
	for i, k := range Kinds {
		rank[k] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Kind] != rank[out[j].Kind] {
			return rank[out[i].Kind] < rank[out[j].Kind]
		}
		return out[i].Kind != KindPolicyObject && out[i].Object < out[j].Object
	})
	return out
}

// fieldChanges compares one object's fields, in the object's field order.
func fieldChanges(host string, a, b object) []Change {
	var out []Change
	for _, fa := range a.fields {
		for _, fb := range b.fields {
			if fa.name == fb.name && !fa.same(fb) {
				va, vb := fa.v, fb.v
				out = append(out, Change{Kind: a.kind, Host: host, Object: a.name, Field: fa.name, Op: OpChanged, Old: &va, New: &vb})
			}
		}
	}
	return out
}

// policyChanges compares the contents of the assigned policies (and of
// the persistent policies, paired by name) with model.DiffPolicies.
func policyChanges(host string, a, b model.AssignedPolicy) []Change {
	var out []Change
	add := func(prefix string, pa, pb *model.Policy) {
		for _, c := range model.DiffPolicies(pa, pb) {
			ch := Change{Kind: KindPolicyObject, Host: host, Object: prefix + c.Object, Field: c.Field, Op: OpChanged}
			switch {
			case c.Field == "" && c.Old == "":
				ch.Op = OpAdded
			case c.Field == "" && c.New == "":
				ch.Op = OpRemoved
			}
			if ch.Op != OpAdded {
				ch.Old = &Value{Text: c.Old, Loc: c.OldLoc}
			}
			if ch.Op != OpRemoved {
				ch.New = &Value{Text: c.New, Loc: c.NewLoc}
			}
			out = append(out, ch)
		}
	}
	add("", a.Policy, b.Policy)
	persistent := map[string]*model.Policy{}
	for _, p := range b.Persistent {
		persistent[strings.ToLower(p.Name)] = p
	}
	for _, p := range a.Persistent {
		pb := persistent[strings.ToLower(p.Name)]
		delete(persistent, strings.ToLower(p.Name))
		add("persistent store: ", p, pb)
	}
	var names []string
	for k := range persistent {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		add("persistent store: ", nil, persistent[k])
	}
	return out
}

// hostObjects flattens the audited facts of a host into objects, in the
// order of Kinds.
func hostObjects(h *model.Host, out rules.Outcome) []object {
	f := &h.Facts
	objs := []object{
		{kind: KindOS, fields: osFields(f.OS)},
		{kind: KindRole, fields: roleFields(h)},
		{kind: KindAddresses, fields: []field{{name: "addresses", v: factValue(f.Addresses, addrList)}}},
		{kind: KindServerCluster, fields: clusterFields(f)},
		{kind: KindNLB, fields: []field{
			{name: "member", v: factValue(f.NLB, func(n model.NLBInfo) string { return fmt.Sprint(n.Member) })},
			{name: "clusterIPs", v: factValue(f.NLB, func(n model.NLBInfo) string { return addrList(n.ClusterIPs) })},
		}},
	}
	objs = append(objs, virtualObjects(f.Virtual)...)
	objs = append(objs,
		object{kind: KindNLBSFlags, fields: []field{{name: `Oakley\NLBSFlags`, v: nlbsFlags(f.NLBSFlags)}}},
		object{kind: KindPolicyAgent, fields: []field{{name: `PolicyAgent\Start`, v: policyAgentStart(h)}}},
		object{kind: KindNoDefaultExempt, fields: []field{{name: `IPSEC\NoDefaultExempt`, v: noDefaultExempt(h)}}},
		object{kind: KindAssignedPolicy, fields: assignedFields(f.Policy)},
	)
	return append(objs, failoverObjects(h, out)...)
}

// factValue renders a fact: its value, or "unknown" with the reason.
func factValue[T any](f model.Fact[T], text func(T) string) Value {
	if !f.Known {
		return Value{Text: "unknown", Detail: f.Via}
	}
	return Value{Text: text(f.Value), Detail: f.Via, Loc: f.Source}
}

func addrList(as []netip.Addr) string {
	if len(as) == 0 {
		return "(none)"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
