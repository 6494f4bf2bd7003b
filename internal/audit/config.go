package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/fleetconfig"
)

// loadConfig reads the configuration, found the way golangci-lint finds
// its own: the file --config names; else ipseclint.yaml (or
// .ipseclint.yaml, .yml) in the audited folder (see searchStart), else
// in each parent up to the file system root. Configurations met elsewhere
// in the audited folders are listed as not used, naming the one that
// applies.
func loadConfig(fleet *model.Fleet, p *plan, given, from string) (*model.InputFile, error) {
	var used string
	var f *model.InputFile
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %w", given, err)
		}
		cfg, err := parseConfig(abs, displayName(fleet.Root, abs))
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %w", given, err)
		}
		fleet.Config, used, f = cfg, abs, configFile(fleet.Root, abs)
	} else if found, ok := inputs.FindUpward(from, configNames...); ok || len(found.Skipped) > 0 {
		for _, s := range found.Skipped {
			sk := skippedInput(s)
			sk.Kind = model.KindConfig
			p.skipped = append(p.skipped, sk)
		}
		if ok {
			used, f = found.Path, configFile(fleet.Root, found.Path)
			fleet.Config = readConfig(f)
		}
	}
	for _, e := range p.configs {
		if e.Path != "" && e.Path == used {
			continue
		}
		why := "configuration not used: configurations are looked for in the audited folder and its parents, and none is there"
		if f != nil {
			why = "configuration not used: " + f.Name + " applies"
		}
		p.skipped = append(p.skipped, &model.InputFile{Name: e.Name, Path: e.Path, Kind: model.KindConfig, Status: model.StatusSkipped, Reason: why})
	}
	return f, nil
}

// readConfig reads a found configuration; its mistakes are problems of
// the file (the rest of it still applies), and a file that cannot be read
// at all fails.
func readConfig(f *model.InputFile) *model.FleetConfig {
	cfg, err := parseConfig(f.Path, f.Name)
	if err == nil {
		return cfg
	}
	f.Status = model.StatusPartial
	if cfg == nil {
		f.Status = model.StatusFailed
		f.Reason = withoutName(err, f.Name)
	}
	for _, e := range unjoin(err) {
		f.Problems = append(f.Problems, problemFrom(f.Name, e))
	}
	return cfg
}

// parseConfig reads the configuration at path, naming it name in every
// location and message. It never blocks on a pipe and reads at most
// fleetconfig.MaxSize bytes.
func parseConfig(path, name string) (*model.FleetConfig, error) {
	data, err := inputs.ReadFileLimited(path, fleetconfig.MaxSize)
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

// searchStart is the folder the configuration is looked for from: the
// folder every existing path lies in (a single folder itself, a file's
// folder, the common folder of several paths), else root. With several
// host folders (`audit fleet/EXFE01 fleet/EXBE01`) the search starts at
// fleet/, so that a configuration inside the first host's folder is not
// applied to the others (docs/configuration.md); a path that does not
// exist (reported as failed) does not move the start away from the
// others. With "-" the paths are on standard input and root, their common
// folder, is the start.
func searchStart(paths []string, root string) string {
	start := ""
	for _, p := range paths {
		if p == "-" {
			return root
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		st, err := os.Stat(abs)
		if err != nil {
			continue
		}
		if !st.IsDir() {
			abs = filepath.Dir(abs)
		}
		start = commonDir(start, abs)
	}
	if start == "" {
		return root
	}
	return start
}

// commonDir returns the deepest folder holding both a ("" = none yet) and
// b; both are absolute and clean.
func commonDir(a, b string) string {
	if a == "" {
		return b
	}
	for {
		rel, err := filepath.Rel(a, b)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return a
		}
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
}
