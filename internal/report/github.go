package report

import (
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// GitHub writes the audit as GitHub Actions workflow commands, one per
// line, which the runner turns into annotations on the files:
//
//	::error file=EXFE01/ipsec.txt,line=12,col=5,title=IPSEC002 pop3-imap4-unencrypted::message
//
// In the Outcome's order: each finding (error, warning, or notice for a
// note; a suppressed finding is a notice "suppressed: <reason>"; an
// uncertain one says "(uncertain)" in its title), each check not
// evaluated (notice), each input file that failed (error) or was only
// partly read (warning), each accepted risk that expired or matches
// nothing (notice), and last one notice titled "ipseclint" with the
// totals. Every string from the inputs is made safe with [safetext.Text]
// and then escaped as the runner unescapes it, so no input can end a
// command or start another.
type GitHub struct {
	// PathPrefix is put before each file name relative to the audited
	// root ("fleet" makes "EXFE01/ipsec.txt" "fleet/EXFE01/ipsec.txt"),
	// so that file= is relative to the repository's root, as the runner
	// expects. Empty: file names are relative to the audited root.
	// Absolute names (files outside the root) are kept; the runner makes
	// them relative to the workspace. Empty: View.PathPrefix, which the
	// command line sets to the audited folder relative to
	// $GITHUB_WORKSPACE (else the current folder).
	PathPrefix string
	// Workspace is the folder file names outside the audited root are
	// made relative to when they lie in it (empty: View.Workspace).
	Workspace string
}

func init() { register(Format{Name: "github", Ext: "txt", Printer: GitHub{}}) }

// ghCommand is one workflow command: ::level file=,line=,col=,title=::message.
type ghCommand struct {
	level   string // "error", "warning" or "notice"
	file    string
	line    int
	col     int
	title   string
	message string
}

// String renders the command: every value made safe with safetext.Text,
// then escaped as GitHub's runner and toolkit do ('%' first; message:
// CR, LF; properties: also ':' and ','). Empty properties are left out,
// and col only goes with a line, as the runner requires.
func (c ghCommand) String() string {
	var b strings.Builder
	b.WriteString("::")
	b.WriteString(c.level)
	sep := " "
	prop := func(key, value string) {
		if value == "" {
			return
		}
		b.WriteString(sep + key + "=" + ghEscapeProperty(safetext.Text(value)))
		sep = ","
	}
	prop("file", c.file)
	if c.line > 0 {
		prop("line", strconv.Itoa(c.line))
		if c.col > 0 {
			prop("col", strconv.Itoa(c.col))
		}
	}
	prop("title", c.title)
	b.WriteString("::")
	b.WriteString(ghEscapeData(safetext.Text(c.message)))
	return b.String()
}

var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// ghEscapeData escapes a command's message as actions/toolkit's
// escapeData does. strings.Replacer replaces in one pass, so "%" is
// never escaped twice.
func ghEscapeData(s string) string { return ghDataEscaper.Replace(s) }

// ghEscapeProperty escapes a property value as actions/toolkit's
// escapeProperty does.
func ghEscapeProperty(s string) string { return ghPropertyEscaper.Replace(s) }

// Print writes the commands, one a line. Without a PathPrefix of its
// own, the printer takes the audit's View.PathPrefix.
func (g GitHub) Print(w io.Writer, a *Audit) error {
	if g.Workspace == "" {
		g.Workspace = a.View.Workspace
	}
	if g.PathPrefix == "" {
		g.PathPrefix = a.View.PathPrefix
	}
	for _, c := range g.commands(a) {
		if _, err := io.WriteString(w, c.String()+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// commands are the audit's workflow commands in output order.
func (g GitHub) commands(a *Audit) []ghCommand {
	var out []ghCommand
	for _, f := range a.Outcome.Findings {
		out = append(out, g.findingCommand(f))
	}
	for _, ne := range a.Outcome.NotEvaluated {
		out = append(out, ghCommand{level: "notice", title: ne.RuleID + " not evaluated", message: hostLabel(ne.Host) + ": " + ne.Reason})
	}
	if a.Fleet != nil {
		for _, f := range a.Fleet.Files {
			if c, ok := g.fileCommand(a, f); ok {
				out = append(out, c)
			}
		}
	}
	for _, st := range a.Outcome.Accepted {
		if c, ok := g.acceptedCommand(st); ok {
			out = append(out, c)
		}
	}
	return append(out, ghCommand{level: "notice", title: "ipseclint", message: summaryText(a)})
}

// ghLevel is the command for a finding's severity.
func ghLevel(s rules.Severity) string {
	switch s {
	case rules.SeverityError:
		return "error"
	case rules.SeverityWarning:
		return "warning"
	}
	return "notice"
}

func (g GitHub) findingCommand(f rules.Finding) ghCommand {
	c := ghCommand{level: ghLevel(f.Severity), title: f.RuleID + " " + f.RuleName}
	g.locate(&c, f.Loc)
	msg := f.Message
	if f.Loc.File == "" && f.Host != "" {
		msg = f.Host + ": " + msg
	}
	if reg := registryText(f.Loc); reg != "" {
		msg += " (" + reg + ")"
	}
	if len(f.Uncertain) > 0 {
		c.title += " (uncertain)"
		msg += " (uncertain: " + strings.Join(f.Uncertain, "; ") + ")"
	}
	if f.Suppressed != nil {
		c.level = "notice"
		c.title += " (suppressed)"
		msg = "suppressed: " + suppressionText(f.Suppressed) + "; the " + string(f.Severity) + " was: " + msg
	}
	c.message = msg
	return c
}

// locate sets the command's file, line and column from l. A hive
// location has no line: the message names its key (registryText).
func (g GitHub) locate(c *ghCommand, l model.Location) {
	c.file = prefixed(g.PathPrefix, g.Workspace, l.File)
	c.line, c.col = int(l.Line), int(l.Column)
}

func (g GitHub) fileCommand(a *Audit, f *model.InputFile) (ghCommand, bool) {
	c := ghCommand{file: prefixed(g.PathPrefix, g.Workspace, f.Name)}
	switch f.Status {
	case model.StatusFailed:
		c.level, c.title = "error", "input file not read"
		c.message = f.Name + " could not be read: " + f.Reason
	case model.StatusPartial:
		c.level, c.title = "warning", "input file partly read"
		c.message = f.Name + " was only partly read: " + strings.Join(append([]string{f.Reason}, a.problemLines(f, 5)...), "; ")
		if len(f.Problems) > 0 && f.Problems[0].Loc.File == f.Name {
			c.line, c.col = int(f.Problems[0].Loc.Line), int(f.Problems[0].Loc.Column)
		}
	default:
		return c, false
	}
	return c, true
}

// acceptedCommand reports an accepted risk that expired or matches no
// finding, at its entry in the configuration.
func (g GitHub) acceptedCommand(st rules.AcceptedStatus) (ghCommand, bool) {
	msg, ok := acceptedMessage(st)
	if !ok {
		return ghCommand{}, false
	}
	c := ghCommand{level: "notice", title: "accepted risk " + st.Status, message: msg}
	g.locate(&c, st.Risk.Loc)
	return c, true
}

// The helpers below are shared by the github and junit formats.

// prefixed puts prefix before a file name relative to the audited root.
// An absolute name (a file outside the root, such as a configuration
// found in a parent folder) is made relative to the workspace ws when it
// lies in it, so that the runner places it in the repository; else it, or
// a name with an empty prefix, is left as it is.
func prefixed(prefix, ws, name string) string {
	if name == "" {
		return name
	}
	if filepath.IsAbs(filepath.FromSlash(name)) || path.IsAbs(name) {
		if ws != "" {
			if rel, err := filepath.Rel(ws, filepath.FromSlash(name)); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return filepath.ToSlash(rel)
			}
		}
		return name
	}
	if prefix == "" {
		return name
	}
	return path.Join(filepath.ToSlash(prefix), name)
}

// hostLabel names a host, or the fleet for fleet-wide entries.
func hostLabel(host string) string {
	if host == "" {
		return "(fleet)"
	}
	return host
}

// registryText names the registry key (and value, and offset in a binary
// value) of a location that has no line, as in a binary hive:
// `key HKLM\SYSTEM\...\Oakley, value NLBSFlags`. "" for a location with
// a line (the line says it) or without a key.
func registryText(l model.Location) string {
	if l.Line > 0 || l.Key == "" {
		return ""
	}
	s := `key HKLM\` + l.Key
	if l.Value != "" {
		s += ", value " + l.Value
	}
	if l.Offset > 0 {
		s += fmt.Sprintf(", offset 0x%x", l.Offset)
	}
	return s
}

// suppressionText says which accepted risk suppresses a finding: its
// reason, ticket, expiry and where it is written.
func suppressionText(s *rules.Suppression) string {
	var extra []string
	if s.Ticket != "" {
		extra = append(extra, "ticket "+s.Ticket)
	}
	if s.Expires != "" {
		extra = append(extra, "expires "+s.Expires)
	}
	if !s.Loc.IsZero() {
		extra = append(extra, "accepted at "+s.Loc.String())
	}
	if len(extra) == 0 {
		return s.Reason
	}
	return s.Reason + " (" + strings.Join(extra, ", ") + ")"
}

// acceptedMessage says what became of an accepted risk that expired or
// matches no finding; ok is false for an active one.
func acceptedMessage(st rules.AcceptedStatus) (msg string, ok bool) {
	r := st.Risk
	if r == nil {
		return "", false
	}
	switch st.Status {
	case rules.AcceptedExpired:
		return acceptedText(r) + " expired on " + r.Expires + ": it suppresses nothing (" + plural(st.Matched, "finding", "findings") + " matched)", true
	case rules.AcceptedStale:
		return acceptedText(r) + " matches no finding: fixed, or the entry is wrong", true
	}
	return "", false
}

// acceptedText names an accepted entry: accepted[2] (IPSEC001 on EXFE01, subject NLBSFlags).
func acceptedText(r *model.AcceptedRisk) string {
	rule := r.Rule.Ref
	if r.Rule.ID != "" && !strings.EqualFold(r.Rule.ID, r.Rule.Ref) {
		rule = r.Rule.ID + " (" + r.Rule.Ref + ")"
	}
	s := fmt.Sprintf("accepted[%d] (%s on %s", r.Index, rule, r.Host)
	if r.Subject != "" {
		s += ", subject " + r.Subject
	}
	return s + ")"
}

// problemLines are the first max problems of an input file, as
// "location: message", and a last line saying how many more there are.
func (a *Audit) problemLines(f *model.InputFile, max int) []string {
	var out []string
	for i, p := range f.Problems {
		if i == max {
			out = append(out, fmt.Sprintf("... and %d more", len(f.Problems)-max))
			break
		}
		out = append(out, a.locationText(p.Loc)+": "+p.Message)
	}
	return out
}

// summaryText gives the totals as the table's footer does, and what was
// suppressed and switched off.
func summaryText(a *Audit) string {
	s := a.Summarize()
	text := fmt.Sprintf("%s; files: %d read, %d partly read, %d failed, %d skipped; findings: %s, %s, %s",
		plural(s.Hosts, "host", "hosts"),
		s.Files[string(model.StatusRead)], s.Files[string(model.StatusPartial)], s.Files[string(model.StatusFailed)], s.Files[string(model.StatusSkipped)],
		plural(s.Findings[string(rules.SeverityError)], "error", "errors"), plural(s.Findings[string(rules.SeverityWarning)], "warning", "warnings"),
		plural(s.Findings[string(rules.SeverityNote)], "note", "notes"))
	if n := len(a.Outcome.Findings) - len(a.Outcome.Active()); n > 0 {
		text += fmt.Sprintf(" (%d suppressed)", n)
	}
	text += "; " + plural(s.NotEvaluated, "check", "checks") + " not evaluated"
	if len(a.Outcome.Disabled) > 0 {
		var ds []string
		for _, d := range a.Outcome.Disabled {
			ds = append(ds, d.ID+" ("+d.By+")")
		}
		text += "; rules disabled: " + strings.Join(ds, ", ")
	}
	return text
}
