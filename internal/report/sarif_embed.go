package report

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Embedded contents (--sarif-embed).
//
// With View.SARIFEmbed each text input whose text the audit kept
// (Audit.Sources: .reg exports, netsh and ipsecpol text, the
// configuration) has it in its artifact's contents.text: the lines as
// the parser numbered them, decoded, each ended by LF, with every
// pre-shared key and password cut out (regfile.ReadText, netsh.Text);
// its properties say so ("contents") and what was cut ("redactions").
// A binary hive is never embedded: it holds the ipsecData of its NFA
// objects, which may hold pre-shared keys in clear, and base64 would
// make them no less readable; its properties say so. Past GitHub's size
// limit the largest contents go first, before any result (fitContents).

// embed puts a file's kept text in its artifact, with --sarif-embed.
func (b *sarifBuilder) embed(art *sarifArtifact, f *model.InputFile) {
	if !b.a.View.SARIFEmbed {
		return
	}
	var why string
	switch lines, notes, ok := b.sourceText(f.Name); {
	case ok && len(lines) > 0:
		art.Contents = &sarifArtifactContent{Text: strings.Join(lines, "\n") + "\n"}
		art.Properties["contents"] = "embedded: the file's text as read, decoded, each line ended by LF, with pre-shared keys and passwords cut out"
		if len(notes) > 0 {
			art.Properties["redactions"] = notes
		}
		return
	case ok && len(notes) > 0:
		why = "not embedded: " + notes[0]
	case ok:
		why = "not embedded: the file holds no text"
	case f.Kind == model.KindHive || f.Kind == model.KindHiveLog:
		why = "not embedded: a binary registry hive, whose ipsecData values may hold pre-shared keys in clear"
	case f.Status == model.StatusRead || f.Status == model.StatusPartial:
		why = "not embedded: its text was not kept"
	default:
		why = "not embedded: the file was not read"
	}
	art.Properties["contents"] = why
}

func (b *sarifBuilder) sourceText(file string) (lines, notes []string, ok bool) {
	if b.a.Sources == nil {
		return nil, nil, false
	}
	return b.a.Sources.Text(file)
}

// hiveSuffix is what a result's message adds for a location in a binary
// hive: the file and the key, which GitHub code scanning shows nowhere
// else (it reads no logical location, and no line can be shown).
func (b *sarifBuilder) hiveSuffix(l model.Location) string {
	if l.Line > 0 || l.Key == "" || b.fileKind(l.File) != model.KindHive {
		return ""
	}
	key := `HKLM\` + l.Key
	if l.Value != "" {
		key += `\` + l.Value
	}
	return fmt.Sprintf(" (binary hive %s, %s)", l.File, key)
}

// fitContents takes embedded contents out of the run, the largest
// first, until the log with all its results fits GitHub's size limit,
// so that results are cut only when the log does not fit without any
// contents. Each artifact left out says so, and a notification says how
// many were.
func fitContents(run *sarifRun, inv *sarifInvocation, lim sarifLimits) {
	var with []int
	for i, a := range run.Artifacts {
		if a.Contents != nil {
			with = append(with, i)
		}
	}
	if len(with) == 0 || lim.GzipBytes <= 0 {
		return
	}
	budget := lim.GzipBytes - lim.reserveOut
	size := func() int64 {
		trial := *run
		trial.Invocations = []sarifInvocation{*inv}
		return encodedSize(&sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{trial}}, true)
	}
	over := size() - budget
	if over <= 0 {
		return
	}
	sort.SliceStable(with, func(i, j int) bool {
		return len(run.Artifacts[with[i]].Contents.Text) > len(run.Artifacts[with[j]].Contents.Text)
	})
	dropped := 0
	for _, i := range with {
		if over <= 0 {
			break
		}
		a := &run.Artifacts[i]
		over -= encodedSize(a.Contents.Text, true)
		a.Contents = nil
		a.Properties["contents"] = "not embedded: the log would be larger than GitHub code scanning's limit"
		delete(a.Properties, "redactions")
		dropped++
	}
	msg := fmt.Sprintf("the text of %d of %d files was not embedded: with it the log would be larger than %d bytes gzip-compressed, GitHub code scanning's limit", dropped, len(with), lim.GzipBytes)
	inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification(notifContentsCut, "warning", msg))
}

// terminalSafe writes, in JSON's own escapes (\u0085), the characters
// of an encoded log that a terminal could act on and JSON's encoder
// writes as they are: C1 controls, format characters (bidirectional
// overrides, zero-width ones) and the line and paragraph separators.
// Only embedded text can hold them (every other string is made safe
// before); they lie inside strings, whose value stays the same.
func terminalSafe(data []byte) []byte {
	if !hasUnsafe(data) {
		return data
	}
	var out bytes.Buffer
	out.Grow(len(data) + 64)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if !unsafeRune(r) {
			out.Write(data[:n])
		} else if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
		} else {
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		data = data[n:]
	}
	return out.Bytes()
}

func hasUnsafe(data []byte) bool {
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if unsafeRune(r) {
			return true
		}
		i += n
	}
	return false
}

func unsafeRune(r rune) bool {
	return r >= 0x80 && r <= 0x9F || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}
