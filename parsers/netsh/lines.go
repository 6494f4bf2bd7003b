package netsh

import (
	"sort"
	"strings"
)

// segment maps a byte offset of a logical line to a place in the file.
type segment struct {
	off  int // offset in the logical line's text
	line int // 1-based physical line
	col  int // 1-based byte column of off on that line
}

// logicalLine is one command line of a script after batch `^` line
// continuations were joined; it remembers where each part came from.
type logicalLine struct {
	text string
	// segs are where the parts of a continued line come from; a line of
	// its own has none and starts at column 1 of physical line first.
	segs  []segment
	first int
}

// pos returns the physical line and column of a byte offset of l.text.
func (l *logicalLine) pos(off int) (line, col int) {
	if l.segs == nil {
		return l.first, 1 + off
	}
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].off > off }) - 1
	if i < 0 {
		i = 0
	}
	s := l.segs[i]
	return s.line, s.col + off - s.off
}

// physicalLines splits decoded text into lines without their line ends
// (LF, CRLF, CR CR LF) and a trailing Ctrl-Z: the lines eachPhysicalLine
// gives, as a list.
func physicalLines(text string) []string {
	var lines []string
	eachPhysicalLine(text, func(l string) { lines = append(lines, l) })
	return lines
}

// eachPhysicalLine calls f with each line of decoded text, without its
// line end (LF, CRLF, CR CR LF), a trailing Ctrl-Z and a BOM at its
// start; a last line that is empty once cut is none. It makes no list of
// the lines: the sniffer reads a 16 KiB head of every file twice, and
// the list was garbage as soon as it had.
func eachPhysicalLine(text string, f func(l string)) {
	for {
		l, rest, more := strings.Cut(text, "\n")
		l = strings.TrimPrefix(strings.TrimSuffix(strings.TrimRight(l, "\r"), "\x1a"), "\ufeff")
		if !more {
			if l != "" {
				f(l)
			}
			return
		}
		f(l)
		text = rest
	}
}

// joiner turns physical lines into logical lines, one line at a time: a
// line whose last non-blank character is an unescaped `^` (cmd.exe's
// continuation) goes on with the next line.
type joiner struct {
	cur  *logicalLine // the logical line being joined; nil between lines
	text strings.Builder
}

// add takes physical line number n; it returns the logical line it ends,
// if it ends one.
func (j *joiner) add(l string, n int) (logicalLine, bool) {
	body, cont := l, false
	if t := strings.TrimRight(l, " \t"); strings.HasSuffix(t, "^") && !strings.HasSuffix(t, "^^") && !strings.HasPrefix(strings.TrimSpace(t), "#") {
		body, cont = t[:len(t)-1], true
	}
	if j.cur == nil && !cont { // the usual case: a line of its own, not copied
		return logicalLine{text: l, first: n}, true
	}
	if j.cur == nil {
		j.cur = &logicalLine{}
		j.text.Reset()
	}
	j.cur.segs = append(j.cur.segs, segment{off: j.text.Len(), line: n, col: 1})
	j.text.WriteString(body)
	if cont {
		return logicalLine{}, false
	}
	return j.flush()
}

// flush ends the logical line being joined, at the end of the input.
func (j *joiner) flush() (logicalLine, bool) {
	if j.cur == nil {
		return logicalLine{}, false
	}
	ll := *j.cur
	ll.text = j.text.String()
	j.cur = nil
	return ll, true
}

// span is a part of a logical line: one command of a batch line.
type span struct {
	line       *logicalLine
	start, end int
}

func (s span) text() string { return s.line.text[s.start:s.end] }

// splitCommands splits a batch line at the command separators `&&`, `||`,
// `&` and `|` outside double quotes, and cuts redirections (`>nul`,
// `2>&1`) off each command.
func splitCommands(spans []span, l *logicalLine) []span {
	t := l.text
	start, inQuote := 0, false
	if strings.IndexByte(t, '&') < 0 && strings.IndexByte(t, '|') < 0 {
		t = "" // one command: nothing to split
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '^' && i+1 < len(t):
			i++ // an escaped character is no separator
		case c == '&' || c == '|':
			spans = append(spans, span{l, start, i})
			if i+1 < len(t) && t[i+1] == c {
				i++
			}
			start = i + 1
		}
	}
	spans = append(spans, span{l, start, len(l.text)})
	for i := range spans {
		spans[i].end = spans[i].start + redirectionStart(spans[i].text())
	}
	return spans
}

// redirectionStart returns the offset where a redirection (`>`, `>>`,
// `<`, `2>`) begins outside quotes, or len(s).
func redirectionStart(s string) int {
	if strings.IndexByte(s, '>') < 0 && strings.IndexByte(s, '<') < 0 {
		return len(s)
	}
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (c == '>' || c == '<'):
			if i > 0 && (s[i-1] == '1' || s[i-1] == '2') && (i == 1 || s[i-2] == ' ' || s[i-2] == '\t') {
				return i - 1
			}
			return i
		}
	}
	return len(s)
}
