package rules

import (
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC013",
		Name:     "frontend-on-server-cluster",
		Severity: SeverityError,
		Summary:  "An Exchange 2003 front-end is a server-cluster (MSCS) node, which Microsoft does not support: front-ends are load-balanced with NLB.",
		Description: "Exchange Server 2003 does not support front-end servers on a server cluster (KB 837852): a front-end holds no " +
			"mailbox data to fail over, and front-ends are made highly available with Network Load Balancing instead. KB 821839's " +
			"IPSec design assumes it: the clustered side is the back-end, whose virtual address the front-ends' filters name, and " +
			"NLBSFlags is set on the front-ends. The rule fires on every front-end that is a server-cluster node: " +
			"`SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Cluster Server\\ClusterInstallationState` is 1 to 3, or else " +
			"`Services\\ClusSvc\\Start` is not 4 (disabled, MS-CMRP), or else a cluster hive is among the host's files (Windows " +
			"Server 2003 installs ClusSvc by default, so the key alone proves nothing). Since ipseclint infers that an Exchange " +
			"server on a cluster node is a back-end, only a front-end role declared in ipseclint.yaml can fire this rule: the " +
			"declaration is taken at its word, and the finding names it, in case the declaration is what is wrong. A front-end whose " +
			"cluster membership the exports do not tell (no SYSTEM export) is reported as not evaluated.",
		Remediation: "Make the front-end a stand-alone server: move any cluster groups it owns to other nodes, evict it from the " +
			"server cluster and disable the Cluster service (on Windows Server 2003):\n\n```bat\n" +
			"cluster node EXFE01 /evict\n" +
			"sc config ClusSvc start= disabled\n```\n\n" +
			"Then load-balance the front-ends with Network Load Balancing (Network Load Balancing Manager, nlbmgr.exe), and set " +
			"Oakley\\NLBSFlags as IPSEC001 describes. If the host is in fact a back-end, correct its role in ipseclint.yaml instead.",
		References: []Reference{kb837852, kb821839},
		Check:      checkFrontendOnCluster,
	})
}

func checkFrontendOnCluster(p *Pass, out *Reporter) {
	f := p.Fleet
	skipUnknownRoles(f, out)
	for _, h := range f.WithRole(model.RoleFrontEnd) {
		node := h.Facts.ClusterNode
		switch {
		case !node.Known:
			out.Skip(h, "whether it is a server-cluster node is unknown: %s", node.Via)
			continue
		case !node.Value:
			continue
		}
		loc := node.Source
		if loc.IsZero() {
			loc = clusterFileLocation(h)
		}
		out.Report(h, "server-cluster node", loc,
			"front-end %s (%s) is a server-cluster (MSCS) node (%s): Exchange 2003 front-ends on a server cluster are not supported (KB 837852); front-ends are load-balanced with NLB",
			h.Name, roleEvidence(h), node.Via)
	}
}

// clusterFileLocation points at the host's cluster hive or export, else
// its SYSTEM source.
func clusterFileLocation(h *model.Host) model.Location {
	for _, fl := range h.Files {
		if fl.Kind != model.KindHive && fl.Kind != model.KindRegExport {
			continue
		}
		for _, m := range fl.Hives {
			if strings.EqualFold(m, "Cluster") {
				return fl.Location("")
			}
		}
	}
	if sf := h.SystemFile(); sf != nil {
		return sf.Location("")
	}
	return model.Location{}
}
