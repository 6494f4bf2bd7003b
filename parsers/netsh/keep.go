package netsh

import (
	"strings"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Text is a file's text as Parse read it (Options.KeepText), for outputs
// that quote or embed it: its physical lines, numbered as every Location
// of the file numbers them, decoded to UTF-8, without their line ends,
// and with every pre-shared key and password replaced by model.Redacted.
//
// A line is cut from where it may hold a secret to its end: where the
// parser read a key (psk=, `psk KEY`, ipsecpol's -a PRESHARE:, a show
// all listing's key value, a listing line that follows one) and, so that
// a command the parser does not run cannot leak one, from the word psk
// or preshare(d) and from the password after netsh's -p in a script,
// and after the colon of any listing label that names a key or secret.
// The text may thus lose more than the secret; it never keeps one.
type Text struct {
	Lines []string
	// Redacted lists the lines (1-based) in which text was replaced.
	Redacted []int
	// Long lists the lines longer than MaxLineBytes: not read, kept
	// empty.
	Long []int
}

// keeper collects a file's lines and where the parser met secrets.
type keeper struct {
	lines  []string
	long   []int
	secret map[int]int // line -> 1-based byte column from which it may hold a secret
}

// keepLine keeps physical line n.
func (k *keeper) keepLine(n int, s string, long bool) {
	if k == nil {
		return
	}
	for len(k.lines) < n-1 {
		k.lines = append(k.lines, "")
	}
	k.lines = append(k.lines, s)
	if long {
		k.long = append(k.long, n)
	}
}

// secretAt marks line n as possibly secret from byte column col on.
func (k *keeper) secretAt(n, col int) {
	if k == nil || n <= 0 {
		return
	}
	col = max(col, 1)
	if c, ok := k.secret[n]; !ok || col < c {
		k.secret[n] = col
	}
}

// secretAfterLabel marks physical line n, a label line, as possibly
// secret after its label's separator (the whole line when it has none).
func (k *keeper) secretAfterLabel(n int) {
	if k == nil || n <= 0 || n > len(k.lines) {
		k.secretAt(n, 1)
		return
	}
	k.secretAt(n, max(afterLabelColumn(k.lines[n-1]), 1))
}

// secretIn marks logical line l as possibly secret from its byte off on:
// the physical line off lies on from there, and every line it goes on to.
func (k *keeper) secretIn(l *logicalLine, off int) {
	if k == nil {
		return
	}
	n, col := l.pos(off)
	k.secretAt(n, col)
	for _, s := range l.segs {
		if s.line > n {
			k.secretAt(s.line, 1)
		}
	}
}

// text cuts the secrets out of the lines kept, for a file of the form.
func (k *keeper) text(form string) *Text {
	t := &Text{Lines: k.lines, Long: k.long}
	carried := false // the line before held a secret and went on (cmd's ^ at its end)
	for i, line := range t.Lines {
		col, ok := k.secret[i+1]
		if c := secretColumn(line, form); c > 0 && (!ok || c < col) {
			col, ok = c, true
		}
		if carried {
			col, ok = 1, true
		}
		carried = ok && strings.HasSuffix(strings.TrimRight(line, " \t\r"), "^")
		if !ok || col-1 >= len(line) {
			continue
		}
		cut := col - 1
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		t.Lines[i] = line[:cut] + model.Redacted
		t.Redacted = append(t.Redacted, i+1)
	}
	return t
}

// secretColumn is the 1-based byte column from which a line may hold a
// secret whatever the parser made of it, 0 when none: the checks of the
// Text comment that do not depend on the parser's state.
func secretColumn(line, form string) int {
	if strings.IndexByte(line, '^') >= 0 {
		// cmd removes its escape character before netsh sees the line
		// (p^sk^=key is psk=key): look at the line without it, and map
		// the column back.
		var b strings.Builder
		at := make([]int, 0, len(line)) // at[i]: offset in line of byte i of the stripped line
		for i := 0; i < len(line); i++ {
			if line[i] != '^' {
				b.WriteByte(line[i])
				at = append(at, i)
			}
		}
		if c := secretColumnOf(b.String(), form); c > 0 {
			if c-1 < len(at) {
				return at[c-1] + 1
			}
			return len(line) + 1
		}
		return 0
	}
	return secretColumnOf(line, form)
}

// secretColumnOf is secretColumn of a line without cmd's escapes.
func secretColumnOf(line, form string) int {
	if form == formShowAll {
		return secretLabelColumn(line, true)
	}
	col := 0
	for _, c := range []int{pskColumn(line), pskTagColumn(line), wordColumn(line, "preshare"), wordColumn(line, "pre-share"), ipsecpolKeyColumn(line), passwordColumn(line)} {
		if c > 0 && (col == 0 || c < col) {
			col = c
		}
	}
	if c := secretLabelColumn(line, false); form == formNetdiag && c > 0 && (col == 0 || c < col) {
		col = c
	}
	return col
}

// secretLabelColumn is the column after the separator of a label line
// whose label names a key or secret. In a listing (known) the labels it
// reads are not secret but the pre-shared key's own.
func secretLabelColumn(line string, known bool) int {
	label, _, ok := splitLabel(strings.TrimSpace(line))
	if !ok || label == "" {
		return 0
	}
	lm, isKnown := lookupLabel(vocab.labels, label)
	switch {
	case isKnown && lm.field == fPSK:
	case isKnown && known:
		return 0
	case !isSecretLabel(label):
		return 0
	}
	return afterLabelColumn(line)
}

// afterLabelColumn is the 1-based column after a label line's separator
// (":", or the full-width colon of East Asian listings), 0 when it has
// none.
func afterLabelColumn(line string) int {
	i, n := strings.IndexByte(line, ':'), 1
	if j := strings.Index(line, fullWidthColon); j >= 0 && (i < 0 || j < i) {
		i, n = j, len(fullWidthColon)
	}
	if i < 0 {
		return 0
	}
	return i + n + 1
}

// pskColumn is the column of a word psk, or ps followed by "=" (netsh
// takes a tag's unambiguous prefix), 0 when none.
func pskColumn(line string) int {
	for from := 0; ; {
		c := wordColumn(line[from:], "ps")
		if c == 0 {
			return 0
		}
		i := from + c - 1 + len("ps")
		j := i
		for j < len(line) && isBlank(line[j]) {
			j++
		}
		if j < len(line) && line[j] == '"' { // a quoted tag: "ps"=
			j++
		}
		if i < len(line) && lowerASCII(line[i]) == 'k' || j < len(line) && line[j] == '=' {
			return from + c
		}
		from = i
	}
}

// pskTagColumn is the column of "psk" ending a word and followed by "="
// or ":" (blanks and a closing quote aside): a key given to a tag of
// another tool (advfirewall's auth1psk=), or to a quoted tag ("psk"=);
// 0 when none. (cmd's escapes are gone by then: see secretColumn.)
func pskTagColumn(line string) int {
	for from := 0; ; {
		i := indexFold(line, "psk", from)
		if i < 0 {
			return 0
		}
		j := i + len("psk")
		for j < len(line) && (isBlank(line[j]) || line[j] == '"') {
			j++
		}
		if j < len(line) && (line[j] == '=' || line[j] == ':') {
			return i + 1
		}
		from = i + 1
	}
}

// ipsecpolKeyColumn is the column of a pre-shared key method (P:key) of
// an ipsecpol or ipseccmd command line, or of the value of its -a option
// when that is P or PRESHARE written without its colon (the key may follow
// a space).
func ipsecpolKeyColumn(line string) int {
	if wordColumn(line, "ipsecpol") == 0 && wordColumn(line, "ipseccmd") == 0 {
		return 0
	}
	col := wordColumn(line, "p:")
	for from := 0; from < len(line); {
		i := indexFold(line, "-a", from)
		if i < 0 {
			break
		}
		j := i + 2
		for j < len(line) && isBlank(line[j]) {
			j++
		}
		if j > i+2 && j < len(line) && lowerASCII(line[j]) == 'p' && (col == 0 || j+1 < col) {
			col = j + 1
		}
		from = i + 2
	}
	return col
}

// wordColumn is the 1-based column of the first place where a word
// starts with w (lower-case ASCII; the line's letters of any case), 0
// when none. Only ASCII letters and digits make words.
func wordColumn(line, w string) int {
	for from := 0; from+len(w) <= len(line); {
		i := indexFold(line, w, from)
		if i < 0 {
			return 0
		}
		if i == 0 || !isAlnum(line[i-1]) {
			return i + 1
		}
		from = i + 1
	}
	return 0
}

// passwordColumn is the column of the value after a -p (or /p) option
// of a netsh command line (`netsh -r host -u user -p password`).
func passwordColumn(line string) int {
	if wordColumn(line, "netsh") == 0 {
		return 0
	}
	for i := 1; i+2 < len(line); i++ {
		if (line[i] == '-' || line[i] == '/') && lowerASCII(line[i+1]) == 'p' && isBlank(line[i-1]) && isBlank(line[i+2]) {
			j := i + 2
			for j < len(line) && isBlank(line[j]) {
				j++
			}
			return j + 1
		}
	}
	return 0
}

// isAlnum reports whether c is an ASCII letter or digit: what makes a
// word for wordColumn.
func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
