package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
)

func newDiffCmd(env *environment) *cobra.Command {
	var af auditFlags
	cmd := &cobra.Command{
		Use:   "diff [flags] OLD NEW",
		Short: "Compare two collections of the same servers: hosts added and removed, audited facts changed, findings new, fixed and changed",
		Long: "diff audits OLD and NEW (each a folder, file, zip/tar/tgz archive, or - for a list of paths on\n" +
			"standard input, as audit reads them) with the same rules and compares them: hosts are paired by\n" +
			"ComputerName (else folder name); for each host the audited facts that changed are listed with both\n" +
			"values and where each was read (NLBSFlags, the IPSec service's start type, NoDefaultExempt, the\n" +
			"assigned policy and its rules, filter lists, filters and filter actions, cluster and NLB membership,\n" +
			"virtual addresses, role, OS and service pack, failover estimates); findings are compared by\n" +
			"fingerprint (rule + host + subject) as new, fixed, changed or unchanged. The rules and severities\n" +
			"are NEW's configuration's (or --config's) for both sides; accepted risks are each side's own.\n" +
			"The configuration's output.formats does not apply: diff writes what --format says (default table).\n\n" +
			"Exit codes: 0 NEW has no finding at or above --fail-on that OLD did not have; 1 it has (or, with\n" +
			"--fail-on-not-evaluated, NEW could not make a check that OLD could); 2 usage error, or an input of\n" +
			"either side that could not be read completely. See docs/diff.md.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error { return runDiff(cmd, env, af, args[0], args[1]) },
	}
	af.register(cmd, report.DiffFormatNames())
	f := cmd.Flags()
	f.Lookup("fail-on").Usage = "lowest severity of a finding that NEW has and OLD had not (at that severity) that makes the exit code 1: error, warning, note, none"
	f.Lookup("fail-on-not-evaluated").Usage = "exit 1 also when NEW could not make a check that OLD could"
	return cmd
}

func runDiff(cmd *cobra.Command, env *environment, af auditFlags, oldPath, newPath string) error {
	color, err := af.check(cmd)
	if err != nil {
		return err
	}
	if oldPath == "-" && newPath == "-" {
		return errors.New("OLD and NEW cannot both be - (one list of paths on standard input)")
	}
	outs, err := diffOutputs(af.values)
	if err != nil {
		return err
	}
	read := af.read
	read.retain = true
	oldFleet, err := collect(env, []string{oldPath}, read)
	if err != nil {
		return fmt.Errorf("OLD: %w", err)
	}
	newFleet, err := collect(env, []string{newPath}, read)
	if err != nil {
		return fmt.Errorf("NEW: %w", err)
	}
	s, err := resolveSettings(cmd, af.values, newFleet.Config)
	if err != nil {
		return err
	}
	old, err := diffSide(env, oldPath, oldFleet, s)
	if err != nil {
		return err
	}
	cur, err := diffSide(env, newPath, newFleet, s)
	if err != nil {
		return err
	}
	d := &report.Diff{Tool: tool(), Result: diff.Compute(old, cur), Rules: s.rules, FailOn: s.FailOn.Value, View: view(env, color, af)}
	for i := range outs {
		f, _ := report.DiffFormatByName(outs[i].format.Name)
		outs[i].format.Printer = diffPrinter{f.Printer, d}
	}
	// The outputs are written as audit writes its own; the audit given is
	// NEW's, of which the printers take only the view (no colour in files).
	a := &report.Audit{Tool: d.Tool, Fleet: newFleet, Rules: s.rules, Outcome: cur.Outcome, View: d.View}
	if err := writeOutputs(outs, a, env.stdout); err != nil {
		return err
	}
	return diffExit(d, s, env.stderr)
}

// diffOutputs reads --format and -o as audit does, and refuses the
// formats diff does not write.
func diffOutputs(fv flagValues) ([]output, error) {
	outs, err := parseOutputs(fv.formats, fv.output)
	if err != nil {
		return nil, err
	}
	for _, o := range outs {
		if _, ok := report.DiffFormatByName(o.format.Name); !ok {
			return nil, fmt.Errorf("--format %s: diff writes %s", o.format.Name, strings.Join(report.DiffFormatNames(), ", "))
		}
	}
	return outs, nil
}

// diffSide runs the rules over one side, as audit does.
func diffSide(env *environment, label string, fleet *model.Fleet, s *settings) (diff.Side, error) {
	out, err := runRules(env, fleet, s)
	if err != nil {
		return diff.Side{}, err
	}
	return diff.Side{Label: label, Fleet: fleet, Outcome: out}, nil
}

// diffPrinter writes a comparison where the output machinery expects an
// audit printer: of the audit it is given it takes the view only.
type diffPrinter struct {
	p report.DiffPrinter
	d *report.Diff
}

func (dp diffPrinter) Print(w io.Writer, a *report.Audit) error {
	d := *dp.d
	d.View = a.View
	return dp.p.PrintDiff(w, &d)
}

// diffExit returns the exit code of a comparison as an error (nil for 0).
func diffExit(d *report.Diff, s *settings, stderr io.Writer) error {
	r := d.Result
	if incomplete(r.Old.Fleet) || incomplete(r.New.Fleet) {
		fmt.Fprintln(stderr, "ipseclint: some inputs could not be read completely (see the report); exit code 2")
		return exitError{ExitIncomplete}
	}
	if reg := r.Regressions(s.FailOn.Value); len(reg) > 0 {
		fmt.Fprintf(stderr, "ipseclint: NEW has %d finding(s) at or above %s that OLD did not have; exit code 1\n", len(reg), s.FailOn.Value)
		return exitError{ExitFindings}
	}
	if n := r.NewNotEvaluated(); s.FailOnNotEvaluated.Value && len(n) > 0 {
		fmt.Fprintf(stderr, "ipseclint: NEW could not make %d check(s) that OLD could (--fail-on-not-evaluated); exit code 1\n", len(n))
		return exitError{ExitFindings}
	}
	return nil
}
