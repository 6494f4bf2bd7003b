package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/displaywidth"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// DefaultCellMax is the number of characters [Cell] keeps when given no
// positive limit.
const DefaultCellMax = 2000

// MaxWidth is the widest line [Wrap] produces and [Width] reports. Wider
// terminals get MaxWidth columns; it keeps every line far below the width
// at which tablewriter's line cost overflows (see [Wrap]).
const MaxWidth = 4096

// Cell caps s at max characters (runes; each invalid byte counts as one),
// or at [DefaultCellMax] when max <= 0. A longer s is cut on a character
// boundary and ends with the visible marker
// "… (N more characters; see `ipseclint dump`)", N counting what was cut.
// Cell does not escape: apply [Text] to each input string first. When s
// fits, it is returned without allocating.
func Cell(s string, max int) string {
	if max <= 0 {
		max = DefaultCellMax
	}
	if len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			rest := utf8.RuneCountInString(s[i:])
			return s[:i] + "… (" + strconv.Itoa(rest) + " more characters; see `ipseclint dump`)"
		}
		n++
	}
	return s
}

// Wrap breaks each line of s (lines are separated by "\n") into lines at
// most width columns wide, at white space where it can and inside a word
// where a word is wider than width; white space between words becomes
// one space, as tablewriter makes it anyway. Widths are measured as
// tablewriter measures them (the sum of each character's display width,
// East Asian ambiguous characters wide when tablewriter's detection says
// so). A character wider than width (a wide character with width 1) gets
// a line of its own. width <= 0 means no wrapping and returns s; width
// above [MaxWidth] is taken as MaxWidth. s is returned unchanged, without
// allocating, when every line already fits.
//
// Why: github.com/olekukonko/tablewriter v1.1.5 wraps a cell line with
// twwarp.WrapWords, whose line cost is the square of the line's slack in
// an int compared with math.MaxInt32. When a line ends in a token about
// 46,000 characters or more longer than a preceding word, every candidate
// cost is at least MaxInt32, no break is chosen, and the loop that
// collects lines never advances: it appends forever and eats all memory.
// A line that fits its column never reaches that code, so give tablewriter
// Wrap(Cell(Text(s), max), column) with column no wider than the column's
// ColMaxWidths entry.
func Wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	width = min(width, MaxWidth)
	opts := displaywidth.Options{EastAsianWidth: twwidth.IsEastAsian()}
	if fits(s, width, opts) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/width + 8)
	for first := true; ; first = false {
		line, rest, more := strings.Cut(s, "\n")
		if !first {
			b.WriteByte('\n')
		}
		wrapLine(&b, line, width, opts)
		if !more {
			break
		}
		s = rest
	}
	return b.String()
}

// fits reports whether every line of s is at most width wide and has no
// tab (tablewriter widens tabs; wrapLine turns them into spaces).
func fits(s string, width int, opts displaywidth.Options) bool {
	w := 0
	for _, r := range s {
		switch r {
		case '\n':
			w = 0
			continue
		case '\t':
			return false
		}
		w += opts.Rune(r)
		if w > width {
			return false
		}
	}
	return true
}

// wrapLine writes one line of text (no "\n") wrapped to width.
func wrapLine(b *strings.Builder, line string, width int, opts displaywidth.Options) {
	cur := 0 // width of the output line being filled
	for _, word := range strings.FieldsFunc(line, unicode.IsSpace) {
		ww := stringWidth(word, opts)
		switch {
		case cur > 0 && cur+1+ww <= width:
			b.WriteByte(' ')
			b.WriteString(word)
			cur += 1 + ww
		case ww <= width:
			if cur > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(word)
			cur = ww
		default:
			if cur > 0 {
				b.WriteByte('\n')
			}
			cur = breakWord(b, word, width, opts)
		}
	}
}

// breakWord writes word in pieces at most width wide, one per line, never
// separating a zero-width character (a combining mark, a variation
// selector) from the character before it. It returns the width of the
// last piece.
func breakWord(b *strings.Builder, word string, width int, opts displaywidth.Options) int {
	cur := 0
	for i, r := range word {
		rw := opts.Rune(r)
		if rw > 0 && cur > 0 && cur+rw > width {
			b.WriteByte('\n')
			cur = 0
		}
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(word[i:])
		}
		b.WriteString(word[i : i+size])
		cur += rw
	}
	return cur
}

func stringWidth(s string, opts displaywidth.Options) int {
	w := 0
	for _, r := range s {
		w += opts.Rune(r)
	}
	return w
}
