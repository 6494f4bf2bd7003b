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

// locText renders a location inside a message.
func locText(l model.Location) string {
	if l.IsZero() {
		return "an unknown place"
	}
	return l.String()
}
