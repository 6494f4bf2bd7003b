// Package cli is ipseclint's command line: flags and wiring, no logic.
// It lives outside cmd/ so that tests can run the commands in-process.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ipseclint/ipseclint/internal/report"
)

// Exit codes.
const (
	ExitOK         = 0 // no finding at or above --fail-on
	ExitFindings   = 1 // findings at or above --fail-on (or not-evaluated checks with --fail-on-not-evaluated)
	ExitIncomplete = 2 // usage error, or an input that could not be read completely
)

// InformationURI is the project's home, written in the SARIF output.
const InformationURI = "https://github.com/ipseclint/ipseclint"

// exitError carries an exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs ipseclint with args and returns the exit code. Standard input
// is os.Stdin (read only for the path "-").
func Main(args []string, stdout, stderr io.Writer) int {
	return MainWithInput(args, os.Stdin, stdout, stderr)
}

// MainWithInput is Main with standard input given, for tests.
func MainWithInput(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &environment{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRoot(env)
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

// environment is what the commands read and write besides their flags.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func tool() report.Tool {
	b := buildInfo()
	return report.Tool{Name: "ipseclint", Version: b.Version, InformationURI: InformationURI, Commit: b.Commit}
}

func newRoot(env *environment) *cobra.Command {
	root := &cobra.Command{
		Use:   "ipseclint",
		Short: "Audit Exchange 2003 front-end/back-end IPSec configuration offline (KB 821839)",
		Long: "ipseclint audits Windows Server 2003 and Windows 2000 servers running Exchange Server 2003 from files\n" +
			"collected off them: regedit .reg exports, binary registry hives (SYSTEM, SOFTWARE, the cluster hive),\n" +
			"`netsh ipsec static` dumps, and zip or tar archives of them. It checks the IPSec protection of front-end\n" +
			"to back-end traffic described in Microsoft KB 821839.",
		Version:       buildInfo().Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetOut(env.stdout)
	root.SetErr(env.stderr)
	root.AddCommand(newAuditCmd(env), newDiffCmd(env), newDumpCmd(env), newRulesCmd(env), newConfigCmd(env), newVersionCmd(env))
	return root
}
