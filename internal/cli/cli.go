// Package cli is ipseclint's command line: flags and wiring, no logic.
// It lives outside cmd/ so that tests can run the commands in-process.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/rules"
)

// Exit codes.
const (
	ExitOK         = 0 // no finding at or above --fail-on
	ExitFindings   = 1 // findings at or above --fail-on
	ExitIncomplete = 2 // usage error, or an input that could not be read completely
)

// InformationURI is the project's home, written in the SARIF output.
const InformationURI = "https://github.com/ipseclint/ipseclint"

// exitError carries an exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs ipseclint with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var ee exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	}
	fmt.Fprintln(stderr, "ipseclint:", err)
	return ExitIncomplete
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	// An unreleased build: SemVer's form for it, since SARIF consumers
	// compare tool versions that start with a number.
	return "0.0.0-devel"
}

func tool() report.Tool {
	return report.Tool{Name: "ipseclint", Version: version(), InformationURI: InformationURI}
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "ipseclint",
		Short: "Audit Exchange 2003 front-end/back-end IPSec configuration offline (KB 821839)",
		Long: "ipseclint audits Windows Server 2003 and Windows 2000 servers running Exchange Server 2003 from files\n" +
			"collected off them: regedit .reg exports, binary registry hives (SYSTEM, SOFTWARE, the cluster hive)\n" +
			"and `netsh ipsec static` dumps. It checks the IPSec protection of front-end to back-end traffic\n" +
			"described in Microsoft KB 821839.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newAuditCmd(stdout, stderr), newDumpCmd(stdout, stderr), newRulesCmd(stdout), newVersionCmd(stdout))
	return root
}

// readOptions are the flags shared by audit and dump.
type readOptions struct {
	codepage string
	config   string
	output   string
}

func (o *readOptions) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.codepage, "codepage", "", "code page of 8-bit text files (REGEDIT4 exports, OEM netsh output): cp1252 (default), cp850, cp932, cp936, ...")
	cmd.Flags().StringVar(&o.config, "config", "", "fleet configuration (default: ipseclint.yaml found in the audited folders)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the report to this file instead of standard output")
}

func collect(paths []string, o readOptions, rs []*rules.Rule) (*model.Fleet, error) {
	fleet, err := audit.Collect(paths, audit.Options{CodePage: o.codepage, ConfigPath: o.config, Filter: rules.KeyFilter(rs)})
	if err != nil {
		return nil, err
	}
	if len(fleet.Files) == 0 {
		return nil, fmt.Errorf("no files found in %s", strings.Join(paths, ", "))
	}
	return fleet, nil
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

func writeTo(path string, stdout io.Writer, print func(io.Writer) error) error {
	if path == "" || path == "-" {
		return print(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := print(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func newAuditCmd(stdout, stderr io.Writer) *cobra.Command {
	var o readOptions
	var format, failOn string
	var disable []string
	cmd := &cobra.Command{
		Use:   "audit [flags] PATH...",
		Short: "Audit folders of collected exports (one folder per host, or a folder of host folders)",
		Long: "audit reads every file under the paths given, tells each file's kind from its content, groups the\n" +
			"files into hosts (a folder holding files is one host; a folder of folders is a fleet) and runs the rules.\n\n" +
			"Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage error, or an input\n" +
			"that could not be read completely (the audit still covers every other file).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			fm, ok := report.FormatByName(format)
			printer := fm.Printer
			if !ok {
				return fmt.Errorf("unknown --format %q: expected one of %s", format, strings.Join(report.FormatNames(), ", "))
			}
			threshold, err := rules.ParseSeverity(failOn)
			if err != nil {
				return fmt.Errorf("--fail-on: %w", err)
			}
			rs, err := selectRules(disable)
			if err != nil {
				return err
			}
			fleet, err := collect(paths, o, rs)
			if err != nil {
				return err
			}
			a := &report.Audit{Tool: tool(), Fleet: fleet, Rules: rs, Outcome: rules.Run(fleet, rs)}
			if err := writeTo(o.output, stdout, func(w io.Writer) error { return printer.Print(w, a) }); err != nil {
				return err
			}
			return exitFor(a, threshold, stderr)
		},
	}
	o.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: "+strings.Join(report.FormatNames(), ", "))
	cmd.Flags().StringVar(&failOn, "fail-on", "warning", "lowest finding severity that makes the exit code 1: error, warning, note, none")
	cmd.Flags().StringSliceVar(&disable, "disable", nil, "rules not to run, by ID or name (IPSEC001,nlbsflags-missing)")
	return cmd
}

func selectRules(disable []string) ([]*rules.Rule, error) {
	off := map[string]bool{}
	for _, id := range disable {
		r := rules.ByID(strings.TrimSpace(id))
		if r == nil {
			return nil, fmt.Errorf("--disable: no rule %q (see `ipseclint rules`)", id)
		}
		off[r.ID] = true
	}
	var rs []*rules.Rule
	for _, r := range rules.All() {
		if !off[r.ID] {
			rs = append(rs, r)
		}
	}
	return rs, nil
}

// exitFor returns the exit code of an audit as an error (nil for 0).
func exitFor(a *report.Audit, threshold rules.Severity, stderr io.Writer) error {
	if incomplete(a.Fleet) {
		fmt.Fprintln(stderr, "ipseclint: some inputs could not be read completely (see the report); exit code 2")
		return exitError{ExitIncomplete}
	}
	if threshold != "none" {
		for _, f := range a.Outcome.Findings {
			if f.Severity.Rank() >= threshold.Rank() {
				return exitError{ExitFindings}
			}
		}
	}
	return nil
}

func newDumpCmd(stdout, stderr io.Writer) *cobra.Command {
	var o readOptions
	cmd := &cobra.Command{
		Use:   "dump [flags] PATH...",
		Short: "Print what ipseclint understood of its inputs, as JSON (files, host facts and their evidence, registry values, IPSec policies)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			rs := rules.All()
			fleet, err := collect(paths, o, rs)
			if err != nil {
				return err
			}
			a := &report.Audit{Tool: tool(), Fleet: fleet, Rules: rs, Outcome: rules.Outcome{Failover: rules.NewPass(fleet).Flows.Failovers()}}
			if err := writeTo(o.output, stdout, func(w io.Writer) error { return report.Dump{}.Print(w, a) }); err != nil {
				return err
			}
			if incomplete(fleet) {
				fmt.Fprintln(stderr, "ipseclint: some inputs could not be read completely; exit code 2")
				return exitError{ExitIncomplete}
			}
			return nil
		},
	}
	o.register(cmd)
	return cmd
}

func newRulesCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "rules [ID]",
		Short: "List the rules, or print one rule's documentation (description, remediation, references)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				r := rules.ByID(args[0])
				if r == nil {
					return fmt.Errorf("no rule %q", args[0])
				}
				_, err := fmt.Fprint(stdout, r.Help())
				return err
			}
			for _, r := range rules.All() {
				fmt.Fprintf(stdout, "%s  %-28s %-8s %s\n", r.ID, r.Name, r.Severity, r.Summary)
			}
			return nil
		},
	}
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(stdout, "ipseclint", version())
		},
	}
}
