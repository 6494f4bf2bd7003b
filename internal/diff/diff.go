// Package diff compares two audits of the same servers, collected at two
// times (before and after a change, a month apart, before and after an
// incident): the hosts added and removed, the audited facts of each host
// that changed (with both values and where each was read), and the
// findings that are new, fixed, changed or unchanged. It computes; the
// outputs are internal/report's, and the command internal/cli's.
//
// The result is plain data: lists of structs with both sides' values
// and locations side by side, and pointers to both sides' hosts and
// findings, so that an output can walk it without computing anything.
package diff

import (
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// Side is one of the two audits compared: what was read and what the
// rules said about it.
type Side struct {
	// Label names the side for people: the paths given, as given.
	Label   string
	Fleet   *model.Fleet
	Outcome rules.Outcome
}

// Result is the comparison of two audits, OLD and NEW.
type Result struct {
	Old, New Side
	// Hosts are the hosts of either side, sorted by name: each paired by
	// name (ComputerName, else folder name, case-insensitive) with its
	// counterpart, or added or removed.
	Hosts []HostDiff
	// Findings are the findings of either side, paired by fingerprint
	// (rule + host + subject), sorted by host, rule and subject.
	Findings []FindingDiff
	// NotEvaluated are the checks that could not be made on either side,
	// paired by rule and host.
	NotEvaluated []NotEvaluatedDiff
}

// HostStatus says what became of a host between OLD and NEW.
type HostStatus string

// The host statuses.
const (
	HostAdded     HostStatus = "added"     // only in NEW
	HostRemoved   HostStatus = "removed"   // only in OLD
	HostChanged   HostStatus = "changed"   // in both, with changes
	HostUnchanged HostStatus = "unchanged" // in both, no audited fact changed
)

// HostDiff is one host on both sides.
type HostDiff struct {
	Name   string     `json:"name"`
	Status HostStatus `json:"status"`
	// Old and New are the host on each side; nil on the side it is
	// missing from.
	Old *model.Host `json:"-"`
	New *model.Host `json:"-"`
	// Changes are the audited facts that differ, in a fixed order (see
	// Kind); empty for added and removed hosts.
	Changes []Change `json:"changes"`
}

// Compute compares OLD and NEW.
func Compute(old, cur Side) *Result {
	r := &Result{Old: old, New: cur}
	r.Hosts = pairHosts(old, cur)
	r.Findings = pairFindings(old.Outcome.Findings, cur.Outcome.Findings, [2]map[string]string{hostDirs(old.Fleet), hostDirs(cur.Fleet)})
	r.NotEvaluated = pairNotEvaluated(old.Outcome.NotEvaluated, cur.Outcome.NotEvaluated)
	return r
}

// pairHosts pairs the hosts of both sides by name and compares each pair.
func pairHosts(old, cur Side) []HostDiff {
	byName := map[string]*HostDiff{}
	var out []*HostDiff
	get := func(name string) *HostDiff {
		k := strings.ToUpper(name)
		if d := byName[k]; d != nil {
			return d
		}
		d := &HostDiff{Name: name}
		byName[k] = d
		out = append(out, d)
		return d
	}
	for _, h := range fleetHosts(old.Fleet) {
		get(h.Name).Old = h
	}
	for _, h := range fleetHosts(cur.Fleet) {
		get(h.Name).New = h
	}
	res := make([]HostDiff, 0, len(out))
	for _, d := range out {
		switch {
		case d.Old == nil:
			d.Status, d.Name = HostAdded, d.New.Name
		case d.New == nil:
			d.Status = HostRemoved
		default:
			d.Name = d.New.Name
			d.Changes = hostChanges(d.Old, d.New, old.Outcome, cur.Outcome)
			d.Status = HostUnchanged
			if len(d.Changes) > 0 {
				d.Status = HostChanged
			}
		}
		if d.Changes == nil {
			d.Changes = []Change{}
		}
		res = append(res, *d)
	}
	sort.SliceStable(res, func(i, j int) bool { return strings.ToUpper(res[i].Name) < strings.ToUpper(res[j].Name) })
	return res
}

// hostDirs maps each host's name to its folder.
func hostDirs(f *model.Fleet) map[string]string {
	out := map[string]string{}
	for _, h := range fleetHosts(f) {
		out[h.Name] = h.Dir
	}
	return out
}

func fleetHosts(f *model.Fleet) []*model.Host {
	if f == nil {
		return nil
	}
	return f.Hosts
}

// Host returns the comparison of the host of that name (case-insensitive),
// or nil.
func (r *Result) Host(name string) *HostDiff {
	for i := range r.Hosts {
		if strings.EqualFold(r.Hosts[i].Name, name) {
			return &r.Hosts[i]
		}
	}
	return nil
}

// Counts are the totals of a comparison.
type Counts struct {
	Hosts        map[HostStatus]int   `json:"hosts"`
	Changes      int                  `json:"changes"`
	Findings     map[FindingState]int `json:"findings"`
	NotEvaluated map[FindingState]int `json:"notEvaluated"`
}

// Count counts hosts by status, facts changed, and findings and
// not-evaluated checks by state; every status and state is present.
func (r *Result) Count() Counts {
	c := Counts{
		Hosts:        map[HostStatus]int{HostAdded: 0, HostRemoved: 0, HostChanged: 0, HostUnchanged: 0},
		Findings:     map[FindingState]int{FindingNew: 0, FindingFixed: 0, FindingChanged: 0, FindingUnchanged: 0},
		NotEvaluated: map[FindingState]int{FindingNew: 0, FindingFixed: 0, FindingChanged: 0, FindingUnchanged: 0},
	}
	for _, h := range r.Hosts {
		c.Hosts[h.Status]++
		c.Changes += len(h.Changes)
	}
	for _, f := range r.Findings {
		c.Findings[f.State]++
	}
	for _, n := range r.NotEvaluated {
		c.NotEvaluated[n.State]++
	}
	return c
}
