package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// origin says where a setting's value came from.
type origin string

const originDefault origin = "default"

func fromFlag(name string) origin { return origin("flag --" + name) }

func fromConfig(loc model.Location) origin { return origin(loc.String()) }

// setting is one effective setting with its origin.
type setting[T any] struct {
	Value T
	From  origin
}

// settings are the effective settings of a run: a flag wins over the
// configuration file, which wins over the default.
type settings struct {
	FailOn             setting[rules.Severity]
	FailOnNotEvaluated setting[bool]
	Formats            setting[[]string]
	Disabled           []rules.DisabledRule
	Severity           map[string]setting[rules.Severity]
	rules              []*rules.Rule
}

// flagValues are the audit flags that settings can come from.
type flagValues struct {
	formats            []string
	output             string
	failOn             string
	failOnNotEvaluated bool
	disable            []string
	// formatsFlag is the name of the flag that gives the formats:
	// "format" for audit, "format-outputs" for config (whose --format is
	// its own text or json).
	formatsFlag string
}

func (fv flagValues) formatsFlagName() string {
	if fv.formatsFlag == "" {
		return "format"
	}
	return fv.formatsFlag
}

// resolveSettings merges the flags the user gave (cmd.Flags().Changed)
// with the configuration. Its rule references must have been resolved
// (CheckRules).
func resolveSettings(cmd *cobra.Command, fv flagValues, cfg *model.FleetConfig) (*settings, error) {
	s := &settings{Severity: map[string]setting[rules.Severity]{}}
	s.FailOn = setting[rules.Severity]{Value: rules.SeverityWarning, From: originDefault}
	switch {
	case cmd.Flags().Changed("fail-on"):
		sev, err := rules.ParseSeverity(fv.failOn)
		if err != nil {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
		s.FailOn = setting[rules.Severity]{Value: sev, From: fromFlag("fail-on")}
	case cfg != nil && cfg.FailOn.Set:
		sev, err := rules.ParseSeverity(cfg.FailOn.Value)
		if err == nil {
			s.FailOn = setting[rules.Severity]{Value: sev, From: fromConfig(cfg.FailOn.Loc)}
		}
	}
	s.FailOnNotEvaluated = setting[bool]{From: originDefault}
	switch {
	case cmd.Flags().Changed("fail-on-not-evaluated"):
		s.FailOnNotEvaluated = setting[bool]{Value: fv.failOnNotEvaluated, From: fromFlag("fail-on-not-evaluated")}
	case cfg != nil && cfg.FailOnNotEvaluated.Set:
		s.FailOnNotEvaluated = setting[bool]{Value: cfg.FailOnNotEvaluated.Value, From: fromConfig(cfg.FailOnNotEvaluated.Loc)}
	}
	s.Formats = setting[[]string]{Value: []string{"table"}, From: originDefault}
	switch {
	case cmd.Flags().Changed(fv.formatsFlagName()):
		s.Formats = setting[[]string]{Value: fv.formats, From: fromFlag(fv.formatsFlagName())}
	case cfg != nil && cfg.Formats.Set:
		var fs []string
		for _, f := range cfg.Formats.Value {
			fs = append(fs, f.String())
		}
		s.Formats = setting[[]string]{Value: fs, From: fromConfig(cfg.Formats.Loc)}
	}
	if err := s.selectRules(fv.disable, cfg); err != nil {
		return nil, err
	}
	if cfg != nil {
		for _, o := range cfg.Rules.Severity {
			if sev, err := rules.ParseSeverity(o.Severity); err == nil && o.Rule.ID != "" && sev != "none" {
				s.Severity[o.Rule.ID] = setting[rules.Severity]{Value: sev, From: fromConfig(o.Loc)}
			}
		}
	}
	return s, nil
}

// selectRules takes every rule but those --disable and rules.disable
// switch off.
func (s *settings) selectRules(flag []string, cfg *model.FleetConfig) error {
	off := map[string]string{}
	for _, id := range flag {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		r := rules.ByID(id)
		if r == nil {
			return fmt.Errorf("--disable: no rule %q (see `ipseclint rules`)", id)
		}
		off[r.ID] = "flag --disable"
	}
	if cfg != nil {
		for _, ref := range cfg.Rules.Disable {
			if _, ok := off[ref.ID]; ref.ID != "" && !ok {
				off[ref.ID] = ref.Loc.String()
			}
		}
	}
	for _, r := range rules.All() {
		if by, ok := off[r.ID]; ok {
			s.Disabled = append(s.Disabled, rules.DisabledRule{ID: r.ID, By: by})
			continue
		}
		s.rules = append(s.rules, r)
	}
	return nil
}

// severityOf is rules.severity's override for a rule.
func (s *settings) severityOf(id string) (rules.Severity, bool) {
	v, ok := s.Severity[id]
	return v.Value, ok
}

// ruleNames lists the rules for the configuration's checks.
func ruleNames() []model.RuleName {
	var out []model.RuleName
	for _, r := range rules.All() {
		out = append(out, model.RuleName{ID: r.ID, Name: r.Name})
	}
	return out
}

// describe lists the effective settings and where each came from, for
// `ipseclint config`.
func (s *settings) describe() []settingLine {
	lines := []settingLine{
		{"fail-on", string(s.FailOn.Value), s.FailOn.From},
		{"fail-on-not-evaluated", fmt.Sprint(s.FailOnNotEvaluated.Value), s.FailOnNotEvaluated.From},
		{"output.formats", strings.Join(s.Formats.Value, ", "), s.Formats.From},
	}
	for _, d := range s.Disabled {
		lines = append(lines, settingLine{"rules.disable", d.ID, origin(d.By)})
	}
	ids := make([]string, 0, len(s.Severity))
	for id := range s.Severity {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		lines = append(lines, settingLine{"rules.severity." + id, string(s.Severity[id].Value), s.Severity[id].From})
	}
	return lines
}

// settingLine is one line of `ipseclint config`.
type settingLine struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	From  origin `json:"from"`
}
