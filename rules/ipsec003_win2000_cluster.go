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
		Summary:  "A Windows 2000 server-cluster node or NLB member has an IPSec policy assigned, which Microsoft does not support.",
		Description: "IPSec is not designed for failover: on a Windows 2000 server cluster, security associations do not move with a " +
			"cluster group, and Microsoft recommends not using IPSec for programs on Windows 2000 clusters (KB 306677). Network Load " +
			"Balancing on Windows 2000 drops IPSec sessions when the cluster converges (KB 248346). KB 821839 therefore supports IPSec " +
			"between Exchange front-ends and back-ends on Windows 2000 only for servers that are not clustered. The rule fires on a " +
			"host whose Windows version is 5.0 (Windows 2000), that is a server-cluster node (Services\\ClusSvc not disabled, or a " +
			"cluster hive among its files) or an NLB member (a cluster IP under Services\\WLBS\\Parameters), and that has an IPSec " +
			"policy assigned, locally (Policy\\Local\\ActivePolicy) or by Group Policy (GPTIPSECPolicy\\DSIPSECPolicyPath). Windows 2000 " +
			"has no netsh ipsec context, so the registry is the evidence there.",
		Remediation: "Upgrade the cluster nodes to Windows Server 2003, where IPSec on clusters is supported (KB 821839), or unassign the " +
			"policy on the node. A local policy: use the IP Security Policies snap-in (right-click the policy, Un-assign), or the " +
			"Windows 2000 Resource Kit `ipsecpol -w REG -p \"<policy name>\" -y`, or remove the value and restart the IPSEC Policy Agent:\n\n" +
			"```reg\nWindows Registry Editor Version 5.00\n\n" +
			"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local]\n\"ActivePolicy\"=-\n```\n\n" +
			"A domain policy: remove the IP security policy from the Group Policy object that applies to the cluster nodes " +
			"(Computer Configuration\\Windows Settings\\Security Settings\\IP Security Policies), then run `secedit /refreshpolicy machine_policy`.",
		References: []Reference{kb306677, kb248346, kb821839},
		Check:      checkWin2000ClusteredIPSec,
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
