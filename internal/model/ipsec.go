package model

import (
	"encoding/json"
	"net/netip"
	"strings"
)

// PolicyStore is the IPSec configuration one netsh file describes: the
// policies, filter lists and filter actions of a policy store, as the
// `netsh ipsec static dump` script or `show all` listing gives them.
type PolicyStore struct {
	File string `json:"file"`
	// Form is "script" (the dump form, or any file of netsh commands),
	// "show-all" (the listing), "ipsecpol" (Windows 2000 ipsecpol/ipseccmd
	// command lines) or "netdiag" (netdiag /test:ipsec output, which names
	// the active policy without its contents).
	Form string `json:"form"`
	// StoreLocation is what `set store location=` named: local, persistent,
	// domain ("" = not said, netsh's default is local).
	StoreLocation string          `json:"storeLocation,omitempty"`
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
	LastModified        string     `json:"lastModified,omitempty"`
	MMPFS               bool       `json:"mmpfs"`
	MMLifetimeMin       int        `json:"mmLifetimeMinutes,omitempty"`
	QMPerMM             int        `json:"qmPerMM,omitempty"`
	PollingIntervalMin  int        `json:"pollingIntervalMinutes,omitempty"`
	ActivateDefaultRule bool       `json:"activateDefaultRule"`
	MMSecMethods        []MMMethod `json:"mmSecMethods,omitempty"`
	Rules               []*Rule    `json:"rules"`
	Loc                 Location   `json:"location"`
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
	// ConnType is lan, dialup or all.
	ConnType string `json:"connType,omitempty"`
	// Auth lists the authentication methods in order: "kerberos", "psk"
	// (the key itself is not kept), or "rootca:" followed by the CA name.
	Auth []string `json:"auth,omitempty"`
	Loc  Location `json:"location"`
}

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
}

// AddrKind says what a filter address names.
type AddrKind string

// The kinds of filter address netsh accepts.
const (
	AddrIP      AddrKind = "ip"       // an IPv4 address (or subnet, with Net's mask)
	AddrMe      AddrKind = "me"       // the host's own addresses
	AddrAny     AddrKind = "any"      // any address
	AddrDNSName AddrKind = "dns-name" // a host name, resolved by netsh when the filter was made
	AddrDNS     AddrKind = "dns"      // the host's DNS servers
	AddrWINS    AddrKind = "wins"     // the host's WINS servers
	AddrDHCP    AddrKind = "dhcp"     // the host's DHCP server
	AddrGateway AddrKind = "gateway"  // the host's default gateway
)

// Address is one end of a filter.
type Address struct {
	Kind AddrKind `json:"kind"`
	// Net is the address and mask for AddrIP ("10.0.0.0/8", "10.0.0.5/32").
	Net netip.Prefix `json:"net,omitzero"`
	// Name is the host name of an AddrDNSName address, or the DNS name an
	// AddrIP address was resolved from when a listing shows it.
	Name string `json:"name,omitempty"`
}

// Filter selects packets: source and destination, protocol and ports.
type Filter struct {
	Description string  `json:"description,omitempty"`
	Src         Address `json:"src"`
	Dst         Address `json:"dst"`
	// Protocol is the IP protocol number; 0 = any.
	Protocol uint8 `json:"protocol"`
	// SrcPort and DstPort are TCP/UDP ports; 0 = any.
	SrcPort uint16 `json:"srcPort"`
	DstPort uint16 `json:"dstPort"`
	// Mirrored filters also match the reverse direction.
	Mirrored bool     `json:"mirrored"`
	Loc      Location `json:"location"`
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
}
