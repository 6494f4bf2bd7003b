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
		Summary:  "Two exports of one host disagree on a fact the rules read; the audit says which one it used and why.",
		Description: "An auditor's folder for one server often holds several exports made at different times or by different tools: " +
			"a `reg save` of SOFTWARE and a `netsh ipsec static dump`, a live `.reg` export and a hive copied later. When they " +
			"disagree, a verdict drawn from one of them silently would be a guess. The rule reports, as a note, every disagreement " +
			"ipseclint found on a host and what it did about it: the registry's `Policy\\Local\\ActivePolicy` (or Group Policy's " +
			"`GPTIPSECPolicy`) naming one policy while a netsh export of the local store assigns another, or none; a netsh export " +
			"showing the registry's assigned policy as unassigned; the registry's decoded policy objects and a netsh export of " +
			"the same policy differing object by object; two registry sources holding different data for one value. The registry " +
			"is authoritative for what is assigned and for the policy the IPSec Policy Agent applies (it reads the registry), so " +
			"it wins over netsh text; between two registry sources, the later file (in name order) wins and the other is named. " +
			"Without registry evidence, netsh exports that assign different policies make the checks that need the policy not " +
			"evaluated instead (their reason says so). `ipseclint dump` shows the same disagreements under each host's facts.",
		Remediation: "Collect the host's exports again at one time, with the same tools (`reg save HKLM\\SOFTWARE`, `reg save " +
			"HKLM\\SYSTEM`, `netsh ipsec static dump`), and remove stale copies from its folder; or accept the source the note " +
			"names as the one in force. A netsh export that assigns a policy the registry does not is usually a script that was " +
			"written but never run, or a dump of another store.",
		References: []Reference{refAssignLocally, refPolicyPrecedence, refNetshIPSec},
		Check:      checkConflictingEvidence,
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
