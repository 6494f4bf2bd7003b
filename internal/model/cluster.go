package model

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// ClusterConfig is what the cluster hive (CLUSDB, loaded as HKLM\Cluster)
// says about a server cluster: its nodes, groups and resources.
type ClusterConfig struct {
	Nodes     []string          `json:"nodes,omitempty"`
	Groups    []ClusterGroup    `json:"groups,omitempty"`
	Resources []ClusterResource `json:"resources,omitempty"`
	// UnplacedExchange says which Exchange resource's virtual server has an
	// address the hive does not tell (see unplacedExchange); "" when none.
	UnplacedExchange string `json:"unplacedExchange,omitempty"`
}

// ClusterGroup is a resource group (an Exchange virtual server is one).
type ClusterGroup struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Contains []string `json:"contains,omitempty"` // resource IDs
	Exchange bool     `json:"exchange"`
}

// ClusterResource is one cluster resource.
type ClusterResource struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Group     string   `json:"group,omitempty"` // group name
	DependsOn []string `json:"dependsOn,omitempty"`
	// Address and SubnetMask are the Parameters of an "IP Address" resource.
	Address    string `json:"address,omitempty"`
	SubnetMask string `json:"subnetMask,omitempty"`
	// Exchange is true for an Exchange resource, and for an IP Address
	// resource that an Exchange virtual server uses.
	Exchange bool     `json:"exchange"`
	Loc      Location `json:"location"`
}

// ClusterKeys are the registry subtrees the cluster facts read.
var ClusterKeys = []string{`Cluster\Resources`, `Cluster\Groups`, `Cluster\Nodes`}

// ReadClusterConfig reads the cluster configuration under HKLM\Cluster, or
// returns nil when the host's exports hold no cluster hive.
//
// Which group a resource belongs to is read from the group's "Contains"
// list; which IP addresses an Exchange virtual server uses is read both
// from its group and from the resources' "DependsOn" chains (Exchange
// System Attendant → Network Name → IP Address), since the group-membership
// value names are not settled by any documentation we could read.
func ReadClusterConfig(r *Registry) *ClusterConfig {
	if !r.HasKey(`Cluster\Resources`) && !r.HasKey(`Cluster\Groups`) {
		return nil
	}
	c := &ClusterConfig{}
	for _, id := range r.Subkeys(`Cluster\Nodes`) {
		name := stringValue(r, `Cluster\Nodes\`+id, "NodeName")
		if name == "" {
			name = id
		}
		c.Nodes = append(c.Nodes, name)
	}
	byID := map[string]*ClusterResource{}
	for _, id := range r.Subkeys(`Cluster\Resources`) {
		p := `Cluster\Resources\` + id
		res := ClusterResource{ID: id, Name: stringValue(r, p, "Name"), Type: stringValue(r, p, "Type")}
		res.DependsOn, _ = r.Value(p, "DependsOn").AsStrings()
		res.Address = stringValue(r, p+`\Parameters`, "Address")
		res.SubnetMask = stringValue(r, p+`\Parameters`, "SubnetMask")
		if v := r.Value(p+`\Parameters`, "Address"); v != nil {
			res.Loc = v.Loc
		} else if k := r.Key(p); k != nil {
			res.Loc = k.Loc
		}
		res.Exchange = isExchangeResourceType(res.Type)
		c.Resources = append(c.Resources, res)
	}
	for i := range c.Resources {
		byID[strings.ToLower(c.Resources[i].ID)] = &c.Resources[i]
	}
	for _, id := range r.Subkeys(`Cluster\Groups`) {
		p := `Cluster\Groups\` + id
		g := ClusterGroup{ID: id, Name: stringValue(r, p, "Name")}
		g.Contains, _ = r.Value(p, "Contains").AsStrings()
		for _, rid := range g.Contains {
			if res := byID[strings.ToLower(rid)]; res != nil {
				res.Group = g.Name
				if res.Exchange {
					g.Exchange = true
				}
			}
		}
		c.Groups = append(c.Groups, g)
	}
	markExchangeAddresses(c, byID)
	c.UnplacedExchange = unplacedExchange(c, byID)
	return c
}

func isExchangeResourceType(t string) bool {
	return strings.HasPrefix(strings.ToLower(t), "microsoft exchange")
}

// markExchangeAddresses flags the IP Address resources an Exchange virtual
// server uses: those in an Exchange group, and those an Exchange resource
// depends on, directly or through a Network Name.
func markExchangeAddresses(c *ClusterConfig, byID map[string]*ClusterResource) {
	exchangeGroups := map[string]bool{}
	for _, g := range c.Groups {
		if g.Exchange {
			exchangeGroups[g.Name] = true
		}
	}
	var visit func(id string, depth int)
	visit = func(id string, depth int) {
		res := byID[strings.ToLower(id)]
		if res == nil || depth > 16 {
			return
		}
		if isIPAddressResource(res.Type) {
			res.Exchange = true
		}
		for _, dep := range res.DependsOn {
			visit(dep, depth+1)
		}
	}
	for i := range c.Resources {
		res := &c.Resources[i]
		if isIPAddressResource(res.Type) && res.Group != "" && exchangeGroups[res.Group] {
			res.Exchange = true
		}
		if isExchangeResourceType(res.Type) {
			for _, dep := range res.DependsOn {
				visit(dep, 1)
			}
		}
	}
}

// unplacedExchange says which Exchange resource of the cluster has a
// virtual server whose address the hive does not tell: it is in no group
// holding an IP Address resource, and no IP Address resource is among its
// dependencies (Exchange System Attendant → Network Name → IP Address).
// "" when every one is placed.
func unplacedExchange(c *ClusterConfig, byID map[string]*ClusterResource) string {
	groupHasIP := map[string]bool{}
	for _, r := range c.Resources {
		if isIPAddressResource(r.Type) && r.Group != "" {
			groupHasIP[r.Group] = true
		}
	}
	for _, r := range c.Resources {
		if !isExchangeResourceType(r.Type) || r.Group != "" && groupHasIP[r.Group] || dependsOnIP(byID, r.DependsOn, 1) {
			continue
		}
		return fmt.Sprintf("cluster resource %q (%s) is in no group with an IP Address resource and depends on none, so the address of its Exchange virtual server is not known (which resources a group holds is read from its Contains value, whose name no public source settles)", r.Name, r.Type)
	}
	return ""
}

// dependsOnIP reports whether an IP Address resource is among the
// resources ids name or their dependencies.
func dependsOnIP(byID map[string]*ClusterResource, ids []string, depth int) bool {
	if depth > 16 {
		return false
	}
	for _, id := range ids {
		r := byID[strings.ToLower(id)]
		if r == nil {
			continue
		}
		if isIPAddressResource(r.Type) || dependsOnIP(byID, r.DependsOn, depth+1) {
			return true
		}
	}
	return false
}

// HasExchange reports whether the cluster runs Exchange: one of its
// resources is an Exchange resource (false for no cluster).
func (c *ClusterConfig) HasExchange() bool {
	if c == nil {
		return false
	}
	for _, r := range c.Resources {
		if isExchangeResourceType(r.Type) {
			return true
		}
	}
	return false
}

func isIPAddressResource(t string) bool { return strings.EqualFold(strings.TrimSpace(t), "IP Address") }

// VirtualAddresses returns the cluster's "IP Address" resources as
// addresses. When any of them is known to serve an Exchange virtual
// server, only those are returned; otherwise every IP Address resource
// outside the cluster's own "Cluster Group" is.
func (c *ClusterConfig) VirtualAddresses() []VirtualAddress {
	if c == nil {
		return nil
	}
	var all, exch []VirtualAddress
	for _, res := range c.Resources {
		if !isIPAddressResource(res.Type) {
			continue
		}
		ip, err := netip.ParseAddr(strings.TrimSpace(res.Address))
		if err != nil {
			continue
		}
		va := VirtualAddress{IP: ip, Mask: res.SubnetMask, Resource: res.Name, Group: res.Group,
			Exchange: res.Exchange, Origin: "cluster hive", Loc: res.Loc}
		if res.Exchange {
			exch = append(exch, va)
		}
		if !strings.EqualFold(res.Group, "Cluster Group") {
			all = append(all, va)
		}
	}
	out := exch
	if len(out) == 0 {
		out = all
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IP.Less(out[j].IP) })
	return out
}

func stringValue(r *Registry, path, name string) string {
	s, _ := r.Value(path, name).AsString()
	return strings.TrimSpace(s)
}
