package gpipsec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Registry paths of the IPSec policy (GPIPSEC.md §1.1), HKLM-relative.
const (
	keyBase  = model.KeyIPSecPolicy
	keyLocal = model.KeyIPSecLocal
	keyCache = keyBase + `\Policy\Cache`
	keyGPT   = model.KeyIPSecGPT
)

// maxDepth bounds the walk below the IPSec key looking for objects in
// unrecognised places; the stores themselves are two levels down.
const maxDepth = 6

// Result is what the registry holds about IPSec policy.
type Result struct {
	// Covered is set when the exports hold the IPSec policy key
	// (SOFTWARE\Policies\Microsoft\Windows\IPSec) or anything below it.
	// When it is false nothing is known, not even that no policy exists.
	Covered bool `json:"covered"`
	// Stores holds one store per place objects were found: the local
	// store (Policy\Local), the domain cache (Policy\Cache) and, for
	// ipsec*{GUID} keys anywhere else under the IPSec key, an
	// "unrecognised store" per parent key. Local and Cache are present
	// whenever their key is exported, even when empty.
	Stores []*model.PolicyStore `json:"stores"`
	// Local is the local assignment: Policy\Local's ActivePolicy value;
	// nil when the value is absent.
	Local *Assignment `json:"local,omitempty"`
	// Domain is the Group Policy assignment: GPTIPSECPolicy's
	// DSIPSECPolicyPath value; nil when the value is absent.
	Domain *Assignment `json:"domain,omitempty"`
	// Problems are about the registry outside any one store: assignment
	// values not understood, GPTIPSECPolicy values of unknown meaning.
	// Each store's own problems are in its Problems.
	Problems []model.Problem `json:"problems,omitempty"`
}

// Assignment is one piece of evidence that a policy is assigned. Whether
// it is the effective one (a domain assignment wins over the local one)
// is for the model to decide; both are given.
type Assignment struct {
	// Store is where the assigned policy's objects are looked up: local
	// for ActivePolicy, domain cache for DSIPSECPolicyPath.
	Store model.Store `json:"store"`
	// Ref is the value's text: a registry path (ActivePolicy) or an LDAP
	// path (DSIPSECPolicyPath). "" means no policy is assigned.
	Ref    string         `json:"ref"`
	RefLoc model.Location `json:"refLocation"`
	// Name is GPTIPSECPolicy's DSIPSECPolicyName (the policy's name in
	// Active Directory); "" for the local assignment.
	Name    string         `json:"name,omitempty"`
	NameLoc model.Location `json:"nameLocation,omitzero"`
	// Key is the registry key of the assigned policy object in Store;
	// "" when Ref names no ipsecPolicy{GUID}.
	Key string `json:"key,omitempty"`
	// Policy is the decoded policy, or nil when the store lacks it.
	Policy *model.Policy `json:"-"`
	// Missing lists the registry keys that would have to be exported for
	// the assigned policy to be complete: the policy's key when it is
	// absent, else the keys its objects name that are absent.
	Missing []string `json:"missingKeys,omitempty"`
}

// Decode reads every IPSec policy store of a host's registry. It never
// fails: what cannot be read is in the stores' Problems, the objects'
// Doubts and Result.Problems.
//
// Pre-shared keys are stored in clear in the ipsecNFA blobs. Decode never
// copies one into the result (only its length), and overwrites the key's
// bytes in the registry's Value.Data with zero bytes, in place and at
// the same length, so that nothing printed later from the registry (a
// dump shows values as hex) can show it. It does the same with NFA bytes
// it cannot decode, which may hold a key. Decoding the scrubbed registry
// again gives the same result, key lengths included.
func Decode(r *model.Registry) *Result {
	res := &Result{Stores: []*model.PolicyStore{}}
	if r == nil || !r.HasKey(keyBase) {
		return res
	}
	res.Covered = true
	d := &decoder{r: r, res: res, groups: map[string][]string{}, spelled: map[string]string{}, children: map[string][]string{}}
	d.walk(keyBase, 0)
	d.buildStores()
	d.local()
	d.domain()
	for _, sb := range d.builders {
		sb.scrub()
		sb.countDropped()
	}
	scrubConflicts(r)
	if d.dropped > 0 {
		res.Problems = append(res.Problems, model.Problem{Loc: keyLoc(r.Key(keyBase), keyBase), Message: fmt.Sprintf("%d more problems not listed", d.dropped)})
	}
	return res
}

type decoder struct {
	r        *model.Registry
	res      *Result
	groups   map[string][]string // lower-case parent path -> object key names
	spelled  map[string]string   // lower-case parent path -> spelling
	children map[string][]string // lower-case path -> subkey names, as walked
	builders []*storeBuilder
	localSB  *storeBuilder
	cacheSB  *storeBuilder
	dropped  int // problems past MaxProblems, not kept
}

func (d *decoder) problem(loc model.Location, msg string) {
	if len(d.res.Problems) >= MaxProblems {
		d.dropped++
		return
	}
	d.res.Problems = append(d.res.Problems, model.Problem{Loc: loc, Message: msg})
}

// walk finds ipsec*{GUID} keys below path and groups them by parent.
func (d *decoder) walk(path string, depth int) {
	if depth > maxDepth {
		d.problem(keyLoc(d.r.Key(path), path), fmt.Sprintf("keys deeper than %d levels below %s are not searched for IPSec objects", maxDepth, keyBase))
		return
	}
	lp := strings.ToLower(path)
	names := d.r.Subkeys(path)
	d.children[lp] = names
	for _, name := range names {
		if objectKeyRe.MatchString(name) {
			if _, ok := d.spelled[lp]; !ok {
				d.spelled[lp] = path
			}
			d.groups[lp] = append(d.groups[lp], name)
			continue
		}
		d.walk(path+`\`+name, depth+1)
	}
}

// buildStores makes the local store, the domain cache and one
// unrecognised store per other parent of objects.
func (d *decoder) buildStores() {
	if d.exported(keyLocal) {
		d.localSB = d.store(model.StoreLocal, keyLocal)
	}
	if d.exported(keyCache) {
		d.cacheSB = d.store(model.StoreDomainCache, keyCache)
	}
	var others []string
	for lp := range d.groups {
		if lp != strings.ToLower(keyLocal) && lp != strings.ToLower(keyCache) {
			others = append(others, lp)
		}
	}
	sort.Strings(others)
	for _, lp := range others {
		sb := d.store(model.StoreUnrecognised, d.spelled[lp])
		sb.note(sb.ps.StoreLoc, fmt.Sprintf("IPSec policy objects under %s, outside Policy\\Local and Policy\\Cache: an unrecognised store (where Windows Server 2003 keeps its persistent policy is not established by any public source); whether they apply is not decided", sb.path))
	}
}

// exported reports whether the key at path, or anything below it, is in
// the exports (the walk has listed every key below the IPSec key).
func (d *decoder) exported(path string) bool {
	return d.r.Key(path) != nil || len(d.children[strings.ToLower(path)]) > 0
}

func (d *decoder) store(s model.Store, path string) *storeBuilder {
	sb := newStoreBuilder(d.r, s, path)
	sb.build(d.groups[strings.ToLower(path)])
	d.builders = append(d.builders, sb)
	d.res.Stores = append(d.res.Stores, sb.ps)
	if s != model.StoreUnrecognised {
		sb.otherSubkeys(d.children[strings.ToLower(path)])
	}
	return sb
}

// otherSubkeys reports subkeys of a store's key that are not objects.
func (sb *storeBuilder) otherSubkeys(names []string) {
	for _, name := range names {
		if !objectKeyRe.MatchString(name) {
			p := sb.path + `\` + name
			sb.note(keyLoc(sb.r.Key(p), p), fmt.Sprintf("%q: a subkey of the %s store that is not an IPSec object: not understood", name, sb.ps.Store))
		}
	}
}

// refString reads an assignment value: REG_SZ (REG_MULTI_SZ accepted,
// its first string used).
func (d *decoder) refString(v *model.Value) string {
	ss, ok := v.AsStrings()
	if !ok {
		d.problem(v.Loc, fmt.Sprintf("%s is %s, not a string: not understood", v.Name, v.Type))
		return ""
	}
	if len(ss) > 1 {
		d.problem(v.Loc, fmt.Sprintf("%s holds %d strings; the first is used", v.Name, len(ss)))
	}
	if len(ss) == 0 {
		return ""
	}
	return strings.TrimSpace(ss[0])
}

// local reads ActivePolicy (GPIPSEC.md §1.5 rule 2).
func (d *decoder) local() {
	v := d.r.Value(keyLocal, "ActivePolicy")
	if v == nil {
		return
	}
	a := &Assignment{Store: model.StoreLocal, RefLoc: v.Loc}
	a.Ref = d.refString(v)
	d.res.Local = a
	d.assign(a, d.localSB, keyLocal)
}

// domain reads GPTIPSECPolicy (GPIPSEC.md §1.5 rule 1).
func (d *decoder) domain() {
	k := d.r.Key(keyGPT)
	var values []*model.Value
	if k != nil {
		values = k.Values
	}
	for _, v := range values {
		switch {
		case strings.EqualFold(v.Name, "DSIPSECPolicyPath"), strings.EqualFold(v.Name, "DSIPSECPolicyName"):
		case v.Name == "" && len(strings.TrimSpace(stringOf(v))) == 0:
		default:
			d.problem(v.Loc, fmt.Sprintf("GPTIPSECPolicy value %q (%s): its meaning is not established by any public source; not understood", v.Name, v.Type))
		}
	}
	for _, name := range d.r.Subkeys(keyGPT) {
		p := keyGPT + `\` + name
		d.problem(keyLoc(d.r.Key(p), p), fmt.Sprintf("GPTIPSECPolicy subkey %q: not understood", name))
	}
	v := k.Value("DSIPSECPolicyPath")
	if v == nil {
		return
	}
	a := &Assignment{Store: model.StoreDomainCache, RefLoc: v.Loc}
	a.Ref = d.refString(v)
	if n := k.Value("DSIPSECPolicyName"); n != nil {
		a.Name, a.NameLoc = d.refString(n), n.Loc
	}
	d.res.Domain = a
	d.assign(a, d.cacheSB, keyCache)
}

func stringOf(v *model.Value) string {
	s, _ := v.AsString()
	return s
}

// assign resolves an assignment in its store by the ipsecPolicy{GUID}
// token (GPIPSEC.md §1.3) and marks the policy assigned.
func (d *decoder) assign(a *Assignment, sb *storeBuilder, storePath string) {
	if a.Ref == "" {
		return
	}
	if sb != nil {
		storePath = sb.path
	}
	toks := uniqueTokens(a.Ref)
	if len(toks) != 1 || !strings.HasPrefix(strings.ToLower(toks[0]), "ipsecpolicy{") {
		d.problem(a.RefLoc, fmt.Sprintf("%q names no single ipsecPolicy{GUID} object: the assigned policy is unknown", a.Ref))
		a.Missing = []string{storePath}
		return
	}
	a.Key = storePath + `\` + toks[0]
	var o *object
	if sb != nil {
		o = sb.objs[strings.ToLower(toks[0])]
	}
	if o == nil {
		a.Missing = []string{a.Key}
		d.problem(a.RefLoc, fmt.Sprintf("the assigned policy %s is not in the exports (%s store): export %s", toks[0], a.Store, a.Key))
		return
	}
	a.Key = o.path
	a.Policy = sb.policies[o]
	a.Policy.Assigned, a.Policy.AssignLoc = true, a.RefLoc
	a.Missing = sb.missingKeys(o)
}
