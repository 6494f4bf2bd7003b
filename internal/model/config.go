package model

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FleetConfig is ipseclint.yaml: what the auditor declares about the fleet
// where the exports cannot tell (roles live in Active Directory, not in
// the registry), and the tool's settings (rules, exit threshold, output
// formats, accepted risks). docs/configuration.md describes every key.
//
// Every value carries the Location it was read from, so that `ipseclint
// config` can say where each value came from. Rule references are kept as
// written: the parser does not know the rules; CheckRules resolves them.
type FleetConfig struct {
	// File is where the configuration was read from.
	File  string                 `json:"file,omitempty"`
	Hosts map[string]*HostConfig `json:"hosts,omitempty"` // keyed by upper-case host name
	// BackendVirtualAddresses are the cluster/NLB addresses of the back-end
	// (backends.virtual_addresses).
	BackendVirtualAddresses []netip.Addr `json:"backendVirtualAddresses,omitempty"`
	BackendVirtualLoc       Location     `json:"backendVirtualLocation,omitzero"`
	// CodePage is the default code page for 8-bit text in this fleet.
	CodePage    string   `json:"codepage,omitempty"`
	CodePageLoc Location `json:"-"`

	// Rules is rules.disable and rules.severity.
	Rules RuleSettings `json:"rules,omitzero"`
	// FailOn is fail-on: "error", "warning", "note" or "none" (lower case).
	FailOn Setting[string] `json:"failOn,omitzero"`
	// FailOnNotEvaluated is fail-on-not-evaluated.
	FailOnNotEvaluated Setting[bool] `json:"failOnNotEvaluated,omitzero"`
	// Formats is output.formats: the outputs of a run without --format.
	Formats Setting[[]OutputFormat] `json:"formats,omitzero"`
	// Accepted is the accepted: list, in file order. Entries with a
	// mistake (no reason, a bad date) are not in it.
	Accepted []AcceptedRisk `json:"accepted,omitempty"`
}

// Setting is one value of the configuration file and where it was
// written. Set is false when the file does not give the key (the caller's
// default applies).
type Setting[T any] struct {
	Value T        `json:"value"`
	Set   bool     `json:"set"`
	Loc   Location `json:"location,omitzero"`
}

// HostConfig is one host's entry in ipseclint.yaml. Everything in it is a
// declaration: it overrides what would be inferred from the exports.
type HostConfig struct {
	Name string `json:"name"`
	Role Role   `json:"role,omitempty"`
	// Addresses adds to the addresses found in the host's registry.
	Addresses []netip.Addr `json:"addresses,omitempty"`
	// CodePage is the code page of the host's 8-bit text files.
	CodePage string `json:"codepage,omitempty"`
	// Loc is where the entry's value starts (for an alias, the alias).
	Loc Location `json:"location,omitzero"`
	// RoleLoc, AddressesLoc and CodePageLoc are where those values were
	// written (for a value reached through an alias, its anchor).
	RoleLoc      Location `json:"-"`
	AddressesLoc Location `json:"-"`
	CodePageLoc  Location `json:"-"`
	// ClusterNode is cluster_node: whether the host is a server-cluster
	// (MSCS) node.
	ClusterNode Setting[bool] `json:"clusterNode,omitzero"`
	// NLB is nlb: the host is a Network Load Balancing member with these
	// addresses; nil when not declared.
	NLB *NLBDeclaration `json:"nlb,omitempty"`
}

// NLBDeclaration is a host's nlb: entry.
type NLBDeclaration struct {
	// ClusterAddresses are the NLB cluster (virtual) addresses.
	ClusterAddresses []netip.Addr `json:"clusterAddresses,omitempty"`
	// DedicatedAddress is the host's own address in the NLB cluster, the
	// one its outbound connections use; invalid when not declared.
	DedicatedAddress netip.Addr `json:"dedicatedAddress,omitzero"`
	Loc              Location   `json:"location"`
}

// RuleSettings is the rules: section.
type RuleSettings struct {
	// Disable is rules.disable: rules not to run.
	Disable []RuleRef `json:"disable,omitempty"`
	// Severity is rules.severity, in file order.
	Severity []SeverityOverride `json:"severity,omitempty"`
}

// RuleRef is a rule named in the configuration, by ID or name.
type RuleRef struct {
	// Ref is the reference as written ("IPSEC004", "http-unencrypted").
	Ref string `json:"ref"`
	// ID is the rule's ID once CheckRules has resolved Ref; "" while
	// unresolved or when no rule has that ID or name.
	ID  string   `json:"id,omitempty"`
	Loc Location `json:"location"`
}

// SeverityOverride is one rules.severity entry.
type SeverityOverride struct {
	Rule RuleRef `json:"rule"`
	// Severity is "error", "warning" or "note" (lower case).
	Severity string   `json:"severity"`
	Loc      Location `json:"location"` // of the severity value
}

// OutputFormat is one output.formats entry, "FORMAT" or "FORMAT=FILE".
type OutputFormat struct {
	// Name is the format's name in lower case, not checked against the
	// known formats (CheckFormats does that).
	Name string `json:"name"`
	// File is the file to write ("" = standard output), as written.
	File string   `json:"file,omitempty"`
	Loc  Location `json:"location"`
}

// String renders the entry as the --format flag takes it.
func (o OutputFormat) String() string {
	if o.File == "" {
		return o.Name
	}
	return o.Name + "=" + o.File
}

// AcceptedRisk is one accepted: entry. Its identity is rule + host +
// subject; the file and line it was read from are only for reporting.
type AcceptedRisk struct {
	Rule RuleRef `json:"rule"`
	// Host is a ComputerName or folder name as written, or "*" for every
	// host.
	Host string `json:"host"`
	// Subject is the finding's subject as JSON shows it; "" matches every
	// subject of the rule on the host.
	Subject string `json:"subject,omitempty"`
	Reason  string `json:"reason"`
	// Expires is the day (YYYY-MM-DD) from which the entry no longer
	// suppresses; "" = never.
	Expires string   `json:"expires,omitempty"`
	Ticket  string   `json:"ticket,omitempty"`
	Loc     Location `json:"location"` // the entry's first key
	// Index is the entry's place in the file's accepted: list, from 0
	// (entries with a mistake are not in Accepted, so it is not the place
	// in Accepted), for messages: accepted[Index].
	Index int `json:"-"`
}

// Matches reports whether the entry accepts a finding of rule ruleID about
// subject on a host known by any of hostNames (its ComputerName, its
// folder name). The rule must have been resolved by CheckRules; host names
// compare case-insensitively, subjects exactly. Expiry is not considered
// (see Expired).
func (a *AcceptedRisk) Matches(ruleID, subject string, hostNames ...string) bool {
	if a.Rule.ID == "" || a.Rule.ID != ruleID {
		return false
	}
	if a.Subject != "" && a.Subject != subject {
		return false
	}
	if a.Host == "*" {
		return true
	}
	for _, n := range hostNames {
		if n != "" && strings.EqualFold(a.Host, n) {
			return true
		}
	}
	return false
}

// Expired reports whether the entry has expired on the day of today (in
// today's time zone): an entry is expired from its expires day on.
func (a *AcceptedRisk) Expired(today time.Time) bool {
	return a.Expires != "" && today.Format(time.DateOnly) >= a.Expires
}

// SeverityFor returns the severity rules.severity sets for rule id, and
// where; ok is false when none is set. CheckRules must have run.
func (c *FleetConfig) SeverityFor(id string) (sev string, loc Location, ok bool) {
	for _, o := range c.Rules.Severity {
		if o.Rule.ID == id && id != "" {
			return o.Severity, o.Loc, true
		}
	}
	return "", Location{}, false
}

// Disabled returns the rules.disable entry that switches rule id off.
// CheckRules must have run.
func (c *FleetConfig) Disabled(id string) (RuleRef, bool) {
	for _, r := range c.Rules.Disable {
		if r.ID == id && id != "" {
			return r, true
		}
	}
	return RuleRef{}, false
}

// RuleName is a rule as CheckRules knows it: its ID and its name.
type RuleName struct {
	ID, Name string
}

// CheckRules resolves every rule reference of the configuration
// (rules.disable, rules.severity, accepted) against the rules known, by ID
// or name, case-insensitively, and returns one problem per reference that
// names no rule (with close matches), per rule given two severities and
// per accepted entry with the rule, host and subject of an earlier one
// (which it removes from Accepted). Unresolved references keep an empty ID
// and have no effect. Problems come in the order of the sections.
func (c *FleetConfig) CheckRules(known []RuleName) []Problem {
	var probs []Problem
	resolve := func(where string, r *RuleRef) {
		r.ID = ""
		for _, k := range known {
			if strings.EqualFold(r.Ref, k.ID) || strings.EqualFold(r.Ref, k.Name) {
				r.ID = k.ID
				return
			}
		}
		probs = append(probs, Problem{Loc: r.Loc, Message: where + ": no rule " + fmt.Sprintf("%q", r.Ref) + didYouMean(r.Ref, ruleCandidates(known))})
	}
	for i := range c.Rules.Disable {
		resolve("rules.disable", &c.Rules.Disable[i])
	}
	first := map[string]*SeverityOverride{}
	for i := range c.Rules.Severity {
		o := &c.Rules.Severity[i]
		resolve("rules.severity", &o.Rule)
		if prev := first[o.Rule.ID]; prev != nil && o.Rule.ID != "" {
			probs = append(probs, Problem{Loc: o.Rule.Loc, Message: fmt.Sprintf("rules.severity: %s is given a severity twice (first as %q on line %d); the first applies", o.Rule.ID, prev.Rule.Ref, prev.Rule.Loc.Line)})
		} else if o.Rule.ID != "" {
			first[o.Rule.ID] = o
		}
	}
	for i := range c.Accepted {
		resolve(fmt.Sprintf("accepted[%d].rule", c.Accepted[i].Index), &c.Accepted[i].Rule)
	}
	return append(probs, c.dropSameAccepted()...)
}

// dropSameAccepted removes the accepted entries whose rule, host and
// subject are an earlier entry's once rules are resolved (IPSEC001 and
// nlbsflags-missing are one rule), and says so.
func (c *FleetConfig) dropSameAccepted() []Problem {
	type identity struct{ rule, host, subject string }
	firstLine := map[identity]int{}
	var probs []Problem
	kept := c.Accepted[:0]
	for _, a := range c.Accepted {
		id := identity{a.Rule.ID, strings.ToUpper(a.Host), a.Subject}
		if line, dup := firstLine[id]; dup && a.Rule.ID != "" {
			probs = append(probs, Problem{Loc: a.Loc, Message: fmt.Sprintf("accepted[%d]: accepts the same rule, host and subject as the entry on line %d; the first applies", a.Index, line)})
			continue
		}
		kept = append(kept, a)
		firstLine[id] = int(a.Loc.Line)
	}
	c.Accepted = kept
	return probs
}

func ruleCandidates(known []RuleName) []string {
	out := make([]string, 0, 2*len(known))
	for _, k := range known {
		out = append(out, k.ID)
		if k.Name != "" {
			out = append(out, k.Name)
		}
	}
	return out
}

// CheckHosts returns one problem for each hosts: entry that names none of
// the audited hosts (names: every host's ComputerName and folder name),
// with the close matches. The caller reports them as warnings.
func (c *FleetConfig) CheckHosts(names []string) []Problem {
	have := map[string]bool{}
	for _, n := range names {
		have[strings.ToUpper(n)] = true
	}
	var probs []Problem
	for _, key := range c.hostKeysByLine() {
		hc := c.Hosts[key]
		if have[key] {
			continue
		}
		msg := "hosts." + QuoteKey(hc.Name) + ": no audited host has that ComputerName or folder name" + didYouMean(hc.Name, names)
		if m := CloseMatches(hc.Name, names, 3); len(m) > 0 && c.allDeclared(m) {
			// EXFE03's entry when only EXFE01 is audited: the match is
			// another host, not a misspelling (or a duplicate entry).
			msg += fmt.Sprintf(" (%s an entry of its own: if this host was left out of the audit on purpose, ignore this)", map[bool]string{true: "it has", false: "each has"}[len(m) == 1])
		}
		probs = append(probs, Problem{Loc: hc.Loc, Message: msg})
	}
	return probs
}

// allDeclared reports whether every name has an entry under hosts.
func (c *FleetConfig) allDeclared(names []string) bool {
	for _, n := range names {
		if _, ok := c.Hosts[strings.ToUpper(n)]; !ok {
			return false
		}
	}
	return true
}

// QuoteKey renders a key of the configuration file (a host name) for a
// message: as it is when it is a plain name of up to 60 characters
// (letters, digits, "-", "_", ".", "$"), else quoted, so that no control
// character reaches a terminal.
func QuoteKey(s string) string {
	plain := s != "" && len(s) <= 60
	for _, r := range s {
		plain = plain && (r == '-' || r == '_' || r == '.' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// hostKeysByLine returns the keys of Hosts in the order of the file.
func (c *FleetConfig) hostKeysByLine() []string {
	keys := make([]string, 0, len(c.Hosts))
	for k := range c.Hosts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := c.Hosts[keys[i]].Loc, c.Hosts[keys[j]].Loc
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return keys[i] < keys[j]
	})
	return keys
}

// HostNames returns the names of the hosts: entries as written, in the
// order of the file.
func (c *FleetConfig) HostNames() []string {
	keys := c.hostKeysByLine()
	for i, k := range keys {
		keys[i] = c.Hosts[k].Name
	}
	return keys
}

// CheckFormats returns one problem per output.formats entry whose name is
// not one of known (case-insensitively), with the close matches.
func (c *FleetConfig) CheckFormats(known []string) []Problem {
	var probs []Problem
	for _, f := range c.Formats.Value {
		ok := false
		for _, k := range known {
			ok = ok || strings.EqualFold(f.Name, k)
		}
		if !ok {
			probs = append(probs, Problem{Loc: f.Loc, Message: fmt.Sprintf("output.formats: no output format %q (known: %s)", f.Name, strings.Join(known, ", ")) + didYouMean(f.Name, known)})
		}
	}
	return probs
}

// didYouMean returns "; did you mean X?" (or "X or Y") for the close
// matches of name among candidates, or "".
func didYouMean(name string, candidates []string) string {
	m := CloseMatches(name, candidates, 3)
	if len(m) == 0 {
		return ""
	}
	q := make([]string, len(m))
	for i, s := range m {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return "; did you mean " + q[0] + "?"
	}
	return "; did you mean " + strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1] + "?"
}

// maxMatchLen bounds the names CloseMatches compares, so that a hostile
// configuration cannot make it quadratic in a long key.
const maxMatchLen = 64

// CloseMatches returns up to max candidates close to name: those within
// a small edit distance (insertions, deletions, substitutions and swaps of
// adjacent letters; case-insensitive; 1 for names of up to 3 letters, 2 up
// to 9, else 3), and those name is a prefix of (3 letters or more), and of
// those only the closest (so "IPSEC0011" gives IPSEC001 and IPSEC011, not
// also IPSEC002). A candidate equal to name is not a close match, one
// differing only in case is the closest of all; duplicates are dropped;
// ties keep the candidates' order.
func CloseMatches(name string, candidates []string, max int) []string {
	n := []rune(strings.ToLower(name))
	if len(n) == 0 || len(n) > maxMatchLen || max <= 0 {
		return nil
	}
	limit := matchLimit(len(n))
	type match struct {
		s    string
		dist int
	}
	var ms []match
	seen := map[string]bool{}
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if seen[lc] || c == name || utf8.RuneCountInString(lc) > maxMatchLen {
			continue
		}
		seen[lc] = true
		d := editDistance(n, []rune(lc))
		if len(n) >= 3 && strings.HasPrefix(lc, string(n)) {
			d = min(d, limit)
		}
		if d <= limit {
			ms = append(ms, match{c, d})
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].dist < ms[j].dist })
	var out []string
	for i := 0; i < len(ms) && i < max && ms[i].dist == ms[0].dist; i++ {
		out = append(out, ms[i].s)
	}
	return out
}

// matchLimit is the largest edit distance at which a name of n letters
// has a close match.
func matchLimit(n int) int {
	switch {
	case n <= 3:
		return 1
	case n <= 9:
		return 2
	}
	return 3
}

// editDistance is the optimal string alignment distance of a and b.
func editDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
