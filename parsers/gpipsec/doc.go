// Package gpipsec decodes the IPSec policy Windows keeps in the registry,
// under HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec, into the same
// model the netsh parser produces. It reads the merged registry view of a
// host (model.Registry), so a binary SOFTWARE hive, a `reg save` of it
// and any .reg export of the IPSec key are read alike.
//
// # What is read
//
// The stores: the local store (Policy\Local, written by the snap-in,
// netsh and ipsecpol), the host's cached copy of the domain policy
// (Policy\Cache), and, as an "unrecognised store" that is reported but
// never judged, ipsec*{GUID} objects anywhere else under the IPSec key.
// The assignments: Policy\Local's ActivePolicy and GPTIPSECPolicy's
// DSIPSECPolicyPath and DSIPSECPolicyName. Decode marks the policy each
// one names as assigned in its own store and returns both; that a domain
// assignment wins over the local one ("Understanding IPSec Policy
// Precedence") is decided by the model, not here. When a domain policy is
// assigned but its cached objects are not in the exports, the result
// names the registry keys to export.
//
// Each object (ipsecPolicy, ipsecISAKMPPolicy, ipsecNFA = a rule,
// ipsecNegotiationPolicy = a filter action, ipsecFilter = a filter list)
// holds an ipsecData blob whose layout is specified in [MS-GPIPSEC]
// §2.2.1 (Group Policy: IP Security (IPsec) Protocol Extension). The
// decoder follows ../shared/GPIPSEC.md, which sets that specification
// against a real Windows 2000 export (the VPNease L2TP/IPsec template,
// ../shared/samples/registry-policy) and openly licensed code (ipsec2k,
// VPNease, OpenVAS), and follows the real data where they disagree:
// IPv4 addresses are in network byte order; ESP cipher 1 is DES and 3 is
// 3DES; the rule flags are Is-Tunnel then Is-Active; the Data-Length
// fields differ between Windows versions and are only a cross-check;
// unused algorithm slots and reserved fields hold uninitialised memory
// and are ignored.
//
// Names are compared without regard to case (IPSec or IPSEC, ClassName
// or className, upper- or lower-case GUIDs). References may be REG_SZ
// or REG_MULTI_SZ and are resolved by their object-name token
// (ipsecNFA{GUID}, ...) in the same store, whatever their form
// (registry path, LDAP distinguished name).
//
// The model gets: policies with their polling interval, main-mode
// settings (master PFS, quick modes per main mode, lifetime, methods as
// netsh writes them, "3DES-SHA1-2") and rules; rules with their
// connection type, active flag, tunnel end-point, authentication methods,
// filter list and filter action (the default response rule is marked
// Default, and a rule naming several filter lists becomes one rule per
// list); filter actions with their action (permit, block, negotiate,
// inbound pass-through) and quick-mode methods ("ESP[3DES,MD5]:300s");
// filter lists with their filters (addresses, protocol, ports,
// mirroring). An object's name is its ipsecName; a name that is a bare
// GUID or a reference to another object (as the VPNease template writes
// them) is not a name, and the rule is then named after its filter list.
// Every object's Loc is its registry key; every field read from a blob
// carries the ipsecData value and the field's byte offset.
//
// # What is not known
//
// Some encodings are not established by any public source. The decoder
// reads what the real sample shows and records a model.Doubt on anything
// else, so that verdicts resting on it are marked uncertain:
//
//   - "Allow unsecured communication with non-IPSec-aware computers"
//     (netsh soft=yes, fallback to clear): every registry filter action
//     carries a doubt about Soft, which is left false.
//   - ESP without encryption and ESP cipher values other than 1 and 3: the
//     specification's table contradicts the real data, so such a cipher is
//     left unknown (never counted as encryption) with a doubt.
//   - "My IP address" in a filter: only any, a host, a subnet, the
//     special addresses (DNS, WINS, DHCP, gateway) and DNS names are
//     decoded; any other address is AddrUnknown with a doubt.
//   - Quick-mode PFS: 0 is off (the sample); 1 is read as on, with a doubt,
//     since the specification says the opposite and no sample has it on.
//   - DH group 2048 in main mode, the Vista+ V2 filter section, IPv6
//     tunnel end-points, a rule limited to a named interface, a filter's
//     own tunnel fields, several filter actions for one rule: decoded
//     where the layout is known, with a doubt, or left unknown.
//   - Windows Server 2003's persistent store: where it lives is not
//     public, so it is never identified as such; objects outside
//     Policy\Local and Policy\Cache are an unrecognised store.
//   - Other GPTIPSECPolicy values, and anything before a blob's type GUID:
//     reported as not understood.
//
// # Damage
//
// Blobs are parsed by their counts with a bounds-checked cursor; no
// length or count is trusted to stay inside the value (a count is checked
// against the bytes left before any loop). A truncated blob, a count past
// the end, an unknown type GUID, a reference to a missing object, an
// object that refers to itself: each is a doubt on the object ("not
// understood at offset N: ...") and, where it concerns the store, a
// Problem; the rest of the policy is still decoded. Nothing panics.
//
// # Secrets
//
// Pre-shared keys are stored in clear in the NFA blobs (and may be
// repeated in the Vista+ extension). The model never holds one: only
// AuthMethod{Kind: AuthPreshared, KeyLength: n}. Decode also overwrites
// the key bytes in the registry's Value.Data with zero bytes, in place
// and at the same length, so that no later output can print them (a dump
// shows registry values as hex); NFA bytes that cannot be decoded, which
// could hold a key, are blanked the same way and a Problem says so.
// Decoding a scrubbed registry again gives the same result.
package gpipsec
