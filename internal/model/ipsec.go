package model

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Store is the policy store a policy object belongs to. A host applies at
// most one local-or-domain policy, plus on Windows Server 2003 the
// policies of its persistent store ("Assigning IPSec Policies Locally").
type Store string

// The policy stores.
const (
	// StoreLocal is the computer's local store: the registry's
	// Policy\Local, and netsh's store unless `set store` says otherwise.
	StoreLocal Store = "local"
	// StoreDomain is Active Directory, as a netsh dump made after `set
	// store location=domain` shows it: it says nothing about which policy a
	// host applies (only the host's registry says that).
	StoreDomain Store = "domain"
	// StoreDomainCache is the registry's Policy\Cache: the host's copy of
	// the domain policy Group Policy assigned to it (GPTIPSECPolicy).
	StoreDomainCache Store = "domain cache"
	// StorePersistent is Windows Server 2003's persistent store (netsh
	// `set store location=persistent`), applied at start-up in addition to
	// the local or domain policy.
	StorePersistent Store = "persistent"
	// StoreUnrecognised holds policy objects found outside the stores
	// above (ipsec*{GUID} keys elsewhere under the IPSec policy key):
	// ipseclint does not decide whether they apply.
	StoreUnrecognised Store = "unrecognised store"
)

// The sources a PolicyStore is read from (PolicyStore.Source).
const (
	SourceNetsh    = "netsh"    // netsh, ipsecpol or netdiag text
	SourceRegistry = "registry" // the ipsecData objects under SOFTWARE\Policies\Microsoft\Windows\IPSec
)

// PolicyStore is the IPSec configuration of one policy store as one
// source describes it: the policies, filter lists and filter actions of a
// netsh dump or listing (one per store it names), or the objects of one
// store in the registry.
type PolicyStore struct {
	// File is the display name of the netsh file; "" for the registry
	// (each object's Loc names its file).
	File string `json:"file,omitempty"`
	// Source is SourceNetsh or SourceRegistry.
	Source string `json:"source"`
	// Form is "script" (the dump form, or any file of netsh commands),
	// "show-all" (the listing), "ipsecpol" (Windows 2000 ipsecpol/ipseccmd
	// command lines), "netdiag" (netdiag /test:ipsec output, which names
	// the active policy without its contents) or "registry".
	Form string `json:"form"`
	// Store is the store the objects belong to: what `set store
	// location=` named (netsh's default is local), or the registry key
	// they were read from.
	Store Store `json:"store"`
	// StoreLoc is where the store was named: the `set store` line, the
	// listing's store line, or the registry key of the store; zero when
	// netsh's default applies.
	StoreLoc      Location        `json:"storeLocation,omitzero"`
	Policies      []*Policy       `json:"policies"`
	FilterLists   []*FilterList   `json:"filterLists"`
	FilterActions []*FilterAction `json:"filterActions"`
	// IPSecExempt is the value of `netsh ipsec dynamic set config
	// property=ipsecexempt value=N`, the same setting as the registry's
	// Services\IPSEC\NoDefaultExempt; nil when the file does not set it.
	IPSecExempt *SettingInt `json:"ipsecExempt,omitempty"`
	// NoData is set when the file says there was nothing to show (an empty
	// dump, "ERR IPsec[05072]" lines): that means "no data", not "no policy".
	NoData bool `json:"noData,omitempty"`
	// Problems are what the source holds about the store that could not
	// be understood as a whole (objects of an unknown class, references
	// to missing objects); problems of one object are its Doubts.
	Problems []Problem `json:"problems,omitempty"`
}

// FormRegistry is the form (PolicyStore.Form) of policy objects read from the registry.
const FormRegistry = "registry" // ipsecData objects (MS-GPIPSEC)

// Doubt is a field of a policy object whose value the evidence does not
// establish: an encoding no public source documents, bytes of a blob that
// were not understood, a reference to an object that is missing. Verdicts
// that depend on the field are uncertain.
type Doubt struct {
	// Field names the field in doubt, as the model names it ("soft",
	// "src", "methods[0].esp.cipher", "filterList", "object").
	Field  string   `json:"field"`
	Reason string   `json:"reason"`
	Loc    Location `json:"location,omitzero"`
}

// Doubts is a list of doubts about one object.
type Doubts []Doubt

// About returns the doubt about field, or nil.
func (ds Doubts) About(field string) *Doubt {
	for i := range ds {
		if ds[i].Field == field {
			return &ds[i]
		}
	}
	return nil
}

// The forms of IPSec text (PolicyStore.Form).
const (
	FormScript   = "script"   // netsh ipsec static commands (the dump form)
	FormShowAll  = "show-all" // netsh ipsec static show all
	FormIpsecpol = "ipsecpol" // Windows 2000 ipsecpol / XP ipseccmd command lines
	FormNetdiag  = "netdiag"  // netdiag /test:ipsec output: names the assigned policy only
)

// SettingInt is a numeric setting with where it was set.
type SettingInt struct {
	Value int      `json:"value"`
	Loc   Location `json:"location"`
}

// Assigned returns the assigned policy of the store, or nil.
func (s *PolicyStore) Assigned() *Policy {
	if s == nil {
		return nil
	}
	for _, p := range s.Policies {
		if p.Assigned {
			return p
		}
	}
	return nil
}

// Policy returns the policy of that name (case-insensitive), or nil.
func (s *PolicyStore) Policy(name string) *Policy {
	for _, p := range s.Policies {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// FilterList returns the filter list of that name (case-insensitive), or nil.
func (s *PolicyStore) FilterList(name string) *FilterList {
	for _, l := range s.FilterLists {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// FilterAction returns the filter action of that name (case-insensitive), or nil.
func (s *PolicyStore) FilterAction(name string) *FilterAction {
	for _, a := range s.FilterActions {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// DefaultRule returns the policy's default response rule, or nil.
func (p *Policy) DefaultRule() *Rule {
	for _, r := range p.Rules {
		if r.Default {
			return r
		}
	}
	return nil
}

// Rule returns the rule of that name (case-insensitive), or nil.
func (p *Policy) Rule(name string) *Rule {
	for _, r := range p.Rules {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// Policy is an IPSec policy: main-mode settings and an ordered set of rules.
type Policy struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	GUID        string `json:"guid,omitempty"`
	// Assigned is true when the policy is the host's assigned policy.
	Assigned bool `json:"assigned"`
	// AssignLoc is the line that assigned it (`assign=yes`), when assigned.
	AssignLoc Location `json:"assignLocation,omitzero"`
	// Partial is set when the file names the policy but does not hold its
	// contents (netdiag output): its rules are unknown, not absent.
	Partial bool `json:"partial,omitempty"`
	// LastModified is the listing's "Last Modified" value, in the server's
	// locale format (kept opaque).
	LastModified string `json:"lastModified,omitempty"`
	// Store is the store the policy belongs to (the same as its
	// PolicyStore's).
	Store               Store      `json:"store"`
	MMPFS               bool       `json:"mmpfs"`
	MMLifetimeMin       int        `json:"mmLifetimeMinutes,omitempty"`
	QMPerMM             int        `json:"qmPerMM,omitempty"`
	PollingIntervalMin  int        `json:"pollingIntervalMinutes,omitempty"`
	ActivateDefaultRule bool       `json:"activateDefaultRule"`
	MMSecMethods        []MMMethod `json:"mmSecMethods,omitempty"`
	Rules               []*Rule    `json:"rules"`
	Loc                 Location   `json:"location"`
	// Doubts are the fields of the policy the evidence does not establish.
	Doubts Doubts `json:"doubts,omitempty"`
}

// Rule ties a filter list to a filter action inside a policy.
type Rule struct {
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
	PolicyName       string `json:"policy"`
	FilterListName   string `json:"filterList,omitempty"`
	FilterActionName string `json:"filterAction,omitempty"`
	// FilterList and FilterAction are the objects the names resolve to in
	// the same store; nil when the store does not hold them.
	FilterList   *FilterList   `json:"-"`
	FilterAction *FilterAction `json:"-"`
	Active       bool          `json:"active"`
	// Default marks the policy's default response rule. Its FilterAction
	// is made from the rule's own settings (set defaultrule qmsec=, qmpfs=)
	// and is not among the store's filter actions.
	Default bool   `json:"default,omitempty"`
	GUID    string `json:"guid,omitempty"`
	// TunnelEndpoint is the tunnel end-point address; "" in transport mode.
	TunnelEndpoint string `json:"tunnelEndpoint,omitempty"`
	// ConnType is the connections the rule applies to: all, lan or
	// dialup; "" when the evidence does not say.
	ConnType ConnType `json:"connType,omitempty"`
	// Auth lists the authentication methods in preference order.
	Auth []AuthMethod `json:"auth,omitempty"`
	Loc  Location     `json:"location"`
	// Doubts are the fields of the rule the evidence does not establish.
	Doubts Doubts `json:"doubts,omitempty"`
}

// ConnType is the kind of network connection a rule applies to (netsh
// `conntype`, the snap-in's "Connection Type" tab).
type ConnType string

// The connection types.
const (
	ConnAll    ConnType = "all"    // all network connections
	ConnLAN    ConnType = "lan"    // local area network connections only
	ConnDialup ConnType = "dialup" // remote access (dial-up) connections only
)

// CoversLAN reports whether a rule of this connection type applies to LAN
// traffic, such as front-end to back-end traffic; known is false when the
// type is not established.
func (c ConnType) CoversLAN() (covers, known bool) {
	switch c {
	case ConnAll, ConnLAN:
		return true, true
	case ConnDialup:
		return false, true
	}
	return false, false
}

// AuthKind is an IKE authentication method.
type AuthKind string

// The authentication methods of Windows 2000/XP/Server 2003 IPSec.
const (
	AuthKerberos    AuthKind = "kerberos"
	AuthPreshared   AuthKind = "psk"
	AuthCertificate AuthKind = "certificate"
	// AuthUnknown is a method whose type the evidence holds but no public
	// source maps (a registry Auth-Type other than 1, 3 or 5; see the
	// rule's Doubts). Whether it is a pre-shared key is unknown.
	AuthUnknown AuthKind = "unknown"
)

// AuthMethod is one authentication method of a rule. A pre-shared key is
// never kept: only its length, so that no output can print it.
type AuthMethod struct {
	Kind AuthKind `json:"kind"`
	// CA names the root certification authority of a certificate method.
	CA string `json:"ca,omitempty"`
	// KeyLength is the length in characters of a pre-shared key, when
	// known; the key itself is never read into the model.
	KeyLength int      `json:"keyLength,omitempty"`
	Loc       Location `json:"location,omitzero"`
}

// String names the method for people: "kerberos", "psk (11 characters)",
// "certificate (CA=...)"; never a key.
func (a AuthMethod) String() string {
	switch {
	case a.Kind == AuthPreshared && a.KeyLength > 0:
		return fmt.Sprintf("pre-shared key (%d characters, redacted)", a.KeyLength)
	case a.Kind == AuthPreshared:
		return "pre-shared key (redacted)"
	case a.Kind == AuthCertificate && a.CA != "":
		return "certificate (root CA " + a.CA + ")"
	}
	return string(a.Kind)
}

// Redacted is what every output shows in place of a secret.
const Redacted = "<redacted>"

// MarshalJSON writes a rule; the default response rule also carries its
// own filter action (security methods, PFS) as "response", since that
// action is not among the store's filter actions.
func (r Rule) MarshalJSON() ([]byte, error) {
	type plain Rule
	out := struct {
		plain
		Response *FilterAction `json:"response,omitempty"`
	}{plain: plain(r)}
	if r.Default {
		out.Response = r.FilterAction
	}
	return json.Marshal(out)
}

// FilterList is a named list of filters.
type FilterList struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	GUID        string    `json:"guid,omitempty"`
	Filters     []*Filter `json:"filters"`
	Loc         Location  `json:"location"`
	Doubts      Doubts    `json:"doubts,omitempty"`
}

// AddrKind says what a filter address names. It is a small number, not a
// string, since a fleet holds hundreds of thousands of addresses; it is
// written (String, JSON) by its name. Its type is uint16 rather than
// uint8 so that go vet reports string(k), which would not be its name.
type AddrKind uint16

// The kinds of filter address netsh accepts. The zero AddrKind names
// none ("").
const (
	AddrIP      AddrKind = iota + 1 // "ip": an IPv4 address (or subnet, with Net's mask)
	AddrMe                          // "me": the host's own addresses
	AddrAny                         // "any": any address
	AddrDNSName                     // "dns-name": a host name, resolved by netsh when the filter was made
	AddrDNS                         // "dns": the host's DNS servers
	AddrWINS                        // "wins": the host's WINS servers
	AddrDHCP                        // "dhcp": the host's DHCP server
	AddrGateway                     // "gateway": the host's default gateway
	// AddrUnknown ("unknown") is an address whose encoding the evidence
	// holds but no public source explains (see the filter's Doubts):
	// matching against it is uncertain.
	AddrUnknown
)

var addrKindNames = [...]string{"", "ip", "me", "any", "dns-name", "dns", "wins", "dhcp", "gateway", "unknown"}

// String is the kind's name: "ip", "me", "any", "dns-name", "dns",
// "wins", "dhcp", "gateway", "unknown"; "" for the zero kind.
func (k AddrKind) String() string {
	if int(k) < len(addrKindNames) {
		return addrKindNames[k]
	}
	return "AddrKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the kind by name (in JSON, a string).
func (k AddrKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *AddrKind) UnmarshalText(b []byte) error {
	for i, n := range addrKindNames {
		if n == string(b) {
			*k = AddrKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown address kind %q", b)
}

// Address is one end of a filter.
type Address struct {
	Kind AddrKind `json:"kind"`
	// Net is the address and mask for AddrIP ("10.0.0.0/8", "10.0.0.5/32").
	Net netip.Prefix `json:"net,omitzero"`
	// Name is the host name of an AddrDNSName address, or the DNS name an
	// AddrIP address was resolved from when a listing shows it.
	Name string `json:"name,omitempty"`
}

// Filter selects packets: source and destination, protocol and ports
// (its FilterSpec), read at Loc, with what could not be read there.
// Hosts that hold the same policy share the spec of each of its filters
// once the audit has built them (the same policy pushed to every server:
// a fleet holds each spec once), so a spec is never changed after it is
// built; a parser gives each filter its own (NewFilter).
type Filter struct {
	*FilterSpec
	Loc Location `json:"location"`
	// Doubts are what could not be read of the filter; they name where
	// (the host's file), so they are the filter's, not its spec's.
	Doubts Doubts `json:"doubts,omitempty"`
}

// FilterSpec is what a filter selects, apart from where it was read. It
// is comparable: equal specs are ==.
type FilterSpec struct {
	Description string  `json:"description,omitempty"`
	Src         Address `json:"src"`
	Dst         Address `json:"dst"`
	// Protocol is the IP protocol number; 0 = any.
	Protocol uint8 `json:"protocol"`
	// SrcPort and DstPort are TCP/UDP ports; 0 = any.
	SrcPort uint16 `json:"srcPort"`
	DstPort uint16 `json:"dstPort"`
	// Mirrored filters also match the reverse direction.
	Mirrored bool `json:"mirrored"`
	// GUID identifies the filter (registry evidence; netsh does not show it).
	GUID string `json:"guid,omitempty"`
}

// NewFilter returns a filter with its own spec, read at loc.
func NewFilter(spec FilterSpec, loc Location) *Filter {
	return &Filter{FilterSpec: &spec, Loc: loc}
}

// String writes the address as netsh users read it: "10.0.0.50",
// "10.0.0.0/24", "me", "any", a DNS name, "dns" (the host's DNS servers).
func (a Address) String() string {
	switch a.Kind {
	case AddrIP:
		if a.Net.IsValid() && a.Net.IsSingleIP() {
			return a.Net.Addr().String()
		}
		if a.Net.IsValid() {
			return a.Net.String()
		}
		return a.Name
	case AddrDNSName:
		return a.Name
	}
	return a.Kind.String()
}

// String writes the filter on one line: "me:any -> 10.0.0.50:110 tcp".
// It is the filter's identity in finding subjects (with its filter
// list), so it never changes with a message's wording.
func (f *Filter) String() string {
	return fmt.Sprintf("%s:%s -> %s:%s %s", f.Src, portText(f.SrcPort), f.Dst, portText(f.DstPort), ProtocolName(f.Protocol))
}

// ProtocolName names an IP protocol number: "tcp", "udp", "icmp", "any
// protocol" for 0, else the number.
func ProtocolName(p uint8) string {
	switch p {
	case 0:
		return "any protocol"
	case 1:
		return "icmp"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	}
	return strconv.Itoa(int(p))
}

func portText(p uint16) string {
	if p == 0 {
		return "any"
	}
	return strconv.Itoa(int(p))
}

// ActionKind is what a filter action does with matching packets.
type ActionKind string

// The filter actions.
const (
	ActionPermit    ActionKind = "permit"
	ActionBlock     ActionKind = "block"
	ActionNegotiate ActionKind = "negotiate"
)

// FilterAction says what to do with the packets a rule's filters match.
type FilterAction struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	GUID        string     `json:"guid,omitempty"`
	Action      ActionKind `json:"action"`
	// QMPFS is session-key perfect forward secrecy.
	QMPFS bool `json:"qmpfs"`
	// InPass accepts unsecured communication but always responds using IPSec.
	InPass bool `json:"inpass"`
	// Soft allows unsecured communication with non-IPSec-aware computers
	// (fall back to clear).
	Soft bool `json:"soft"`
	// Methods are the quick-mode security methods offered, in order.
	Methods []QMMethod `json:"qmSecMethods,omitempty"`
	Loc     Location   `json:"location"`
	// Doubts are the fields of the action the evidence does not establish
	// ("soft" from the registry, whose encoding is not public).
	Doubts Doubts `json:"doubts,omitempty"`
}

// Algorithm names as netsh writes them.
const (
	AlgNone = "None"
	AlgDES  = "DES"
	Alg3DES = "3DES"
	AlgMD5  = "MD5"
	AlgSHA1 = "SHA1"
)

// ESPTransform is the ESP part of a quick-mode method.
type ESPTransform struct {
	Cipher    string `json:"cipher"`    // DES, 3DES or None
	Integrity string `json:"integrity"` // MD5, SHA1 or None
}

// QMMethod is one quick-mode security method: AH, ESP or AH+ESP.
type QMMethod struct {
	// AH is the AH integrity algorithm (MD5, SHA1); "" when no AH.
	AH string `json:"ah,omitempty"`
	// ESP is the ESP transform; nil when no ESP.
	ESP         *ESPTransform `json:"esp,omitempty"`
	LifetimeKB  int           `json:"lifetimeKB,omitempty"`
	LifetimeSec int           `json:"lifetimeSeconds,omitempty"`
	// Text is the method as written ("ESP[3DES,SHA1]:100000k/3600s").
	Text string `json:"text"`
	// Doubt says why the method's algorithms are not established (an ESP
	// cipher value no public source maps); "" when they are.
	Doubt string   `json:"doubt,omitempty"`
	Loc   Location `json:"location,omitzero"`
}

// Confidential reports whether the method encrypts: ESP with a cipher
// other than None.
func (m QMMethod) Confidential() bool {
	return m.ESP != nil && m.ESP.Cipher != "" && !strings.EqualFold(m.ESP.Cipher, AlgNone)
}

// MMMethod is one main-mode (IKE) security method: cipher-integrity-DH group.
type MMMethod struct {
	Cipher    string `json:"cipher"`
	Integrity string `json:"integrity"`
	DHGroup   int    `json:"dhGroup"`
	Text      string `json:"text"`
	// Doubt says why the method's algorithms or group are not established
	// (a registry value no public source maps, or one read by an uncertain
	// convention); "" when they are.
	Doubt string `json:"doubt,omitempty"`
	// Loc is where the method was read (registry evidence: the ipsecData
	// value and the method's byte offset); zero for netsh text.
	Loc Location `json:"location,omitzero"`
}
