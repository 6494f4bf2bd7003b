package cli

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

// readOptions are the flags of every command that reads inputs.
type readOptions struct {
	codepage    string
	config      string
	maxFileSize int64
	quiet       bool
	// retain lets each host's registry go, once its facts are derived,
	// but for what the rules read (rules.RetainFilter) and the lines the
	// facts and policy objects cite: audit and diff read nothing else of
	// it, and a fleet of thousands of hosts would otherwise hold every
	// host's registry. dump and config keep it all (dump prints it).
	retain bool
	// noSARIF says no SARIF output will be written: the registry lines
	// only SARIF shows go too (audit.Options.OmitCited).
	noSARIF bool
	keep    *audit.Kept // what to keep beyond the model, for SARIF (keepFor)
	// formatsFromConfig says the outputs are output.formats' (no
	// --format): what to keep is settled once it is read (settleKeep).
	formatsFromConfig bool
}

func (o *readOptions) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.codepage, "codepage", "", "code page of 8-bit text files (REGEDIT4 exports, OEM netsh output): cp1252 (default), cp850, cp932, cp936, ...")
	cmd.Flags().StringVar(&o.config, "config", "", "the configuration file (default: ipseclint.yaml or .ipseclint.yaml in the audited folder (the folder the paths have in common), else in each parent)")
	cmd.Flags().Int64Var(&o.maxFileSize, "max-file-size", 1<<30, "size in bytes past which a file (or archive member) is not read")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "no progress on standard error")
}

// collect reads the paths into a fleet and checks the configuration
// against the rules, formats and hosts: its mistakes become problems of
// the configuration file (the rest of it still applies).
func collect(env *environment, paths []string, o readOptions) (*model.Fleet, error) {
	prog := newProgress(env, o.quiet)
	defer prog.done()
	opts := audit.Options{
		CodePage: o.codepage, ConfigPath: o.config, Filter: rules.KeyFilter(rules.All()),
		Stdin: env.stdin, MaxFileSize: o.maxFileSize, Progress: prog.update, Keep: o.keep,
		OmitCited: o.noSARIF,
	}
	if o.formatsFromConfig && o.keep != nil {
		opts.Configured = func(cfg *model.FleetConfig, opts *audit.Options) {
			if !namesSARIF(cfg) {
				opts.Keep, opts.OmitCited = nil, true
			}
		}
	}
	if o.retain {
		// Every rule's, not only the enabled ones': the configuration
		// that enables them is known once the files are read.
		opts.Retain = rules.RetainFilter(rules.All())
	}
	fleet, err := audit.Collect(paths, opts)
	if err != nil {
		return nil, err
	}
	// Every byte the reading allocated but the fleet is garbage now, for
	// every command that reads (audit and diff run the rules next):
	// collecting it once, here, sets the collector's next goal from the
	// hosts alone (about twice their 150 MB at 10,000 hosts) instead of
	// from one set while the reading's buffers were live. Measured: about
	// 20 MB (5%) less peak RSS at 10,000 hosts, no slower (README, "A
	// whole estate").
	runtime.GC()
	if len(fleet.Files) == 0 {
		return nil, fmt.Errorf("no files found in %s", strings.Join(paths, ", "))
	}
	checkConfig(fleet)
	return fleet, nil
}

// namesSARIF reports whether the configuration's output.formats, which
// a run without --format writes, hold SARIF (without it, the table).
func namesSARIF(cfg *model.FleetConfig) bool {
	if cfg == nil || !cfg.Formats.Set {
		return false
	}
	for _, f := range cfg.Formats.Value {
		if strings.EqualFold(f.Name, "sarif") {
			return true
		}
	}
	return false
}

// checkConfig resolves the configuration's rule references and reports
// its mistakes (unknown rules and formats: problems; host entries that
// match no host: notes, naming the close matches).
func checkConfig(fleet *model.Fleet) {
	cfg := fleet.Config
	if cfg == nil {
		return
	}
	var file *model.InputFile
	for _, f := range fleet.Files {
		if f.Kind == model.KindConfig && f.Name == cfg.File {
			file = f
			break
		}
	}
	problems := append(cfg.CheckRules(ruleNames()), cfg.CheckFormats(report.FormatNames())...)
	var names []string
	for _, h := range fleet.Hosts {
		names = append(names, h.Name, folderOf(h))
	}
	warnings := cfg.CheckHosts(names)
	if file == nil {
		return
	}
	file.Problems = append(file.Problems, problems...)
	if len(problems) > 0 && file.Status == model.StatusRead {
		file.Status = model.StatusPartial
		file.Reason = fmt.Sprintf("%d mistake(s) in the configuration; the rest of it applies", len(file.Problems))
	}
	for _, w := range warnings {
		file.Notes = append(file.Notes, fmt.Sprintf("line %d: %s", w.Loc.Line, w.Message))
	}
}

func folderOf(h *model.Host) string {
	d := h.Dir
	if i := strings.LastIndexByte(d, '/'); i >= 0 {
		d = d[i+1:]
	}
	return strings.TrimSuffix(d, "!")
}

// today is the date accepted risks expire against: IPSECLINT_TODAY
// (YYYY-MM-DD) when set, for reproducible runs, else the local date.
func today(env *environment) (time.Time, error) {
	if s := env.getenv("IPSECLINT_TODAY"); s != "" {
		t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
		if err != nil {
			return time.Time{}, fmt.Errorf("IPSECLINT_TODAY %q: expected YYYY-MM-DD", s)
		}
		return t, nil
	}
	return time.Now(), nil
}

// runRules runs the rules of the settings over the fleet and applies the
// configuration's severities and accepted risks.
func runRules(env *environment, fleet *model.Fleet, s *settings) (rules.Outcome, error) {
	mem := holdToReading(env)
	defer mem.release() // on every path: the limit is the process's
	out := rules.Run(fleet, s.rules)
	rules.ApplySeverity(&out, s.severityOf)
	out.Disabled = s.Disabled
	if fleet.Config != nil && len(fleet.Config.Accepted) > 0 {
		day, err := today(env)
		if err != nil {
			return out, err
		}
		rules.Accept(&out, fleet, fleet.Config.Accepted, day)
	}
	return out, nil
}

// auditFlags are the flags of `audit`.
type auditFlags struct {
	read          readOptions
	values        flagValues
	color         string
	hostsSummary  int
	sarifRootURI  string
	sarifCategory string
	sarifEmbed    bool
	writeAccepted string
}

func newAuditCmd(env *environment) *cobra.Command {
	var af auditFlags
	cmd := &cobra.Command{
		Use:   "audit [flags] PATH...",
		Short: "Audit folders or archives of collected exports (one folder per host, or a folder of host folders)",
		Long: "audit reads every file under the paths given (folders, files, zip/tar/tgz archives, - for a list of\n" +
			"paths on standard input), tells each file's kind from its content, groups the files into hosts (a\n" +
			"folder holding files is one host; a folder of folders is a fleet) and runs the rules.\n\n" +
			"Exit codes: 0 no active finding at or above --fail-on; 1 findings at or above it (or, with\n" +
			"--fail-on-not-evaluated, checks that could not be made); 2 usage error, an input that could\n" +
			"not be read completely (the audit still covers every other file and writes its reports), or no\n" +
			"host audited at all.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error { return runAudit(cmd, env, af, paths) },
	}
	af.register(cmd, report.FormatNames())
	f := cmd.Flags()
	f.IntVar(&af.hostsSummary, "hosts-summary", 0, "list at most N hosts in the table's host section (0 = all; the totals cover every host)")
	f.StringVar(&af.sarifRootURI, "sarif-root-uri", "", "the URI SARIF gives the folder its paths are relative to (originalUriBaseIds): the git work tree's top, else the audited folder; by default the absolute path is left out")
	f.StringVar(&af.sarifCategory, "sarif-category", "", "SARIF automationDetails.id (a category; on GitHub leave it out and give upload-sarif's category instead, which a category in the file would override)")
	f.StringVar(&af.writeAccepted, "write-accepted", "", "write accepted-risk entries for this run's findings to FILE (reason TODO, for review: such an entry does not apply; a file ipseclint did not write is never replaced)")
	registerSARIFEmbed(cmd, &af.sarifEmbed)
	return cmd
}

// register declares the flags audit shares with diff: reading the
// inputs, the outputs (formats names the formats), --fail-on, --disable,
// --color.
func (af *auditFlags) register(cmd *cobra.Command, formats []string) {
	af.read.register(cmd)
	f := cmd.Flags()
	f.StringArrayVarP(&af.values.formats, "format", "f", []string{"table"}, "output format, FORMAT or FORMAT=FILE, repeatable: "+strings.Join(formats, ", "))
	f.StringVarP(&af.values.output, "output", "o", "", "write the (single) report to this file instead of standard output")
	f.StringVar(&af.values.failOn, "fail-on", "warning", "lowest finding severity that makes the exit code 1: error, warning, note, none")
	f.BoolVar(&af.values.failOnNotEvaluated, "fail-on-not-evaluated", false, "exit 1 also when a check could not be made")
	f.StringSliceVar(&af.values.disable, "disable", nil, "rules not to run, by ID or name (IPSEC001,nlbsflags-missing)")
	f.StringVar(&af.color, "color", "auto", "colour in the table: auto (on a terminal, unless NO_COLOR is set), always, never")
}

// check checks the flags that need no input, before anything is read,
// and returns --color in lower case.
func (af *auditFlags) check(cmd *cobra.Command) (string, error) {
	if _, err := rules.ParseSeverity(af.values.failOn); err != nil {
		return "", fmt.Errorf("--fail-on: %w", err)
	}
	color := strings.ToLower(af.color)
	if color != "auto" && color != "always" && color != "never" {
		return "", fmt.Errorf("--color %q: expected auto, always or never", af.color)
	}
	if cmd.Flags().Changed("format") || af.values.output != "" {
		if _, err := parseOutputs(af.values.formats, af.values.output); err != nil {
			return "", err
		}
	}
	if _, err := (&settings{}).selectRulesCheck(af.values.disable); err != nil {
		return "", err
	}
	return color, nil
}

func runAudit(cmd *cobra.Command, env *environment, af auditFlags, paths []string) error {
	color, err := af.check(cmd)
	if err != nil {
		return err
	}
	if af.writeAccepted != "" {
		if err := checkOutputs([]output{{file: af.writeAccepted}}); err != nil {
			return fmt.Errorf("--write-accepted: %w", err)
		}
		if err := checkAcceptedTarget(af.writeAccepted); err != nil {
			return fmt.Errorf("--write-accepted: %w", err)
		}
	}
	read := af.read
	read.retain = true
	read.keep = keepFor(cmd, af)
	read.noSARIF = read.keep == nil // keepFor keeps the hives' cells whenever SARIF may be written
	read.formatsFromConfig = !cmd.Flags().Changed("format") && !af.sarifEmbed
	fleet, err := collect(env, paths, read)
	if err != nil {
		return err
	}
	s, err := resolveSettings(cmd, af.values, fleet.Config)
	if err != nil {
		return err
	}
	outs, err := parseOutputs(s.Formats.Value, af.values.output)
	if err == nil {
		err = checkSARIFEmbed(af.sarifEmbed, outs)
	}
	if err != nil {
		return err
	}
	outcome, err := runRules(env, fleet, s)
	if err != nil {
		return err
	}
	a := &report.Audit{Tool: tool(), Fleet: fleet, Rules: s.rules, Outcome: outcome, View: view(env, color, af)}
	if read.keep != nil {
		a.Sources = read.keep
	}
	placeOutputs(env, a, outs)
	if err := writeOutputs(outs, a, env.stdout); err != nil {
		return err
	}
	if af.writeAccepted != "" {
		if err := writeAccepted(af.writeAccepted, fleet, outcome); err != nil {
			return err
		}
	}
	return exitFor(a, s, env.stderr)
}

// selectRulesCheck checks --disable before anything is read.
func (s *settings) selectRulesCheck(disable []string) (*settings, error) {
	return s, s.selectRules(disable, nil)
}

// view lays out the table: the terminal's width and colour when standard
// output is a terminal, a stable 100 columns without colour otherwise.
func view(env *environment, color string, af auditFlags) report.View {
	v := report.View{Hosts: af.hostsSummary, SARIFRootURI: af.sarifRootURI, SARIFCategory: af.sarifCategory, SARIFEmbed: af.sarifEmbed}
	if v.SARIFCategory != "" {
		v.SARIFAutomationProperties = azurePipelineProperties(env.getenv)
	}
	if w := safetext.Width(env.stdout, env.getenv); w > 0 && isTerminal(env.stdout) {
		v.Width = w
	}
	v.Color = safetext.ColorEnabled(color, env.stdout, env.getenv)
	return v
}

// exitFor returns the exit code of an audit as an error (nil for 0).
func exitFor(a *report.Audit, s *settings, stderr io.Writer) error {
	if len(a.Fleet.Hosts) == 0 {
		// A gate that audited nothing must not pass: every file was
		// skipped (past --max-file-size, not an input, an archive that
		// is not one).
		fmt.Fprintf(stderr, "ipseclint: no host was audited: of the %d file(s) listed, none was read as a host's input (the report's files say why); exit code 2\n", len(a.Fleet.Files))
		return exitError{ExitIncomplete}
	}
	if incomplete(a.Fleet) {
		fmt.Fprintln(stderr, "ipseclint: some inputs could not be read completely (see the report); exit code 2")
		return exitError{ExitIncomplete}
	}
	if s.FailOn.Value != "none" {
		for _, f := range a.Outcome.Active() {
			if f.Severity.Rank() >= s.FailOn.Value.Rank() {
				return exitError{ExitFindings}
			}
		}
	}
	if s.FailOnNotEvaluated.Value && len(a.Outcome.NotEvaluated) > 0 {
		fmt.Fprintf(stderr, "ipseclint: %d check(s) could not be made (--fail-on-not-evaluated); exit code 1\n", len(a.Outcome.NotEvaluated))
		return exitError{ExitFindings}
	}
	return nil
}

// incomplete reports whether any input could not be read completely.
func incomplete(f *model.Fleet) bool {
	for _, file := range f.Files {
		if file.Status.Incomplete() {
			return true
		}
	}
	return false
}
