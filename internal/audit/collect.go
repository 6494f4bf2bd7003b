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
	"sync/atomic"

	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/detect"
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
	// Workers is how many hosts are read at once; 0 = one per CPU. The
	// fleet is the same whatever the number.
	Workers int
	// Retain, when set, is the registry the rules read once the host
	// facts are derived (rules.RetainFilter): each host's registry is cut
	// down to it as soon as the host is built, so that a large fleet does
	// not hold every host's registry. Leave it nil to keep the whole
	// registry the parsers kept (ipseclint dump shows it).
	Retain *model.Retention
	// OmitCited, with Retain, lets go also the registry keys and values
	// kept only because a host's facts or policy objects were read from
	// their lines: the SARIF output shows that text (from the registry),
	// no other output does. Set it when no SARIF output will be written.
	OmitCited bool
	// Configured, when set, is called once the configuration is loaded
	// (cfg nil when there is none), before any host is read: it may settle
	// Keep and OmitCited from what the configuration asks for (a run
	// whose formats come from output.formats writes SARIF only if they
	// name it).
	Configured func(cfg *model.FleetConfig, opts *Options)
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
	set, err := inputs.Collect(paths, inputs.Options{Stdin: opts.Stdin, MaxFileSize: opts.MaxFileSize, AllowHidden: configNames,
		Sniff: sniffHead, HeadSize: detect.HeadSize})
	if err != nil {
		return nil, err
	}
	defer set.Close()
	fleet := &model.Fleet{Root: set.Root}
	p := makePlan(set)
	set.Entries, set.Skipped = nil, nil // the plan holds what they listed; set stays open for its archives
	cfgFile, err := loadConfig(fleet, p, opts.ConfigPath, searchStart(paths, set.Root))
	if err != nil {
		return nil, err
	}
	if opts.Configured != nil {
		opts.Configured(fleet.Config, &opts)
	}
	if cfgFile != nil {
		fleet.Files = append(fleet.Files, cfgFile)
		opts.Keep.keepConfigText(cfgFile)
	}
	hosts := buildAll(fleet, p, opts)
	for i, hp := range p.hosts {
		if hosts[i] != nil {
			fleet.Hosts = append(fleet.Hosts, hosts[i])
		}
		fleet.Files = append(fleet.Files, hp.files...)
	}
	fleet.Files = append(fleet.Files, p.skipped...)
	disambiguate(fleet.Hosts)
	fleet.AssignRoles()
	return fleet, nil
}

// buildAll reads the files of every host and builds the hosts, one host
// at a time per worker (opts.Workers, default GOMAXPROCS): a host's files
// are parsed, merged, reduced to its facts and their raw content let go
// before the worker takes the next host, so that memory holds the hosts'
// facts and a few hosts' raw content, never the whole fleet's. Each
// result lands at its host's index, so the fleet does not depend on
// timing.
func buildAll(fleet *model.Fleet, p *plan, opts Options) []*model.Host {
	total := 0
	for _, hp := range p.hosts {
		total += len(hp.entries)
	}
	var mu sync.Mutex
	done := 0
	progress := func(j *fileJob) {
		if opts.Progress != nil {
			mu.Lock()
			done++
			opts.Progress(done, total, j.entry.Name)
			mu.Unlock()
		}
	}
	hosts := make([]*model.Host, len(p.hosts))
	strs := newInterner()
	forEach(len(p.hosts), opts.Workers, func(i int) {
		hp := p.hosts[i]
		cp := codePageFor(fleet.Config, hostEntry(fleet.Config, "", hp.folder), opts.CodePage)
		for k, e := range hp.entries {
			hp.jobs = append(hp.jobs, &fileJob{entry: e, kind: hp.kinds[k], sniffed: hp.sniffed[k], host: hp, codepage: cp, filter: opts.Filter, kept: opts.Keep})
		}
		for _, j := range hp.jobs {
			j.read()
			progress(j)
		}
		hosts[i] = buildHost(fleet, hp, opts.CodePage)
		if hosts[i] != nil && opts.Retain != nil {
			release(hosts[i], opts.Retain, opts.OmitCited, strs)
		}
		hp.built()
	})
	return hosts
}

// forEach calls fn(0) ... fn(n-1) from workers goroutines (GOMAXPROCS
// when workers <= 0), each index once, and returns when all have
// returned.
func forEach(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// hostEntry is the host's entry in the configuration: the one under its
// ComputerName, else the one under its folder name ("" when unknown).
func hostEntry(cfg *model.FleetConfig, computerName, folder string) *model.HostConfig {
	if cfg == nil {
		return nil
	}
	if computerName != "" {
		if hc := cfg.Hosts[strings.ToUpper(computerName)]; hc != nil {
			return hc
		}
	}
	return cfg.Hosts[strings.ToUpper(folder)]
}

// codePageFor picks the code page for a host's 8-bit text: its entry's
// (hostEntry), else the command line's, else the fleet configuration's.
func codePageFor(cfg *model.FleetConfig, entry *model.HostConfig, flag string) string {
	if entry != nil && entry.CodePage != "" {
		return entry.CodePage
	}
	if flag != "" {
		return flag
	}
	if cfg != nil && cfg.CodePage != "" {
		return cfg.CodePage
	}
	return textenc.DefaultCodePage
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
