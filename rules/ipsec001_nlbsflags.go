package rules

import (
	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// KeyOakley is where the IKE (Oakley) settings of the IPSec service live.
const KeyOakley = model.KeyOakley

func init() {
	register(&Rule{
		ID:       "IPSEC001",
		Name:     "nlbsflags-missing",
		Severity: SeverityWarning,
		Judges:   []model.Role{model.RoleFrontEnd},
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
			return
		}
		// No back-end is known to be clustered: the rule applies only if
		// one is, so a back-end whose membership is unknown leaves it open.
		for _, be := range f.WithRole(model.RoleBackEnd) {
			unknown := ""
			switch {
			case !be.Facts.ClusterNode.Known:
				unknown = be.Facts.ClusterNode.Via
			case !be.Facts.NLB.Known:
				unknown = be.Facts.NLB.Via
			}
			if unknown != "" {
				for _, h := range frontends {
					out.Skip(h, "whether back-end %s is clustered is unknown (%s), and the rule applies only to the front-ends of a clustered back-end", be.Name, unknown)
				}
				return
			}
		}
		return
	}
	idle := idleFrontEnds(p.Flows.Failovers())
	beSet := backEndsSettingNLBSFlags(f)
	for _, h := range frontends {
		checkFrontEndNLBSFlags(h, why, idle[h], beSet, out)
	}
}

// backEndsSettingNLBSFlags names the clustered back-ends (server-cluster
// nodes, NLB members), in fleet order, when every one of them sets its own
// Oakley\NLBSFlags to 1; nil when one does not (its failovers take the
// KB's 6 minutes whatever the others do) or none is known clustered.
func backEndsSettingNLBSFlags(f *model.Fleet) []string {
	var names []string
	for _, h := range f.WithRole(model.RoleBackEnd) {
		if !h.Facts.Clustered() {
			continue
		}
		if nf := h.Facts.NLBSFlags; !nf.Known || !nf.Value.Set {
			return nil
		}
		names = append(names, h.Name)
	}
	return names
}

// backEndSideDoubt says why a Windows Server 2003 front-end without
// NLBSFlags may recover faster than KB 821839's 6 minutes: the back-ends
// beSet set it themselves, and which side's value matters is not
// settled (DOMAIN.md §1); "" when none does.
func backEndSideDoubt(beSet []string) string {
	if len(beSet) == 0 {
		return ""
	}
	return flows.BackEndSetsNLBSFlags(joinAnd(beSet))
}

// idleFrontEnds maps each front-end whose every failover estimate is
// "not applicable" (no IPSec negotiated to a clustered back-end) to what
// the first one rests on.
func idleFrontEnds(fos []flows.Failover) map[*model.Host]string {
	idle := map[*model.Host]string{}
	busy := map[*model.Host]bool{}
	for _, fo := range fos {
		switch {
		case fo.Estimate != flows.FailoverNotApplicable:
			busy[fo.FrontEnd] = true
		case idle[fo.FrontEnd] == "":
			idle[fo.FrontEnd] = fo.Why
		}
	}
	for h := range busy {
		delete(idle, h)
	}
	return idle
}

// recovery says, from "so" or "and", how long IPSec takes to recover after a back-end
// failover: slow ("about 6 minutes to recover instead of about 2"), as
// the failover estimate has it: when no IPSec is negotiated to the
// back-end (idle says why), it would take that once IPSec is.
func recovery(slow, idle string) string {
	if idle == "" {
		return "so after a back-end failover IPSec takes " + slow
	}
	return "and no IPSec is negotiated to the back-end yet (failover estimate not applicable: " + idle + "): once it is, after a back-end failover IPSec will take " + slow
}

func checkFrontEndNLBSFlags(h *model.Host, clusterWhy, idle string, beSet []string, out *Reporter) {
	if os := h.Facts.OS; os.Known && os.Value.Family == model.OSWin2000 {
		out.Report(h, "NLBSFlags", h.Facts.OS.Source,
			"front-end %s runs Windows 2000: its IPSec idle time cannot be set below 5 minutes and it has no NLBSFlags, %s (KB 821839, KB 306677); the back-end is clustered (%s); the fix is Windows Server 2003 with Oakley\\NLBSFlags = 1 (about 2 minutes)",
			h.Name, recovery("about 6 minutes to recover", idle), clusterWhy)
		return
	}
	if os := h.Facts.OS; os.Known && os.Value.Family != model.OSWin2003 {
		return // NLBSFlags is a Windows Server 2003 setting
	}
	nf := h.Facts.NLBSFlags
	switch {
	case !nf.Known:
		out.Skip(h, "%s", nf.Via)
		return
	case nf.Value.Set && !h.Facts.OS.Known:
		// Set is right on Windows Server 2003, but a Windows 2000
		// front-end fails whatever the value (KB 821839, KB 306677).
		out.Skip(h, "Oakley\\NLBSFlags is 1, which is right on Windows Server 2003, but the Windows version is unknown (%s; export SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion): a Windows 2000 front-end takes about 6 minutes to recover whatever the value", osWhy(h))
		return
	case nf.Value.Set:
		return
	}
	expected := "expected REG_DWORD 1"
	if nf.Value.Elsewhere != nil {
		expected = "expected REG_DWORD 1 in the current control set"
	}
	fd := out.Report(h, "NLBSFlags", nf.Source,
		"front-end %s: Oakley\\NLBSFlags %s (%s); the back-end is clustered (%s), %s",
		h.Name, nf.Value.Found, expected, clusterWhy, recovery("about 6 minutes to recover instead of about 2", idle))
	fd.MarkUncertain(backEndSideDoubt(beSet))
}

// osWhy says why h's Windows version is unknown.
func osWhy(h *model.Host) string {
	if h.Facts.OS.Via != "" {
		return h.Facts.OS.Via
	}
	return "no Windows version in the exports"
}
