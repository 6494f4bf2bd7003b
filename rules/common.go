package rules

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/model"
)

// KB articles the rules cite.
var (
	kb821839 = Reference{Title: "KB 821839: How to configure IPSec to secure communication between Exchange Server 2003 front-end and back-end servers on Windows Server 2003 clusters"}
	kb306677 = Reference{Title: "KB 306677: IPSec is not designed for failover (Windows 2000 server clusters)"}
	kb248346 = Reference{Title: "KB 248346: L2TP and IPSec sessions are dropped by Network Load Balancing (Windows 2000)"}
	kb837852 = Reference{Title: "KB 837852: Exchange Server 2003 front-end servers on a server cluster are not supported"}
	kb811832 = Reference{Title: "KB 811832: IPSec default exemptions can be used to bypass IPSec protection"}
)

// skipUnknownRoles reports, for a rule that needs roles, every Exchange
// server whose role could not be told.
func skipUnknownRoles(f *model.Fleet, out *Reporter) {
	for _, h := range f.Hosts {
		if h.Role.Role == model.RoleUnknown && h.Facts.Exchange.Known && h.Facts.IsExchange() {
			out.Skip(h, "role not known (%s)", strings.TrimPrefix(h.Role.Why, "unknown: "))
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
	if file != nil {
		loc := model.Location{File: file.Path}
		if file.Kind == model.KindHive {
			loc.Key = key
		}
		return loc
	}
	return model.Location{}
}

// describeValue says what the exports hold for a value, for messages.
func describeValue(v *model.Value) string {
	if v == nil {
		return "absent"
	}
	return v.Display()
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
	}
	return fmt.Sprintf("port %d", port)
}
