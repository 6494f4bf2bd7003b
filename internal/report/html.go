package report

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io"
	"strconv"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// HTML writes the audit as one self-contained HTML page for people to
// open, keep and forward: the totals, a host × rule matrix, each host with
// its facts, files, failover estimates and findings, and each rule with
// its documentation. The page loads nothing (inline CSS and one small
// inline script, both pinned by a Content-Security-Policy that allows
// nothing else) and reads completely with scripts disabled; the script
// only adds a host filter.
//
// Escaping is html/template's, never hand-made. Every string from an
// input (host, file, policy and value names, messages quoting them) is
// first passed through safetext.Text, so that control and bidirectional
// characters show as escapes, and capped with safetext.Cell; html/template
// then escapes it for its context. No input string is ever placed in a
// URL, a script or a style: anchors are made of indexes and rule IDs.
type HTML struct{}

func init() { register(Format{Name: "html", Ext: "html", Printer: HTML{}}) }

//go:embed html/report.html.tmpl html/report.css html/report.js
var htmlFiles embed.FS

var (
	htmlCSS  = mustEmbedded("html/report.css")
	htmlJS   = mustEmbedded("html/report.js")
	htmlCSP  = "default-src 'none'; style-src " + cspHash(htmlCSS) + "; script-src " + cspHash(htmlJS) + "; base-uri 'none'; form-action 'none'"
	htmlTmpl = template.Must(template.New("report.html.tmpl").ParseFS(htmlFiles, "html/report.html.tmpl"))
)

func mustEmbedded(name string) string {
	b, err := htmlFiles.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: a missing file is a programming error
	}
	return string(b)
}

// cspHash is a CSP source expression allowing exactly the inline script or
// style s.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Print writes the page.
func (HTML) Print(w io.Writer, a *Audit) error {
	var b bytes.Buffer
	if err := htmlTmpl.Execute(&b, a.htmlPage()); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// show prepares a string from an input for the page: control, format and
// bidirectional characters escaped (safetext.Text) and the length capped
// (safetext.Cell). html/template escapes the result for its context.
func show(s string) string { return safetext.Cell(safetext.Text(s), 0) }

func showAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, show(s))
	}
	return out
}

// htmlPage is everything the template shows.
type htmlPage struct {
	Tool    Tool
	Root    string
	CSP     string
	CSS     template.CSS
	JS      template.JS
	Summary htmlSummary
	Matrix  htmlMatrix
	Hosts   []htmlHost
	// Fleet holds the findings and not-evaluated checks about no one host.
	Fleet      htmlFleetWide
	OtherFiles []htmlFile // files assigned to no host
	Rules      []htmlRule
	Accepted   []htmlAccepted
	// Changes is what differs from an earlier collection, on the page of
	// `ipseclint diff` (html_diff.go); nil for an audit.
	Changes *htmlChanges
}

func (a *Audit) htmlPage() *htmlPage {
	if a.Fleet == nil {
		a = &Audit{Tool: a.Tool, Fleet: &model.Fleet{}, Rules: a.Rules, Outcome: a.Outcome}
	}
	ix := a.newCellIndex()
	p := &htmlPage{
		Tool: Tool{Name: show(a.Tool.Name), Version: show(a.Tool.Version), Commit: show(a.Tool.Commit)},
		Root: show(a.Fleet.Root), CSP: htmlCSP,
		// The embedded style and script, not inputs; the CSP pins their hashes.
		CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS),
		Summary: a.htmlSummary(),
		Matrix:  a.htmlMatrix(ix),
		Rules:   a.htmlRules(ix),
	}
	p.Hosts, p.Fleet = a.htmlHosts()
	ofHost := map[*model.InputFile]bool{}
	for _, h := range a.Fleet.Hosts {
		for _, f := range h.Files {
			ofHost[f] = true
		}
	}
	for _, f := range a.Fleet.Files {
		if !ofHost[f] {
			p.OtherFiles = append(p.OtherFiles, a.htmlFile(f))
		}
	}
	p.Accepted = a.htmlAccepted()
	return p
}

// htmlCount is one labelled number of the summary.
type htmlCount struct {
	Label string
	N     int
	Class string // a CSS class: the severity or file status
}

type htmlSummary struct {
	Hosts        int
	Files        []htmlCount
	Findings     []htmlCount
	Suppressed   int
	NotEvaluated int
	RulesRun     int
	Disabled     []rules.DisabledRule
	Config       string // the configuration file used, "" for none
}

func (a *Audit) htmlSummary() htmlSummary {
	s := a.Summarize()
	out := htmlSummary{Hosts: s.Hosts, NotEvaluated: s.NotEvaluated, RulesRun: len(a.Rules)}
	for _, st := range []model.FileStatus{model.StatusRead, model.StatusPartial, model.StatusFailed, model.StatusSkipped} {
		out.Files = append(out.Files, htmlCount{Label: fileStatusLabel(st), N: s.Files[string(st)], Class: string(st)})
	}
	for _, sev := range []rules.Severity{rules.SeverityError, rules.SeverityWarning, rules.SeverityNote} {
		out.Findings = append(out.Findings, htmlCount{Label: string(sev), N: s.Findings[string(sev)], Class: string(sev)})
	}
	for _, f := range a.Outcome.Findings {
		if f.Suppressed != nil {
			out.Suppressed++
		}
	}
	for _, d := range a.Outcome.Disabled {
		out.Disabled = append(out.Disabled, rules.DisabledRule{ID: show(d.ID), By: show(d.By)})
	}
	out.Config = show(a.ConfigFile())
	return out
}

func fileStatusLabel(s model.FileStatus) string {
	if s == model.StatusPartial {
		return "partly read"
	}
	return string(s)
}

// Anchors. Every id of the page is made of host indexes (never host
// names, which come from inputs) and rule IDs.
func hostAnchor(i int) string     { return "host-" + strconv.Itoa(i+1) }
func ruleAnchor(id string) string { return "rule-" + id }
func findingAnchor(scope, rule string, k int) string {
	return scope + "-" + rule + "-" + strconv.Itoa(k)
}
func notEvaluatedAnchor(scope, rule string, k int) string {
	return scope + "-" + rule + "-ne-" + strconv.Itoa(k)
}

// fleetScope is the anchor scope of findings and checks about no one host.
const fleetScope = "fleet"
