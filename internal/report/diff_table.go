package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// DiffTable writes a comparison for people: the hosts added and removed,
// each changed fact with both values and where each was read, the
// findings that are new, changed or fixed (unchanged ones are counted),
// the checks that could not be made, and the totals with the gate's count.
type DiffTable struct{}

func init() { registerDiff(DiffFormat{Name: "table", Ext: "txt", Printer: DiffTable{}}) }

// Column widths of the diff tables, for a page of about 130 columns and
// wider; on a narrower terminal the columns that wrap shrink to fit it
// (see Diff.cols).
const (
	diffHostCol  = 20
	diffNameCol  = 36
	diffValueCol = 40
	diffMsgCol   = 64
	diffLocCol   = 30
	diffFileCol  = 40
	diffWhyCol   = 60
)

// minDiffCol is the narrowest a wrapping column of a diff table gets,
// unless the page is too narrow for that (see Diff.cols).
const minDiffCol = 8

// cols returns the widths of a table's wrapping columns: bases, or, when
// the table is laid out for a terminal (View.Width) on which they and
// fixed (the other columns and the borders) do not fit, bases shrunk in
// proportion so that they do, none below minDiffCol.
func (d *Diff) cols(fixed int, bases ...int) []int {
	out := append([]int(nil), bases...)
	w := d.View.Width
	if w <= 0 {
		return out
	}
	total := 0
	for _, b := range bases {
		total += b
	}
	avail := max(w, minTableWidth) - fixed
	if avail >= total {
		return out
	}
	least := minDiffCol
	if avail < len(bases)*minDiffCol {
		// A page too narrow for even the narrowest columns: they share
		// what there is, a few characters each.
		least = max(3, avail/len(bases))
	}
	for i, b := range bases {
		out[i] = max(least, b*avail/total)
	}
	return out
}

// tcell makes an input string safe for a table cell of a column that
// width wide: no control characters, capped, pre-wrapped to the column's
// width less its padding (see safetext.Wrap).
func tcell(s string, width int) string {
	return safetext.Wrap(safetext.Cell(safetext.Text(s), 0), max(width-2, 1))
}

// tlines makes each line safe and joins them as one cell.
func tlines(width int, lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, tcell(l, width))
		}
	}
	return strings.Join(out, "\n")
}

// PrintDiff writes the tables.
func (DiffTable) PrintDiff(w io.Writer, d *Diff) error {
	r := d.Result
	fmt.Fprintf(w, "%s\n%s\n", d.paragraph("OLD: "+safetext.Text(r.Old.Label)), d.paragraph("NEW: "+safetext.Text(r.New.Label)))
	steps := []func(io.Writer, *Diff) error{printHostDiffs, printChanges, printFindingDiffs, printNotEvaluatedDiffs, printDiffFiles}
	for _, step := range steps {
		if err := step(w, d); err != nil {
			return err
		}
	}
	printDiffFooter(w, d)
	return nil
}

// printHostDiffs lists the hosts added and removed, with what they are.
func printHostDiffs(w io.Writer, d *Diff) error {
	c := d.cols(7+10, diffHostCol, diffWhyCol) // Status, borders
	var rows [][]string
	for _, h := range d.Result.Hosts {
		host := h.New
		if h.Status == diff.HostRemoved {
			host = h.Old
		}
		if h.Status != diff.HostAdded && h.Status != diff.HostRemoved {
			continue
		}
		rows = append(rows, []string{tcell(h.Name, c[0]), string(h.Status), tlines(c[1], hostLine(host), strings.Join(hostFiles(host), ", "))})
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nHosts added and removed:")
	t := newTable(w, map[int]int{0: c[0], 2: c[1]})
	t.Header("Host", "Status", "What it is")
	for _, r := range rows {
		if err := t.Append(r[0], r[1], r[2]); err != nil {
			return err
		}
	}
	return t.Render()
}

// hostLine says what a host is: role, OS and addresses.
func hostLine(h *model.Host) string {
	os := "OS unknown"
	if h.Facts.OS.Known {
		os = h.Facts.OS.Value.String()
	}
	addrs := "addresses unknown"
	if h.Facts.Addresses.Known {
		addrs = strings.Trim(fmt.Sprint(h.Facts.Addresses.Value), "[]")
	}
	return roleText(h) + ", " + os + ", " + addrs
}

func hostFiles(h *model.Host) []string {
	out := make([]string, len(h.Files))
	for i, f := range h.Files {
		out[i] = f.Name
	}
	return out
}

// printChanges lists every changed fact of the hosts on both sides.
func printChanges(w io.Writer, d *Diff) error {
	old, cur := d.oldAudit(), d.newAudit()
	n := 0
	for _, h := range d.Result.Hosts {
		n += len(h.Changes)
	}
	if n == 0 {
		fmt.Fprintln(w, "\n"+d.paragraph("No audited fact of a host on both sides changed."))
		return nil
	}
	fmt.Fprintln(w, "\n"+d.paragraph("Changed facts (OLD → NEW, each with where it was read):"))
	cw := d.cols(13, diffHostCol, diffNameCol, diffValueCol, diffValueCol) // borders
	t := newTable(w, map[int]int{0: cw[0], 1: cw[1], 2: cw[2], 3: cw[3]})
	t.Header("Host", "Fact", "Old", "New")
	for _, h := range d.Result.Hosts {
		for _, c := range h.Changes {
			detail := showDetail(c)
			if err := t.Append(tcell(h.Name, cw[0]), tcell(changeName(c), cw[1]),
				valueCell(old, c.Old, detail, cw[2]), valueCell(cur, c.New, detail, cw[3])); err != nil {
				return err
			}
		}
	}
	return t.Render()
}

// showDetail says whether a change's values need their detail (how each
// was found): for failover estimates, whose reason is the point; for
// unknown values; and where only the detail differs.
func showDetail(c diff.Change) bool {
	if c.Kind == diff.KindFailover {
		return true
	}
	if c.Old == nil || c.New == nil {
		return false
	}
	return c.Old.Text == "unknown" || c.New.Text == "unknown" || c.Old.Text == c.New.Text
}

// valueCell is one side of a change: the value, its detail, its
// location, in a column width wide.
func valueCell(a *Audit, v *diff.Value, detail bool, width int) string {
	if v == nil {
		return "—"
	}
	lines := []string{v.Text}
	if detail && v.Detail != "" {
		lines = append(lines, "("+v.Detail+")")
	}
	if !v.Loc.IsZero() {
		lines = append(lines, "at "+a.locationText(v.Loc))
	}
	return tlines(width, lines...)
}

// findingOrder is the order the table lists findings in: what needs
// attention first.
var findingOrder = []diff.FindingState{diff.FindingNew, diff.FindingChanged, diff.FindingFixed}

// printFindingDiffs lists the new, changed and fixed findings.
func printFindingDiffs(w io.Writer, d *Diff) error {
	c := d.Result.Count()
	fmt.Fprintln(w, "\n"+d.paragraph(fmt.Sprintf("Findings: %d new, %d changed, %d fixed, %d unchanged (not listed)",
		c.Findings[diff.FindingNew], c.Findings[diff.FindingChanged], c.Findings[diff.FindingFixed], c.Findings[diff.FindingUnchanged])))
	if c.Findings[diff.FindingNew]+c.Findings[diff.FindingChanged]+c.Findings[diff.FindingFixed] == 0 {
		return nil
	}
	old, cur := d.oldAudit(), d.newAudit()
	cw := d.cols(7+9+8+19, diffHostCol, diffLocCol, diffMsgCol) // State, Severity, Rule, borders
	t := newTable(w, map[int]int{3: cw[0], 4: cw[1], 5: cw[2]})
	t.Header("State", "Severity", "Rule", "Host", "Location", "Message")
	for _, st := range findingOrder {
		for i := range d.Result.Findings {
			f := &d.Result.Findings[i]
			if f.State != st {
				continue
			}
			if err := t.Append(findingRow(d, old, cur, f, cw)); err != nil {
				return err
			}
		}
	}
	return t.Render()
}

// findingRow is one finding of the table: NEW's for a new or changed
// finding (with what changed), OLD's for a fixed one; cw are the widths
// of its host, location and message.
func findingRow(d *Diff, old, cur *Audit, f *diff.FindingDiff, cw []int) []string {
	state := string(f.State)
	if d.regression(f) {
		state += "\n(gate)"
	}
	a, fd := cur, f.New
	if fd == nil {
		a, fd = old, f.Old
	}
	sev := string(fd.Severity)
	if f.Old != nil && f.New != nil && f.Old.Severity != f.New.Severity {
		sev = string(f.Old.Severity) + " →\n" + string(f.New.Severity)
	}
	if fd.Suppressed != nil {
		sev += "\n(accepted)"
	}
	loc := a.locationText(fd.Loc)
	if f.State == diff.FindingFixed {
		loc = "OLD " + loc
	}
	msg := []string{fd.Message}
	if len(f.Changed) > 0 {
		msg = append(msg, "changed: "+strings.Join(f.Changed, ", "))
	}
	if f.State == diff.FindingChanged && f.Old.Message != f.New.Message {
		msg = append(msg, "was: "+f.Old.Message)
	}
	return []string{state, sev, f.RuleID, tcell(f.Host, cw[0]), tcell(loc, cw[1]), tlines(cw[2], msg...)}
}

// printNotEvaluatedDiffs lists the checks that could not be made on one
// side only, or for another reason.
func printNotEvaluatedDiffs(w io.Writer, d *Diff) error {
	var rows []diff.NotEvaluatedDiff
	for _, n := range d.Result.NotEvaluated {
		if n.State != diff.FindingUnchanged {
			rows = append(rows, n)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\n"+d.paragraph("Checks not evaluated (could not be made) on one side, or for another reason:"))
	cw := d.cols(7+8+16, diffHostCol, diffValueCol, diffValueCol) // State, Rule, borders
	t := newTable(w, map[int]int{2: cw[0], 3: cw[1], 4: cw[2]})
	t.Header("State", "Rule", "Host", "Old", "New")
	for _, n := range rows {
		host := n.Host
		if host == "" {
			host = "(fleet)"
		}
		reason := func(ne *rules.NotEvaluated, width int) string {
			if ne == nil {
				return "evaluated"
			}
			return tcell(ne.Reason, width)
		}
		if err := t.Append(string(n.State), n.RuleID, tcell(host, cw[0]), reason(n.Old, cw[1]), reason(n.New, cw[2])); err != nil {
			return err
		}
	}
	return t.Render()
}

// printDiffFiles lists the files of either side that were not read
// completely: what they hold is missing from the comparison.
func printDiffFiles(w io.Writer, d *Diff) error {
	cw := d.cols(3+7+13, diffFileCol, diffWhyCol) // Side, Status, borders
	var rows [][]string
	for _, s := range []struct {
		name string
		a    *Audit
	}{{"OLD", d.oldAudit()}, {"NEW", d.newAudit()}} {
		if s.a.Fleet == nil {
			continue
		}
		for _, f := range s.a.Fleet.Files {
			if f.Status.Incomplete() {
				rows = append(rows, []string{s.name, tcell(f.Name, cw[0]), string(f.Status), tcell(f.Reason, cw[1])})
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\n"+d.paragraph("Files not read completely (what they hold is missing from the comparison):"))
	t := newTable(w, map[int]int{1: cw[0], 3: cw[1]})
	t.Header("Side", "File", "Status", "Reason")
	for _, r := range rows {
		if err := t.Append(r[0], r[1], r[2], r[3]); err != nil {
			return err
		}
	}
	return t.Render()
}

func printDiffFooter(w io.Writer, d *Diff) {
	c := d.Result.Count()
	gate := "gate: none (--fail-on none)"
	if d.FailOn != "" && d.FailOn != "none" {
		n := len(d.regressions())
		gate = "gate: " + plural(n, "finding", "findings") + " at or above " + string(d.FailOn) + " that OLD did not have"
		if n > 0 {
			gate += ` (marked "gate")`
		}
	}
	fmt.Fprintf(w, "\n%s\n", d.paragraph(fmt.Sprintf("%s; hosts: %d added, %d removed, %d changed, %d unchanged; %s; findings: %d new, %d changed, %d fixed, %d unchanged",
		gate, c.Hosts[diff.HostAdded], c.Hosts[diff.HostRemoved], c.Hosts[diff.HostChanged], c.Hosts[diff.HostUnchanged],
		plural(c.Changes, "fact changed", "facts changed"),
		c.Findings[diff.FindingNew], c.Findings[diff.FindingChanged], c.Findings[diff.FindingFixed], c.Findings[diff.FindingUnchanged])))
}

// paragraph wraps a line of text to the terminal the table is laid out
// for (View.Width), and leaves it whole otherwise.
func (d *Diff) paragraph(s string) string {
	if d.View.Width <= 0 {
		return s
	}
	return layoutOf(d.View).paragraph(s)
}
