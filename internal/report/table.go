package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// Table writes the audit for people, laid out to View.Width columns (100
// when output is not a terminal), readable at 80:
//
//   - a headline: the tool, the hosts and files read, the configuration;
//   - the active findings, errors first, as two-column rows: severity,
//     and "RULE name  HOST  LOCATION" with the message below it;
//   - the findings accepted risks suppress, each with its acceptance;
//   - the checks not evaluated, one row per rule and reason with the
//     hosts it applies to;
//   - the files not read completely, with their first problems;
//   - the accepted risks that expired or match nothing, and the
//     configuration's notes;
//   - one row per host (at most View.Hosts, the most serious first,
//     with the rest counted);
//   - a footer with the totals, the configuration and the rules
//     switched off.
//
// Every string from the inputs is escaped with [safetext.Text] (a
// newline in a file or host name cannot start a row), capped with
// [safetext.Cell] and pre-wrapped with [safetext.Wrap] before tablewriter
// sees it; tablewriter's own wrapping and trimming are off. Severities
// are coloured when View.Color is set.
type Table struct{}

func init() { register(Format{Name: "table", Ext: "txt", Printer: Table{}}) }

// Layout constants of the table.
const (
	defaultTableWidth = 100 // when output is not a terminal
	minTableWidth     = 40  // narrower terminals get this much
	sevWidth          = 9   // "uncertain", the widest line of a severity cell
	// tableOverhead is what a two-column ASCII table adds to its cells'
	// widths: "| ", " | " and " |".
	tableOverhead = 7
	indent        = "  " // before the lines of a cell below its first
	maxCellLine   = 4000 // characters of any one line of a cell, before wrapping
)

// tableLayout is the width of the second column of every table.
type tableLayout struct {
	width int // the whole table
	cell  int // the text of a second-column cell
	first int // the text of a first-column cell
	color bool
}

func layoutOf(v View) tableLayout {
	w := v.Width
	if w <= 0 {
		w = defaultTableWidth
	}
	w = max(w, minTableWidth)
	return tableLayout{width: w, first: sevWidth, cell: w - sevWidth - tableOverhead, color: v.Color}
}

// newTable is the multi-column table of the diff tables (diff_table.go):
// ASCII style, auto-formatted header, left-aligned rows wrapped by
// tablewriter within per-column maximum widths. Its callers pre-wrap
// every cell (safetext.Wrap), for the fault described at cell.
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

// newTwoColumnTable is the audit table's two-column table, whose cells
// are written as given: tablewriter neither wraps nor trims them (they
// are pre-wrapped), and a line separates rows.
func newTwoColumnTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Symbols:  tw.NewSymbols(tw.StyleASCII),
			Settings: tw.Settings{Separators: tw.Separators{BetweenRows: tw.On}},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{Formatting: tw.CellFormatting{AutoFormat: tw.On, AutoWrap: tw.WrapNone}, Alignment: tw.CellAlignment{Global: tw.AlignLeft}},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
			},
			Behavior: tw.Behavior{TrimSpace: tw.Off, TrimLine: tw.Off},
		}),
	)
}

// cell makes the text of a cell width columns wide from its lines: each
// escaped with safetext.Text (inputs may hold newlines and escape
// sequences), capped, and wrapped; lines after the first are indented.
// This is the only way text reaches tablewriter: github.com/olekukonko/
// tablewriter v1.1.5's word wrapper (twwarp.WrapWords) loops forever,
// eating memory, on a token of about 46,000 characters or more (its line
// cost overflows math.MaxInt32), and a line that already fits its column
// never reaches it.
func cell(width int, first string, rest ...string) string {
	lines := []string{wrapLine(first, width, "")}
	for _, r := range rest {
		lines = append(lines, wrapLine(r, width, indent))
	}
	return strings.Join(lines, "\n")
}

// wrapLine escapes, caps and wraps one line of text to width, with
// prefix before each of its lines.
func wrapLine(s string, width int, prefix string) string {
	w := safetext.Wrap(safetext.Cell(safetext.Text(s), maxCellLine), max(width-len(prefix), 1))
	if prefix == "" {
		return w
	}
	return prefix + strings.ReplaceAll(w, "\n", "\n"+prefix)
}

// paragraph wraps text (escaped, capped) to the table's width, for the
// lines outside tables.
func (l tableLayout) paragraph(s string) string {
	return wrapLine(s, l.width, "")
}

// ANSI colours of the severities.
var sevColor = map[rules.Severity]string{
	rules.SeverityError:   "\x1b[1;31m", // bold red
	rules.SeverityWarning: "\x1b[33m",   // yellow
	rules.SeverityNote:    "\x1b[36m",   // cyan
}

// sevCell is a finding's severity cell: "error", "warning" or "note",
// coloured on a terminal, with "uncertain" below when it is.
func (l tableLayout) sevCell(f rules.Finding) string {
	s := string(f.Severity)
	if c, ok := sevColor[f.Severity]; ok && l.color {
		s = c + s + "\x1b[0m"
	}
	if len(f.Uncertain) > 0 {
		s += "\nuncertain"
	}
	return s
}

// renderRows writes a two-column table, or nothing for no rows.
func renderRows(w io.Writer, header [2]string, rows [][2]string) error {
	if len(rows) == 0 {
		return nil
	}
	t := newTwoColumnTable(w)
	t.Header(header[0], header[1])
	for _, r := range rows {
		if err := t.Append(r[0], r[1]); err != nil {
			return err
		}
	}
	return t.Render()
}

// Print writes the table.
func (Table) Print(w io.Writer, a *Audit) error {
	l := layoutOf(a.View)
	ew := &errWriter{w: w}
	fmt.Fprintln(ew, l.paragraph(headline(a)))
	sections := []func(io.Writer, *Audit, tableLayout) error{
		printFindings, printSuppressed, printNotEvaluated, printFileProblems, printConfigNotes, printHosts,
	}
	for _, s := range sections {
		if err := s(ew, a, l); err != nil {
			return err
		}
		if ew.err != nil {
			return ew.err
		}
	}
	fmt.Fprintln(ew)
	for _, line := range footer(a) {
		fmt.Fprintln(ew, l.paragraph(line))
	}
	return ew.err
}

// errWriter keeps the first write error, so that the sections can use
// fmt.Fprint freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
