package rules

import (
	"fmt"

	"github.com/ipseclint/ipseclint/internal/model"
)

func init() {
	register(&Rule{
		ID:       "IPSEC015",
		Name:     "conflicting-evidence",
		Severity: SeverityNote,
		Check:    checkConflictingEvidence,
	})
}

func checkConflictingEvidence(p *Pass, out *Reporter) {
	for _, h := range p.Fleet.Hosts {
		for _, c := range h.Facts.Policy.Value.Conflicts {
			fd := out.Report(h, "conflict: "+c.What, c.UsedLoc,
				"%s: the sources disagree on the %s: %s at %s, but %s at %s; the audit used the first (%s)",
				h.Name, c.What, c.Used, locText(c.UsedLoc), c.Other, locText(c.OtherLoc), c.Why)
			fd.Related = appendLoc(nil, c.OtherLoc)
		}
		if file, ok := netshOnWindows2000(h); ok {
			os := h.Facts.OS
			fd := out.Report(h, "conflict: Windows version", os.Source,
				"%s: the registry says Windows 2000 (%s), but %s is a netsh ipsec export, which Windows 2000 cannot write (it has no netsh ipsec context): the files may come from different servers; the audit used the registry's version",
				h.Name, os.Via, file)
			fd.Related = []model.Location{{File: file}}
		}
		for _, c := range h.Registry.Conflicts {
			name := c.Kept.Name
			if name == "" {
				name = "(Default)"
			}
			fd := out.Report(h, fmt.Sprintf("conflict: %s\\%s", c.Key, name), c.Kept.Loc,
				"%s: two registry sources disagree on %s\\%s: %s at %s, but %s at %s; the audit used the first (the later file in name order)",
				h.Name, c.Key, name, c.Kept.Display(), locText(c.Kept.Loc), c.Lost.Display(), locText(c.Lost.Loc))
			fd.Related = appendLoc(nil, c.Lost.Loc)
		}
	}
}

// netshOnWindows2000 returns the first netsh ipsec export (dump or show
// all; not ipsecpol, the Resource Kit tool of Windows 2000) of a host
// whose registry says it runs Windows 2000 (DOMAIN.md §2: a netsh ipsec
// dump implies Windows Server 2003).
func netshOnWindows2000(h *model.Host) (string, bool) {
	if os := h.Facts.OS; !os.Known || os.Value.Family != model.OSWin2000 || os.Value.Version == "" {
		return "", false
	}
	for _, s := range h.IPSec {
		if s.Source == model.SourceNetsh && (s.Form == model.FormScript || s.Form == model.FormShowAll) && !s.NoData {
			return s.File, true
		}
	}
	return "", false
}

// locText renders a location inside a message.
func locText(l model.Location) string {
	if l.IsZero() {
		return "an unknown place"
	}
	return l.String()
}
