package rules

import "github.com/ipseclint/ipseclint/internal/model"

func init() {
	register(&Rule{
		ID:       "IPSEC002",
		Name:     "pop3-imap4-unencrypted",
		Severity: SeverityError,
		Judges:   []model.Role{model.RoleFrontEnd},
		Check:    checkPOP3IMAP4,
	})
}

func checkPOP3IMAP4(p *Pass, out *Reporter) {
	flows := frontEndFlows(p, out, 110, 143)
	reportUnprotected(flows, out, "POP3 and IMAP4 carry user passwords with basic authentication")
}
