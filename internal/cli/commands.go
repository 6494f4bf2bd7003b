package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/rules"
)

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && safetext.IsTerminal(f)
}

func newDumpCmd(env *environment) *cobra.Command {
	var o readOptions
	var outFile string
	cmd := &cobra.Command{
		Use:   "dump [flags] PATH...",
		Short: "Print what ipseclint understood of its inputs, as JSON (files, host facts and their evidence, registry values, IPSec policies)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			dump := output{format: report.Format{Name: "dump", Ext: "json", Printer: report.Dump{}}}
			if outFile != "" && outFile != "-" {
				dump.file = outFile
			}
			if err := checkOutputs([]output{dump}); err != nil {
				return err
			}
			fleet, err := collect(env, paths, o)
			if err != nil {
				return err
			}
			a := &report.Audit{Tool: tool(), Fleet: fleet, Rules: rules.All(), Outcome: rules.Outcome{Failover: rules.NewPass(fleet).Flows.Failovers()}}
			if err := writeOne(dump, a, env.stdout); err != nil {
				return err
			}
			if incomplete(fleet) {
				fmt.Fprintln(env.stderr, "ipseclint: some inputs could not be read completely; exit code 2")
				return exitError{ExitIncomplete}
			}
			return nil
		},
	}
	o.register(cmd)
	cmd.Flags().StringVarP(&outFile, "output", "o", "", "write the dump to this file instead of standard output")
	return cmd
}

// ruleJSON is a rule as `rules --format json` lists it.
type ruleJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Severity   string            `json:"defaultSeverity"`
	Summary    string            `json:"summary"`
	HelpURI    string            `json:"helpUri"`
	References []rules.Reference `json:"references"`
	// Judges are the roles of the hosts the rule checks; empty: every
	// host, whatever its role.
	Judges []model.Role `json:"judges"`
}

func newRulesCmd(env *environment) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules [ID]",
		Short: "List the rules, or print one rule's documentation (description, remediation, references)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs := rules.All()
			if len(args) == 1 {
				r := rules.ByID(args[0])
				if r == nil {
					return fmt.Errorf("no rule %q (see `ipseclint rules`)", args[0])
				}
				rs = []*rules.Rule{r}
			}
			switch strings.ToLower(format) {
			case "json":
				var out []ruleJSON
				for _, r := range rs {
					out = append(out, ruleJSON{r.ID, r.Name, string(r.Severity), r.Summary, r.HelpURI, r.References, append([]model.Role{}, r.Judges...)})
				}
				enc := json.NewEncoder(env.stdout)
				enc.SetIndent("", "  ")
				if len(args) == 1 {
					return enc.Encode(out[0])
				}
				return enc.Encode(out)
			case "text", "":
			default:
				return fmt.Errorf("--format %q: expected text or json", format)
			}
			if len(args) == 1 {
				_, err := fmt.Fprint(env.stdout, rs[0].Help())
				return err
			}
			for _, r := range rs {
				fmt.Fprintf(env.stdout, "%s  %-28s %-8s %s\n", r.ID, r.Name, r.Severity, r.Summary)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "text or json")
	return cmd
}

// configView is what `ipseclint config` prints.
type configView struct {
	File     string        `json:"file"`
	Settings []settingLine `json:"settings"`
	Hosts    []hostConfig  `json:"hosts,omitempty"`
	Accepted []acceptedRow `json:"accepted,omitempty"`
	Problems []string      `json:"problems,omitempty"`
}

type hostConfig struct {
	Name     string `json:"name"`
	Role     string `json:"role,omitempty"`
	CodePage string `json:"codepage,omitempty"`
	From     string `json:"from"`
	// Keys are the keys the entry sets (role, codepage, addresses,
	// cluster_node, nlb.*), each with where it was written.
	Keys []settingLine `json:"keys"`
}

type acceptedRow struct {
	Rule    string `json:"rule"`
	Host    string `json:"host"`
	Subject string `json:"subject,omitempty"`
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
	From    string `json:"from"`
}

func newConfigCmd(env *environment) *cobra.Command {
	var o readOptions
	fv := flagValues{formatsFlag: "format-outputs"}
	var format string
	cmd := &cobra.Command{
		Use:   "config [flags] [PATH...]",
		Short: "Print the effective configuration and where each value came from (flag, file, default)",
		Long: "config finds the configuration as audit does (--config, else ipseclint.yaml in the paths' common folder\n" +
			"or a parent; PATH defaults to the current folder), checks it, and prints every setting with its origin.\n" +
			"The audit flags given here (--fail-on, --disable, --codepage, ...; --format-outputs for audit's --format) are taken\n" +
			"into account; -f json prints the same as JSON. Exit code 2 when the configuration has mistakes.",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				paths = []string{"."}
			}
			fleet, err := collect(env, paths, o)
			if err != nil {
				return err
			}
			s, err := resolveSettings(cmd, fv, fleet.Config)
			if err != nil {
				return err
			}
			v := configViewOf(fleet, s, o.codepage)
			if strings.EqualFold(format, "json") {
				enc := json.NewEncoder(env.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(v); err != nil {
					return err
				}
			} else {
				printConfig(env, v)
			}
			if len(v.Problems) > 0 {
				return exitError{ExitIncomplete} // as audit: the file was not read completely
			}
			return nil
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringArrayVarP(&fv.formats, "format-outputs", "", []string{"table"}, "as audit's --format")
	f.StringVar(&fv.failOn, "fail-on", "warning", "as audit's --fail-on")
	f.BoolVar(&fv.failOnNotEvaluated, "fail-on-not-evaluated", false, "as audit's --fail-on-not-evaluated")
	f.StringSliceVar(&fv.disable, "disable", nil, "as audit's --disable")
	f.StringVarP(&format, "format", "f", "text", "text or json")
	return cmd
}

func configViewOf(fleet *model.Fleet, s *settings, codepageFlag string) configView {
	v := configView{File: "(none: defaults)", Settings: append(s.describe(), fleetLines(fleet.Config, codepageFlag)...)}
	cfg := fleet.Config
	if cfg == nil {
		return v
	}
	v.File = cfg.File
	for _, name := range cfg.HostNames() {
		hc := cfg.Hosts[strings.ToUpper(name)]
		if hc == nil {
			continue
		}
		v.Hosts = append(v.Hosts, hostConfig{Name: hc.Name, Role: string(hc.Role), CodePage: hc.CodePage, From: hc.Loc.String(), Keys: hostKeys(hc)})
	}
	for _, a := range cfg.Accepted {
		v.Accepted = append(v.Accepted, acceptedRow{a.Rule.ID, a.Host, a.Subject, a.Reason, a.Expires, a.Loc.String()})
	}
	for _, f := range fleet.Files {
		if f.Kind == model.KindConfig && f.Name == cfg.File {
			problems := slices.Clone(f.Problems)
			slices.SortStableFunc(problems, func(a, b model.Problem) int {
				return cmp.Or(cmp.Compare(a.Loc.Line, b.Loc.Line), cmp.Compare(a.Loc.Column, b.Loc.Column))
			})
			for _, p := range problems {
				v.Problems = append(v.Problems, p.Loc.String()+": "+p.Message)
			}
		}
	}
	return v
}

func printConfig(env *environment, v configView) {
	w := env.stdout
	fmt.Fprintf(w, "configuration: %s\n\n", safetext.Text(v.File))
	for _, l := range v.Settings {
		fmt.Fprintf(w, "%-36s %-24s (%s)\n", l.Key, safetext.Text(l.Value), safetext.Text(string(l.From)))
	}
	for _, h := range v.Hosts {
		if len(h.Keys) == 0 {
			fmt.Fprintf(w, "%-36s %-24s (%s)\n", "hosts."+safetext.Text(h.Name), "(nothing declared)", safetext.Text(h.From))
		}
		for _, k := range h.Keys {
			fmt.Fprintf(w, "%-36s %-24s (%s)\n", "hosts."+safetext.Text(h.Name)+"."+k.Key, safetext.Text(k.Value), safetext.Text(string(k.From)))
		}
	}
	for _, a := range v.Accepted {
		fmt.Fprintf(w, "accepted: %s%s, %s: %s (%s)\n", orUnknownRule(a.Rule), acceptedScope(a), expiry(a.Expires), safetext.Text(a.Reason), safetext.Text(a.From))
	}
	for _, p := range v.Problems {
		fmt.Fprintln(w, "problem:", safetext.Text(p))
	}
}

// expiry says until when an accepted risk applies.
func expiry(s string) string {
	if s == "" {
		return "no expiry"
	}
	return "until " + s
}

// orUnknownRule names an accepted risk's rule, or says it names none
// ipseclint has (its problem is listed below).
func orUnknownRule(id string) string {
	if id == "" {
		return "(a rule ipseclint does not have)"
	}
	return id
}

// acceptedScope is " on HOST" and the subject, when the entry names one.
func acceptedScope(a acceptedRow) string {
	s := " on " + safetext.Text(a.Host)
	if a.Host == "*" {
		s = " on every host"
	}
	if a.Subject != "" {
		s += ", subject " + safetext.Text(a.Subject)
	}
	return s
}

// acceptedHeader opens every file --write-accepted writes.
const acceptedHeader = "# Accepted risks written by `ipseclint audit --write-accepted` for review: give each entry its reason\n" +
	"# (and an expires date or ticket) and move the list into ipseclint.yaml.\n"

// checkAcceptedTarget refuses to let --write-accepted replace a file it
// did not write (the configuration itself, say, whose hosts and settings
// would be lost): a file it wrote before is written again.
func checkAcceptedTarget(file string) error {
	st, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return nil // nothing to lose (a device or pipe is written, never read)
	}
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(acceptedHeader))
	n, _ := io.ReadFull(f, head)
	if string(head[:n]) != acceptedHeader {
		return fmt.Errorf("%s exists and was not written by --write-accepted; it is left as it is: give a new file, and move its entries into the configuration by hand", file)
	}
	return nil
}

// acceptedFile is what --write-accepted writes.
type acceptedFile struct {
	Accepted []acceptedEntry `yaml:"accepted"`
}

type acceptedEntry struct {
	Rule    string `yaml:"rule"`
	Host    string `yaml:"host"`
	Subject string `yaml:"subject,omitempty"`
	Reason  string `yaml:"reason"`
	Expires string `yaml:"expires,omitempty"`
	Ticket  string `yaml:"ticket,omitempty"`
}

// writeAccepted writes accepted-risk entries for the run's findings: the
// configuration's entries that still match a finding (active ones, and
// expired ones, kept with their reason for review), then one entry
// (reason TODO) per finding no kept entry matches. Identity is rule +
// host + subject, so a finding gets one entry however often it is found.
func writeAccepted(file string, fleet *model.Fleet, out rules.Outcome) error {
	var doc acceptedFile
	var kept []*model.AcceptedRisk
	for _, st := range out.Accepted {
		if st.Status == rules.AcceptedActive || st.Status == rules.AcceptedExpired {
			r := st.Risk
			kept = append(kept, r)
			doc.Accepted = append(doc.Accepted, acceptedEntry{r.Rule.ID, r.Host, r.Subject, r.Reason, r.Expires, r.Ticket})
		}
	}
	folders := map[string]string{}
	for _, h := range fleet.Hosts {
		folders[h.Name] = folderOf(h)
	}
	seen := map[[3]string]bool{}
	for _, f := range out.Findings {
		host := f.Host
		if host == "" {
			host = "*" // a finding about the fleet, not one host
		}
		id := [3]string{f.RuleID, host, f.Subject}
		if f.Suppressed != nil || seen[id] || matchedBy(kept, f, folders[f.Host]) {
			continue
		}
		seen[id] = true
		doc.Accepted = append(doc.Accepted, acceptedEntry{Rule: f.RuleID, Host: host, Subject: f.Subject, Reason: "TODO"})
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, append([]byte(acceptedHeader), data...), 0o644); err != nil {
		return fmt.Errorf("--write-accepted: %w", err)
	}
	return nil
}

// matchedBy reports whether one of the entries matches the finding.
func matchedBy(entries []*model.AcceptedRisk, f rules.Finding, folder string) bool {
	for _, r := range entries {
		if r.Matches(f.RuleID, f.Subject, f.Host, folder) {
			return true
		}
	}
	return false
}
