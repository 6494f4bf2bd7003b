package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// SARIF writes the audit as SARIF 2.1.0: every rule with its metadata in
// tool.driver.rules, one result per finding, every input file in
// artifacts, and unreadable files and not-evaluated checks as tool
// execution notifications.
type SARIF struct{}

func init() { register(Format{Name: "sarif", Ext: "sarif", Printer: SARIF{}}) }

// SARIFSchema is the schema URI written in $schema: the "id" of the OASIS
// SARIF 2.1.0 schema (errata 01), against which the tests validate.
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// rootBaseID is the uriBaseId artifact locations are relative to.
const rootBaseID = "AUDITROOT"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Artifacts          []sarifArtifact             `json:"artifacts"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
	Properties         map[string]any              `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string            `json:"name"`
	Version        string            `json:"version,omitempty"`
	InformationURI string            `json:"informationUri,omitempty"`
	Rules          []sarifRule       `json:"rules"`
	Notifications  []sarifDescriptor `json:"notifications"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifDescriptor struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	ShortDescription     sarifText   `json:"shortDescription"`
	FullDescription      sarifText   `json:"fullDescription"`
	Help                 sarifText   `json:"help"`
	DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Descriptor     sarifReference  `json:"descriptor"`
	AssociatedRule *sarifReference `json:"associatedRule,omitempty"`
	Level          string          `json:"level"`
	Message        sarifText       `json:"message"`
	Locations      []sarifLocation `json:"locations,omitempty"`
	Properties     map[string]any  `json:"properties,omitempty"`
}

type sarifReference struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
	Index     *int   `json:"index,omitempty"`
}

type sarifArtifact struct {
	Location   sarifArtifactLoc `json:"location"`
	Roles      []string         `json:"roles,omitempty"`
	Properties map[string]any   `json:"properties"`
}

// sarifRegion is a text region (startLine, 1-based) or, for a binary
// file, a byte range.
type sarifRegion struct {
	StartLine   int    `json:"startLine,omitempty"`
	StartColumn int    `json:"startColumn,omitempty"`
	ByteOffset  *int64 `json:"byteOffset,omitempty"`
	ByteLength  *int64 `json:"byteLength,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifLocation struct {
	ID               *int           `json:"id,omitempty"`
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	// BaselineState is set by `ipseclint diff`: new, unchanged, updated
	// or absent (SARIF 2.1.0 §3.27.24).
	BaselineState string         `json:"baselineState,omitempty"`
	Properties    map[string]any `json:"properties"`
}

// Notification descriptor IDs.
const (
	notifInputFailed  = "input-unreadable"
	notifInputPartial = "input-partly-read"
	notifNotEvaluated = "rule-not-evaluated"
)

var sarifNotifications = []sarifDescriptor{
	{
		ID: notifInputFailed, Name: "InputUnreadable",
		ShortDescription: sarifText{Text: "An input file could not be read."},
		FullDescription: sarifText{Text: "An input file could not be read at all (a hive cut short or damaged beyond its header, " +
			"a file that cannot be opened): nothing it holds was audited, and the checks that need it say so."},
		Help: sarifText{Text: "Collect the file again from the server (copy hives with reg save, export keys with regedit, " +
			"capture netsh ipsec static dump to a file) and rerun the audit. `ipseclint dump` shows what was read."},
		DefaultConfiguration: sarifConfig{Level: "error"},
	},
	{
		ID: notifInputPartial, Name: "InputPartlyRead",
		ShortDescription: sarifText{Text: "An input file was only partly read (syntax errors or damage)."},
		FullDescription: sarifText{Text: "Parts of an input file could not be understood (syntax errors in a .reg export or a netsh dump, " +
			"damaged cells in a hive); the rest of the file was read and audited. A value on a damaged line may be missing from the audit."},
		Help: sarifText{Text: "Look at the lines or keys named in the message; collect the file again if it was damaged in transit. " +
			"`ipseclint dump` shows what was read."},
		DefaultConfiguration: sarifConfig{Level: "warning"},
	},
	{
		ID: notifNotEvaluated, Name: "RuleNotEvaluated",
		ShortDescription: sarifText{Text: "A rule could not be evaluated on a host: a fact it needs is not in the exports."},
		FullDescription: sarifText{Text: "A rule could not check a host because a fact it needs is not in the files collected from it " +
			"(no SOFTWARE export, a policy assigned whose contents are not exported, ...). This is not a pass: the host was not checked."},
		Help:                 sarifText{Text: "Add the export the message names to the host's folder and rerun the audit."},
		DefaultConfiguration: sarifConfig{Level: "note"},
	},
}

// Print writes the SARIF log.
func (SARIF) Print(w io.Writer, a *Audit) error {
	log := a.sarifLog()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func (a *Audit) sarifLog() sarifLog {
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: a.Tool.Name, Version: sarifVersion(a.Tool.Version), InformationURI: a.Tool.InformationURI, Notifications: sarifNotifications}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	ruleIndex := map[string]int{}
	for i, r := range a.Rules {
		ruleIndex[r.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(r))
	}
	if a.Fleet != nil && a.Fleet.Root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{rootBaseID: {URI: fileURI(a.Fleet.Root) + "/"}}
	}
	artIndex := map[string]int{}
	for i, f := range a.Fleet.Files {
		artIndex[f.Name] = i
		run.Artifacts = append(run.Artifacts, a.sarifArtifact(f))
	}
	for _, f := range a.Outcome.Findings {
		run.Results = append(run.Results, a.sarifResult(f, ruleIndex[f.RuleID], artIndex))
	}
	inv := sarifInvocation{ExecutionSuccessful: true, ToolExecutionNotifications: []sarifNotification{}}
	for _, f := range a.Fleet.Files {
		if n, ok := a.fileNotification(f, artIndex); ok {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
			if f.Status == model.StatusFailed {
				inv.ExecutionSuccessful = false
			}
		}
	}
	for _, ne := range a.Outcome.NotEvaluated {
		n := sarifNotification{Descriptor: sarifReference{ID: notifNotEvaluated, Index: 2}, Level: "note",
			Message: sarifText{Text: notEvaluatedText(ne)}, Properties: map[string]any{"host": ne.Host}}
		if i, ok := ruleIndex[ne.RuleID]; ok {
			n.AssociatedRule = &sarifReference{ID: ne.RuleID, Index: i}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []sarifInvocation{inv}
	run.Properties = map[string]any{"hosts": a.hostSummaries()}
	return sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
}

// sarifVersion writes a version as SARIF consumers compare them, starting
// with a digit: Go's module versions ("v1.2.0") lose their "v".
func sarifVersion(v string) string {
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}

func notEvaluatedText(ne rules.NotEvaluated) string {
	if ne.Host == "" {
		return ne.RuleID + " not evaluated: " + ne.Reason
	}
	return ne.RuleID + " not evaluated on " + ne.Host + ": " + ne.Reason
}

func sarifRuleOf(r *rules.Rule) sarifRule {
	refs := make([]string, len(r.References))
	for i, ref := range r.References {
		refs[i] = ref.Title
	}
	help := r.Summary + "\n\n" + r.Description + "\n\nRemediation:\n" + r.Remediation
	return sarifRule{
		ID: r.ID, Name: r.Name,
		ShortDescription:     sarifText{Text: r.Summary},
		FullDescription:      sarifText{Text: r.Description},
		Help:                 sarifText{Text: help, Markdown: r.Help()},
		HelpURI:              r.HelpURI,
		DefaultConfiguration: sarifConfig{Level: string(r.Severity)},
		Properties:           map[string]any{"tags": []string{"security", "ipsec", "exchange-2003"}, "references": refs},
	}
}

func (a *Audit) sarifArtifact(f *model.InputFile) sarifArtifact {
	props := map[string]any{"kind": string(f.Kind), "status": string(f.Status)}
	if f.Detail != "" {
		props["detail"] = f.Detail
	}
	if f.Host != "" {
		props["host"] = f.Host
	}
	if f.Reason != "" {
		props["reason"] = f.Reason
	}
	if len(f.Notes) > 0 {
		props["notes"] = f.Notes
	}
	art := sarifArtifact{Location: a.artifactLoc(f.Name, nil), Properties: props}
	if f.Status == model.StatusRead || f.Status == model.StatusPartial {
		art.Roles = []string{"analysisTarget"}
	}
	return art
}

// artifactLoc makes an artifact location relative to the audited root, or
// an absolute file URI for files outside it.
func (a *Audit) artifactLoc(path string, artIndex map[string]int) sarifArtifactLoc {
	loc := sarifArtifactLoc{}
	if filepath.IsAbs(filepath.FromSlash(path)) {
		loc.URI = fileURI(path)
	} else {
		loc.URI = escapePath(path)
		loc.URIBaseID = rootBaseID
	}
	if i, ok := artIndex[path]; ok {
		loc.Index = &i
	}
	return loc
}

func (a *Audit) sarifLocation(l model.Location, artIndex map[string]int) sarifLocation {
	var loc sarifLocation
	if l.File != "" {
		phys := &sarifPhysical{ArtifactLocation: a.artifactLoc(l.File, artIndex)}
		if l.Line > 0 {
			phys.Region = &sarifRegion{StartLine: l.Line, StartColumn: l.Column}
		} else {
			phys.Region = a.wholeFileRegion(l.File, artIndex)
		}
		loc.PhysicalLocation = phys
	}
	if l.Key != "" {
		fq := `HKEY_LOCAL_MACHINE\` + l.Key
		name := l.Key
		if i := strings.LastIndexByte(name, '\\'); i >= 0 {
			name = name[i+1:]
		}
		kind := "object"
		if l.Value != "" {
			fq += `\` + l.Value
			name = l.Value
			kind = "variable"
		}
		loc.LogicalLocations = []sarifLogical{{Name: name, FullyQualifiedName: fq, Kind: kind}}
	}
	return loc
}

// wholeFileRegion is the region of a location that names a file but no
// line: for a binary hive the whole file as a byte range (the logical
// location names the key), for a text input its first line, where a .reg
// export or netsh dump says what it is. Consumers such as code-scanning
// services want a region on every result.
func (a *Audit) wholeFileRegion(path string, artIndex map[string]int) *sarifRegion {
	i, ok := artIndex[path]
	if !ok {
		return nil
	}
	switch f := a.Fleet.Files[i]; f.Kind {
	case model.KindHive, model.KindHiveLog:
		zero, size := int64(0), f.Size
		r := &sarifRegion{ByteOffset: &zero}
		if size > 0 {
			r.ByteLength = &size
		}
		return r
	case model.KindRegExport, model.KindNetsh, model.KindConfig:
		return &sarifRegion{StartLine: 1}
	}
	return nil
}

func (a *Audit) sarifResult(f rules.Finding, ruleIndex int, artIndex map[string]int) sarifResult {
	res := sarifResult{
		RuleID: f.RuleID, RuleIndex: ruleIndex, Level: string(f.Severity),
		Message:             sarifText{Text: f.Message},
		Locations:           []sarifLocation{a.sarifLocation(f.Loc, artIndex)},
		PartialFingerprints: map[string]string{"ipseclint/v1": f.Fingerprint},
		Properties:          map[string]any{"host": f.Host, "subject": f.Subject},
	}
	if len(f.Uncertain) > 0 {
		res.Properties["uncertain"] = true
		res.Properties["uncertainty"] = f.Uncertain
	}
	for i, rl := range f.Related {
		loc := a.sarifLocation(rl, artIndex)
		id := i + 1
		loc.ID = &id
		res.RelatedLocations = append(res.RelatedLocations, loc)
	}
	return res
}

func (a *Audit) fileNotification(f *model.InputFile, artIndex map[string]int) (sarifNotification, bool) {
	var n sarifNotification
	switch f.Status {
	case model.StatusFailed:
		n = sarifNotification{Descriptor: sarifReference{ID: notifInputFailed, Index: 0}, Level: "error",
			Message: sarifText{Text: f.Name + ": could not be read: " + f.Reason}}
	case model.StatusPartial:
		msg := f.Name + ": only partly read: " + f.Reason
		for i, p := range f.Problems {
			if i == 5 {
				break
			}
			msg += "; " + a.locationText(p.Loc) + ": " + p.Message
		}
		n = sarifNotification{Descriptor: sarifReference{ID: notifInputPartial, Index: 1}, Level: "warning", Message: sarifText{Text: msg}}
	default:
		return n, false
	}
	loc := sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: a.artifactLoc(f.Name, artIndex)}}
	if f.Status == model.StatusPartial && len(f.Problems) > 0 && f.Problems[0].Loc.File == f.Name {
		// Point at the first problem: its line, or its key in a hive.
		loc = a.sarifLocation(f.Problems[0].Loc, artIndex)
	}
	n.Locations = []sarifLocation{loc}
	if f.Host != "" {
		n.Properties = map[string]any{"host": f.Host}
	}
	return n, true
}

func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "file://" + escapePath(p)
}

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}
