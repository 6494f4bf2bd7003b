// Package audit reads the paths given to ipseclint into a fleet: it groups
// files into hosts, tells each file's kind from its content, runs the
// right parser, merges each host's registry sources and derives the host
// facts and roles. It is the wiring between parsers and model; it decides
// nothing about what is wrong.
package audit

import (
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
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
	// Stdin is where the path "-" reads a list of paths from.
	Stdin io.Reader
	// MaxFileSize is the size past which a file is not read (0 = 1 GiB).
	MaxFileSize int64
	// Progress, when set, is called after each file is read, with how
	// many of how many are done and the file's display name; it is called
	// from the reading goroutines, one at a time.
	Progress func(done, total int, current string)
	// Keep, when set, says what to keep of the inputs beyond the model
	// (see Kept) and receives it; nil keeps nothing.
	Keep *Kept
}

// Collect reads every file under paths (folders, files, zip and tar
// archives, "-" for a list of paths on opts.Stdin) into a fleet. It fails
// only for usage errors: no paths, the configuration named by ConfigPath
// cannot be read or is invalid, an unknown code page. A file that cannot
// be read is recorded in the fleet with its reason, and everything else
// is still read.
func Collect(paths []string, opts Options) (*model.Fleet, error) {
	if opts.CodePage != "" {
		_, cp, err := textenc.CodePage(opts.CodePage)
		if err != nil {
			return nil, err
		}
		opts.CodePage = cp
	}
	set, err := inputs.Collect(paths, inputs.Options{Stdin: opts.Stdin, MaxFileSize: opts.MaxFileSize, AllowHidden: configNames})
	if err != nil {
		return nil, err
	}
	defer set.Close()
	fleet := &model.Fleet{Root: set.Root}
	p := makePlan(set)
	cfgFile, err := loadConfig(fleet, p, opts.ConfigPath, searchStart(paths, set.Root))
	if err != nil {
		return nil, err
	}
	if cfgFile != nil {
		fleet.Files = append(fleet.Files, cfgFile)
		opts.Keep.keepConfigText(cfgFile)
	}
	var jobs []*fileJob
	for _, hp := range p.hosts {
		cp := codePageFor(fleet.Config, hp.folder, opts.CodePage)
		for i, e := range hp.entries {
			j := &fileJob{entry: e, kind: hp.kinds[i], host: hp, codepage: cp, filter: opts.Filter, kept: opts.Keep}
			hp.jobs = append(hp.jobs, j)
			jobs = append(jobs, j)
		}
	}
	readAll(jobs, opts.Workers, opts.Progress)
	for _, hp := range p.hosts {
		host := buildHost(fleet, hp, opts.CodePage)
		if host != nil {
			fleet.Hosts = append(fleet.Hosts, host)
		}
		for _, j := range hp.jobs {
			fleet.Files = append(fleet.Files, j.file)
		}
	}
	fleet.Files = append(fleet.Files, p.skipped...)
	disambiguate(fleet.Hosts)
	fleet.AssignRoles()
	return fleet, nil
}

// codePageFor picks the code page for a host's 8-bit text: the host's own
// setting (under its ComputerName or its folder name), else the command
// line's, else the fleet configuration's.
func codePageFor(cfg *model.FleetConfig, host, flag string) string {
	if cfg != nil {
		if hc := cfg.Hosts[strings.ToUpper(host)]; hc != nil && hc.CodePage != "" {
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

// readAll reads the jobs in a pool of workers. Each job's result lands in
// the job itself, so the order of the fleet does not depend on timing.
func readAll(jobs []*fileJob, workers int, progress func(done, total int, current string)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	ch := make(chan *fileJob)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				j.read()
				if progress != nil {
					mu.Lock()
					done++
					progress(done, len(jobs), j.entry.Name)
					mu.Unlock()
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
}

// displayName is a file's name in every output: relative to the audited
// root, slash-separated; the absolute path of a file outside it.
func displayName(root, path string) string {
	if root != "" {
		if rel, err := filepath.Rel(root, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(path)
}
