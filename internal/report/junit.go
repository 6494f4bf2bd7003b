package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// JUnit writes the audit as JUnit XML, the shape Jenkins, GitLab and
// Azure DevOps read:
//
//   - one <testsuite name="HOST"> per host, with one <testcase
//     classname="HOST" name="IPSEC002 pop3-imap4-unencrypted"> per rule
//     that ran, so that a suite's tests are its checks and a check keeps
//     its identity from run to run;
//   - a check with findings fails: one <failure type="error|warning|note">
//     however many findings the rule has on the host (a test case holds
//     one result; Jenkins reads only the first), whose message lists them
//     all and whose text gives each with its location, subject and doubts;
//     type is the highest severity among them; file and line are set
//     when the findings share them;
//   - a check not evaluated is <skipped message="reason">; a check whose
//     findings are all suppressed is <skipped message="suppressed: reason">;
//   - a suite "(fleet)" holds the fleet-wide entries (findings and checks
//     with no host, and the rules switched off, as skipped), when there
//     are any;
//   - a suite "inputs" has one test case per input file: passed when read,
//     <error> when it failed or was only partly read, <skipped> when it is
//     not a file ipseclint reads.
//
// Every suite, and <testsuites>, counts its tests, failures, errors and
// skipped. Every string from the inputs passes through [safetext.Text]
// (and the two noncharacters XML forbids are escaped the same way)
// before encoding/xml escapes it, so the document parses whatever the
// inputs hold. No time or timestamp is written: the output depends on the
// audit only.
type JUnit struct {
	// PathPrefix is put before the file names of the testcases' file
	// attributes, as [GitHub.PathPrefix] (empty: View.PathPrefix).
	PathPrefix string
	// Workspace is as [GitHub.Workspace] (empty: View.Workspace).
	Workspace string
}

func init() { register(Format{Name: "junit", Ext: "xml", Printer: JUnit{}}) }

// The suites that are not hosts.
const (
	junitFleetSuite  = "(fleet)"
	junitInputsSuite = "inputs"
)

type junitCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
}

func (c *junitCounts) add(o junitCounts) {
	c.Tests += o.Tests
	c.Failures += o.Failures
	c.Errors += o.Errors
	c.Skipped += o.Skipped
}

type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitCounts
	Suites []*junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitCounts
	Properties *junitProperties `xml:"properties"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string       `xml:"name,attr"`
	Classname string       `xml:"classname,attr"`
	File      string       `xml:"file,attr,omitempty"`
	Line      int          `xml:"line,attr,omitempty"`
	Failure   *junitResult `xml:"failure"`
	Error     *junitResult `xml:"error"`
	Skipped   *junitResult `xml:"skipped"`
}

type junitResult struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// xmlText is s made safe with safetext.Text, with the characters XML
// 1.0 forbids that Text leaves (U+FFFE, U+FFFF) escaped as \uNNNN in the
// same way, so that the document parses.
func xmlText(s string) string {
	t := safetext.Text(s)
	if !strings.ContainsFunc(t, notXMLChar) {
		return t
	}
	var b strings.Builder
	for _, r := range t {
		if notXMLChar(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// notXMLChar reports whether r is outside XML 1.0's Char production.
func notXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20:
		return true
	case r <= 0xd7ff:
		return false
	case r < 0xe000:
		return true
	}
	return r == 0xfffe || r == 0xffff || r > 0x10ffff
}

// newResult makes a result element; message and each line of the text
// are made safe with xmlText, so only the line breaks between
// lines are real.
func newResult(typ, message string, lines ...string) *junitResult {
	safe := make([]string, len(lines))
	for i, l := range lines {
		safe[i] = xmlText(l)
	}
	return &junitResult{Type: typ, Message: xmlText(message), Text: strings.TrimRight(strings.Join(safe, "\n"), "\n")}
}

func newSuite(name string) *junitSuite { return &junitSuite{Name: xmlText(name)} }

func (s *junitSuite) property(name, value string) {
	if s.Properties == nil {
		s.Properties = &junitProperties{}
	}
	s.Properties.Property = append(s.Properties.Property, junitProperty{Name: xmlText(name), Value: xmlText(value)})
}

// addCase adds a test case, its names made safe, and counts it.
func (s *junitSuite) addCase(c junitCase) {
	c.Name, c.Classname, c.File = xmlText(c.Name), xmlText(c.Classname), xmlText(c.File)
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// Print writes the XML document.
func (j JUnit) Print(w io.Writer, a *Audit) error {
	if j.Workspace == "" {
		j.Workspace = a.View.Workspace
	}
	if j.PathPrefix == "" {
		j.PathPrefix = a.View.PathPrefix
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(j.document(a)); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitEntry is what the rules said about one host × rule.
type junitEntry struct {
	findings []rules.Finding
	notEval  []string
}

type junitKey struct{ host, rule string }

// junitEntries are the entries of an outcome by host × rule, and the
// rules each host has entries of, so that a host's suite reads its own
// entries only.
type junitEntries struct {
	byKey  map[junitKey]*junitEntry
	byHost map[string][]string // rule IDs, in the order first met
}

func (es *junitEntries) entry(host, rule string) *junitEntry {
	k := junitKey{host, rule}
	e := es.byKey[k]
	if e == nil {
		e = &junitEntry{}
		es.byKey[k] = e
		es.byHost[host] = append(es.byHost[host], rule)
	}
	return e
}

func (j JUnit) document(a *Audit) *junitDoc {
	entries := &junitEntries{byKey: map[junitKey]*junitEntry{}, byHost: map[string][]string{}}
	for _, f := range a.Outcome.Findings {
		e := entries.entry(f.Host, f.RuleID)
		e.findings = append(e.findings, f)
	}
	for _, ne := range a.Outcome.NotEvaluated {
		e := entries.entry(ne.Host, ne.RuleID)
		e.notEval = append(e.notEval, ne.Reason)
	}
	doc := &junitDoc{Name: a.Tool.Name}
	ix := a.hostIndex()
	addrs := newAddressLists()
	hosts := map[string]*model.Host{}
	if a.Fleet != nil {
		for _, h := range a.Fleet.Hosts {
			if hosts[h.Name] == nil {
				hosts[h.Name] = h
			}
		}
	}
	for _, host := range junitHosts(a, entries) {
		var fo []failoverView
		h := hosts[host]
		if h != nil {
			fo = a.failoverViews(ix.failovers[h], addrs)
		}
		doc.Suites = append(doc.Suites, j.hostSuite(a, host, h, fo, entries))
	}
	if s := j.fleetSuite(a, entries); s != nil {
		doc.Suites = append(doc.Suites, s)
	}
	if s := j.inputsSuite(a); s != nil {
		doc.Suites = append(doc.Suites, s)
	}
	for _, s := range doc.Suites {
		doc.add(s.junitCounts)
	}
	return doc
}

// junitHosts are the fleet's hosts in fleet order, then any other host
// the outcome names (sorted), so that nothing is dropped.
func junitHosts(a *Audit, entries *junitEntries) []string {
	var hosts []string
	listed := map[string]bool{"": true}
	if a.Fleet != nil {
		for _, h := range a.Fleet.Hosts {
			hosts = append(hosts, h.Name)
			listed[h.Name] = true
		}
	}
	var extra []string
	for host := range entries.byHost {
		if !listed[host] {
			extra = append(extra, host)
		}
	}
	sort.Strings(extra)
	return append(hosts, extra...)
}

// ruleIDs are the rules that ran, in their order, then any other rule
// the entries of host name (sorted).
func ruleIDs(a *Audit, host string, entries *junitEntries) []string {
	var ids []string
	ran := map[string]bool{}
	for _, r := range a.Rules {
		ids = append(ids, r.ID)
		ran[r.ID] = true
	}
	var extra []string
	for _, id := range entries.byHost[host] {
		if !ran[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	return append(ids, extra...)
}

// ruleTitle is "IPSEC002 pop3-imap4-unencrypted".
func ruleTitle(a *Audit, id string) string {
	for _, r := range a.Rules {
		if r.ID == id {
			return r.ID + " " + r.Name
		}
	}
	if r := rules.ByID(id); r != nil {
		return r.ID + " " + r.Name
	}
	return id
}

// hostSuite is the suite of host (h when it is a host of the fleet, with
// its failover estimates fo).
func (j JUnit) hostSuite(a *Audit, host string, h *model.Host, fo []failoverView, entries *junitEntries) *junitSuite {
	s := newSuite(host)
	if h != nil {
		s.property("role", roleText(h)+": "+h.Role.Why)
		osText := "unknown"
		if h.Facts.OS.Known {
			osText = h.Facts.OS.Value.String()
		}
		s.property("os", osText)
		for _, f := range fo {
			s.property("failover "+f.addressText(), f.Estimate)
		}
	}
	for _, id := range ruleIDs(a, host, entries) {
		s.addCase(j.testcase(a, host, id, entries.byKey[junitKey{host, id}]))
	}
	return s
}

// fleetSuite holds the fleet-wide entries and the rules switched off; nil
// when there are none.
func (j JUnit) fleetSuite(a *Audit, entries *junitEntries) *junitSuite {
	s := newSuite(junitFleetSuite)
	for _, id := range ruleIDs(a, "", entries) {
		if e := entries.byKey[junitKey{"", id}]; e != nil {
			s.addCase(j.testcase(a, "", id, e))
		}
	}
	for _, d := range a.Outcome.Disabled {
		s.addCase(junitCase{Name: ruleTitle(a, d.ID), Classname: junitFleetSuite, Skipped: newResult("", "disabled by "+d.By)})
	}
	if len(s.Cases) == 0 {
		return nil
	}
	return s
}

// testcase is one rule on one host ("" = the fleet).
func (j JUnit) testcase(a *Audit, host, id string, e *junitEntry) junitCase {
	c := junitCase{Name: ruleTitle(a, id), Classname: hostLabel(host)}
	if e == nil {
		return c
	}
	var active, suppressed []rules.Finding
	for _, f := range e.findings {
		if f.Suppressed == nil {
			active = append(active, f)
		} else {
			suppressed = append(suppressed, f)
		}
	}
	var lines []string
	for _, f := range active {
		lines = append(lines, a.junitFindingLines(f)...)
	}
	for _, f := range suppressed {
		lines = append(lines, "suppressed: "+suppressionText(f.Suppressed))
		lines = append(lines, a.junitFindingLines(f)...)
	}
	for _, r := range e.notEval {
		lines = append(lines, "not evaluated: "+r)
	}
	switch {
	case len(active) > 0:
		c.Failure = newResult(string(highestSeverity(active)), failureMessage(a, active), lines...)
		c.File, c.Line = j.caseLocation(active)
	case len(suppressed) > 0:
		var reasons []string
		for _, f := range suppressed {
			if r := suppressionText(f.Suppressed); !slices.Contains(reasons, r) {
				reasons = append(reasons, r)
			}
		}
		c.Skipped = newResult("", "suppressed: "+strings.Join(reasons, "; "), lines...)
	case len(e.notEval) > 0:
		c.Skipped = newResult("", strings.Join(e.notEval, "; "))
	}
	return c
}

// junitFindingLines describe one finding in a result's text:
// "error at FE1/ipsec.txt:12 (subject: tcp/143 -> 10.0.0.50)", the
// message, the reasons it is uncertain, and a blank line.
func (a *Audit) junitFindingLines(f rules.Finding) []string {
	head := string(f.Severity)
	if where := a.locationText(f.Loc); where != "" {
		head += " at " + where
	}
	if f.Subject != "" {
		head += " (subject: " + f.Subject + ")"
	}
	lines := []string{head, f.Message}
	if len(f.Uncertain) > 0 {
		lines = append(lines, "uncertain: "+strings.Join(f.Uncertain, "; "))
	}
	return append(lines, "")
}

// failureMessage is "location: message" for one finding, and a numbered
// list of them for several.
func failureMessage(a *Audit, fs []rules.Finding) string {
	one := func(f rules.Finding) string {
		s := f.Message
		if len(f.Uncertain) > 0 {
			s = "(uncertain) " + s
		}
		if where := a.locationText(f.Loc); where != "" {
			s = where + ": " + s
		}
		return s
	}
	if len(fs) == 1 {
		return one(fs[0])
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("(%d) %s", i+1, one(f))
	}
	return fmt.Sprintf("%d findings: %s", len(fs), strings.Join(parts, " "))
}

func highestSeverity(fs []rules.Finding) rules.Severity {
	best := fs[0].Severity
	for _, f := range fs[1:] {
		if f.Severity.Rank() > best.Rank() {
			best = f.Severity
		}
	}
	return best
}

// caseLocation is the file all the findings are in (none if they are in
// several) and, for a single finding, its line.
func (j JUnit) caseLocation(fs []rules.Finding) (string, int) {
	file := fs[0].Loc.File
	for _, f := range fs[1:] {
		if f.Loc.File != file {
			return "", 0
		}
	}
	line := 0
	if len(fs) == 1 {
		line = int(fs[0].Loc.Line)
	}
	return prefixed(j.PathPrefix, j.Workspace, file), line
}

// inputsSuite has a test case per input file; nil without files.
func (j JUnit) inputsSuite(a *Audit) *junitSuite {
	if a.Fleet == nil || len(a.Fleet.Files) == 0 {
		return nil
	}
	s := newSuite(junitInputsSuite)
	for _, f := range a.Fleet.Files {
		c := junitCase{Name: f.Name, Classname: junitInputsSuite, File: prefixed(j.PathPrefix, j.Workspace, f.Name)}
		switch f.Status {
		case model.StatusFailed:
			c.Error = newResult(string(f.Status), "could not be read: "+f.Reason, a.problemLines(f, 50)...)
		case model.StatusPartial:
			c.Error = newResult(string(f.Status), "only partly read: "+f.Reason, a.problemLines(f, 50)...)
		case model.StatusSkipped:
			c.Skipped = newResult("", f.Reason)
		}
		s.addCase(c)
	}
	return s
}
