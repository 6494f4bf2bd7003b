// Package report writes the result of an audit: a table for people, SARIF
// 2.1.0 for code-scanning services, and JSON for scripts. Each format is
// one file with one type whose Print method writes to an io.Writer;
// adding a format touches one file.
package report

import (
	"io"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// Tool names the program in the outputs.
type Tool struct {
	Name           string
	Version        string
	InformationURI string
	Commit         string // the VCS revision the binary was built from, when known
}

// View says how the outputs for people are laid out.
type View struct {
	// Width is the width of the table in columns; 0 is the default for
	// output that is not a terminal (100).
	Width int
	// Color marks severities with ANSI colour (a terminal, --color).
	Color bool
	// Hosts is how many hosts the table's host section lists (0 = all);
	// the totals always cover every host.
	Hosts int
	// SARIFRootURI, when set, is written in SARIF's originalUriBaseIds
	// as the URI of the folder artifact paths are relative to (the git
	// work tree's top when the audited folder lies in one, else the
	// audited folder). Without it the auditor's absolute path is left
	// out.
	SARIFRootURI string
	// SARIFCategory, when set, is SARIF's automationDetails.id (with a
	// "/" added when it has none, making it a category). Left out
	// otherwise: GitHub's upload-sarif writes its own category only
	// when the file has none.
	SARIFCategory string
	// SARIFAutomationProperties are automationDetails.properties (Azure
	// DevOps wants its pipeline's build definition and phase there).
	SARIFAutomationProperties map[string]string
	// SARIFEmbed embeds the text inputs' text, secrets cut out, in SARIF's
	// artifacts (--sarif-embed); it needs Audit.Sources to hold the text.
	SARIFEmbed bool
	// PathPrefix is put before file names relative to the audited folder
	// in the github and junit formats, when the printer sets none: the
	// audited folder relative to the workspace, so that annotations land
	// on the repository's files.
	PathPrefix string
	// Workspace is the workspace's folder ($GITHUB_WORKSPACE, else the
	// current one): the github and junit formats name files outside the
	// audited folder relative to it.
	Workspace string
}

// Audit is everything an output shows: the fleet as read, the rules run,
// and what they said.
type Audit struct {
	Tool    Tool
	Fleet   *model.Fleet
	Rules   []*rules.Rule
	Outcome rules.Outcome
	View    View
	// VCS is the git work tree the audited folder lies in (FindVCS), or
	// nil: SARIF then names the repository and makes paths relative to
	// its root.
	VCS *VCS
	// Sources is what the audit kept of the inputs beyond the model, for
	// SARIF's snippets, byte regions and embedded text; nil for none.
	Sources Sources
}

// ConfigFile names the configuration the audit used, "" for none.
func (a *Audit) ConfigFile() string {
	if a.Fleet != nil && a.Fleet.Config != nil {
		return a.Fleet.Config.File
	}
	return ""
}

// Printer writes an audit in one format.
type Printer interface {
	Print(w io.Writer, a *Audit) error
}

// Format is one output format of `ipseclint audit --format`.
type Format struct {
	Name    string // as --format names it, lower case
	Ext     string // the extension of a file in this format ("sarif", "json", "txt")
	Printer Printer
}

var formats []Format

// register adds a format; each format's file calls it from init, so that
// adding a format touches that one file.
func register(f Format) {
	formats = append(formats, f)
	sort.Slice(formats, func(i, j int) bool { return formats[i].Name < formats[j].Name })
}

// Formats returns the output formats, sorted by name.
func Formats() []Format { return append([]Format(nil), formats...) }

// FormatByName returns the format of that name (case-insensitive).
func FormatByName(name string) (Format, bool) {
	for _, f := range formats {
		if strings.EqualFold(f.Name, strings.TrimSpace(name)) {
			return f, true
		}
	}
	return Format{}, false
}

// FormatNames lists the format names, sorted.
func FormatNames() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = f.Name
	}
	return out
}
