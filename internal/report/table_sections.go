package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// bySeverity returns the findings with the most severe first, in the
// audit's order within a severity.
func bySeverity(fs []rules.Finding) []rules.Finding {
	out := append([]rules.Finding(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity.Rank() > out[j].Severity.Rank() })
	return out
}

// findingCell is a finding's second cell: "RULE name  HOST  LOCATION",
// then the message, doubts, related places and extra lines, indented.
func (a *Audit) findingCell(l tableLayout, f rules.Finding, extra ...string) string {
	head := []string{f.RuleID + " " + f.RuleName}
	if f.Host != "" {
		head = append(head, f.Host)
	}
	var rest []string
	if loc := a.locationText(f.Loc); loc != "" {
		// On the first line when it fits there; else on its own.
		if len([]rune(strings.Join(append(head, loc), "  "))) <= l.cell {
			head = append(head, loc)
		} else {
			rest = append(rest, loc)
		}
	}
	rest = append(rest, f.Message)
	if len(f.Uncertain) > 0 {
		rest = append(rest, "uncertain: "+strings.Join(f.Uncertain, "; "))
	}
	if len(f.Related) > 0 {
		var rel []string
		for _, r := range f.Related {
			if t := a.locationText(r); t != "" && !containsString(rel, t) {
				rel = append(rel, t)
			}
		}
		if len(rel) > 0 {
			rest = append(rest, "see also: "+strings.Join(rel, ", "))
		}
	}
	return cell(l.cell, strings.Join(head, "  "), append(rest, extra...)...)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// printFindings writes the active findings, errors first.
func printFindings(w io.Writer, a *Audit, l tableLayout) error {
	active := a.Outcome.Active()
	fmt.Fprintln(w)
	if len(active) == 0 {
		fmt.Fprintln(w, "No findings.")
		return nil
	}
	var rows [][2]string
	for _, f := range bySeverity(active) {
		rows = append(rows, [2]string{l.sevCell(f), a.findingCell(l, f)})
	}
	return renderRows(w, [2]string{"Severity", "Finding"}, rows)
}

// printSuppressed writes the findings accepted risks suppress, with the
// acceptance of each.
func printSuppressed(w io.Writer, a *Audit, l tableLayout) error {
	var rows [][2]string
	for _, f := range bySeverity(a.Outcome.Findings) {
		if f.Suppressed == nil {
			continue
		}
		rows = append(rows, [2]string{l.sevCell(f), a.findingCell(l, f, "accepted: "+suppressionText(f.Suppressed))})
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\n"+l.paragraph(fmt.Sprintf("Suppressed by accepted risks of the configuration (%d; not counted against --fail-on):", len(rows))))
	return renderRows(w, [2]string{"Severity", "Finding"}, rows)
}

// maxHostsListed is how many hosts a not-evaluated row names before it
// counts the rest.
const maxHostsListed = 12

// printNotEvaluated writes one row per rule and reason, naming the hosts
// it applies to.
func printNotEvaluated(w io.Writer, a *Audit, l tableLayout) error {
	type group struct {
		rule, reason string
		hosts        []string
	}
	var groups []*group
	index := map[[2]string]*group{}
	for _, ne := range a.Outcome.NotEvaluated {
		k := [2]string{ne.RuleID, ne.Reason}
		g, ok := index[k]
		if !ok {
			g = &group{rule: ne.RuleID, reason: ne.Reason}
			index[k] = g
			groups = append(groups, g)
		}
		g.hosts = append(g.hosts, hostLabel(ne.Host))
	}
	if len(groups) == 0 {
		return nil
	}
	var rows [][2]string
	for _, g := range groups {
		rows = append(rows, [2]string{g.rule, cell(l.cell, hostList(g.hosts), g.reason)})
	}
	fmt.Fprintln(w, "\n"+l.paragraph("Not evaluated (the check could not be made, which is not a pass):"))
	return renderRows(w, [2]string{"Rule", "Hosts and reason"}, rows)
}

// hostList names hosts: "on EXFE01, EXFE02 (2 hosts)", at most
// maxHostsListed of them.
func hostList(hosts []string) string {
	if len(hosts) == 1 {
		if hosts[0] == hostLabel("") {
			return "on the fleet as a whole"
		}
		return "on " + hosts[0]
	}
	shown := hosts
	more := ""
	if len(shown) > maxHostsListed {
		shown = shown[:maxHostsListed]
		more = fmt.Sprintf(" and %d more", len(hosts)-maxHostsListed)
	}
	return "on " + strings.Join(shown, ", ") + more + fmt.Sprintf(" (%d hosts)", len(hosts))
}

// printFileProblems lists the files that failed or were only partly read,
// with their first problems, and the skipped ones.
func printFileProblems(w io.Writer, a *Audit, l tableLayout) error {
	var rows [][2]string
	for _, f := range a.Fleet.Files {
		if f.Status == model.StatusRead {
			continue
		}
		rest := []string{f.Reason}
		rest = append(rest, a.problemLines(f, 3)...)
		rows = append(rows, [2]string{string(f.Status), cell(l.cell, f.Name, rest...)})
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\n"+l.paragraph("Files not read, or not read completely:"))
	return renderRows(w, [2]string{"Status", "File"}, rows)
}

// printConfigNotes writes the accepted risks that expired or match no
// finding, and the configuration file's notes.
func printConfigNotes(w io.Writer, a *Audit, l tableLayout) error {
	var lines []string
	for _, st := range a.Outcome.Accepted {
		if msg, ok := acceptedMessage(st); ok {
			at := ""
			if !st.Risk.Loc.IsZero() {
				at = " (" + a.locationText(st.Risk.Loc) + ")"
			}
			lines = append(lines, "accepted risk "+st.Status+at+": "+msg)
		}
	}
	cfg := a.ConfigFile()
	for _, f := range a.Fleet.Files {
		if f.Kind == model.KindConfig && f.Name == cfg {
			for _, n := range f.Notes {
				lines = append(lines, cfg+": "+n)
			}
		}
	}
	if len(lines) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\n"+l.paragraph("Configuration:"))
	for _, s := range lines {
		fmt.Fprintln(w, "- "+strings.TrimPrefix(wrapLine(s, l.width, "  "), "  "))
	}
	return nil
}

// hostRow is one host's row in the host section.
type hostRow struct {
	h      *model.Host
	s      hostSummary
	serial int
}

// seriousness orders hosts for --hosts-summary: errors, then warnings,
// then checks not evaluated, then notes.
func (h hostRow) seriousness() [4]int {
	return [4]int{h.s.Errors, h.s.Warnings, h.s.NotEvaluated, h.s.Notes}
}

// printHosts writes one row per host: every host in folder order, or,
// with View.Hosts = N, the N most serious, and a line counting the rest.
func printHosts(w io.Writer, a *Audit, l tableLayout) error {
	if len(a.Fleet.Hosts) == 0 {
		return nil
	}
	summaries := a.hostSummaries()
	lines := make([]hostRow, len(a.Fleet.Hosts))
	for i, h := range a.Fleet.Hosts {
		lines[i] = hostRow{h: h, s: summaries[i], serial: i}
	}
	shown, hidden := lines, []hostRow(nil)
	if n := a.View.Hosts; n > 0 && n < len(lines) {
		sorted := append([]hostRow(nil), lines...)
		sort.SliceStable(sorted, func(i, j int) bool {
			si, sj := sorted[i].seriousness(), sorted[j].seriousness()
			for k := range si {
				if si[k] != sj[k] {
					return si[k] > sj[k]
				}
			}
			return false
		})
		shown, hidden = sorted[:n], sorted[n:]
		sort.SliceStable(shown, func(i, j int) bool { return shown[i].serial < shown[j].serial })
	}
	nameWidth := 4
	for _, h := range shown {
		nameWidth = max(nameWidth, len([]rune(h.h.Name)))
	}
	nameWidth = min(nameWidth, max(l.width/4, 8))
	cellWidth := l.width - nameWidth - tableOverhead
	var rows [][2]string
	for _, h := range shown {
		rows = append(rows, [2]string{cell(nameWidth, h.h.Name), hostCell(cellWidth, h)})
	}
	title := "Hosts:"
	if len(hidden) > 0 {
		title = fmt.Sprintf("Hosts (the %d most serious of %d; --hosts-summary):", len(shown), len(lines))
	}
	fmt.Fprintln(w, "\n"+l.paragraph(title))
	if err := renderRows(w, [2]string{"Host", "Summary"}, rows); err != nil {
		return err
	}
	if len(hidden) > 0 {
		var e, wn, n, ne int
		for _, h := range hidden {
			e, wn, n, ne = e+h.s.Errors, wn+h.s.Warnings, n+h.s.Notes, ne+h.s.NotEvaluated
		}
		fmt.Fprintln(w, l.paragraph(fmt.Sprintf("... and %d more %s: %s, %s, %s, %s not evaluated among them.",
			len(hidden), pluralWord(len(hidden), "host", "hosts"), plural(e, "error", "errors"), plural(wn, "warning", "warnings"),
			plural(n, "note", "notes"), plural(ne, "check", "checks"))))
	}
	return nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func hostCell(width int, hl hostRow) string {
	h, s := hl.h, hl.s
	osText := s.OS
	if osText == "unknown" {
		osText = "OS unknown"
	}
	first := roleText(h) + "; " + osText + "; " + plural(len(h.Files), "file", "files")
	rest := []string{fmt.Sprintf("%s, %s, %s; %s not evaluated",
		plural(s.Errors, "error", "errors"), plural(s.Warnings, "warning", "warnings"), plural(s.Notes, "note", "notes"),
		plural(s.NotEvaluated, "check", "checks"))}
	if !h.Role.Declared() {
		rest = append(rest, "role: "+h.Role.Why)
	}
	for _, f := range s.Failover {
		rest = append(rest, failoverLine(f))
	}
	return cell(width, first, rest...)
}

// failoverLine is one failover estimate in a host's cell; an unknown
// estimate says what evidence is missing, an uncertain one why it may be
// wrong.
func failoverLine(f failoverView) string {
	line := "recovery after a failover of " + f.addressText() + ": " + f.Estimate
	if f.Estimate == flows.FailoverUnknown && f.Why != "" {
		line += " (" + f.Why + ")"
	}
	if f.Uncertain != "" {
		line += " (uncertain: " + f.Uncertain + ")"
	}
	return line
}

// headline is the table's first line: what was audited, with what.
func headline(a *Audit) string {
	s := a.Summarize()
	files := 0
	for _, n := range s.Files {
		files += n
	}
	cfg := "no configuration file"
	if c := a.ConfigFile(); c != "" {
		cfg = "configuration " + c
	}
	return fmt.Sprintf("%s %s: %s, %s, %s; %s", a.Tool.Name, a.Tool.Version,
		plural(s.Hosts, "host", "hosts"), plural(files, "file", "files"), plural(len(a.Rules), "rule", "rules"), cfg)
}

// checkCounts counts the checks (one rule on one host; one rule on the
// fleet when it has no host) and how many of them could not be made: a
// rule not evaluated on the fleet as a whole counts once for every host.
func (a *Audit) checkCounts() (notEvaluated, total int) {
	hosts := len(a.Fleet.Hosts)
	total = len(a.Rules) * max(hosts, 1)
	pairs := map[[2]string]bool{}
	for _, ne := range a.Outcome.NotEvaluated {
		if ne.Host == "" {
			for _, h := range a.Fleet.Hosts {
				pairs[[2]string{ne.RuleID, h.Name}] = true
			}
			if hosts == 0 {
				pairs[[2]string{ne.RuleID, ""}] = true
			}
			continue
		}
		pairs[[2]string{ne.RuleID, ne.Host}] = true
	}
	return min(len(pairs), total), total
}

// footer gives the totals, one line each: findings and checks not
// evaluated; hosts and files; the configuration and the rules switched
// off.
//
// The findings are counted as the host rows and every other format count
// them, suppressed ones included, and how many of them are suppressed
// follows.
func footer(a *Audit) []string {
	s := a.Summarize()
	all := len(a.Outcome.Findings)
	first := plural(all, "finding", "findings")
	if all > 0 {
		first += fmt.Sprintf(" (%s, %s, %s)", plural(s.Findings[string(rules.SeverityError)], "error", "errors"),
			plural(s.Findings[string(rules.SeverityWarning)], "warning", "warnings"), plural(s.Findings[string(rules.SeverityNote)], "note", "notes"))
	}
	if s.Suppressed > 0 {
		first += fmt.Sprintf(", %d of them suppressed", s.Suppressed)
	}
	ne, total := a.checkCounts()
	first += fmt.Sprintf("; %d of %s not evaluated", ne, plural(total, "check", "checks"))
	second := fmt.Sprintf("%s; files: %d read, %d partly read, %d failed, %d skipped", plural(s.Hosts, "host", "hosts"),
		s.Files[string(model.StatusRead)], s.Files[string(model.StatusPartial)], s.Files[string(model.StatusFailed)], s.Files[string(model.StatusSkipped)])
	third := "no configuration file"
	if c := a.ConfigFile(); c != "" {
		third = "configuration " + c
	}
	if len(a.Outcome.Disabled) > 0 {
		var ds []string
		for _, d := range a.Outcome.Disabled {
			ds = append(ds, d.ID+" ("+d.By+")")
		}
		third += "; rules disabled: " + strings.Join(ds, ", ")
	}
	return []string{first, second, third}
}
