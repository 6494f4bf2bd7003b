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
		Reads:    []string{KeyPolicyAgent},
		Keeps:    []model.KeepSpec{{Key: KeyPolicyAgent, Shallow: true, Values: []string{"Start"}}},
		Check:    checkPolicyAgentDisabled,
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
	loc := valueLocation(h, KeyPolicyAgent, "Start", h.SystemFile())
	var fd *Finding
	if start == 4 {
		fd = out.Report(h, "PolicyAgent Start", loc,
			"%s: the IPSec service PolicyAgent is disabled (Start = 4), so the %s IPSec policy %q that is assigned is never applied and the traffic it should protect flows in clear",
			h.Name, origin, pf.Value.Name)
	} else {
		fd = out.Report(h, "PolicyAgent Start", loc,
			"%s: the IPSec service PolicyAgent starts manually (Start = 3): unless something starts it, the %s IPSec policy %q that is assigned is not applied and the traffic it should protect flows in clear",
			h.Name, origin, pf.Value.Name)
		fd.MarkUncertain("nothing ipseclint knows of starts a manual PolicyAgent at boot, but another service or a logon script may")
	}
	if !pf.Source.IsZero() {
		fd.Related = []model.Location{pf.Source}
	}
}

// policyAgentStart returns the PolicyAgent service's start type, or -1
// and why it is unknown.
func policyAgentStart(h *model.Host) (int, string) {
	switch st := h.Service("PolicyAgent"); {
	case st != nil && st.Disputed != "":
		return -1, st.Disputed + ": which one the host uses is not known"
	case st != nil && st.Start > 4:
		return -1, fmt.Sprintf("Services\\PolicyAgent\\Start is %d, not a documented start type (0 to 4)", st.Start)
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
