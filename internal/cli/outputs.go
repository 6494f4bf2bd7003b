package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/report"
)

// output is one report to write: a format, and a file ("" = standard
// output).
type output struct {
	format report.Format
	file   string
}

// parseOutputs reads the --format values (FORMAT or FORMAT=FILE,
// case-insensitive names) and the -o FILE of the single-format form.
// Every file's folder must exist, and at most one output may go to
// standard output: both are checked before the audit runs.
func parseOutputs(specs []string, outFile string) ([]output, error) {
	var outs []output
	for _, spec := range specs {
		for _, one := range strings.Split(spec, ",") {
			o, err := parseOutput(one)
			if err != nil {
				return nil, err
			}
			outs = append(outs, o)
		}
	}
	if outFile != "" && outFile != "-" {
		n := 0
		for i := range outs {
			if outs[i].file == "" {
				outs[i].file = outFile
				n++
			}
		}
		if n != 1 {
			return nil, errors.New("-o names one file: give exactly one --format without =FILE, or write FORMAT=FILE for each")
		}
	}
	return outs, checkOutputs(outs)
}

func parseOutput(spec string) (output, error) {
	name, file, _ := strings.Cut(strings.TrimSpace(spec), "=")
	f, ok := report.FormatByName(name)
	if !ok {
		return output{}, fmt.Errorf("unknown --format %q: expected one of %s (FORMAT or FORMAT=FILE)", name, strings.Join(report.FormatNames(), ", "))
	}
	if file == "-" {
		file = ""
	}
	return output{format: f, file: file}, nil
}

// checkOutputs refuses two outputs to standard output or to one file,
// and a file whose folder does not exist.
func checkOutputs(outs []output) error {
	stdout := 0
	seen := map[string]bool{}
	for _, o := range outs {
		if o.file == "" {
			if stdout++; stdout > 1 {
				return errors.New("two formats write to standard output: give each but one a file (--format sarif=out.sarif)")
			}
			continue
		}
		abs, err := filepath.Abs(o.file)
		if err != nil {
			return fmt.Errorf("output %s: %w", o.file, err)
		}
		if seen[abs] {
			return fmt.Errorf("two formats write to %s", o.file)
		}
		seen[abs] = true
		dir := filepath.Dir(abs)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("output %s: the folder %s does not exist", o.file, filepath.Dir(o.file))
		}
	}
	return nil
}

// write writes every output; a failure is reported and the others are
// still written.
func writeOutputs(outs []output, a *report.Audit, stdout io.Writer) error {
	var errs []error
	for _, o := range outs {
		if err := writeOne(o, a, stdout); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func writeOne(o output, a *report.Audit, stdout io.Writer) error {
	if o.file == "" {
		return o.format.Printer.Print(stdout, a)
	}
	view := a.View
	a.View.Color = false // never colour a file
	defer func() { a.View = view }()
	// A report is shared (an auditor mails the HTML): a new one gets the
	// mode a file usually gets, 0644, one written again keeps its own.
	mode := os.FileMode(0o644)
	if st, err := os.Stat(o.file); err == nil {
		if !st.Mode().IsRegular() {
			return writeDirect(o, a) // /dev/null, a terminal: never replaced
		}
		mode = st.Mode().Perm()
	}
	// A regular file is written beside its place and renamed over it, so
	// that a reader never sees half a report. (CreateTemp makes it 0600.)
	tmp, err := os.CreateTemp(filepath.Dir(o.file), "."+filepath.Base(o.file)+".*")
	if err != nil {
		return fmt.Errorf("output %s: %w", o.file, err)
	}
	err = tmp.Chmod(mode)
	if err == nil {
		err = o.format.Printer.Print(tmp, a)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), o.file)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("output %s: %w", o.file, err)
	}
	return nil
}

func writeDirect(o output, a *report.Audit) error {
	f, err := os.OpenFile(o.file, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("output %s: %w", o.file, err)
	}
	err = o.format.Printer.Print(f, a)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("output %s: %w", o.file, err)
	}
	return nil
}

// placeOutputs sets what the outputs need to know of where they will be
// read: the audited folder relative to the GitHub Actions workspace
// ($GITHUB_WORKSPACE, else the current folder) for the github and junit
// formats' file names, and, for SARIF, the git work tree the audited
// folder lies in (its repository, commit and branch, read from .git).
func placeOutputs(env *environment, a *report.Audit, outs []output) {
	a.View.PathPrefix = pathPrefix(env, a.Fleet.Root)
	a.View.Workspace = workspace(env)
	for _, o := range outs {
		if o.format.Name != "sarif" || a.Fleet.Root == "" {
			continue
		}
		v, err := report.FindVCS(a.Fleet.Root)
		if err != nil {
			fmt.Fprintf(env.stderr, "ipseclint: %v; the SARIF output names no repository\n", err)
		}
		a.VCS = v
		break
	}
}

// pathPrefix is the audited root relative to the workspace, slash
// separated ("" when it is the workspace), or the root itself when it
// lies outside.
func pathPrefix(env *environment, root string) string {
	if root == "" {
		return ""
	}
	ws := workspace(env)
	if ws == "" {
		return filepath.ToSlash(root)
	}
	rel, err := filepath.Rel(ws, root)
	switch {
	case err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)):
		return filepath.ToSlash(root)
	case rel == ".":
		return ""
	}
	return filepath.ToSlash(rel)
}

// workspace is the GitHub Actions workspace ($GITHUB_WORKSPACE), else the
// current folder; "" when neither is known.
func workspace(env *environment) string {
	if ws := env.getenv("GITHUB_WORKSPACE"); ws != "" {
		return ws
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return wd
}

// azurePipelineProperties are the automationDetails properties
// GitHub Advanced Security for Azure DevOps wants, from the pipeline's
// predefined variables, when running in an Azure Pipelines job
// (TF_BUILD=True); nil elsewhere.
func azurePipelineProperties(getenv func(string) string) map[string]string {
	if !strings.EqualFold(getenv("TF_BUILD"), "true") {
		return nil
	}
	const p = "azuredevops/pipeline/build/"
	props := map[string]string{}
	for key, env := range map[string]string{
		p + "buildDefinitionId":   "SYSTEM_DEFINITIONID",
		p + "buildDefinitionName": "BUILD_DEFINITIONNAME",
		p + "phaseId":             "SYSTEM_PHASEID",
		p + "phaseName":           "SYSTEM_PHASENAME",
	} {
		if v := getenv(env); v != "" {
			props[key] = v
		}
	}
	if len(props) == 0 {
		return nil
	}
	return props
}

// registerSARIFEmbed declares --sarif-embed.
func registerSARIFEmbed(cmd *cobra.Command, embed *bool) {
	cmd.Flags().BoolVar(embed, "sarif-embed", false, "embed the text inputs' text (.reg, netsh, ipsecpol, the configuration) in the SARIF output's artifacts, "+
		"every pre-shared key and password cut out; binary hives are never embedded. The text is kept in memory for the whole run")
}

// keepFor says what the audit keeps of its inputs beyond the model, for
// the SARIF output: where hive keys and values lie (byte regions with
// their bytes) unless --format names only other formats (without it the
// configuration may name sarif), and the text with --sarif-embed. nil
// when nothing is kept.
func keepFor(cmd *cobra.Command, af auditFlags) *audit.Kept {
	k := &audit.Kept{Texts: af.sarifEmbed, Cells: af.sarifEmbed || !cmd.Flags().Changed("format")}
	if outs, err := parseOutputs(af.values.formats, af.values.output); err == nil && cmd.Flags().Changed("format") {
		k.Cells = k.Cells || hasSARIF(outs)
	}
	if !k.Texts && !k.Cells {
		return nil
	}
	return k
}

func hasSARIF(outs []output) bool {
	for _, o := range outs {
		if o.format.Name == "sarif" {
			return true
		}
	}
	return false
}

// checkSARIFEmbed refuses --sarif-embed without a SARIF output.
func checkSARIFEmbed(embed bool, outs []output) error {
	if embed && !hasSARIF(outs) {
		return errors.New("--sarif-embed: no SARIF output; add --format sarif=FILE")
	}
	return nil
}
