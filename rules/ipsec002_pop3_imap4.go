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
	reportUnprotected(frontEndFlows(p, out), []uint16{110, 143}, out, "POP3 and IMAP4 carry user passwords with basic authentication")
}
