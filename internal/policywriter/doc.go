// Package policywriter writes IPSec policies into a registry tree the
// way Windows 2000 stores them under
// HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec: the inverse of
// parsers/gpipsec, for test fixtures and the example fleet (as
// internal/hivewriter is for hives). The audit never uses it.
//
// Write takes a model policy (from the netsh parser, from the decoder,
// or built by hand) and writes its objects into the local store
// (Policy\Local) or the domain cache (Policy\Cache): ipsecPolicy,
// ipsecISAKMPPolicy, one ipsecNFA per rule (the default response rule
// first), one ipsecNegotiationPolicy per filter action (the default
// response rule's own one included) and one ipsecFilter per filter
// list, each key with ClassName, name, ipsecID, ipsecName, description,
// ipsecData (REG_BINARY), ipsecDataType 256, whenChanged, the reference
// values (REG_SZ / REG_MULTI_SZ, registry paths without the hive) and
// ipsecOwnersReference back-links (on every object but the policy). The
// ISAKMP object and the default response rule's NFA and action get no
// ipsecName (a modern Windows export has none there, and the decoder
// names the latter "Default Response"). AssignLocal and AssignDomain write the
// assignment; WriteReg writes the tree as a regedit version 5 export.
//
// # Layouts
//
// The blobs follow ../shared/GPIPSEC.md §3 as the real Windows 2000
// export has them (§5): Data-Length conventions of that export (DL = the
// bytes after it less the trailing 00 byte; for filter lists 4 + the
// specs), IPv4 addresses in network order, ESP cipher 1 = DES and 3 =
// 3DES, Is-Tunnel before Is-Active, GUIDs in the Windows in-memory layout,
// no Vista+ NFA extension, no V2 filter section. Windows 2000 leaves heap
// garbage in unused quick-mode slots, in PFS-Identity-Required and in a
// Zero7 byte: zeros are written there. It also writes 64 and 8 in
// reserved fields of every main-mode method and significant quick-mode
// slot; those constants are written too, so that the blobs match the
// real ones byte for byte where the real ones are not garbage. Windows
// 2000 keeps the main-mode lifetime in each method (MM-Lifetime 0); so
// does this package.
//
// Defaults where the model is silent: a policy without main-mode methods
// gets Windows 2000's default list (3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1
// DES-MD5-1, GPIPSEC.md §4.4); a default response rule without methods
// gets the six offers Windows 2000 writes for it (§5.7); a policy
// without a default response rule gets one (Kerberos, all connections,
// active as ActivateDefaultRule says), since Windows makes one with every
// policy. GUIDs the model holds are kept; others are derived from the
// objects' names and Options.Seed (RFC 4122 version 5), so the same
// input always gives the same keys and bytes.
//
// # What is refused
//
// Write never invents an encoding no public source establishes
// (GPIPSEC.md §10). It refuses, with an *Error naming the object, the
// field and its netsh line:
//
//   - soft=yes (fall back to clear): its storage is unknown (§7);
//   - ESP without encryption (ESP[None,…]) and any ESP cipher but DES and
//     3DES: unknown (§4.5);
//   - "me" as a filter address: unknown (§4.8), unless Options.Me gives
//     the host's address, which is then written instead (and decodes as
//     that address, not as "me");
//   - inbound pass-through on a permit or block action (it is a kind of
//     negotiation), a negotiate action without methods (which list
//     Windows writes then is not established), a filter whose source and
//     destination are both special addresses (one byte holds either);
//   - a pre-shared key the caller does not give (the model holds only its
//     length): Options.PSK supplies keys, which are then in the blob in
//     clear, as Windows stores them;
//   - rules whose filter list or action the model lacks, values that do
//     not fit their fields, and an object whose key the tree already
//     holds with other contents.
//
// On any error nothing is written.
//
// # Uncertain choices
//
// Written as the best public reading, each marked uncertain in
// GPIPSEC.md: quick-mode PFS as 1 (on) in every offer; AH+ESP as one
// offer with the AH slot first; DH group 2048 as Oakley-Group 0x10000001;
// special filter addresses (DNS, WINS, DHCP, gateway) through
// Legacy-Special-Filter with the address fields 0; DNS-name filters in
// the DNS-name field with address 0.0.0.0/255.255.255.255; a tunnel end
// point given by name in Tunnel-End-Point-Name; the session limit
// (qmpermm) at the policy level only, each method's QM-Limit 0; the
// reference form inside Policy\Cache (registry paths, as in the local
// store; what Windows writes there is unknown, and the decoder resolves
// references by their object-name token whatever their form).
// Model Doubts are not consulted: the model's values are written as they
// stand.
package policywriter
