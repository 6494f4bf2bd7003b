package rules

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// KeyOakley is where the IKE (Oakley) settings of the IPSec service live.
const KeyOakley = `SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`

func init() {
	register(&Rule{
		ID:       "IPSEC001",
		Name:     "nlbsflags-missing",
		Severity: SeverityWarning,
		Reads:    []string{KeyOakley},
		Check:    checkNLBSFlags,
	})
}

func checkNLBSFlags(p *Pass, out *Reporter) {
	f := p.Fleet
	skipUnknownRoles(f, out)
	frontends := f.WithRole(model.RoleFrontEnd)
	if len(frontends) == 0 {
		return
	}
	clustered, why := f.BackendClustered()
	if !clustered {
		if len(f.WithRole(model.RoleBackEnd)) == 0 {
			for _, h := range frontends {
				out.Skip(h, "no back-end is among the exports and none is declared, so whether the back-end is clustered is unknown (declare backends.virtual_addresses in ipseclint.yaml)")
			}
		}
		return
	}
	for _, h := range frontends {
		checkFrontEndNLBSFlags(h, why, out)
	}
}

func checkFrontEndNLBSFlags(h *model.Host, clusterWhy string, out *Reporter) {
	if os := h.Facts.OS; os.Known && os.Value.Family == model.OSWin2000 {
		out.Report(h, "NLBSFlags", h.Facts.OS.Source,
			"front-end %s runs Windows 2000: its IPSec idle time cannot be set below 5 minutes and it has no NLBSFlags, so after a back-end failover IPSec takes about 6 minutes to recover (KB 821839, KB 306677); the back-end is clustered (%s); the fix is Windows Server 2003 with Oakley\\NLBSFlags = 1 (about 2 minutes)",
			h.Name, clusterWhy)
		return
	}
	if os := h.Facts.OS; os.Known && os.Value.Family != model.OSWin2003 {
		return // NLBSFlags is a Windows Server 2003 setting
	}
	if !h.HasSystem {
		out.Skip(h, "no SYSTEM hive or export among the host's files, which holds Services\\PolicyAgent\\Oakley")
		return
	}
	if !h.Covers(KeyOakley) {
		out.Skip(h, "the SYSTEM export does not include Services\\PolicyAgent: export HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent")
		return
	}
	v := h.Registry.Value(KeyOakley, "NLBSFlags")
	if n, ok := v.AsDWORD(); ok && v.Type == model.RegDWORD && n == 1 {
		return
	}
	found := "is absent"
	switch n, ok := v.AsDWORD(); {
	case v == nil:
		if elsewhere := inOtherControlSets(h, "NLBSFlags"); elsewhere != nil {
			found = fmt.Sprintf("is absent from the current control set (%s); it is set (%s) only in %s, which Windows does not use", currentSetName(h), elsewhere.Display(), controlSetOf(elsewhere.Loc.Key))
			out.Report(h, "NLBSFlags", elsewhere.Loc,
				"front-end %s: Oakley\\NLBSFlags %s (expected REG_DWORD 1 in the current control set); the back-end is clustered (%s), so after a back-end failover IPSec takes about 6 minutes to recover instead of about 2",
				h.Name, found, clusterWhy)
			return
		}
	case ok && v.Type == model.RegDWORD && n != 0:
		found = fmt.Sprintf("is %s, an undocumented value", v.Display())
	case ok && v.Type == model.RegDWORD:
		found = "is " + v.Display()
	default:
		found = fmt.Sprintf("is %s, not a REG_DWORD", v.Display())
	}
	out.Report(h, "NLBSFlags", valueLocation(h, KeyOakley, "NLBSFlags", h.SystemFile()),
		"front-end %s: Oakley\\NLBSFlags %s (expected REG_DWORD 1); the back-end is clustered (%s), so after a back-end failover IPSec takes about 6 minutes to recover instead of about 2",
		h.Name, found, clusterWhy)
}

// inOtherControlSets returns the value name of the Oakley key in a
// control set other than the current one (ControlSet00N), or nil.
func inOtherControlSets(h *model.Host, name string) *model.Value {
	r := h.Registry
	for _, set := range r.Tree.Subkeys("SYSTEM") {
		n, ok := model.ControlSetNumber(set)
		if !ok || n == r.CurrentSet {
			continue
		}
		if v := r.Tree.Key(`SYSTEM\` + set + `\Services\PolicyAgent\Oakley`).Value(name); v != nil {
			return v
		}
	}
	return nil
}

// currentSetName names the current control set for messages.
func currentSetName(h *model.Host) string {
	if n := h.Registry.CurrentSet; n > 0 {
		return model.ControlSetName(n) + ", as SYSTEM\\Select\\Current says"
	}
	return "CurrentControlSet"
}

// controlSetOf returns the control set a key path lies in ("ControlSet002").
func controlSetOf(key string) string {
	parts := strings.SplitN(key, `\`, 3)
	if len(parts) >= 2 {
		return parts[1]
	}
	return key
}
