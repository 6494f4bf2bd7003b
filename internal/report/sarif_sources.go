package report

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Sources is what the audit kept of its inputs beyond the model, for the
// SARIF output (audit.Kept implements it; Audit.Sources). Without it
// SARIF renders its snippets from the model (sarif_snippet.go) and gives
// a hive location the whole file as its byte range.
type Sources interface {
	// Text returns the lines of a text input (by its display name) as its
	// parser numbered them, decoded, with every secret cut out, and notes
	// saying what was cut; ok is false when none was kept.
	Text(file string) (lines, notes []string, ok bool)
	// HiveCell returns where the key (loc.Value "") or value loc names
	// lies in its binary hive: the file offset of its cell, the cell's
	// bytes from its size field to the end of the record's name, and where
	// the name lies in them; ok is false when none was kept.
	HiveCell(loc model.Location) (at int64, cell []byte, name, nameLen int, ok bool)
}

// keptLines returns the kept text of a file, if any.
func (b *sarifBuilder) keptLines(file string) ([]string, bool) {
	if b.a.Sources == nil {
		return nil, false
	}
	lines, _, ok := b.a.Sources.Text(file)
	return lines, ok
}

// textRegions is a text location's region and context region: literal,
// from the text kept, when there is one (literalRegions), else rendered
// from the model.
func (b *sarifBuilder) textRegions(l model.Location) (*sarifRegion, *sarifRegion) {
	if lines, ok := b.keptLines(l.File); ok {
		if r, c, ok := literalRegions(l, lines, b.fileKind(l.File), b.snippets); ok {
			return r, c
		}
	}
	return b.snippets.regions(l)
}

func (b *sarifBuilder) fileKind(name string) model.FileKind {
	if i, ok := b.artIndex[name]; ok {
		return b.a.Fleet.Files[i].Kind
	}
	return model.KindUnknown
}

// literalRegions lays a location out on the text kept: the context is
// its whole line, and the region, with explicit columns, the rendered
// snippet's region when the line has that text there, else the token at
// the column (a "quoted" or [bracketed] one whole), or the line's text
// when the location has no column. netsh counts columns in bytes: they
// are turned into characters here. A location in the part of a line cut
// out as secret gets the cut's marker as its region. The text is the
// file's, whatever it holds: Print writes the characters a terminal
// could act on as JSON escapes (terminalSafe).
func literalRegions(l model.Location, lines []string, kind model.FileKind, ix *snippetIndex) (*sarifRegion, *sarifRegion, bool) {
	lineNo := int(l.Line)
	if lineNo < 1 || lineNo > len(lines) || lines[lineNo-1] == "" {
		return nil, nil, false
	}
	line := lines[lineNo-1]
	runes := []rune(line)
	col := max(int(l.Column), 1)
	if kind == model.KindNetsh {
		col = utf8.RuneCountInString(line[:min(col-1, len(line))]) + 1
	}
	if m := strings.Index(line, model.Redacted); m >= 0 {
		if mc := utf8.RuneCountInString(line[:m]) + 1; col >= mc {
			col = mc
		}
	}
	if col > len(runes) {
		return nil, nil, false
	}
	start, end := col-1, tokenEnd(runes, col-1)
	switch {
	case l.Column == 0:
		first := strings.IndexFunc(line, notBlank)
		if first < 0 {
			return nil, nil, false
		}
		start = utf8.RuneCountInString(line[:first])
		end = utf8.RuneCountInString(strings.TrimRightFunc(line, isBlankRune))
	case ix != nil:
		if s, ok := ix.find(l); ok {
			if r := []rune(s.text); strings.HasPrefix(string(runes[start:]), s.text) {
				end = start + s.cut(len(r))
			}
		}
	}
	region := &sarifRegion{StartLine: lineNo, StartColumn: start + 1, EndLine: lineNo, EndColumn: end + 1,
		Snippet: &sarifArtifactContent{Text: string(runes[start:end])}}
	ctx := &sarifRegion{StartLine: lineNo, EndLine: lineNo, Snippet: &sarifArtifactContent{Text: line}}
	return region, ctx, true
}

func notBlank(r rune) bool    { return !isBlankRune(r) }
func isBlankRune(r rune) bool { return r == ' ' || r == '\t' }

// tokenEnd is the end of the token starting at runes[i]: a "quoted" one
// (with \" and \\ escapes) or a [bracketed] one whole, else up to a
// blank or "=" (at least one character).
func tokenEnd(runes []rune, i int) int {
	switch runes[i] {
	case '"':
		for j := i + 1; j < len(runes); j++ {
			switch {
			case runes[j] == '\\' && j+1 < len(runes):
				j++
			case runes[j] == '"':
				return j + 1
			}
		}
	case '[':
		for j := i + 1; j < len(runes); j++ {
			if runes[j] == ']' {
				return j + 1
			}
		}
	}
	j := i + 1
	for j < len(runes) && !isBlankRune(runes[j]) && runes[j] != '=' {
		j++
	}
	return j
}

// hiveRegions is a hive location's region and context region, from the
// cell kept for its key or value (or, for a key or value the hive does
// not hold, the nearest key it does, which the location's message
// names): the region is the record's name (the whole record for a
// value without one), the context the cell, size field included; both
// with their bytes as snippets. ok is false when no cell was kept.
func (b *sarifBuilder) hiveRegions(l model.Location) (region, ctx *sarifRegion, near string, ok bool) {
	if b.a.Sources == nil || l.Key == "" {
		return nil, nil, "", false
	}
	key, value := l.Key, l.Value
	for {
		at, cell, name, n, found := b.a.Sources.HiveCell(model.Location{File: l.File, Key: key, Value: value})
		if found && len(cell) > 4 && name+n <= len(cell) {
			if key != l.Key || value != l.Value {
				near = key
			}
			start, length := int64(name), int64(n)
			if n == 0 {
				start, length = 4, int64(len(cell)-4)
			}
			region = binaryRegion(at+start, cell[start:start+length])
			return region, binaryRegion(at, cell), near, true
		}
		switch i := strings.LastIndexByte(key, '\\'); {
		case value != "":
			value = ""
		case i > 0:
			key = key[:i]
		default:
			return nil, nil, "", false
		}
	}
}

func binaryRegion(at int64, data []byte) *sarifRegion {
	n := int64(len(data))
	return &sarifRegion{ByteOffset: &at, ByteLength: &n, Snippet: &sarifArtifactContent{Binary: base64.StdEncoding.EncodeToString(data)}}
}
