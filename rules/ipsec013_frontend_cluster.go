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
		Judges:   []model.Role{model.RoleFrontEnd},
		Check:    checkFrontendOnCluster,
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
