package safetext

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// newReportTable configures a table exactly as internal/report/table.go's
// newTable does (ASCII style, auto-formatted header, left-aligned rows
// wrapped normally, per-column maximum widths).
func newReportTable(w io.Writer, maxWidths map[int]int) *tablewriter.Table {
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

// cellPadding is what tablewriter's default padding (one space each side)
// takes from a column's ColMaxWidths entry.
const cellPadding = 2

// renderWithin renders rows through a report-configured table and returns
// the output. It panics when rendering takes longer than limit or its
// heap grows past 512 MiB (far more than any table here needs): a failed test must not leave a goroutine
// looping and eating memory in the test binary, and the panic ends the
// binary, naming the fault.
func renderWithin(limit time.Duration, maxWidths map[int]int, header []string, rows [][]string) string {
	var buf bytes.Buffer
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := newReportTable(&buf, maxWidths)
		t.Header(header)
		for _, r := range rows {
			if err = t.Append(r); err != nil {
				return
			}
		}
		err = t.Render()
	}()
	if outcome, heap := watch(done, limit, 512<<20); outcome != finished {
		panic(fmt.Sprintf("tablewriter did not finish (outcome %d, heap %d bytes, limit %v): cell text reached "+
			"its word wrapper unprepared (twwarp.WrapWords loops in tablewriter v1.1.5; see Wrap)", outcome, heap, limit))
	}
	if err != nil {
		return "render error: " + err.Error()
	}
	return buf.String()
}

// tableCell prepares input text for a column of maximum width colMax as
// the report package should: escape, cap, pre-wrap.
func tableCell(s string, colMax int) string {
	width := 0
	if colMax > 0 {
		width = colMax - cellPadding
	}
	return Wrap(Cell(Text(s), 0), width)
}

func TestTableWithLongTokenFinishes(t *testing.T) {
	token := strings.Repeat("A", 100_000) // a hex(1) value run together, as in issue 11
	maxWidths := map[int]int{3: 44, 4: 72}
	host := tableCell(token, 0) // no maximum width: capped, not wrapped
	row := []string{"error", "IPSEC001", host, tableCell("EXFE01/system.reg "+token, 44),
		tableCell("value NLBSFlags is "+token, 72)}
	out := renderWithin(10*time.Second, maxWidths, []string{"Severity", "Rule", "Host", "Location", "Message"}, [][]string{row})
	if strings.HasPrefix(out, "render error") {
		t.Fatal(out)
	}
	if !strings.Contains(out, "… (98000 more characters; see `ipseclint dump`)") {
		t.Errorf("the uncapped host column lacks the full marker:\n%.600s", out)
	}
	for _, n := range []int{100_018 - DefaultCellMax, 100_019 - DefaultCellMax} { // location, message: markers wrapped
		if !strings.Contains(out, fmt.Sprintf("… (%d", n)) {
			t.Errorf("no marker for %d cut characters", n)
		}
	}
	cols := checkTableShape(t, out)
	if want := []int{len([]rune(host)) + cellPadding, 44, 72}; cols[2] != want[0] || cols[3] > want[1] || cols[4] > want[2] {
		t.Errorf("column widths %v: want host %d, location <= %d, message <= %d", cols, want[0], want[1], want[2])
	}
}

// checkTableShape checks that every line of a rendered ASCII table is as
// wide as its top border and returns the widths of its columns (with
// padding) read off that border.
func checkTableShape(t *testing.T, out string) []int {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	border := lines[0]
	if !strings.HasPrefix(border, "+") || !strings.HasSuffix(border, "+") {
		t.Fatalf("no top border in %.300q", out)
	}
	var cols []int
	for _, seg := range strings.Split(border[1:len(border)-1], "+") {
		cols = append(cols, len(seg))
	}
	for i, line := range lines {
		if w := twwidth.Width(line); w != len(border) {
			t.Fatalf("line %d is %d columns wide, the border %d:\n%s", i+1, w, len(border), line)
		}
	}
	return cols
}
