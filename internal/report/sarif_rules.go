package report

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// Notification descriptor IDs, in the order of sarifNotifications (a
// notification's descriptor.index is its place there).
const (
	notifInputFailed = iota
	notifInputPartial
	notifNotEvaluated
	notifAcceptedExpired
	notifAcceptedStale
	notifResultsCut
	notifContentsCut
)

var sarifNotifications = []sarifDescriptor{
	notifInputFailed: {
		ID: "input-unreadable", Name: "InputUnreadable",
		ShortDescription: sarifText{Text: "An input file could not be read."},
		FullDescription: sarifText{Text: "An input file could not be read at all (a hive cut short or damaged beyond its header, " +
			"a file that cannot be opened): nothing it holds was audited, and the checks that need it say so."},
		Help: sarifText{Text: "Collect the file again from the server (copy hives with reg save, export keys with regedit, " +
			"capture netsh ipsec static dump to a file) and rerun the audit. `ipseclint dump` shows what was read."},
		DefaultConfiguration: sarifConfig{Level: "error"},
	},
	notifInputPartial: {
		ID: "input-partly-read", Name: "InputPartlyRead",
		ShortDescription: sarifText{Text: "An input file was only partly read (syntax errors or damage)."},
		FullDescription: sarifText{Text: "Parts of an input file could not be understood (syntax errors in a .reg export or a netsh dump, " +
			"damaged cells in a hive); the rest of the file was read and audited. A value on a damaged line may be missing from the audit."},
		Help: sarifText{Text: "Look at the lines or keys named in the message; collect the file again if it was damaged in transit. " +
			"`ipseclint dump` shows what was read."},
		DefaultConfiguration: sarifConfig{Level: "warning"},
	},
	notifNotEvaluated: {
		ID: "rule-not-evaluated", Name: "RuleNotEvaluated",
		ShortDescription: sarifText{Text: "A rule could not be evaluated on a host: a fact it needs is not in the exports."},
		FullDescription: sarifText{Text: "A rule could not check a host because a fact it needs is not in the files collected from it " +
			"(no SOFTWARE export, a policy assigned whose contents are not exported, ...). This is not a pass: the host was not checked."},
		Help:                 sarifText{Text: "Add the export the message names to the host's folder and rerun the audit."},
		DefaultConfiguration: sarifConfig{Level: "note"},
	},
	notifAcceptedExpired: {
		ID: "accepted-risk-expired", Name: "AcceptedRiskExpired",
		ShortDescription: sarifText{Text: "An accepted risk of the configuration has expired."},
		FullDescription: sarifText{Text: "An entry of the configuration's accepted list has reached its expires day: it suppresses nothing, " +
			"and the findings it matched are reported as they are."},
		Help:                 sarifText{Text: "Fix the findings, or review the acceptance and give the entry a new expires day."},
		DefaultConfiguration: sarifConfig{Level: "warning"},
	},
	notifAcceptedStale: {
		ID: "accepted-risk-stale", Name: "AcceptedRiskStale",
		ShortDescription: sarifText{Text: "An accepted risk of the configuration matches no finding."},
		FullDescription: sarifText{Text: "An entry of the configuration's accepted list matches no finding of this audit: " +
			"the problem was fixed, or the entry names the wrong rule, host or subject."},
		Help:                 sarifText{Text: "Remove the entry if the problem is fixed; otherwise correct its rule, host or subject."},
		DefaultConfiguration: sarifConfig{Level: "note"},
	},
	notifResultsCut: {
		ID: "results-cut", Name: "ResultsCut",
		ShortDescription: sarifText{Text: "Results were left out to stay within the code-scanning upload limits."},
		FullDescription: sarifText{Text: "The run had more results than GitHub code scanning accepts in one run (25,000), or its log " +
			"would have been larger than 10 MB once gzip-compressed: the least severe results were left out, and run.properties.resultsCut counts them."},
		Help: sarifText{Text: "Audit fewer hosts per run, or read every finding in the JSON output " +
			"(`ipseclint audit --format json`), which has no limit."},
		DefaultConfiguration: sarifConfig{Level: "warning"},
	},
	notifContentsCut: {
		ID: "contents-not-embedded", Name: "ContentsNotEmbedded",
		ShortDescription: sarifText{Text: "Some input files' text was not embedded, to stay within the code-scanning upload limit."},
		FullDescription: sarifText{Text: "With --sarif-embed the log would have been larger than 10 MB once gzip-compressed: " +
			"the text of the largest files was left out of their artifacts (each says so in its properties), so that no result had to be."},
		Help:                 sarifText{Text: "Audit fewer hosts per run, or leave --sarif-embed out."},
		DefaultConfiguration: sarifConfig{Level: "warning"},
	},
}

// notification makes a notification of descriptor d.
func notification(d int, level, text string) sarifNotification {
	return sarifNotification{Descriptor: sarifReference{ID: sarifNotifications[d].ID, Index: d}, Level: level, Message: sarifText{Text: text}}
}

// securitySeverity is properties.security-severity of a rule by its
// default severity: GitHub's bands are low 0.1-3.9, medium 4.0-6.9,
// high 7.0-8.9, critical 9.0 and above; the values keep clear of the
// boundaries. A rule that makes traffic go in clear is high (error); a
// weakness, medium (warning); information, low (note).
func securitySeverity(s rules.Severity) string {
	switch s {
	case rules.SeverityError:
		return "7.5"
	case rules.SeverityWarning:
		return "5.0"
	}
	return "2.0"
}

// problemSeverity is properties.problem.severity: GitHub's name for the
// level of a rule that is not (only) a security query.
func problemSeverity(s rules.Severity) string {
	switch s {
	case rules.SeverityError:
		return "error"
	case rules.SeverityWarning:
		return "warning"
	}
	return "recommendation"
}

func sarifRuleOf(r *rules.Rule) sarifRule {
	refs := make([]string, len(r.References))
	for i, ref := range r.References {
		refs[i] = ref.Title
	}
	help := r.Summary + "\n\n" + r.Description + "\n\nRemediation:\n" + r.Remediation
	return sarifRule{
		ID: r.ID, Name: pascalName(r.Name),
		ShortDescription:     sarifText{Text: r.Summary},
		FullDescription:      sarifText{Text: r.Description},
		Help:                 sarifText{Text: help, Markdown: r.Help()},
		HelpURI:              r.HelpURI,
		DefaultConfiguration: sarifConfig{Level: string(r.Severity)},
		Properties: map[string]any{
			"tags":              []string{"security", "ipsec", "exchange-2003", "configuration"},
			"precision":         "high",
			"problem.severity":  problemSeverity(r.Severity),
			"security-severity": securitySeverity(r.Severity),
			"references":        refs,
			// The rule's name as ipseclint spells it (--disable, the
			// configuration), since name is PascalCase here.
			"ipseclintName": r.Name,
		},
	}
}

// pascalName spells a rule's kebab-case name as SARIF wants reporting
// descriptor names: one PascalCase identifier, "nlbsflags-missing" →
// "NlbsflagsMissing", "pop3-imap4-unencrypted" → "Pop3Imap4Unencrypted".
// Each part is a capital followed by lower-case letters and digits
// (the multitool's pattern), so "IKEv1" would become "Ikev1".
func pascalName(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for i, r := range part {
			if i == 0 {
				b.WriteRune(unicode.ToUpper(r))
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

// semVer is SemVer 2.0.0's grammar (semver.org's suggested expression).
var semVer = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// isSemVer reports whether v is a SemVer version (without a "v").
func isSemVer(v string) bool { return semVer.MatchString(v) }

func notEvaluatedText(ne rules.NotEvaluated) string {
	if ne.Host == "" {
		return ne.RuleID + " not evaluated: " + ne.Reason
	}
	return ne.RuleID + " not evaluated on " + ne.Host + ": " + ne.Reason
}

// invocation is the run's one invocation: whether every input was read,
// the notifications, and the configuration used.
func (b *sarifBuilder) invocation() sarifInvocation {
	a := b.a
	inv := sarifInvocation{ExecutionSuccessful: true, ToolExecutionNotifications: []sarifNotification{}}
	for _, f := range a.Fleet.Files {
		if n, ok := b.fileNotification(f); ok {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
			if f.Status == model.StatusFailed {
				inv.ExecutionSuccessful = false
			}
		}
	}
	for _, ne := range a.Outcome.NotEvaluated {
		n := notification(notifNotEvaluated, "note", safetext.MarkdownInline(notEvaluatedText(ne)))
		n.Properties = map[string]any{"host": ne.Host}
		if i, ok := b.ruleIndex[ne.RuleID]; ok {
			n.AssociatedRule = &sarifReference{ID: ne.RuleID, Index: i}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	for _, st := range a.Outcome.Accepted {
		if n, ok := b.acceptedNotification(st); ok {
			inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, n)
		}
	}
	props := map[string]any{}
	if cfg := a.ConfigFile(); cfg != "" {
		props["configurationFile"] = b.artifactLoc(cfg, true)
	}
	if len(a.Outcome.Disabled) > 0 {
		var ds []map[string]string
		for _, d := range a.Outcome.Disabled {
			ds = append(ds, map[string]string{"id": d.ID, "by": safetext.Text(d.By)})
		}
		props["rulesDisabled"] = ds
	}
	if len(props) > 0 {
		inv.Properties = props
	}
	return inv
}

func (b *sarifBuilder) fileNotification(f *model.InputFile) (sarifNotification, bool) {
	var n sarifNotification
	switch f.Status {
	case model.StatusFailed:
		n = notification(notifInputFailed, "error", safetext.MarkdownInline(f.Name+": could not be read: "+f.Reason))
	case model.StatusPartial:
		msg := f.Name + ": only partly read: " + f.Reason
		for i, p := range f.Problems {
			if i == 5 {
				break
			}
			msg += "; " + b.a.locationText(p.Loc) + ": " + p.Message
		}
		n = notification(notifInputPartial, "warning", safetext.MarkdownInline(msg))
	default:
		return n, false
	}
	loc := sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: b.artifactLoc(f.Name, true)}}
	if f.Status == model.StatusPartial && len(f.Problems) > 0 && f.Problems[0].Loc.File == f.Name {
		// Point at the first problem: its line, or its key in a hive.
		loc = b.location(f.Problems[0].Loc)
	}
	n.Locations = []sarifLocation{loc}
	if f.Host != "" {
		n.Properties = map[string]any{"host": f.Host}
	}
	return n, true
}

// acceptedNotification reports an accepted risk that expired or matches
// no finding, at its entry in the configuration.
func (b *sarifBuilder) acceptedNotification(st rules.AcceptedStatus) (sarifNotification, bool) {
	msg, ok := acceptedMessage(st)
	if !ok {
		return sarifNotification{}, false
	}
	n := notification(notifAcceptedStale, "note", safetext.MarkdownInline(msg))
	if st.Status == rules.AcceptedExpired {
		n = notification(notifAcceptedExpired, "warning", safetext.MarkdownInline(msg))
	}
	if st.Risk.Loc.File != "" {
		n.Locations = []sarifLocation{b.location(st.Risk.Loc)}
	}
	return n, true
}
