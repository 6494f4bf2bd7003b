// Package audit reads the paths given to ipseclint into a fleet: it groups
// files into hosts, tells each file's kind from its content, runs the
// right parser, merges each host's registry sources and derives the host
// facts and roles. It is the wiring between parsers and model; it decides
// nothing about what is wrong.
package audit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/detect"
	"github.com/ipseclint/ipseclint/parsers/fleetconfig"
	"github.com/ipseclint/ipseclint/parsers/hive"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/regfile"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// Options control how inputs are read.
type Options struct {
	// CodePage is the code page of 8-bit text (REGEDIT4 exports, OEM netsh
	// output); "" = the configuration's, else cp1252. A host's own
	// codepage in ipseclint.yaml wins over it.
	CodePage string
	// ConfigPath is ipseclint.yaml to use; "" = the one found in the
	// audited folders.
	ConfigPath string
	// Filter is the registry subtrees to keep (rules.KeyFilter); nil keeps all.
	Filter *model.KeyFilter
	// Workers is how many files are read at once; 0 = one per CPU.
	Workers int
}

// Collect reads every file under paths into a fleet. It fails only when
// the configuration named by ConfigPath cannot be read or is invalid, or
// the code page is unknown (usage errors); a file that cannot be read is
// recorded in the fleet with its reason, and everything else is still read.
func Collect(paths []string, opts Options) (*model.Fleet, error) {
	if opts.CodePage != "" {
		_, cp, err := textenc.CodePage(opts.CodePage)
		if err != nil {
			return nil, err
		}
		opts.CodePage = cp
	}
	p := makePlan(paths)
	fleet := &model.Fleet{Root: commonRoot(paths)}
	cfgFile, err := loadConfig(fleet, p, opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	if cfgFile != nil {
		fleet.Files = append(fleet.Files, cfgFile)
	}
	jobs := make([]*fileJob, 0)
	for _, hp := range p.hosts {
		cp := codePageFor(fleet.Config, filepath.Base(hp.dir), opts.CodePage)
		for _, f := range hp.files {
			jobs = append(jobs, &fileJob{path: f, hostDir: hp.dir, codepage: cp, filter: opts.Filter})
		}
	}
	readAll(jobs, opts.Workers)
	for _, hp := range p.hosts {
		var hj []*fileJob
		for _, j := range jobs {
			if j.hostDir == hp.dir {
				hj = append(hj, j)
			}
		}
		host := buildHost(fleet, hp, hj)
		if host != nil {
			fleet.Hosts = append(fleet.Hosts, host)
		}
		for _, j := range hj {
			fleet.Files = append(fleet.Files, j.file)
		}
	}
	fleet.Files = append(fleet.Files, p.skipped...)
	for _, f := range fleet.Files {
		f.Rel = relPath(fleet.Root, f.Path)
		f.Reason = withoutPath(f.Reason, f.Path, f.Rel)
	}
	disambiguate(fleet.Hosts)
	fleet.AssignRoles()
	return fleet, nil
}

// codePageFor picks the code page for a host's 8-bit text: the host's own
// setting, else the command line's, else the fleet configuration's.
func codePageFor(cfg *model.FleetConfig, folder, flag string) string {
	if cfg != nil {
		if hc := cfg.Hosts[strings.ToUpper(folder)]; hc != nil && hc.CodePage != "" {
			return hc.CodePage
		}
	}
	if flag != "" {
		return flag
	}
	if cfg != nil && cfg.CodePage != "" {
		return cfg.CodePage
	}
	return textenc.DefaultCodePage
}

// loadConfig reads the configuration: the one given, else the first
// ipseclint.yaml found. Others found are listed as skipped.
func loadConfig(fleet *model.Fleet, p *plan, given string) (*model.InputFile, error) {
	candidates := p.configs
	if given != "" {
		abs, _ := filepath.Abs(given)
		cfg, err := fleetconfig.ParseFile(abs)
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %w", given, err)
		}
		fleet.Config = cfg
		for _, c := range candidates {
			if c != abs {
				p.skipped = append(p.skipped, &model.InputFile{Path: c, Kind: model.KindConfig, Status: model.StatusSkipped, Reason: "configuration not used: --config names " + given})
			}
		}
		return &model.InputFile{Path: abs, Kind: model.KindConfig, Detail: "ipseclint configuration", Status: model.StatusRead}, nil
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	// The shallowest configuration applies.
	best := candidates[0]
	for _, c := range candidates[1:] {
		if strings.Count(c, string(filepath.Separator)) < strings.Count(best, string(filepath.Separator)) {
			best = c
		}
	}
	f := &model.InputFile{Path: best, Kind: model.KindConfig, Detail: "ipseclint configuration", Status: model.StatusRead}
	cfg, err := fleetconfig.ParseFile(best)
	if err != nil {
		f.Status = model.StatusPartial
		if cfg == nil {
			f.Status = model.StatusFailed
			f.Reason = err.Error()
		}
		for _, e := range unjoin(err) {
			f.Problems = append(f.Problems, problemFrom(best, e))
		}
	}
	fleet.Config = cfg
	for _, c := range candidates {
		if c != best {
			p.skipped = append(p.skipped, &model.InputFile{Path: c, Kind: model.KindConfig, Status: model.StatusSkipped, Reason: "configuration not used: " + relPath(filepath.Dir(c), best) + " applies"})
		}
	}
	return f, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func problemFrom(file string, err error) model.Problem {
	var pe *model.ParseError
	if errors.As(err, &pe) {
		p := pe.Problem()
		p.Loc.File = file
		return p
	}
	return model.Problem{Loc: model.Location{File: file}, Message: err.Error()}
}

// fileJob is one file to read and what came of it.
type fileJob struct {
	path, hostDir, codepage string
	filter                  *model.KeyFilter
	file                    *model.InputFile
	tree                    *model.RegTree
	store                   *model.PolicyStore
	logsUsed                []string
}

func readAll(jobs []*fileJob, workers int) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	ch := make(chan *fileJob)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				j.read()
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
}

// read reads one file. A parser that panics fails that file, never the audit.
func (j *fileJob) read() {
	j.file = &model.InputFile{Path: j.path, Kind: model.KindUnknown}
	defer func() {
		if p := recover(); p != nil {
			j.file.Status = model.StatusFailed
			j.file.Reason = fmt.Sprintf("internal error while reading the file: %v (please report it)", p)
			j.file.Notes = append(j.file.Notes, string(debug.Stack()))
			j.tree, j.store = nil, nil
		}
	}()
	head, size, err := readHead(j.path)
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, errText(err)
		return
	}
	j.file.Size = size
	kind := detect.Sniff(head, j.codepage)
	j.file.Kind, j.file.Detail = kind.Kind, kind.Detail
	switch kind.Kind {
	case model.KindRegExport:
		j.readReg()
	case model.KindHive:
		j.readHive()
	case model.KindNetsh:
		j.readNetsh()
	case model.KindHiveLog:
		j.file.Status, j.file.Reason = model.StatusSkipped, "transaction log with no hive beside it that needs it"
	case model.KindConfig:
		j.file.Status, j.file.Reason = model.StatusSkipped, "looks like an ipseclint configuration, but only files named ipseclint.yaml are read as one"
	default:
		j.file.Status, j.file.Reason = model.StatusSkipped, "not a file ipseclint reads: "+kind.Detail
	}
}

// readHead returns the first detect.HeadSize bytes of the file at path
// and the file's size.
func readHead(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	head := make([]byte, detect.HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, 0, err
	}
	return head[:n], st.Size(), nil
}

func (j *fileJob) readReg() {
	res, err := regfile.ParseFile(j.path, regfile.Options{Filter: j.filter, CodePage: j.codepage})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, err.Error()
		return
	}
	j.tree = res.Tree
	j.file.Detail = strings.TrimSpace(res.Header + ", " + res.Encoding.String())
	recordText(j.file, res.Errors, res.Warnings, "syntax error(s)")
	j.file.Hives = j.tree.Subkeys("")
}

func (j *fileJob) readHive() {
	res, err := hive.Open(j.path, hive.Options{Filter: j.filter})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, "could not read the hive: "+err.Error()
		return
	}
	j.tree = res.Tree
	j.logsUsed = res.LogsUsed
	if res.Hive != "" {
		j.file.Detail = res.Hive + " hive"
	}
	j.file.Status = model.StatusRead
	j.file.Problems = append(j.file.Problems, res.Damage...)
	j.file.Notes = append(j.file.Notes, res.Notes...)
	if len(res.Damage) > 0 {
		j.file.Status = model.StatusPartial
		j.file.Reason = fmt.Sprintf("the hive is damaged (%d problem(s)); what could be reached was read", len(res.Damage))
	}
	j.file.Hives = j.tree.Subkeys("")
	if res.Mount != "" && len(j.file.Hives) == 0 {
		j.file.Hives = []string{res.Mount}
	}
}

func (j *fileJob) readNetsh() {
	data, err := os.ReadFile(j.path)
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, errText(err)
		return
	}
	res, err := netsh.Parse(data, j.path, netsh.Options{CodePage: j.codepage})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, err.Error()
		return
	}
	j.store = res.Store
	j.file.Detail = strings.TrimSpace(j.file.Detail + ", " + res.Encoding.String())
	recordText(j.file, res.Errors, res.Warnings, "line(s) not understood")
}

// recordText records what a text parser said of a file: its errors make
// the file partly read, its warnings are notes.
func recordText[E interface{ Problem() model.Problem }](f *model.InputFile, errs []E, warnings []model.Problem, what string) {
	f.Status = model.StatusRead
	for _, e := range errs {
		f.Problems = append(f.Problems, e.Problem())
	}
	for _, w := range warnings {
		f.Notes = append(f.Notes, noteText(w))
	}
	if len(errs) > 0 {
		f.Status = model.StatusPartial
		f.Reason = fmt.Sprintf("%d %s; the rest of the file was read", len(errs), what)
	}
}

func noteText(p model.Problem) string {
	if p.Loc.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Loc.Line, p.Message)
	}
	return p.Message
}

// withoutPath takes the file's own absolute path out of a reason the
// parsers gave ("PATH: only 6000 bytes: ..."): the outputs show the file
// beside its reason, and an absolute path would make them depend on where
// the audit ran.
func withoutPath(reason, path, rel string) string {
	if reason == "" || path == "" {
		return reason
	}
	reason = strings.ReplaceAll(reason, path+": ", "")
	return strings.ReplaceAll(reason, path, rel)
}

func relPath(root, path string) string {
	if root != "" {
		if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(path)
}
