package audit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/fleetconfig"
)

// loadConfig reads the configuration, found the way golangci-lint finds
// its own: the file --config names; else, when the one path audited is
// an archive holding ipseclint.yaml (or .ipseclint.yaml, .yml) at its
// top, that one (an archive is read as a folder); else ipseclint.yaml in
// the audited folder (see searchStart), else in each parent up to the
// file system root. Candidates met on the way that are not regular files
// (a named pipe, a link to /dev/zero) are listed as skipped, once.
// Configurations met elsewhere in the audited folders are listed as not
// used, naming the one that applies.
func loadConfig(fleet *model.Fleet, p *plan, given, from string) (*model.InputFile, error) {
	var used string
	var usedEntry *inputs.Entry
	var f *model.InputFile
	switch {
	case given != "":
		abs, err := filepath.Abs(given)
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %w", given, err)
		}
		cfg, err := parseConfig(abs, displayName(fleet.Root, abs))
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %w", given, err)
		}
		fleet.Config, used, f = cfg, abs, configFile(fleet.Root, abs)
	case p.archiveConfig() != nil:
		usedEntry = p.archiveConfig()
		f = &model.InputFile{Name: usedEntry.Name, Kind: model.KindConfig, Detail: "ipseclint configuration", Status: model.StatusRead, Size: usedEntry.Size}
		fleet.Config = readConfigEntry(f, *usedEntry)
	default:
		found, ok := inputs.FindUpward(from, configNames...)
		p.skipCandidates(fleet.Root, found.Skipped)
		if ok {
			used, f = found.Path, configFile(fleet.Root, found.Path)
			fleet.Config = readConfig(f)
		}
	}
	if used != "" {
		p.dropSkipped(used)
	}
	for _, e := range p.configs {
		if (e.Path != "" && e.Path == used) || (usedEntry != nil && e.Name == usedEntry.Name) {
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

// dropSkipped removes what the walk recorded of the file at path (the
// configuration, too large to be an input, say): the configuration's own
// record says what became of it.
func (p *plan) dropSkipped(path string) {
	kept := p.skipped[:0]
	for _, s := range p.skipped {
		if s.Path != path {
			kept = append(kept, s)
		}
	}
	p.skipped = kept
}

// archiveConfig returns the configuration at the top of the archive
// given as the one path, if it is one and holds one (the first of
// configNames), or in its one top folder when everything in it lies in
// one (onlyTopFolder); nil otherwise. With several paths, as with several
// folders, none of them gives its own configuration to the others.
func (p *plan) archiveConfig() *inputs.Entry {
	if len(p.given) != 1 {
		return nil
	}
	for _, a := range p.archives {
		if a.Path == "" || a.Path != p.given[0] {
			continue
		}
		if e := p.configIn(a.Name + "!"); e != nil {
			return e
		}
		if top := p.onlyTopFolder(a.Name + "!/"); top != "" {
			return p.configIn(top)
		}
	}
	return nil
}

// configIn is the configuration directly in the display folder dir (the
// first of configNames), nil when there is none.
func (p *plan) configIn(dir string) *inputs.Entry {
	for _, name := range configNames {
		for i, e := range p.configs {
			if e.Dir == dir && strings.EqualFold(path.Base(e.Name), name) {
				return &p.configs[i]
			}
		}
	}
	return nil
}

// onlyTopFolder is the one folder everything under prefix (an archive's
// "name.zip!/") lies in, as `zip -r fleet.zip fleet` or `tar -czf
// fleet.tgz fleet` write a fleet: the archive then stands for that
// folder, and its configuration applies. "" when the archive holds files
// at its top or several folders.
func (p *plan) onlyTopFolder(prefix string) string {
	top := ""
	same := func(name string) bool {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			return true // not in this archive
		}
		first, _, nested := strings.Cut(rest, "/")
		if !nested || (top != "" && first != top) {
			return false
		}
		top = first
		return true
	}
	for _, hp := range p.hosts {
		for _, e := range hp.entries {
			if !same(e.Name) {
				return ""
			}
		}
	}
	for _, e := range p.configs {
		if !same(e.Name) {
			return ""
		}
	}
	for _, f := range p.skipped {
		if !same(f.Name) {
			return ""
		}
	}
	if top == "" {
		return ""
	}
	return prefix + top
}

// skipCandidates lists the configuration candidates that were not
// regular files: as a configuration, under its name in the audit when
// the walk listed it already (once, not twice), else under its path.
func (p *plan) skipCandidates(root string, candidates []inputs.Skipped) {
	for _, s := range candidates {
		sk := skippedInput(s)
		sk.Kind = model.KindConfig
		sk.Name = displayName(root, s.Path)
		listed := false
		for _, q := range p.skipped {
			if q.Path == s.Path {
				q.Kind, q.Reason, listed = model.KindConfig, sk.Reason, true
			}
		}
		if !listed {
			p.skipped = append(p.skipped, sk)
		}
	}
}

// readConfigEntry reads a configuration that is an archive member, the
// way readConfig reads one on disk.
func readConfigEntry(f *model.InputFile, e inputs.Entry) *model.FleetConfig {
	data, err := readEntryLimited(e, fleetconfig.MaxSize)
	if err == nil {
		var cfg *model.FleetConfig
		cfg, err = fleetconfig.Parse(data, f.Name)
		if err == nil {
			return cfg
		}
		return configProblems(f, cfg, err)
	}
	return configProblems(f, nil, errors.New(errText(err)))
}

// readEntryLimited reads an entry whole, failing past limit bytes.
func readEntryLimited(e inputs.Entry, limit int64) ([]byte, error) {
	if e.Size > limit {
		return nil, fmt.Errorf("the file is %d bytes, larger than the %d KiB a configuration may be", e.Size, limit>>10)
	}
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the file is larger than the %d KiB a configuration may be", limit>>10)
	}
	return data, nil
}

// readConfig reads a found configuration; its mistakes are problems of
// the file (the rest of it still applies), and a file that cannot be read
// at all fails.
func readConfig(f *model.InputFile) *model.FleetConfig {
	cfg, err := parseConfig(f.Path, f.Name)
	if err == nil {
		return cfg
	}
	return configProblems(f, cfg, err)
}

// configProblems records what was wrong with a configuration: its
// mistakes are problems (the file is partly read), and a file that could
// not be read at all (cfg nil) failed.
func configProblems(f *model.InputFile, cfg *model.FleetConfig, err error) *model.FleetConfig {
	if cfg == nil {
		f.Status = model.StatusFailed
		f.Reason = withoutName(err, f.Name)
	}
	for _, e := range unjoin(err) {
		f.Problems = append(f.Problems, problemFrom(f.Name, e))
	}
	if cfg != nil {
		f.Status = model.StatusPartial
		f.Reason = fmt.Sprintf("%d mistake(s) in the configuration; the rest of it applies", len(f.Problems))
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
