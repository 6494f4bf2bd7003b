package rules

import "github.com/ipseclint/ipseclint/internal/model"

func init() {
	register(&Rule{
		ID:       "IPSEC004",
		Name:     "http-unencrypted",
		Severity: SeverityWarning,
		Judges:   []model.Role{model.RoleFrontEnd},
		Check:    checkHTTP,
	})
}

func checkHTTP(p *Pass, out *Reporter) {
	flows := frontEndFlows(p, out, 80)
	reportUnprotected(flows, out, "HTTP carries the message stream of Outlook Web Access")
}
