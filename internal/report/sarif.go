package report

import (
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// SARIF writes the audit as SARIF 2.1.0, for GitHub code scanning, Azure
// DevOps (GitHub Advanced Security for Azure DevOps) and any other SARIF
// consumer:
//
//   - one run; tool.driver names ipseclint (fullName, version,
//     semanticVersion, informationUri) and every rule that ran, with a
//     PascalCase name, descriptions, help, helpUri, security-severity,
//     precision and tags;
//   - one result per finding, with one location: the file relative to
//     the repository's root (uriBaseId SRCROOT) when the audited folder
//     lies in a git work tree (Audit.VCS), else to the audited folder
//     (AUDITROOT); a text location has startLine, columns, a snippet
//     and a contextRegion (rendered from the model, sarif_snippet.go, or
//     with --sarif-embed the file's own text, sarif_sources.go); a hive
//     location a byte range holding the key's or value's record, its
//     bytes as snippets (when Audit.Sources kept them), and a logical
//     location naming the key, which the message names too;
//   - with View.SARIFEmbed, the text inputs' text, secrets cut out, in
//     artifacts[].contents (sarif_embed.go);
//   - suppressions on every result: [] or the accepted risk that
//     suppresses it (kind external, status accepted, justification);
//   - every input file in artifacts; unreadable files, checks not
//     evaluated and cut results as tool execution notifications;
//     accepted risks that expired or match nothing as tool
//     configuration notifications; the configuration file used and the
//     rules disabled in invocations[0].properties;
//   - versionControlProvenance when Audit.VCS names a repository;
//     automationDetails only when View.SARIFCategory asks for it (on
//     GitHub, an automationDetails in the file overrides upload-sarif's
//     category); originalUriBaseIds only with View.SARIFRootURI (the
//     auditor's absolute path is left out otherwise).
//
// Past GitHub's limits (25,000 results a run, 10 MB gzip-compressed) the
// least severe results are cut, and the run says so (sarifLimits).
type SARIF struct{}

func init() { register(Format{Name: "sarif", Ext: "sarif", Printer: SARIF{}}) }

// SARIFSchema is the schema URI written in $schema: the "id" of the OASIS
// SARIF 2.1.0 schema (errata 01), against which the tests validate.
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// The uriBaseIds artifact locations are relative to.
const (
	rootBaseID = "AUDITROOT" // the audited folder
	repoBaseID = "SRCROOT"   // the git work tree the audited folder lies in
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool                     sarifTool                   `json:"tool"`
	Invocations              []sarifInvocation           `json:"invocations"`
	VersionControlProvenance []sarifVCS                  `json:"versionControlProvenance,omitempty"`
	OriginalURIBaseIDs       map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	AutomationDetails        *sarifAutomation            `json:"automationDetails,omitempty"`
	// BaselineGUID names the run a diff compared this one with; set by
	// the diff command with each result's BaselineState.
	BaselineGUID string          `json:"baselineGuid,omitempty"`
	Artifacts    []sarifArtifact `json:"artifacts"`
	Results      []sarifResult   `json:"results"`
	ColumnKind   string          `json:"columnKind"`
	Properties   map[string]any  `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string            `json:"name"`
	FullName        string            `json:"fullName,omitempty"`
	Version         string            `json:"version,omitempty"`
	SemanticVersion string            `json:"semanticVersion,omitempty"`
	InformationURI  string            `json:"informationUri,omitempty"`
	Rules           []sarifRule       `json:"rules"`
	Notifications   []sarifDescriptor `json:"notifications"`
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
	ExecutionSuccessful            bool                `json:"executionSuccessful"`
	ToolExecutionNotifications     []sarifNotification `json:"toolExecutionNotifications"`
	ToolConfigurationNotifications []sarifNotification `json:"toolConfigurationNotifications,omitempty"`
	Properties                     map[string]any      `json:"properties,omitempty"`
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

// sarifArtifactContent is a snippet or an artifact's contents: text, or
// bytes in base64.
type sarifArtifactContent struct {
	Text   string `json:"text,omitempty"`
	Binary string `json:"binary,omitempty"`
}

type sarifArtifact struct {
	Location sarifArtifactLoc `json:"location"`
	Length   *int64           `json:"length,omitempty"`
	Roles    []string         `json:"roles,omitempty"`
	// Contents is the file's text, with --sarif-embed (sarif_embed.go).
	Contents   *sarifArtifactContent `json:"contents,omitempty"`
	Properties map[string]any        `json:"properties"`
}

// sarifRegion is a text region (lines and columns, 1-based; endColumn is
// the column after the region) or, for a binary file, a byte range.
type sarifRegion struct {
	StartLine   int                   `json:"startLine,omitempty"`
	StartColumn int                   `json:"startColumn,omitempty"`
	EndLine     int                   `json:"endLine,omitempty"`
	EndColumn   int                   `json:"endColumn,omitempty"`
	ByteOffset  *int64                `json:"byteOffset,omitempty"`
	ByteLength  *int64                `json:"byteLength,omitempty"`
	Snippet     *sarifArtifactContent `json:"snippet,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
	ContextRegion    *sarifRegion     `json:"contextRegion,omitempty"`
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

type sarifSuppression struct {
	Kind          string         `json:"kind"`
	Status        string         `json:"status,omitempty"`
	Justification string         `json:"justification,omitempty"`
	Location      *sarifLocation `json:"location,omitempty"`
	Properties    map[string]any `json:"properties,omitempty"`
}

type sarifVCS struct {
	RepositoryURI string           `json:"repositoryUri"`
	RevisionID    string           `json:"revisionId,omitempty"`
	Branch        string           `json:"branch,omitempty"`
	MappedTo      sarifArtifactLoc `json:"mappedTo"`
}

type sarifAutomation struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties,omitempty"`
}

// sarifResult is one result. Suppressions is never nil: ipseclint always
// knows whether a result is suppressed, and SARIF wants all of a run's
// results to say so or none.
type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions"`
	// BaselineState is "new", "unchanged", "updated" or "absent" when the
	// run is compared with a baseline; the diff command sets it on every
	// result (SARIF wants all or none) and adds "absent" results.
	BaselineState string         `json:"baselineState,omitempty"`
	Properties    map[string]any `json:"properties"`
}

// Print writes the SARIF log.
func (SARIF) Print(w io.Writer, a *Audit) error { return writeSARIF(w, buildSARIF(a)) }

// writeSARIF writes log byte for byte as one json.Encoder call
// (SetIndent("", "  "), no HTML escaping) writes it, passed through
// terminalSafe, but streamed as the JSON output is: the run's artifacts
// and results are encoded a batch at a time on every CPU and written in
// order. The log of 10,000 hosts is 150 MB; encoded whole it was in
// memory three times over (the encoder's compact and indented buffers,
// terminalSafe's copy).
func writeSARIF(w io.Writer, log *sarifLog) error {
	s := newJSONStream(w)
	s.filter = terminalSafe
	s.field("$schema", log.Schema)
	s.field("version", log.Version)
	s.name("runs")
	switch {
	case log.Runs == nil:
		s.write("null")
	case len(log.Runs) == 0:
		s.write("[]")
	default:
		s.write("[")
		for i := range log.Runs {
			if i > 0 {
				s.write(",")
			}
			s.write("\n    ")
			writeSARIFRun(s, &log.Runs[i])
		}
		s.write("\n  ]")
	}
	return s.close()
}

// writeSARIFRun writes a run, the element of "runs", as the encoder does:
// its fields in sarifRun's order, the empty ones its omitempty tags name
// left out.
func writeSARIFRun(s *jsonStream, run *sarifRun) {
	const in = "      " // the indent of the run's fields
	s.write("{")
	first := true
	name := func(n string) {
		if !first {
			s.write(",")
		}
		first = false
		s.write("\n" + in)
		s.value(in, n)
		s.write(": ")
	}
	field := func(n string, v any) {
		name(n)
		s.value(in, v)
	}
	field("tool", run.Tool)
	field("invocations", run.Invocations)
	if len(run.VersionControlProvenance) > 0 {
		field("versionControlProvenance", run.VersionControlProvenance)
	}
	if len(run.OriginalURIBaseIDs) > 0 {
		field("originalUriBaseIds", run.OriginalURIBaseIDs)
	}
	if run.AutomationDetails != nil {
		field("automationDetails", run.AutomationDetails)
	}
	if run.BaselineGUID != "" {
		field("baselineGuid", run.BaselineGUID)
	}
	name("artifacts")
	if run.Artifacts == nil {
		s.write("null")
	} else {
		arrayAt(s, in, len(run.Artifacts), func(i int) *sarifArtifact { return &run.Artifacts[i] })
	}
	name("results")
	if run.Results == nil {
		s.write("null")
	} else {
		arrayAt(s, in, len(run.Results), func(i int) *sarifResult { return &run.Results[i] })
	}
	field("columnKind", run.ColumnKind)
	if len(run.Properties) > 0 {
		name("properties")
		writeSARIFProperties(s, in, run.Properties)
	}
	s.write("\n    }")
}

// writeSARIFProperties writes the run's properties as the encoder writes
// a map (its keys in order), the hosts' summaries, as long as the fleet,
// streamed as the results are.
func writeSARIFProperties(s *jsonStream, indent string, props map[string]any) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	in := indent + "  "
	s.write("{")
	for i, k := range keys {
		if i > 0 {
			s.write(",")
		}
		s.write("\n" + in)
		s.value(in, k)
		s.write(": ")
		if hosts, ok := props[k].([]hostSummary); ok && hosts != nil {
			arrayAt(s, in, len(hosts), func(i int) *hostSummary { return &hosts[i] })
		} else {
			s.value(in, props[k])
		}
	}
	s.write("\n" + indent + "}")
}

// buildSARIF builds the SARIF log of an audit: one run, with its results
// cut to GitHub's limits. It is the printer's whole work but the
// encoding, kept apart so that the diff command can take the log, set
// each result's BaselineState (and run.BaselineGUID), append the
// baseline's absent results, and encode it the way Print does.
func buildSARIF(a *Audit) *sarifLog {
	b := newSARIFBuilder(a)
	run := sarifRun{
		Tool:       sarifTool{Driver: b.driver()},
		ColumnKind: "unicodeCodePoints",
		Artifacts:  []sarifArtifact{},
		Results:    []sarifResult{},
	}
	for _, f := range a.Fleet.Files {
		run.Artifacts = append(run.Artifacts, b.artifact(f))
	}
	for _, f := range a.Outcome.Findings {
		run.Results = append(run.Results, b.result(f))
	}
	run.VersionControlProvenance = b.provenance()
	run.OriginalURIBaseIDs = b.baseURIs()
	run.AutomationDetails = b.automation()
	run.Properties = map[string]any{"hosts": a.hostSummaries()}
	inv := b.invocation()
	fitContents(&run, &inv, sarifLimitsInUse)
	cut := applySARIFLimits(&run, &inv, sarifLimitsInUse)
	run.Invocations = []sarifInvocation{inv}
	if cut != nil {
		run.Properties["resultsCut"] = cut
	}
	return &sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
}

// sarifBuilder holds what the parts of one run share: the rules' and
// artifacts' indices, and where paths are relative to.
type sarifBuilder struct {
	a         *Audit
	ruleIndex map[string]int
	artIndex  map[string]int
	baseID    string // uriBaseId of the artifact locations
	prefix    string // the audited folder relative to the base ("" = the base itself)
	snippets  *snippetIndex
}

func newSARIFBuilder(a *Audit) *sarifBuilder {
	b := &sarifBuilder{a: a, ruleIndex: map[string]int{}, artIndex: map[string]int{}, baseID: rootBaseID}
	for i, r := range a.Rules {
		b.ruleIndex[r.ID] = i
	}
	for i, f := range a.Fleet.Files {
		b.artIndex[f.Name] = i
	}
	if a.VCS != nil && a.Fleet.Root != "" {
		if rel, err := filepath.Rel(a.VCS.Root, a.Fleet.Root); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			b.baseID = repoBaseID
			if rel != "." {
				b.prefix = filepath.ToSlash(rel)
			}
		}
	}
	b.snippets = newSnippetIndex(a.Fleet)
	return b
}

func (b *sarifBuilder) driver() sarifDriver {
	t := b.a.Tool
	d := sarifDriver{
		Name: t.Name, Version: sarifVersion(t.Version), InformationURI: t.InformationURI,
		Rules: []sarifRule{}, Notifications: sarifNotifications,
	}
	if d.Version != "" {
		d.FullName = t.Name + " " + d.Version
	}
	if isSemVer(d.Version) {
		d.SemanticVersion = d.Version
	}
	for _, r := range b.a.Rules {
		d.Rules = append(d.Rules, sarifRuleOf(r))
	}
	return d
}

// provenance names the repository when the audited folder lies in a git
// work tree that has an origin.
func (b *sarifBuilder) provenance() []sarifVCS {
	v := b.a.VCS
	if v == nil || b.baseID != repoBaseID || v.RepositoryURI == "" {
		return nil
	}
	return []sarifVCS{{RepositoryURI: v.RepositoryURI, RevisionID: v.Revision, Branch: v.Branch, MappedTo: sarifArtifactLoc{URIBaseID: repoBaseID}}}
}

// baseURIs is originalUriBaseIds: only when --sarif-root-uri gives the
// base's URI (ending in "/", as SARIF wants).
func (b *sarifBuilder) baseURIs() map[string]sarifArtifactLoc {
	u := strings.TrimSpace(b.a.View.SARIFRootURI)
	if u == "" {
		return nil
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return map[string]sarifArtifactLoc{b.baseID: {URI: u}}
}

// automation is automationDetails, when --sarif-category asks for it. A
// category without "/" gets one at its end, as upload-sarif writes it
// (GitHub reads the id as category/run-id).
func (b *sarifBuilder) automation() *sarifAutomation {
	id := strings.TrimSpace(b.a.View.SARIFCategory)
	if id == "" {
		return nil
	}
	if !strings.Contains(id, "/") {
		id += "/"
	}
	return &sarifAutomation{ID: id, Properties: b.a.View.SARIFAutomationProperties}
}

// sarifVersion writes a version as SARIF consumers compare them, starting
// with a digit: Go's module versions ("v1.2.0") lose their "v".
func sarifVersion(v string) string {
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}

func (b *sarifBuilder) artifact(f *model.InputFile) sarifArtifact {
	props := map[string]any{"kind": string(f.Kind), "status": string(f.Status)}
	if f.Detail != "" {
		props["detail"] = safetext.Text(f.Detail)
	}
	if f.Host != "" {
		props["host"] = f.Host
	}
	if f.Reason != "" {
		props["reason"] = safetext.Text(f.Reason)
	}
	if len(f.Notes) > 0 {
		notes := make([]string, len(f.Notes))
		for i, n := range f.Notes {
			notes[i] = safetext.Text(n)
		}
		props["notes"] = notes
	}
	art := sarifArtifact{Location: b.artifactLoc(f.Name, false), Properties: props}
	b.embed(&art, f)
	if f.Size > 0 {
		size := f.Size
		art.Length = &size
	}
	if f.Status == model.StatusRead || f.Status == model.StatusPartial {
		art.Roles = []string{"analysisTarget"}
	}
	return art
}

// artifactLoc is a file's artifact location: relative to the base, with
// every byte that is not unreserved percent-encoded (url.PathUnescape
// gives the name's exact bytes back, invalid UTF-8 included), or an
// absolute file URI for a file outside the audited folder. indexed adds
// the file's index in artifacts.
func (b *sarifBuilder) artifactLoc(name string, indexed bool) sarifArtifactLoc {
	loc := sarifArtifactLoc{}
	if filepath.IsAbs(filepath.FromSlash(name)) || path.IsAbs(name) {
		loc.URI = fileURI(name)
		if rel, ok := b.inRepo(name); ok {
			loc.URI, loc.URIBaseID = safetext.URIPath(rel), repoBaseID
		}
	} else {
		p := name
		if b.prefix != "" {
			p = b.prefix + "/" + name
		}
		loc.URI = safetext.URIPath(p)
		loc.URIBaseID = b.baseID
	}
	if i, ok := b.artIndex[name]; ok && indexed {
		loc.Index = &i
	}
	return loc
}

// inRepo is an absolute name relative to the git work tree, when the
// artifacts are relative to it (SRCROOT) and the name lies inside it: a
// configuration found in a parent of the audited folder, say, named
// without the auditor's absolute path.
func (b *sarifBuilder) inRepo(name string) (string, bool) {
	if b.baseID != repoBaseID {
		return "", false
	}
	rel, err := filepath.Rel(b.a.VCS.Root, filepath.FromSlash(name))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// location is a finding's location: the file with its region and
// context (text), or byte range (hive), and the registry key as a
// logical location.
func (b *sarifBuilder) location(l model.Location) sarifLocation {
	var loc sarifLocation
	if l.File != "" {
		phys := &sarifPhysical{ArtifactLocation: b.artifactLoc(l.File, true)}
		if l.Line > 0 {
			phys.Region, phys.ContextRegion = b.textRegions(l)
		} else if r, c, near, ok := b.hiveRegions(l); ok {
			phys.Region, phys.ContextRegion = r, c
			if near != "" {
				loc.Message = &sarifText{Text: safetext.MarkdownInline(`the hive does not hold this key or value: the region is the record of the nearest key it holds, HKEY_LOCAL_MACHINE\` + near)}
			}
		} else {
			phys.Region, phys.ContextRegion = b.fileRegions(l.File)
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
		loc.LogicalLocations = []sarifLogical{{Name: safetext.Text(name), FullyQualifiedName: safetext.Text(fq), Kind: kind}}
	}
	return loc
}

// fileRegions is the region of a location that names a file but no
// line: for a binary hive the whole file as a byte range (the logical
// location names the key), for a text input its first line (see
// snippetIndex.firstLine). Consumers such as code-scanning services
// want a region on every result.
func (b *sarifBuilder) fileRegions(name string) (*sarifRegion, *sarifRegion) {
	i, ok := b.artIndex[name]
	if !ok {
		return nil, nil
	}
	switch f := b.a.Fleet.Files[i]; f.Kind {
	case model.KindHive, model.KindHiveLog:
		zero, size := int64(0), f.Size
		r := &sarifRegion{ByteOffset: &zero}
		if size > 0 {
			r.ByteLength = &size
		}
		return r, nil
	case model.KindRegExport, model.KindNetsh, model.KindConfig:
		if lines, ok := b.keptLines(f.Name); ok {
			if r, c, ok := literalRegions(model.Location{File: f.Name, Line: 1}, lines, f.Kind, nil); ok {
				return r, c
			}
		}
		return b.snippets.firstLine(f)
	}
	return nil, nil
}

func (b *sarifBuilder) result(f rules.Finding) sarifResult {
	res := sarifResult{
		RuleID: f.RuleID, RuleIndex: b.ruleIndex[f.RuleID], Level: string(f.Severity),
		Message:             sarifText{Text: safetext.MarkdownInline(f.Message + b.hiveSuffix(f.Loc))},
		Locations:           []sarifLocation{b.location(f.Loc)},
		PartialFingerprints: map[string]string{"ipseclint/v1": f.Fingerprint},
		Suppressions:        []sarifSuppression{},
		Properties:          map[string]any{"host": f.Host, "subject": f.Subject},
	}
	if len(f.Uncertain) > 0 {
		res.Properties["uncertain"] = true
		res.Properties["uncertainty"] = f.Uncertain
	}
	if f.Suppressed != nil {
		res.Suppressions = []sarifSuppression{b.suppression(f.Suppressed)}
	}
	for i, rl := range f.Related {
		loc := b.location(rl)
		id := i + 1
		loc.ID = &id
		res.RelatedLocations = append(res.RelatedLocations, loc)
	}
	return res
}

// suppression is an accepted risk of the configuration that suppresses
// a result: kept in a file apart from the inputs, so "external".
func (b *sarifBuilder) suppression(s *rules.Suppression) sarifSuppression {
	sup := sarifSuppression{Kind: "external", Status: "accepted", Justification: safetext.Text(s.Reason)}
	props := map[string]any{}
	if s.Ticket != "" {
		props["ticket"] = safetext.Text(s.Ticket)
	}
	if s.Expires != "" {
		props["expires"] = s.Expires
	}
	if len(props) > 0 {
		sup.Properties = props
	}
	if s.Loc.File != "" {
		loc := b.location(s.Loc)
		sup.Location = &loc
	}
	return sup
}

func fileURI(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "file://" + safetext.URIPath(p)
}
