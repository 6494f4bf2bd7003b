package rules

import (
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC003",
		Name:     "win2000-clustered-ipsec",
		Severity: SeverityError,
		Check:    checkWin2000ClusteredIPSec,
	})
}

func checkWin2000ClusteredIPSec(p *Pass, out *Reporter) {
	f := p.Fleet
	for _, h := range f.Hosts {
		checkHostWin2000ClusteredIPSec(h, out)
	}
}

func checkHostWin2000ClusteredIPSec(h *model.Host, out *Reporter) {
	var unknown []string
	osf := h.Facts.OS
	switch {
	case osf.Known && osf.Value.Family != model.OSWin2000:
		return
	case !osf.Known:
		unknown = append(unknown, "Windows version unknown ("+osf.Via+")")
	}
	node, nlb := h.Facts.ClusterNode, h.Facts.NLB
	clustered := (node.Known && node.Value) || nlb.Value.Member
	switch {
	case clustered:
	case node.Known && nlb.Known:
		return
	default:
		why := nlb.Via
		if !node.Known {
			why = node.Via
		}
		unknown = append(unknown, "cluster membership unknown ("+why+")")
	}
	pol := h.Facts.Policy
	switch {
	case pol.Known && pol.Value.State == model.PolicyAssigned:
	case pol.Known:
		return
	default:
		unknown = append(unknown, "IPSec policy assignment unknown ("+pol.Via+")")
	}
	if len(unknown) > 0 {
		out.Skip(h, "%s", strings.Join(unknown, "; "))
		return
	}
	what, kb := "a server-cluster node", "KB 306677"
	if !node.Known || !node.Value {
		what, kb = "an NLB cluster member", "KB 248346"
	}
	origin := "local"
	if pol.Value.Origin == model.PolicyOriginGPO {
		origin = "domain (Group Policy)"
	}
	out.Report(h, "policy-on-cluster", pol.Source,
		"Windows 2000 host %s is %s and has the %s IPSec policy %q assigned: IPSec on Windows 2000 clusters is not supported (%s)",
		h.Name, what, origin, pol.Value.Name, kb)
}
