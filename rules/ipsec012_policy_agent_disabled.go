package rules

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// KeyPolicyAgent is the IPSec service ("IPSEC Services" on Windows Server
// 2003, "IPSEC Policy Agent" on Windows 2000).
const KeyPolicyAgent = `SYSTEM\CurrentControlSet\Services\PolicyAgent`

func init() {
	register(&Rule{
		ID:       "IPSEC012",
		Name:     "policy-agent-disabled",
		Severity: SeverityError,
		Summary:  "The IPSec service (PolicyAgent) is disabled or manual on a host with an IPSec policy assigned, so the policy is never applied and traffic flows in clear.",
		Description: "The IPSec Policy Agent service reads the assigned policy (local or from Group Policy) and loads its filters into " +
			"the IPSec driver; while it does not run, no filter of the policy exists, whatever the registry and netsh show as " +
			"assigned. Its start type is `HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent\\Start`: 2 = automatic (the default), " +
			"3 = manual, 4 = disabled. A manual service is not started at boot by anything ipseclint knows of, so it is treated like a " +
			"disabled one. The rule fires on any host with a policy assigned (by the registry's ActivePolicy or DSIPSECPolicyPath, " +
			"or a netsh export's assign=yes) whose Start is 3 or 4. A host whose service is automatic passes whatever its policy; a " +
			"host whose start type or policy assignment the exports do not tell (no SYSTEM export, an export that does not include " +
			"Services\\PolicyAgent) is reported as not evaluated. What the IPSec driver of Windows Server 2003 does while the service " +
			"does not run is uncertain in the sources ipseclint rests on: it lets traffic pass in clear (permit, or the default " +
			"stateful boot-time mode), unless its boot-time mode was set to block (`netsh ipsec dynamic set config " +
			"property=bootmode value=block`), which stops traffic instead; the rule does not read that setting and the message " +
			"assumes the traffic passes.",
		Remediation: "Set the service to automatic and start it, on each host named (Windows Server 2003 and 2000):\n\n```bat\n" +
			"sc config PolicyAgent start= auto\n" +
			"net start PolicyAgent\n```\n\n" +
			"or import this .reg file and restart the computer:\n\n" +
			"```reg\nWindows Registry Editor Version 5.00\n\n" +
			"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent]\n\"Start\"=dword:00000002\n```\n\n" +
			"Then check with `netsh ipsec dynamic show all` (2003) or `netdiag /test:ipsec` (2000) that the policy is active.",
		References: []Reference{kb821839, refNetshIPSec},
		Reads:      []string{KeyPolicyAgent},
		Check:      checkPolicyAgentDisabled,
	})
}

func checkPolicyAgentDisabled(p *Pass, out *Reporter) {
	f := p.Fleet
	for _, h := range f.Hosts {
		checkHostPolicyAgent(h, out)
	}
}

func checkHostPolicyAgent(h *model.Host, out *Reporter) {
	start, startWhy := policyAgentStart(h)
	off := start == 3 || start == 4
	if start >= 0 && !off {
		return
	}
	pf := h.Facts.Policy
	if pf.Known && pf.Value.State != model.PolicyAssigned {
		return
	}
	var unknown []string
	if start < 0 {
		unknown = append(unknown, startWhy)
	}
	if !pf.Known {
		unknown = append(unknown, "whether an IPSec policy is assigned is unknown: "+pf.Via)
	}
	if len(unknown) > 0 {
		out.Skip(h, "%s", strings.Join(unknown, "; "))
		return
	}
	origin := "local"
	if pf.Value.Origin == model.PolicyOriginGPO {
		origin = "domain (Group Policy)"
	}
	fd := out.Report(h, "PolicyAgent Start", valueLocation(h, KeyPolicyAgent, "Start", h.SystemFile()),
		"%s: the IPSec service PolicyAgent is %s (Start = %d), so the %s IPSec policy %q that is assigned is never applied and the traffic it should protect flows in clear",
		h.Name, model.StartName(start), start, origin, pf.Value.Name)
	if !pf.Source.IsZero() {
		fd.Related = []model.Location{pf.Source}
	}
}

// policyAgentStart returns the PolicyAgent service's start type, or -1
// and why it is unknown.
func policyAgentStart(h *model.Host) (int, string) {
	switch st := h.Service("PolicyAgent"); {
	case st != nil && st.Start >= 0:
		return st.Start, ""
	case st != nil:
		if v := h.Registry.Value(KeyPolicyAgent, "Start"); v != nil {
			return -1, fmt.Sprintf("Services\\PolicyAgent\\Start is %s, not a REG_DWORD", v.Display())
		}
		return -1, "Services\\PolicyAgent has no Start value in the export"
	case !h.HasSystem:
		return -1, "no SYSTEM hive or export, which holds Services\\PolicyAgent"
	case !h.Covers(KeyPolicyAgent):
		return -1, "the SYSTEM export does not include Services\\PolicyAgent: export HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent"
	}
	return -1, "Services\\PolicyAgent is not in a SYSTEM export that covers Services, which Windows always has: the export looks cut short"
}
