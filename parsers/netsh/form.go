package netsh

import (
	"regexp"
	"strings"
)

var (
	// netshCommandLine is a netsh IPSec command, alone or in a batch line
	// or a log ("Entry added: netsh ...").
	netshCommandLine = regexp.MustCompile(`(?i)^\s*(?:[^=:"]{1,60}:\s*)?(?:@?(?:\S*[\\/])?netsh(?:\.exe)?\s+(?:-[a-z]\s+\S+\s+)*(?:ipsec\b|-f\s)|pushd\s+ipsec\b|ipsec\s+(?:static|dynamic)\b|(?:add|set|delete)\s+(?:policy|filterlist|filteraction|filter|rule|defaultrule|store)(?:\s|$))`)
	// ipsecpolLine is a Windows 2000 ipsecpol / XP ipseccmd command.
	ipsecpolLine = regexp.MustCompile(`(?i)^\s*@?(?:\S*[\\/])?ipsec(?:pol|cmd)(?:\.exe)?(?:\s|$)`)
)

// sniffLines is how many non-blank lines sniffForm looks at.
const sniffLines = 400

// sniffForm tells which form of IPSec text the lines hold, from their
// first sniffLines non-blank, non-comment lines.
func sniffForm(lines []string) string {
	var netsh, ipsecpol, labels, names, netdiag, errs int
	seen := 0
	for _, raw := range lines {
		t := strings.TrimSpace(raw)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if seen++; seen > sniffLines {
			break
		}
		switch {
		case netshCommandLine.MatchString(t):
			netsh++
		case ipsecpolLine.MatchString(t):
			ipsecpol++
		case netdiagTest.MatchString(t) || netdiagActive.MatchString(t):
			netdiag++
		case errLine.MatchString(t):
			errs++
		}
		for _, c := range tableColumns(strings.TrimRight(raw, " \t")) {
			labels++
			if c.field == fPolicyName || c.field == fFilterListName || c.field == fFilterActionName || c.field == fRuleName {
				names++
			}
		}
		if m := labelLine.FindStringSubmatch(t); m != nil {
			if lm, ok := vocab.labels[normLabel(m[1])]; ok {
				labels++
				switch lm.field {
				case fPolicyName, fFilterListName, fFilterActionName, fRuleName:
					names++
				}
			}
		}
	}
	switch {
	case names > 0 && labels > netsh:
		return formShowAll
	case netsh > 0:
		return formScript
	case ipsecpol > 0:
		return formIPSecPol
	case netdiag > 0:
		return formNetdiag
	case errs > 0:
		return formScript
	}
	return ""
}

// Form tells which IPSec text a decoded file holds: "script" (netsh
// commands), "show-all" (a listing), "ipsecpol" (Windows 2000 ipsecpol or
// XP ipseccmd commands), "netdiag" (netdiag /test:ipsec output), or ""
// when none. It looks at the first few hundred lines only, so a file's
// head is enough. Content sniffing uses it so that a file is called a
// netsh file exactly when Parse reads it.
func Form(text string) string {
	return sniffForm(physicalLines(strings.ReplaceAll(text, "\x00", "")))
}

// FormDetail describes a form for a report.
func FormDetail(form string) string {
	switch form {
	case formScript:
		return "netsh ipsec script"
	case formShowAll:
		return "netsh ipsec static show all listing"
	case formIPSecPol:
		return "ipsecpol/ipseccmd command script (Windows 2000/XP)"
	case formNetdiag:
		return "netdiag /test:ipsec output"
	}
	return ""
}
