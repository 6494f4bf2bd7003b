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
	reportUnprotected(frontEndFlows(p, out), []uint16{80}, out, "HTTP carries the message stream of Outlook Web Access")
}
