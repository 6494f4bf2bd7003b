package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/fleetconfig"
)

// loadConfig reads the configuration: the one given, else the shallowest
// ipseclint.yaml found. Others found are listed as skipped.
func loadConfig(fleet *model.Fleet, p *plan, given string) (*model.InputFile, error) {
	candidates := p.configs
	if given != "" {
		abs, _ := filepath.Abs(given)
		cfg, err := parseConfig(abs, displayName(fleet.Root, abs))
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %w", given, err)
		}
		fleet.Config = cfg
		for _, c := range candidates {
			if c != abs {
				p.skipped = append(p.skipped, skippedFile(fleet.Root, c, model.KindConfig, model.StatusSkipped, "configuration not used: --config names "+given))
			}
		}
		return configFile(fleet.Root, abs), nil
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	best := candidates[0]
	for _, c := range candidates[1:] {
		if strings.Count(c, string(filepath.Separator)) < strings.Count(best, string(filepath.Separator)) {
			best = c
		}
	}
	f := configFile(fleet.Root, best)
	cfg, err := parseConfig(best, f.Name)
	if err != nil {
		f.Status = model.StatusPartial
		if cfg == nil {
			f.Status = model.StatusFailed
			f.Reason = withoutName(err, f.Name)
		}
		for _, e := range unjoin(err) {
			f.Problems = append(f.Problems, problemFrom(f.Name, e))
		}
	}
	fleet.Config = cfg
	for _, c := range candidates {
		if c != best {
			p.skipped = append(p.skipped, skippedFile(fleet.Root, c, model.KindConfig, model.StatusSkipped, "configuration not used: "+displayName(fleet.Root, best)+" applies"))
		}
	}
	return f, nil
}

// parseConfig reads the configuration at path, naming it name in every
// location and message.
func parseConfig(path, name string) (*model.FleetConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New(errText(err))
	}
	return fleetconfig.Parse(data, name)
}

func configFile(root, path string) *model.InputFile {
	return &model.InputFile{Path: path, Name: displayName(root, path), Kind: model.KindConfig, Detail: "ipseclint configuration", Status: model.StatusRead}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// problemFrom turns a configuration error into a problem of the file
// named name.
func problemFrom(name string, err error) model.Problem {
	var pe *model.ParseError
	if errors.As(err, &pe) {
		p := pe.Problem()
		p.Loc.File = name
		return p
	}
	return model.Problem{Loc: model.Location{File: name}, Message: err.Error()}
}
