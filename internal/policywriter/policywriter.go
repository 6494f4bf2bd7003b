package policywriter

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

// The stores Write writes into (GPIPSEC.md §1.1), HKLM-relative.
const (
	// StoreLocal is the local store: netsh's, the snap-in's and
	// ipsecpol's, and the one Policy\Local's ActivePolicy assigns from.
	StoreLocal = model.KeyIPSecLocal
	// StoreCache is the host's cached copy of the domain policy, the one
	// GPTIPSECPolicy's DSIPSECPolicyPath assigns from.
	StoreCache = model.KeyIPSecPolicy + `\Policy\Cache`
	// KeyGPT holds the domain assignment.
	KeyGPT = model.KeyIPSecGPT
)

// Options shape what Write writes. The zero value is usable: GUIDs
// derived with an empty seed, the fixed time below, no pre-shared keys
// and no address for "me".
type Options struct {
	// Seed goes into every derived GUID: the same seed and names give the
	// same GUIDs (and so the same keys and blobs); another seed gives
	// other GUIDs, for two hosts whose policies must not share objects.
	// GUIDs the model already holds (a policy decoded from a registry)
	// are kept as they are.
	Seed string
	// PSK gives the pre-shared key of a rule, which the model never
	// holds (only its length). The map is keyed by "policy/rule" or, for
	// a rule whose name is unique, by "rule" (names compared without
	// regard to case); the default response rule is "Default Response".
	// The key is written in clear into the rule's ipsecData, as Windows
	// stores it ([MS-GPIPSEC] §5.1). A rule that authenticates with a
	// pre-shared key and has none here is refused.
	PSK map[string]string
	// Me is written where a filter says "me" (the host's own
	// addresses), as that one address with mask 255.255.255.255. How
	// Windows stores "me" in a legacy filter is not established by any
	// public source (GPIPSEC.md §4.8), so the written filter is the
	// host's address, not "me": it decodes as that address. When Me is
	// not set, a filter with "me" is refused.
	Me netip.Addr
	// WhenChanged is written as every object's whenChanged (Unix
	// seconds); zero gives 2004-01-01T00:00:00Z, so output is stable.
	WhenChanged time.Time
}

// defaultWhenChanged is written when Options.WhenChanged is zero: the
// value the real Windows 2000 sample was rendered with.
var defaultWhenChanged = time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)

// Error is one thing Write cannot write: a setting with no known
// encoding, a reference to an object the model lacks, a value out of
// range. Write returns every such error at once (errors.Join), and then
// writes nothing.
type Error struct {
	// Object names the model object as model.DiffPolicies does: `policy
	// "P"`, `rule "R" of policy "P"`, `filter list "L"`, `filter
	// me:any -> 10.0.0.50:110 tcp in "L"`, `filter action "A"`.
	Object string
	// Field is the model field ("soft", "src", "qmSecMethods[1]"); ""
	// for the object as a whole.
	Field  string
	Reason string
	// Loc is where the model says the object was written (the netsh
	// line), when known.
	Loc model.Location
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("policywriter: ")
	if !e.Loc.IsZero() {
		b.WriteString(e.Loc.String() + ": ")
	}
	b.WriteString(e.Object)
	if e.Field != "" {
		b.WriteString(" " + e.Field)
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

// Write writes the objects of one policy into store (StoreLocal or
// StoreCache) of tree: the ipsecPolicy, its ipsecISAKMPPolicy, one
// ipsecNFA per rule (the default response rule first, as Windows 2000
// lists it), the ipsecNegotiationPolicy of each filter action (the
// default response rule's own one included) and the ipsecFilter of each
// filter list, with their reference values and ipsecOwnersReference
// back-links. Filter lists and actions already in the tree under the same
// key (written for another policy) get the new owners added; an object
// that differs from the one already there is refused. It returns the
// policy's key path, for AssignLocal or LDAPPath. On error nothing is
// written.
func Write(tree *model.RegTree, store string, p *model.Policy, opts Options) (string, error) {
	keys, err := write(tree, store, []*model.Policy{p}, nil, opts)
	if err != nil {
		return "", err
	}
	return keys[0], nil
}

// WriteStore writes every policy of ps as Write does, and the store's
// filter lists and actions that no rule uses (as objects nobody owns,
// which a real store also keeps). It returns the policies' key paths in
// the store's order. On error nothing is written.
func WriteStore(tree *model.RegTree, store string, ps *model.PolicyStore, opts Options) ([]string, error) {
	if ps == nil {
		return nil, errors.New("policywriter: no policy store")
	}
	return write(tree, store, ps.Policies, ps, opts)
}

func write(tree *model.RegTree, store string, policies []*model.Policy, ps *model.PolicyStore, opts Options) ([]string, error) {
	if tree == nil {
		return nil, errors.New("policywriter: no registry tree")
	}
	path, err := storePath(store)
	if err != nil {
		return nil, err
	}
	b, err := newBuilder(path, opts)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(policies))
	for _, p := range policies {
		keys = append(keys, b.policy(p))
	}
	if ps != nil {
		for _, l := range ps.FilterLists {
			b.filterList(l)
		}
		for _, a := range ps.FilterActions {
			b.filterAction(a)
		}
	}
	if len(b.errs) == 0 {
		b.errs = b.check(tree)
	}
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	b.apply(tree)
	return keys, nil
}

// storePath accepts StoreLocal or StoreCache, in any case and with or
// without an HKLM prefix.
func storePath(store string) (string, error) {
	clean, ok := model.CleanKeyPath(store)
	switch {
	case ok && strings.EqualFold(clean, StoreLocal):
		return StoreLocal, nil
	case ok && strings.EqualFold(clean, StoreCache):
		return StoreCache, nil
	}
	return "", fmt.Errorf("policywriter: store %q: want %s or %s", store, StoreLocal, StoreCache)
}

// policyKeyRe matches the key path of a policy object in a store.
var policyKeyRe = regexp.MustCompile(`(?i)^(.*)\\(ipsecPolicy\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\})$`)

// AssignLocal makes the local-store policy at policyKey (as Write returns
// it) the assigned one: Policy\Local's ActivePolicy, a REG_SZ holding the
// key's path without the hive, as Windows 2000 writes it.
func AssignLocal(tree *model.RegTree, policyKey string) error {
	m := policyKeyRe.FindStringSubmatch(policyKey)
	if m == nil || !strings.EqualFold(m[1], StoreLocal) {
		return fmt.Errorf("policywriter: ActivePolicy %q: want %s\\ipsecPolicy{GUID}", policyKey, StoreLocal)
	}
	if tree.Key(policyKey) == nil {
		return fmt.Errorf("policywriter: ActivePolicy %q: the tree holds no such policy", policyKey)
	}
	k := tree.EnsureKey(StoreLocal, model.Location{Key: StoreLocal})
	k.SetValue(sz(StoreLocal, "ActivePolicy", policyKey))
	return nil
}

// AssignDomain writes a Group Policy assignment: GPTIPSECPolicy's
// DSIPSECPolicyPath (the policy's LDAP path, see LDAPPath) and
// DSIPSECPolicyName (its name in Active Directory). The decoder looks the
// policy up in StoreCache. No other GPTIPSECPolicy value is written:
// their meaning is not established by any public source (GPIPSEC.md §1.1).
func AssignDomain(tree *model.RegTree, ldapPath, name string) error {
	if toks := objectTokenRe.FindAllString(ldapPath, -1); len(toks) != 1 || !strings.HasPrefix(strings.ToLower(toks[0]), "ipsecpolicy{") {
		return fmt.Errorf("policywriter: DSIPSECPolicyPath %q names no single ipsecPolicy{GUID}", ldapPath)
	}
	k := tree.EnsureKey(KeyGPT, model.Location{Key: KeyGPT})
	k.SetValue(sz(KeyGPT, "DSIPSECPolicyPath", ldapPath))
	k.SetValue(sz(KeyGPT, "DSIPSECPolicyName", name))
	return nil
}

// LDAPPath returns the LDAP path of the domain policy whose cached copy
// is at policyKey, in the form Group Policy writes
// (LDAP://CN=ipsecPolicy{GUID},CN=IP Security,CN=System,<domainDN>), e.g.
// with domainDN "DC=example,DC=com".
func LDAPPath(policyKey, domainDN string) string {
	name := policyKey
	if i := strings.LastIndexByte(policyKey, '\\'); i >= 0 {
		name = policyKey[i+1:]
	}
	return "LDAP://CN=" + name + ",CN=IP Security,CN=System," + domainDN
}

// WriteReg writes tree as regedit on Windows 2000/2003 exports it
// (version 5: UTF-16LE with a BOM, CRLF, "…" strings, dword:, hex: and
// hex(7): wrapped at regedit's 80 columns with ,\ continuations), every
// parent key as a section of its own. It is regtest's RegeditV5 writer.
func WriteReg(w io.Writer, tree *model.RegTree) error {
	return regtest.Write(w, tree, regtest.RegeditV5)
}
