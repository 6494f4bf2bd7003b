package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// KB articles the rules cite.
var (
	kb821839 = Reference{Title: "KB 821839: How to configure IPSec to secure communication between Exchange Server 2003 front-end and back-end servers on Windows Server 2003 clusters"}
	kb306677 = Reference{Title: "KB 306677: IPSec is not designed for failover (Windows 2000 server clusters)"}
	kb248346 = Reference{Title: "KB 248346: L2TP and IPSec sessions are dropped by Network Load Balancing (Windows 2000)"}
	kb837852 = Reference{Title: "KB 837852: Exchange Server 2003 front-end servers on a server cluster are not supported"}
	kb811832 = Reference{Title: "KB 811832: IPSec default exemptions can be used to bypass IPSec protection"}

	refDefaultExemptions = Reference{Title: "Microsoft: Default exemptions to IPSec filtering (Windows Server 2003, Windows 2000, Windows XP)"}
	refNetshIPSec        = Reference{Title: "Microsoft: Netsh commands for Internet Protocol Security (IPSec), Windows Server 2003"}
	refExchangeFEBE      = Reference{Title: "Microsoft Exchange Server 2003 documentation: Securing Communication: Front-End to Other Servers"}
	refFilterOrdering    = Reference{Title: "The Cable Guy: IPsec Filter Ordering (Microsoft TechNet, February 2005)"}
)

// skipUnknownRoles reports, for a rule that needs roles, every Exchange
// server whose role could not be told.
func skipUnknownRoles(f *model.Fleet, out *Reporter) {
	for _, h := range f.Hosts {
		if h.Role.Role == model.RoleUnknown && h.Facts.Exchange.Known && h.Facts.IsExchange() {
			out.Skip(h, "role not known (%s)", h.Role.Why)
		}
	}
}

// valueLocation points a finding about value name of key at the value if
// the exports hold it, else at the key, else at file (a host's SYSTEM or
// SOFTWARE source).
func valueLocation(h *model.Host, key, name string, file *model.InputFile) model.Location {
	if v := h.Registry.Value(key, name); v != nil {
		return v.Loc
	}
	if k := h.Registry.Key(key); k != nil {
		loc := k.Loc
		loc.Value = ""
		return loc
	}
	return file.Location(key)
}

// portName names the Exchange port numbers.
func portName(port uint16) string {
	switch port {
	case 80:
		return "HTTP"
	case 110:
		return "POP3"
	case 143:
		return "IMAP4"
	case 25:
		return "SMTP"
	case 389:
		return "LDAP"
	case 3268:
		return "global catalog LDAP"
	case 88:
		return "Kerberos"
	case 135:
		return "RPC"
	case 691:
		return "Exchange link state"
	}
	return fmt.Sprintf("port %d", port)
}

// scratch returns an empty reporter of the same rule, for helpers whose
// "not evaluated" verdicts the rule passes on only where they matter
// (see skipsOf).
func (r *Reporter) scratch() *Reporter { return &Reporter{rule: r.rule} }

// skipsOf returns the reasons a scratch reporter gave for not evaluating
// host h.
func (r *Reporter) skipsOf(h *model.Host) []string {
	var why []string
	for _, n := range r.NotEvaluated {
		if n.Host == h.Name {
			why = append(why, n.Reason)
		}
	}
	return why
}

// isExchangeRole reports whether h is a front-end or back-end.
func isExchangeRole(h *model.Host) bool {
	return h.Role.Role == model.RoleFrontEnd || h.Role.Role == model.RoleBackEnd
}

// Built-in policies: every Windows 2000/XP/2003 local store holds them,
// unassigned, whatever the administrator did.
var builtinPolicyGUIDs = []string{
	"{72385230-70fa-11d1-864c-14a300000000}", // Client (Respond Only)
	"{72385236-70fa-11d1-864c-14a300000000}", // Server (Request Security)
	"{7238523c-70fa-11d1-864c-14a300000000}", // Secure Server (Require Security)
}

var builtinPolicyNames = []string{"Client (Respond Only)", "Server (Request Security)", "Secure Server (Require Security)"}

// isBuiltinPolicy reports whether a policy of that GUID or name is one of
// the three built-in ones. Names are the English ones: localized names
// are recognized only by GUID.
func isBuiltinPolicy(guid, name string) bool {
	g := strings.TrimSpace(guid)
	if g != "" && !strings.HasPrefix(g, "{") {
		g = "{" + g + "}"
	}
	for _, b := range builtinPolicyGUIDs {
		if strings.EqualFold(g, b) {
			return true
		}
	}
	for _, b := range builtinPolicyNames {
		if strings.EqualFold(strings.TrimSpace(name), b) {
			return true
		}
	}
	return false
}

// appendLoc adds l to locs unless it is zero or already there.
func appendLoc(locs []model.Location, l model.Location) []model.Location {
	if l.IsZero() || slices.Contains(locs, l) {
		return locs
	}
	return append(locs, l)
}

// roleEvidence says how a host's role was established, for messages:
// "declared in ipseclint.yaml", "inferred: ...".
func roleEvidence(h *model.Host) string {
	if h.Role.Basis == model.RoleInferred {
		return "inferred: " + h.Role.Why
	}
	return h.Role.Why
}
