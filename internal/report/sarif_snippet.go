package report

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
)

// Snippets.
//
// Unless --sarif-embed asks for it (then the snippets are the text kept,
// secrets cut out: sarif_sources.go), ipseclint keeps no copy of its
// input files: the model holds what was read (registry keys and values,
// IPSec objects) with where each was read, and never a pre-shared key
// (the parsers leave it out; a blob that held one has those bytes
// zeroed). So SARIF's snippets are rendered from the model, never copied
// from the files, and no secret can reach them:
//
//   - a .reg key header: `[HKEY_LOCAL_MACHINE\path]`, the whole line;
//   - a .reg value: `"Name"=dword:00000001`, `"Name"="text"` (the whole
//     line), or for the hex forms the name and the first bytes of the
//     data, `"ipsecData"=hex:00,ac,bb,11` (a prefix of its first line);
//   - a netsh object of a dump-form file: the start of its command as
//     `netsh ipsec static dump` writes it, `add rule name="Encrypt POP3"`,
//     and the `assign` of an assigned policy.
//
// Each is laid out as regedit and netsh write the fact, so the snippet
// matches the file's text wherever the file was written by those tools;
// a hand-edited file may differ in spacing, quoting, case or order, and
// a name holding a double quote is not rendered (how it was written
// cannot be known). A one-line command (`netsh ipsec static add ...`)
// starts past column 1 and is not rendered either. The region
// spans the rendered text's first token (or all of it, when the whole
// line is known), and the contextRegion the rest (or the whole line), so
// that the context is always a proper superset of the region. A text
// location for which nothing was rendered (a netsh listing, a line of
// ipseclint.yaml) gets a region with its line (and column) only.

// lineKey names one line of one input file.
type lineKey struct {
	file string
	line int
}

// snippet is what is known of the text at a line: the rendered text
// starting at column col, whether it is the whole line, and how many
// characters of it the region covers (0 = all).
type snippet struct {
	col    int
	text   string
	whole  bool
	region int
}

// snippetIndex maps the lines of text inputs to what the model read
// there.
type snippetIndex struct {
	lines map[lineKey][]snippetSource
}

// snippetSource is what a line's snippet is rendered from: a registry
// key's header or a value, rendered when a location asks for it (a
// fleet's registries hold far more than its results cite), or a snippet
// rendered already.
type snippetSource struct {
	col   int
	key   *model.Key
	value *model.Value
	done  snippet // when key and value are nil
}

// render returns the snippet, and whether it can be shown: text a
// terminal would show as itself.
func (src snippetSource) render() (snippet, bool) {
	s := src.done
	switch {
	case src.key != nil:
		s = snippet{text: `[HKEY_LOCAL_MACHINE\` + src.key.Path + `]`, whole: true}
	case src.value != nil:
		s = regValueSnippet(src.value)
	}
	s.col = src.col
	return s, s.text != "" && safetext.Text(s.text) == s.text
}

func newSnippetIndex(f *model.Fleet) *snippetIndex {
	ix := &snippetIndex{lines: map[lineKey][]snippetSource{}}
	if f == nil {
		return ix
	}
	for _, h := range f.Hosts {
		if h.Registry != nil && h.Registry.Tree != nil {
			for _, k := range h.Registry.Tree.Keys() {
				ix.addKey(k)
			}
		}
		for _, s := range h.IPSec {
			if s != nil && s.Source == model.SourceNetsh && s.Form == model.FormScript {
				ix.addStore(s)
			}
		}
	}
	return ix
}

func (ix *snippetIndex) add(l model.Location, s snippet) {
	if s.text == "" || safetext.Text(s.text) != s.text {
		return // nothing known, or text a terminal could not show as itself
	}
	ix.addSource(l, snippetSource{done: s})
}

// addSource indexes src at l's line and column.
func (ix *snippetIndex) addSource(l model.Location, src snippetSource) {
	if l.File == "" || l.Line <= 0 {
		return
	}
	src.col = int(max(l.Column, 1))
	k := lineKey{l.File, int(l.Line)}
	ix.lines[k] = append(ix.lines[k], src)
}

func (ix *snippetIndex) addKey(k *model.Key) {
	if k.Loc.Line > 0 && k.Loc.Value == "" {
		ix.addSource(k.Loc, snippetSource{key: k})
	}
	for _, v := range k.Values {
		if v.Loc.Line > 0 {
			ix.addSource(v.Loc, snippetSource{value: v})
		}
	}
}

// regQuote writes s as a .reg file quotes a name or string.
func regQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// hexSnippetBytes is how many bytes of a hex value a snippet shows: the
// first line of regedit's layout always holds them, and they are never
// a secret (a policy blob starts with its type's GUID).
const hexSnippetBytes = 4

// regValueSnippet renders a .reg value line as regedit writes it.
func regValueSnippet(v *model.Value) snippet {
	name := "@"
	if v.Name != "" {
		name = regQuote(v.Name)
	}
	switch v.Type {
	case model.RegSZ:
		if s, ok := v.AsString(); ok && !strings.ContainsAny(s, "\r\n") {
			return snippet{text: name + "=" + regQuote(s), whole: true}
		}
	case model.RegDWORD:
		if n, ok := v.AsDWORD(); ok {
			return snippet{text: fmt.Sprintf("%s=dword:%08x", name, n), whole: true}
		}
	}
	prefix := name + "=hex:"
	if v.Type != model.RegBinary {
		prefix = fmt.Sprintf("%s=hex(%x):", name, uint32(v.Type))
	}
	var hex []string
	if utf8.RuneCountInString(prefix)+3*hexSnippetBytes < 76 {
		for i := 0; i < len(v.Data) && i < hexSnippetBytes; i++ {
			hex = append(hex, fmt.Sprintf("%02x", v.Data[i]))
		}
	}
	return snippet{text: prefix + strings.Join(hex, ","), region: utf8.RuneCountInString(name)}
}

// addStore indexes the objects of a netsh script (the dump form).
func (ix *snippetIndex) addStore(s *model.PolicyStore) {
	cmd := func(l model.Location, verb, attr, value string) {
		if l.Column <= 1 && value != "" && !strings.Contains(value, `"`) {
			ix.add(l, snippet{text: verb + " " + attr + "=" + `"` + value + `"`, region: len(verb)})
		}
	}
	for _, p := range s.Policies {
		cmd(p.Loc, "add policy", "name", p.Name)
		if p.Assigned && p.AssignLoc.Line > 0 {
			ix.add(p.AssignLoc, snippet{text: "assign=", region: len("assign")})
		}
		for _, r := range p.Rules {
			if !r.Default {
				cmd(r.Loc, "add rule", "name", r.Name)
			}
		}
	}
	for _, fl := range s.FilterLists {
		cmd(fl.Loc, "add filterlist", "name", fl.Name)
		for _, f := range fl.Filters {
			cmd(f.Loc, "add filter", "filterlist", fl.Name)
		}
	}
	for _, fa := range s.FilterActions {
		cmd(fa.Loc, "add filteraction", "name", fa.Name)
	}
}

// regions returns a text location's region and context region: from
// its snippet when one was rendered for its line and column, else its
// line (and column) alone.
func (ix *snippetIndex) regions(l model.Location) (*sarifRegion, *sarifRegion) {
	if s, ok := ix.find(l); ok {
		return s.regions(int(l.Line))
	}
	r := &sarifRegion{StartLine: int(l.Line)}
	if l.Column > 0 {
		r.StartColumn = int(l.Column)
	}
	return r, nil
}

// find returns the snippet rendered for a text location's line and
// column.
func (ix *snippetIndex) find(l model.Location) (snippet, bool) {
	col := max(int(l.Column), 1)
	for _, src := range ix.lines[lineKey{l.File, int(l.Line)}] {
		if src.col != col {
			continue
		}
		if s, ok := src.render(); ok {
			return s, true
		}
	}
	return snippet{}, false
}

// cut is how many of the n characters of the snippet's text its region
// covers.
func (s snippet) cut(n int) int {
	if s.region > 0 && s.region < n {
		return s.region
	}
	return n
}

// regions lays a snippet out on line n: the region is its first token
// (or all of it), with explicit columns; the context is the whole line
// when the snippet is, else the whole rendered text.
func (s snippet) regions(n int) (*sarifRegion, *sarifRegion) {
	runes := []rune(s.text)
	cut := s.cut(len(runes))
	region := &sarifRegion{StartLine: n, StartColumn: s.col, EndLine: n, EndColumn: s.col + cut,
		Snippet: &sarifArtifactContent{Text: string(runes[:cut])}}
	ctx := &sarifRegion{StartLine: n, EndLine: n, Snippet: &sarifArtifactContent{Text: s.text}}
	switch {
	case s.whole && s.col == 1:
		// The whole line; the region has explicit columns, so it is a
		// proper part of it.
	case cut < len(runes):
		ctx.StartColumn, ctx.EndColumn = s.col, s.col+len(runes)
	default:
		return region, nil // nothing known around the region
	}
	return region, ctx
}

// firstLine is the region of a location that names a text file as a
// whole: its first line, with the header a .reg export starts with when
// the file's detail names it.
func (ix *snippetIndex) firstLine(f *model.InputFile) (*sarifRegion, *sarifRegion) {
	if f.Kind == model.KindRegExport {
		header, _, _ := strings.Cut(f.Detail, ", ")
		if header == "REGEDIT4" || strings.HasPrefix(header, "Windows Registry Editor Version ") {
			words := strings.Fields(header)
			return snippet{col: 1, text: header, whole: true, region: len(words[0])}.regions(1)
		}
	}
	return &sarifRegion{StartLine: 1}, nil
}
