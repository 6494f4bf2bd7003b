package report

import (
	"bytes"
	"io"
	"strings"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/rules"
)

// The HTML page of `ipseclint diff`: NEW's audit page (summary, matrix,
// hosts, rules) with a "Changes" section before the matrix that shows,
// side by side, what differs from OLD.

func init() { registerDiff(DiffFormat{Name: "html", Ext: "html", Printer: HTML{}}) }

// htmlChanges is the "changes" section of a diff page.
type htmlChanges struct {
	Old, New string // the sides' labels (paths as given)
	// Counts of hosts by status and findings by state ("added", "new"...).
	HostCounts, FindingCounts map[string]int
	FactsChanged              int
	// Gate says what the exit code rests on, as the table's footer does.
	Gate        string
	Regressions int
	Hosts       []htmlHostChange
	Facts       []htmlFactChange
	Findings    []htmlFindingChange
	Unchanged   int // findings unchanged, counted only
	Checks      []htmlCheckChange
}

type htmlHostChange struct {
	Name, Status, What string
	Files              []string
}

type htmlFactChange struct {
	Host, Fact string
	Old, New   *htmlValue
}

type htmlValue struct {
	Text, Detail, Location string
}

type htmlFindingChange struct {
	State, Severity, OldSeverity, RuleID, RuleHref, Host, Location, Message, Was string
	Gate, Accepted                                                               bool
	Changed                                                                      []string
}

type htmlCheckChange struct {
	State, RuleID, Host, Old, New string
}

// PrintDiff writes the comparison as one page.
func (HTML) PrintDiff(w io.Writer, d *Diff) error {
	p := d.newAudit().htmlPage()
	p.Changes = d.htmlChanges()
	var b bytes.Buffer
	if err := htmlTmpl.Execute(&b, p); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func (d *Diff) htmlChanges() *htmlChanges {
	r := d.Result
	n := r.Count()
	c := &htmlChanges{Old: show(r.Old.Label), New: show(r.New.Label), FactsChanged: n.Changes, Gate: "none (--fail-on none)",
		HostCounts: map[string]int{}, FindingCounts: map[string]int{}}
	for k, v := range n.Hosts {
		c.HostCounts[string(k)] = v
	}
	for k, v := range n.Findings {
		c.FindingCounts[string(k)] = v
	}
	if d.FailOn != "" && d.FailOn != rules.Severity("none") {
		c.Regressions = len(d.regressions())
		c.Gate = string(d.FailOn)
	}
	old, cur := d.oldAudit(), d.newAudit()
	for _, h := range r.Hosts {
		if h.Status == diff.HostAdded || h.Status == diff.HostRemoved {
			host := h.New
			if h.Status == diff.HostRemoved {
				host = h.Old
			}
			c.Hosts = append(c.Hosts, htmlHostChange{Name: show(h.Name), Status: string(h.Status), What: show(hostLine(host)), Files: showAll(hostFiles(host))})
		}
		for _, ch := range h.Changes {
			c.Facts = append(c.Facts, htmlFactChange{Host: show(h.Name), Fact: show(changeName(ch)),
				Old: htmlDiffValue(old, ch.Old), New: htmlDiffValue(cur, ch.New)})
		}
	}
	for _, st := range findingOrder {
		for i := range r.Findings {
			if f := &r.Findings[i]; f.State == st {
				c.Findings = append(c.Findings, d.htmlFindingChange(old, cur, f))
			}
		}
	}
	c.Unchanged = n.Findings[diff.FindingUnchanged]
	for _, n := range r.NotEvaluated {
		if n.State != diff.FindingUnchanged {
			c.Checks = append(c.Checks, htmlCheckChange{State: string(n.State), RuleID: n.RuleID,
				Host: show(orFleet(n.Host)), Old: checkReason(n.Old), New: checkReason(n.New)})
		}
	}
	return c
}

func htmlDiffValue(a *Audit, v *diff.Value) *htmlValue {
	if v == nil {
		return nil
	}
	out := &htmlValue{Text: show(v.Text), Detail: show(v.Detail)}
	if !v.Loc.IsZero() {
		out.Location = show(a.locationText(v.Loc))
	}
	return out
}

// htmlFindingChange is NEW's finding for a new or changed one, OLD's for
// a fixed one.
func (d *Diff) htmlFindingChange(old, cur *Audit, f *diff.FindingDiff) htmlFindingChange {
	a, fd := cur, f.New
	if fd == nil {
		a, fd = old, f.Old
	}
	out := htmlFindingChange{State: string(f.State), Severity: string(fd.Severity), RuleID: f.RuleID,
		RuleHref: "#" + ruleAnchor(f.RuleID), Host: show(orFleet(f.Host)), Location: show(a.locationText(fd.Loc)),
		Message: show(fd.Message), Gate: d.regression(f), Accepted: fd.Suppressed != nil, Changed: f.Changed}
	if f.Old != nil && f.New != nil {
		if f.Old.Severity != f.New.Severity {
			out.OldSeverity = string(f.Old.Severity)
		}
		if f.Old.Message != f.New.Message {
			out.Was = show(f.Old.Message)
		}
	}
	return out
}

func checkReason(ne *rules.NotEvaluated) string {
	if ne == nil {
		return "evaluated"
	}
	return show(ne.Reason)
}

func orFleet(host string) string {
	if strings.TrimSpace(host) == "" {
		return "(fleet)"
	}
	return host
}
