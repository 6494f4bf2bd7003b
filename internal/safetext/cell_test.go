package safetext

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

func TestCell(t *testing.T) {
	marker := func(n int) string { return fmt.Sprintf("… (%d more characters; see `ipseclint dump`)", n) }
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven cha" + marker(1)},
		{"東京東京東京", 4, "東京東京" + marker(2)}, // characters, not bytes
		{"東京", 2, "東京"},                   // 6 bytes, 2 characters: fits
		{"ab\xff\xfecd", 3, "ab\xff" + marker(3)},
		{strings.Repeat("x", DefaultCellMax+5), 0, strings.Repeat("x", DefaultCellMax) + marker(5)},
		{strings.Repeat("x", DefaultCellMax), -1, strings.Repeat("x", DefaultCellMax)},
	}
	for _, c := range cases {
		if got := Cell(c.in, c.max); got != c.want {
			t.Errorf("Cell(%.20q, %d) = %.80q, want %.80q", c.in, c.max, got, c.want)
		}
	}
}

func TestCellShortDoesNotAllocate(t *testing.T) {
	s := "EXFE01/HKLM_SYSTEM.reg: value NLBSFlags is 0x1"
	if n := testing.AllocsPerRun(100, func() { _ = Cell(s, 0) }); n != 0 {
		t.Errorf("Cell allocates %v times, want 0", n)
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  string
	}{
		{"aaa bbb ccc", 7, "aaa bbb\nccc"},
		{"aaa  bbb\tccc", 20, "aaa bbb ccc"}, // a tab is not left for tablewriter to widen
		{"abcdefghij", 4, "abcd\nefgh\nij"},
		{"key: abcdefghij", 6, "key:\nabcdef\nghij"},
		{"one\ntwo three", 5, "one\ntwo\nthree"},
		{"東京東京東", 4, "東京\n東京\n東"},
		{"e\u0301e\u0301e\u0301", 2, "e\u0301e\u0301\ne\u0301"}, // marks stay with their letter
		{"東x", 1, "東\nx"},                                       // too wide for the column: a line of its own
		{"fits as is", 10, "fits as is"},
		{"no wrap at width 0", 0, "no wrap at width 0"},
		{"", 5, ""},
		{"a\n\nb", 1, "a\n\nb"},
	}
	for _, c := range cases {
		got := Wrap(c.in, c.width)
		if got != c.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestWrapClampsWidth(t *testing.T) {
	got := Wrap(strings.Repeat("x", 3*MaxWidth), 1<<30)
	for _, line := range strings.Split(got, "\n") {
		if len(line) != MaxWidth {
			t.Fatalf("line of %d characters, want %d", len(line), MaxWidth)
		}
	}
}

func TestWrapFittingDoesNotCopy(t *testing.T) {
	s := "EXFE01/system.reg:12\nvalue NLBSFlags"
	if got := Wrap(s, 40); unsafe.StringData(got) != unsafe.StringData(s) {
		t.Error("Wrap copied text that fits")
	}
	if n := testing.AllocsPerRun(100, func() { _ = Wrap(s, 40) }); n != 0 {
		t.Errorf("Wrap allocates %v times on text that fits, want 0", n)
	}
}

// tableColumns are the maximum widths of FuzzTableCell's table, like the
// report's (44 for locations, 72 for messages) plus two narrow ones.
var tableColumns = map[int]int{0: 12, 1: 20, 2: 44, 3: 72}

func FuzzTableCell(f *testing.F) {
	f.Add("", uint8(0))
	f.Add("EXFE01", uint8(1))
	f.Add("\x1b]0;pwned\x07\x1b[2J", uint8(3))
	f.Add("a.reg\n| error | IPSEC999 | forged |", uint8(2))
	f.Add("\xff\xfe\xc0\xaf\xed\xa0\x80", uint8(9))
	f.Add("漢字テスト한국어", uint8(40))
	f.Add("👨\u200d👩\u200d👧🇩🇪❤\ufe0f", uint8(30))
	f.Add("e\u0301\u0301\u0301\u20dd", uint8(200))
	f.Add("exe.\u202etxt\u2066\u200b\ufeff", uint8(5))
	f.Add("tab\there\u3000ideographic\u00a0nbsp", uint8(7))
	f.Add("AAAAAAAAAA", uint8(255))
	f.Add(strings.Repeat("A", 100_000), uint8(1))
	f.Fuzz(func(t *testing.T, s string, rep uint8) {
		long := strings.Repeat(s, int(rep))
		if len(long) > 200_000 {
			long = long[:200_000]
		}
		cells := []string{
			tableCell(s, tableColumns[0]),
			tableCell(long, tableColumns[1]),
			Wrap(Cell(Text("key: "+long)+"\n"+Text(s), 0), tableColumns[2]-cellPadding),
			tableCell(s+" "+long, tableColumns[3]),
		}
		out := renderWithin(10*time.Second, tableColumns, []string{"A", "B", "C", "D"}, [][]string{cells})
		if strings.HasPrefix(out, "render error") {
			t.Fatal(out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("table output is not valid UTF-8")
		}
		for i, r := range out {
			if r != '\n' && mustEscape(r) {
				t.Fatalf("table output has %U at offset %d", r, i)
			}
		}
		cols := checkTableShape(t, out)
		for i, w := range cols {
			if w > tableColumns[i] {
				t.Fatalf("column %d is %d wide, its maximum %d", i, w, tableColumns[i])
			}
		}
	})
}

// FuzzWrap checks that no line Wrap produces is wider than asked, as
// tablewriter measures it, and that only white space is lost.
func FuzzWrap(f *testing.F) {
	f.Add("aaa bbb", 3)
	f.Add("東京東京東", 3)
	f.Add("e\u0301e\u0301", 1)
	f.Fuzz(func(t *testing.T, s string, width int) {
		s = Text(s)
		width = width%200 + 2
		if width < 2 {
			width += 200
		}
		got := Wrap(s, width)
		for _, line := range strings.Split(got, "\n") {
			if w := twwidth.Width(line); w > width {
				t.Fatalf("Wrap(%q, %d): line %q is %d wide", s, width, line, w)
			}
		}
		squeeze := func(x string) string { return strings.Join(strings.Fields(x), "") }
		if squeeze(got) != squeeze(s) {
			t.Fatalf("Wrap(%q, %d) = %q changed more than white space", s, width, got)
		}
	})
}
