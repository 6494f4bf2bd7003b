package netsh

import "strings"

// token is one argument of a command: `tag=value`, `tag = value`, a bare
// word, or a quoted string. Offsets are byte offsets in the logical line.
type token struct {
	tag    string // "" for a bare word
	tagOff int
	value  string // without its quotes
	valOff int
	quoted bool
}

// bare reports whether the token has no tag.
func (t token) bare() bool { return t.tag == "" }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' }

// tokenize splits the arguments of a command; base is the offset of s in
// its logical line. Spaces around `=` are allowed (`name = X`); a tag
// followed by `=` and then another tag has an empty value.
func tokenize(s string, base int) []token {
	return appendTokens(make([]token, 0, 16), s, base, -1)
}

// appendTokens is tokenize appending to toks (a buffer used again), and
// stopping after max tokens (none when max < 0).
func appendTokens(toks []token, s string, base, max int) []token {
	i := 0
	skip := func() {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	for n := len(toks); ; {
		skip()
		if i >= len(s) || len(toks)-n == max {
			return toks
		}
		off := i
		word, quoted := readWord(s, &i, true)
		skip()
		if quoted || i >= len(s) || s[i] != '=' || word == "" {
			if !quoted && word == "" { // a stray '='
				i++
				continue
			}
			toks = append(toks, token{value: word, valOff: base + off, quoted: quoted})
			continue
		}
		i++ // '='
		afterEq := i
		skip()
		valOff := i
		val, vq := readWord(s, &i, false)
		if !vq && valOff > afterEq && val != "" {
			// `description= protocol=TCP`: the word after '=' is the next tag.
			j := i
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			if strings.ContainsRune(val, '=') || (j < len(s) && s[j] == '=') {
				i = valOff
				val = ""
			}
		}
		toks = append(toks, token{tag: strings.ToLower(word), tagOff: base + off, value: val, valOff: base + valOff, quoted: vq})
	}
}

// readWord reads a double-quoted string or a run of non-blank characters
// (stopping at '=' when stopAtEq) starting at *i.
func readWord(s string, i *int, stopAtEq bool) (string, bool) {
	j := *i
	if j < len(s) && s[j] == '"' {
		end := strings.IndexByte(s[j+1:], '"')
		if end < 0 {
			*i = len(s)
			return s[j+1:], true
		}
		*i = j + end + 2
		return s[j+1 : j+1+end], true
	}
	start, quotes := j, false
	for j < len(s) {
		c := s[j]
		if isSpace(c) || (stopAtEq && c == '=') {
			break
		}
		if c == '"' { // a quote inside a word: keep it to the closing quote
			quotes = true
			if end := strings.IndexByte(s[j+1:], '"'); end >= 0 {
				j += end + 2
				continue
			}
		}
		j++
	}
	*i = j
	if !quotes {
		return s[start:j], false
	}
	return strings.ReplaceAll(s[start:j], `"`, ""), false
}
