package model

import "net/netip"

// FleetConfig is ipseclint.yaml: what the auditor declares about the fleet
// where the exports cannot tell (roles live in Active Directory, not in
// the registry).
type FleetConfig struct {
	// File is where the configuration was read from.
	File  string                 `json:"file,omitempty"`
	Hosts map[string]*HostConfig `json:"hosts,omitempty"` // keyed by upper-case host name
	// BackendVirtualAddresses are the cluster/NLB addresses of the back-end
	// (backends.virtual_addresses).
	BackendVirtualAddresses []netip.Addr `json:"backendVirtualAddresses,omitempty"`
	BackendVirtualLoc       Location     `json:"backendVirtualLocation,omitzero"`
	// CodePage is the default code page for 8-bit text in this fleet.
	CodePage string `json:"codepage,omitempty"`
}

// HostConfig is one host's entry in ipseclint.yaml.
type HostConfig struct {
	Name string `json:"name"`
	Role Role   `json:"role,omitempty"`
	// Addresses adds to the addresses found in the host's registry.
	Addresses []netip.Addr `json:"addresses,omitempty"`
	// CodePage is the code page of the host's 8-bit text files.
	CodePage string   `json:"codepage,omitempty"`
	Loc      Location `json:"location,omitzero"`
}
