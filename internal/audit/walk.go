package audit

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/detect"
	"github.com/ipseclint/ipseclint/parsers/fleetconfig"
)

// hostPlan is a folder of files that belong to one host.
type hostPlan struct {
	dir   string     // absolute folder
	files []string   // absolute paths, sorted
	jobs  []*fileJob // one per file, once reading starts
}

// plan is what the paths given to an audit hold, before anything is read.
type plan struct {
	hosts   []*hostPlan
	configs []string           // ipseclint.yaml files found, shallowest first
	skipped []*model.InputFile // hidden entries, links, unreadable folders, missing paths
	root    string             // the audited root, for display names
}

// skip lists a path that is not read.
func (p *plan) skip(path string, kind model.FileKind, status model.FileStatus, reason string) {
	p.skipped = append(p.skipped, skippedFile(p.root, path, kind, status, reason))
}

func isConfigName(name string) bool {
	n := strings.ToLower(name)
	return n == fleetconfig.FileName || n == "ipseclint.yml"
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// makePlan groups the files under paths into hosts. A folder whose files
// sit directly in it is one host (every file below it belongs to it); a
// folder holding only folders is a fleet, each sub-folder planned the same
// way. Files named on the command line belong to the host of their folder.
func makePlan(paths []string, root string) *plan {
	p := &plan{root: root}
	byDir := map[string]*hostPlan{}
	seen := map[string]bool{}
	addFile := func(dir, file string) {
		if seen[file] {
			return
		}
		seen[file] = true
		hp := byDir[dir]
		if hp == nil {
			hp = &hostPlan{dir: dir}
			byDir[dir] = hp
			p.hosts = append(p.hosts, hp)
		}
		hp.files = append(hp.files, file)
	}
	for _, arg := range paths {
		abs, err := filepath.Abs(arg)
		if err != nil {
			abs = arg
		}
		st, err := os.Stat(abs)
		switch {
		case err != nil:
			p.skip(abs, model.KindUnknown, model.StatusFailed, errText(err))
		case st.IsDir():
			p.planDir(abs, addFile)
		case isConfigName(st.Name()):
			p.configs = append(p.configs, abs)
		default:
			addFile(filepath.Dir(abs), abs)
		}
	}
	for _, hp := range p.hosts {
		sort.Strings(hp.files)
	}
	sort.SliceStable(p.hosts, func(i, j int) bool { return p.hosts[i].dir < p.hosts[j].dir })
	return p
}

func (p *plan) planDir(dir string, addFile func(dir, file string)) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		p.skip(dir, model.KindDirectory, model.StatusFailed, errText(err))
		return
	}
	var files, dirs []string
	for _, e := range entries {
		full := filepath.Join(dir, e.Name())
		switch {
		case hidden(e.Name()):
			kind := model.KindUnknown
			if e.IsDir() {
				kind = model.KindDirectory
			}
			p.skip(full, kind, model.StatusSkipped, "hidden entry, not read")
		case e.Type()&os.ModeSymlink != 0 && isDirLink(full):
			p.skip(full, model.KindDirectory, model.StatusSkipped, "link to a folder, not followed")
		case e.IsDir():
			dirs = append(dirs, full)
		case isConfigName(e.Name()):
			p.configs = append(p.configs, full)
		default:
			files = append(files, full)
		}
	}
	if !anyInput(files) {
		// A fleet (or a folder of nothing ipseclint reads): its own files
		// are listed, and each sub-folder is planned the same way.
		for _, f := range files {
			addFile(dir, f)
		}
		for _, d := range dirs {
			p.planDir(d, addFile)
		}
		return
	}
	// A host folder: everything below it belongs to the host.
	for _, f := range files {
		addFile(dir, f)
	}
	for _, d := range dirs {
		p.addSubtree(dir, d, addFile)
	}
}

// anyInput reports whether one of files is an input ipseclint reads (a
// hive, a .reg export, a netsh file), judged from its content. A folder
// holding only other files (a README beside host folders) is not a host.
func anyInput(files []string) bool {
	for _, f := range files {
		head, _, err := readHead(f)
		if err != nil {
			continue
		}
		if isInput(detect.Sniff(head, "").Kind) {
			return true
		}
	}
	return false
}

func (p *plan) addSubtree(hostDir, dir string, addFile func(dir, file string)) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		p.skip(dir, model.KindDirectory, model.StatusFailed, errText(err))
		return
	}
	for _, e := range entries {
		full := filepath.Join(dir, e.Name())
		switch {
		case hidden(e.Name()):
			p.skip(full, model.KindUnknown, model.StatusSkipped, "hidden entry, not read")
		case e.Type()&os.ModeSymlink != 0 && isDirLink(full):
			p.skip(full, model.KindDirectory, model.StatusSkipped, "link to a folder, not followed")
		case e.IsDir():
			p.addSubtree(hostDir, full, addFile)
		default:
			addFile(hostDir, full)
		}
	}
}

func isDirLink(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// commonRoot returns the folder every path lies in: the folder itself for
// a single folder, the file's folder for a single file.
func commonRoot(paths []string) string {
	var root string
	for i, arg := range paths {
		abs, err := filepath.Abs(arg)
		if err != nil {
			continue
		}
		if st, err := os.Stat(abs); err != nil || !st.IsDir() {
			abs = filepath.Dir(abs)
		}
		if i == 0 || root == "" {
			root = abs
			continue
		}
		for !within(abs, root) {
			parent := filepath.Dir(root)
			if parent == root {
				break
			}
			root = parent
		}
	}
	return root
}

func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
