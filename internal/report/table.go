package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Table writes the audit for people: one row per finding, then the checks
// that could not be evaluated, the files that could not be read
// completely, one summary line per host, and a footer with the totals.
type Table struct{}

func init() { register(Format{Name: "table", Ext: "txt", Printer: Table{}}) }

func newTable(w io.Writer, maxWidths map[int]int) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{Formatting: tw.CellFormatting{AutoFormat: tw.On}, Alignment: tw.CellAlignment{Global: tw.AlignLeft}},
			Row: tw.CellConfig{
				Formatting:   tw.CellFormatting{AutoWrap: tw.WrapNormal},
				Alignment:    tw.CellAlignment{Global: tw.AlignLeft},
				ColMaxWidths: tw.CellWidth{PerColumn: tw.Mapper[int, int](maxWidths)},
			},
		}),
	)
}

// Print writes the table.
func (Table) Print(w io.Writer, a *Audit) error {
	if len(a.Outcome.Findings) == 0 {
		fmt.Fprintln(w, "No findings.")
	} else {
		t := newTable(w, map[int]int{3: 44, 4: 72})
		t.Header("Severity", "Rule", "Host", "Location", "Message")
		for _, f := range a.Outcome.Findings {
			sev := string(f.Severity)
			if len(f.Uncertain) > 0 {
				sev += "\n(uncertain)"
			}
			if err := t.Append(sev, f.RuleID, f.Host, a.locationText(f.Loc), f.Message); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if len(a.Outcome.NotEvaluated) > 0 {
		fmt.Fprintln(w, "\nNot evaluated (the check could not be made, which is not a pass):")
		t := newTable(w, map[int]int{2: 90})
		t.Header("Rule", "Host", "Reason")
		for _, n := range a.Outcome.NotEvaluated {
			host := n.Host
			if host == "" {
				host = "(fleet)"
			}
			if err := t.Append(n.RuleID, host, n.Reason); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if err := printFileProblems(w, a); err != nil {
		return err
	}
	if err := printHosts(w, a); err != nil {
		return err
	}
	printFooter(w, a)
	return nil
}

// printFileProblems lists the files that failed or were only partly read,
// with their first problems, and the skipped ones.
func printFileProblems(w io.Writer, a *Audit) error {
	var rows [][]string
	for _, f := range a.Fleet.Files {
		if f.Status == model.StatusRead {
			continue
		}
		why := f.Reason
		for i, p := range f.Problems {
			if i == 3 {
				why += fmt.Sprintf("\n... and %d more", len(f.Problems)-3)
				break
			}
			why += "\n" + a.locationText(p.Loc) + ": " + p.Message
		}
		rows = append(rows, []string{f.Name, string(f.Status), strings.TrimSpace(why)})
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nFiles not read, or not read completely:")
	t := newTable(w, map[int]int{0: 40, 2: 90})
	t.Header("File", "Status", "Reason")
	for _, r := range rows {
		if err := t.Append(r[0], r[1], r[2]); err != nil {
			return err
		}
	}
	return t.Render()
}

func printHosts(w io.Writer, a *Audit) error {
	if len(a.Fleet.Hosts) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nHosts:")
	t := newTable(w, map[int]int{1: 60, 7: 40})
	t.Header("Host", "Role", "OS", "Files", "Errors", "Warnings", "Not evaluated", "Recovery after failover")
	for _, h := range a.Fleet.Hosts {
		counts, ne := a.hostCounts(h.Name)
		osText := "unknown"
		if h.Facts.OS.Known {
			osText = h.Facts.OS.Value.String()
		}
		role := roleText(h) + ": " + h.Role.Why
		if h.Role.Declared() {
			role = roleText(h)
		}
		var fo []string
		for _, f := range a.failoversOf(h) {
			fo = append(fo, f.Address+": "+f.Estimate)
		}
		if err := t.Append(h.Name, role, osText, fmt.Sprint(len(h.Files)),
			fmt.Sprint(counts["error"]), fmt.Sprint(counts["warning"]), fmt.Sprint(ne), strings.Join(fo, "\n")); err != nil {
			return err
		}
	}
	return t.Render()
}

func printFooter(w io.Writer, a *Audit) {
	s := a.Summarize()
	fmt.Fprintf(w, "\n%s; files: %d read, %d partly read, %d failed, %d skipped; findings: %s, %s, %s; %s not evaluated\n",
		plural(s.Hosts, "host", "hosts"),
		s.Files["read"], s.Files["partial"], s.Files["failed"], s.Files["skipped"],
		plural(s.Findings["error"], "error", "errors"), plural(s.Findings["warning"], "warning", "warnings"),
		plural(s.Findings["note"], "note", "notes"), plural(s.NotEvaluated, "check", "checks"))
}
