package cli

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// fleetLines are the fleet facts of `ipseclint config`: the code page of
// 8-bit text and the back-ends' virtual addresses, each with its origin
// (the flag wins over the file, as for audit).
func fleetLines(cfg *model.FleetConfig, codepageFlag string) []settingLine {
	cp := settingLine{"codepage", textenc.DefaultCodePage, originDefault}
	switch {
	case codepageFlag != "":
		cp.Value, cp.From = codepageFlag, fromFlag("codepage")
	case cfg != nil && cfg.CodePage != "":
		cp.Value, cp.From = cfg.CodePage, fromConfig(cfg.CodePageLoc)
	}
	lines := []settingLine{cp}
	if cfg != nil && len(cfg.BackendVirtualAddresses) > 0 {
		lines = append(lines, settingLine{"backends.virtual_addresses", addrList(cfg.BackendVirtualAddresses), fromConfig(cfg.BackendVirtualLoc)})
	}
	return lines
}

// hostKeys are the keys a host's entry sets, each with where it was
// written.
func hostKeys(hc *model.HostConfig) []settingLine {
	var lines []settingLine
	add := func(key, value string, loc model.Location) {
		if loc.IsZero() {
			loc = hc.Loc
		}
		lines = append(lines, settingLine{key, value, fromConfig(loc)})
	}
	if hc.Role != "" {
		add("role", string(hc.Role), hc.RoleLoc)
	}
	if hc.CodePage != "" {
		add("codepage", hc.CodePage, hc.CodePageLoc)
	}
	if len(hc.Addresses) > 0 {
		add("addresses", addrList(hc.Addresses), hc.AddressesLoc)
	}
	if hc.ClusterNode.Set {
		add("cluster_node", fmt.Sprint(hc.ClusterNode.Value), hc.ClusterNode.Loc)
	}
	if n := hc.NLB; n != nil {
		if len(n.ClusterAddresses) > 0 {
			add("nlb.cluster_addresses", addrList(n.ClusterAddresses), n.Loc)
		}
		if n.DedicatedAddress.IsValid() {
			add("nlb.dedicated_address", n.DedicatedAddress.String(), n.Loc)
		}
	}
	return lines
}

func addrList(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}
