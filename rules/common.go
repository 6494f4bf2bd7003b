package rules

import (
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// skipUnknownRoles reports, for a rule that needs roles, every host that
// is or may be an Exchange server whose role could not be told
// (roleUnknown).
func skipUnknownRoles(f *model.Fleet, out *Reporter) {
	for _, h := range f.Hosts {
		if roleUnknown(h) {
			out.Skip(h, "role not known (%s)", h.Role.Why)
		}
	}
}

// roleUnknown reports whether h is, or may be, an Exchange server whose
// role could not be told: an Exchange server's, or a host whose exports
// do not say whether it runs Exchange (it may be a back-end the
// front-ends' traffic goes to).
func roleUnknown(h *model.Host) bool {
	return h.Role.Role == model.RoleUnknown && (!h.Facts.Exchange.Known || h.Facts.IsExchange())
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

// builtinPolicyKeys names the built-in policies' keys in the local store
// ("ipsecPolicy{GUID}").
func builtinPolicyKeys() []string {
	keys := make([]string, len(builtinPolicyGUIDs))
	for i, g := range builtinPolicyGUIDs {
		keys[i] = "ipsecPolicy" + g
	}
	return keys
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
