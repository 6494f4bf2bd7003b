package audit

import (
	"errors"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/detect"
)

// configNames are the names a configuration is found under, in the order
// they are looked for in one folder (golangci-lint's way).
var configNames = []string{"ipseclint.yaml", ".ipseclint.yaml", "ipseclint.yml", ".ipseclint.yml"}

func isConfigName(name string) bool {
	for _, n := range configNames {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// hostPlan is a folder of files that belong to one host.
type hostPlan struct {
	dir     string // display name of the folder ("." for the root)
	folder  string // the folder's own name, for a host without ComputerName
	entries []inputs.Entry
	kinds   []detect.Result    // what each entry was sniffed as, where sniffed says so
	sniffed []bool             // whether the plan sniffed the entry (else reading does)
	jobs    []*fileJob         // one per entry, while the host is read
	files   []*model.InputFile // what came of each entry, once the host is built
}

// built lets go of what reading the host needed (its entries, what they
// were sniffed as, the jobs and what they parsed, merged into the host
// now), keeping what came of each file: at 10,000 hosts that is 30,000
// entries and jobs fewer for the rest of the audit.
func (hp *hostPlan) built() {
	hp.files = make([]*model.InputFile, len(hp.jobs))
	for i, j := range hp.jobs {
		hp.files[i] = j.file
	}
	hp.entries, hp.kinds, hp.sniffed, hp.jobs = nil, nil, nil, nil
}

// plan is what the paths given to an audit hold, before anything is read.
type plan struct {
	root     string
	given    []string           // the paths given, absolute
	archives []inputs.Archive   // the archives read as folders
	hosts    []*hostPlan        // sorted by folder
	configs  []inputs.Entry     // configuration files met in the folders
	skipped  []*model.InputFile // what inputs.Collect did not list as an entry
}

// makePlan groups the entries of set into hosts. A folder (or archive)
// holding input files directly is one host, and every file below it
// belongs to it; a folder holding only folders (and perhaps a README) is a
// fleet, each sub-folder planned the same way. Whether a file is an input
// is judged from its content (the readers table), never its name: a
// file on disk from the head the listing read (sniffHead), an archive
// member from as few members as that takes (sniffUntilInput), the
// others when their host is read.
func makePlan(set *inputs.Set) *plan {
	p := &plan{root: set.Root, given: set.Given, archives: set.Archives}
	files := make([]inputs.Entry, 0, len(set.Entries))
	for _, e := range set.Entries {
		if isConfigName(path.Base(e.Name)) {
			p.configs = append(p.configs, e)
			continue
		}
		files = append(files, e)
	}
	kinds, sniffed, holdsInput := sniffUntilInput(files)
	byDir := map[string]*hostPlan{}
	for i, e := range files {
		dir := hostDir(e.Dir, holdsInput)
		hp := byDir[dir]
		if hp == nil {
			hp = &hostPlan{dir: dir, folder: folderName(dir, set.Root)}
			byDir[dir] = hp
			p.hosts = append(p.hosts, hp)
		}
		hp.entries = append(hp.entries, e)
		hp.kinds = append(hp.kinds, kinds[i])
		hp.sniffed = append(hp.sniffed, sniffed[i])
	}
	sort.SliceStable(p.hosts, func(i, j int) bool { return p.hosts[i].dir < p.hosts[j].dir })
	for _, s := range set.Skipped {
		p.skipped = append(p.skipped, skippedInput(s))
	}
	return p
}

// sniffUntilInput sniffs the files of each folder in their listed order
// until one is an input (a file the listing sniffed, Entry.Sniffed, is
// not sniffed again): that is all grouping needs to know (holdsInput,
// by folder), and a file not sniffed here is sniffed by its reader just
// before it is read (fileJob.read), with the same sniff of the same head,
// so that it gets the same kind. It goes in rounds, each sniffing in
// parallel the next files of every folder where no input was found yet:
// one file at first, then as many as were sniffed before it (1, 1, 2, 4,
// ...), so that a folder of many files that are not inputs is sniffed
// in parallel too, and no more than twice the files before its first
// input are sniffed. Which files are sniffed depends on the order only,
// never on timing. kinds[i] is files[i]'s kind where sniffed[i] is set.
func sniffUntilInput(files []inputs.Entry) (kinds []detect.Result, sniffed []bool, holdsInput map[string]bool) {
	kinds = make([]detect.Result, len(files))
	sniffed = make([]bool, len(files))
	for i, e := range files {
		kinds[i], sniffed[i] = e.Sniffed.(detect.Result)
	}
	holdsInput = map[string]bool{}
	var dirs []string
	inDir := map[string][]int{}
	for i, e := range files {
		if _, ok := inDir[e.Dir]; !ok {
			dirs = append(dirs, e.Dir)
		}
		inDir[e.Dir] = append(inDir[e.Dir], i)
	}
	type batch struct {
		dir   string
		files []int
	}
	done := map[string]int{} // how many of the folder's files are sniffed
	pending := dirs
	for len(pending) > 0 {
		var round []batch
		var todo []int
		for _, dir := range pending {
			all, n := inDir[dir], done[dir]
			end := min(len(all), n+max(1, n))
			round = append(round, batch{dir, all[n:end]})
			for _, i := range all[n:end] {
				if !sniffed[i] {
					todo = append(todo, i)
				}
			}
			done[dir] = end
		}
		forEach(len(todo), 0, func(k int) { kinds[todo[k]], sniffed[todo[k]] = sniff(files[todo[k]]), true })
		pending = nil
		for _, b := range round {
			for _, i := range b.files {
				if isInput(kinds[i].Kind) {
					holdsInput[b.dir] = true
					break
				}
			}
			if !holdsInput[b.dir] && done[b.dir] < len(inDir[b.dir]) {
				pending = append(pending, b.dir)
			}
		}
	}
	return kinds, sniffed, holdsInput
}

// sniff tells an entry's kind from its first bytes; an entry that cannot
// be read at all is left for reading to report.
func sniff(e inputs.Entry) detect.Result {
	if f, onDisk, err := e.OpenFile(); onDisk {
		if err != nil {
			return detect.Result{Kind: model.KindUnknown, Detail: unreadable}
		}
		defer f.Close()
		return sniffFile(f)
	}
	head, err := e.Head(detect.HeadSize)
	if err != nil {
		return detect.Result{Kind: model.KindUnknown, Detail: unreadable}
	}
	return detect.Sniff(head, "")
}

// sniffHead is sniff of a file on disk from the head the listing read
// (inputs.Options.Sniff): the same detect.Sniff of the same bytes.
func sniffHead(head []byte) any { return detect.Sniff(head, "") }

// heads are buffers of detect.HeadSize for sniffFile: reading the head of
// each of a fleet's files into a new one was a sixth of what an audit of
// 10,000 hosts allocated.
var heads = sync.Pool{New: func() any { b := make([]byte, detect.HeadSize); return &b }}

// sniffFile is sniff of a file on disk, its head read into a buffer used
// again (detect.Sniff keeps nothing of it).
func sniffFile(f io.Reader) detect.Result {
	buf := heads.Get().(*[]byte)
	defer heads.Put(buf)
	n, err := io.ReadFull(f, *buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return detect.Result{Kind: model.KindUnknown, Detail: unreadable}
	}
	return detect.Sniff((*buf)[:n], "")
}

// unreadable marks an entry whose first bytes could not be read.
const unreadable = "could not be read"

// hostDir returns the host folder of a file in folder dir: the topmost
// folder from the root down to dir that holds an input file directly;
// dir itself when none does (the file is then listed, under no host).
func hostDir(dir string, holdsInput map[string]bool) string {
	if holdsInput["."] {
		return "."
	}
	if dir == "." {
		return dir
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		if d := strings.Join(parts[:i+1], "/"); holdsInput[d] {
			return d
		}
	}
	return dir
}

// folderName is the name a host folder gives a host without a
// ComputerName: the folder's own name, or the archive's without its
// extension ("EXFE01.zip!" names EXFE01).
func folderName(dir, root string) string {
	if dir == "." {
		base := path.Base(strings.ReplaceAll(root, `\`, "/"))
		if base == "" || base == "/" {
			return "."
		}
		return base
	}
	name := path.Base(dir)
	if arc, ok := strings.CutSuffix(name, "!"); ok {
		name = arc
		for _, ext := range []string{".tar.gz", ".tgz", ".zip", ".tar"} {
			if strings.HasSuffix(strings.ToLower(name), ext) {
				name = name[:len(name)-len(ext)]
				break
			}
		}
	}
	return name
}

// skippedInput is a path inputs.Collect did not list as an entry. Special
// files, links and hidden entries are not inputs, and a file past
// --max-file-size is left out as the user asked (skipped, with its size:
// the checks that need what it holds say "not evaluated"); a file that
// should have been read and was not (an archive past its limits, damaged,
// encrypted, unreadable, missing, refused) failed, so that the exit code
// says the audit is incomplete.
func skippedInput(s inputs.Skipped) *model.InputFile {
	f := &model.InputFile{Name: s.Name, Path: s.Path, Kind: model.KindUnknown, Status: model.StatusSkipped, Reason: s.Reason}
	switch s.Kind {
	case inputs.KindFIFO, inputs.KindSocket, inputs.KindDevice, inputs.KindIrregular, inputs.KindSymlink,
		inputs.KindOutsideRoot, inputs.KindLoop, inputs.KindDuplicate, inputs.KindHidden, inputs.KindPastMaxSize, inputs.KindEmpty:
	default:
		f.Status = model.StatusFailed
	}
	if s.Path != "" {
		if st, err := os.Lstat(s.Path); err == nil && st.IsDir() {
			f.Kind = model.KindDirectory
		}
	}
	return f
}

// errText renders a read error without the path it names: the outputs
// show the file beside its reason.
func errText(err error) string {
	var re *inputs.ReadError
	if errors.As(err, &re) {
		return re.Err.Error()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
