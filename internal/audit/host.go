package audit

import (
	"path/filepath"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// buildHost merges what the files of one host folder said into a host.
// It returns nil when none of the files holds anything about a host (every
// file skipped or failed): those files are still listed in the fleet.
func buildHost(fleet *model.Fleet, hp *hostPlan, jobs []*fileJob) *model.Host {
	folder := filepath.Base(hp.dir)
	h := &model.Host{Dir: hp.dir}
	tree := model.NewRegTree()
	var conflicts []model.ValueConflict
	useful := false
	logsUsed := map[string]bool{}
	for _, j := range jobs {
		h.Files = append(h.Files, j.file)
		if j.tree != nil {
			useful = true
			conflicts = append(conflicts, tree.Merge(j.tree)...)
			for _, top := range j.file.Hives {
				switch strings.ToUpper(top) {
				case "SYSTEM":
					h.HasSystem = true
				case "SOFTWARE":
					h.HasSoftware = true
				}
			}
		}
		if j.store != nil {
			useful = true
			h.IPSec = append(h.IPSec, j.store)
		}
		for _, l := range j.logsUsed {
			logsUsed[l] = true
		}
	}
	for _, j := range jobs {
		if j.file.Kind == model.KindHiveLog && logsUsed[j.path] {
			j.file.Status, j.file.Reason = model.StatusRead, "transaction log applied to its hive"
		}
	}
	if !useful {
		return nil
	}
	h.Registry = model.NewRegistry(tree)
	h.Registry.Conflicts = conflicts
	name := model.ReadComputerName(h.Registry)
	if name.Known {
		h.Name, h.NameSource = name.Value, "ComputerName in the registry"
	} else {
		h.Name, h.NameSource = folder, "folder name ("+name.Via+")"
	}
	if fleet.Config != nil {
		h.Config = fleet.Config.Hosts[strings.ToUpper(h.Name)]
		if h.Config == nil {
			h.Config = fleet.Config.Hosts[strings.ToUpper(folder)]
		}
	}
	model.DeriveFacts(h)
	for _, f := range h.Files {
		f.Host = h.Name
	}
	return h
}

// disambiguate renames hosts that share a name (two folders holding
// exports of the same computer) by adding their folder.
func disambiguate(hosts []*model.Host) {
	count := map[string]int{}
	for _, h := range hosts {
		count[strings.ToUpper(h.Name)]++
	}
	for _, h := range hosts {
		if count[strings.ToUpper(h.Name)] > 1 {
			h.Name = h.Name + " (" + filepath.Base(h.Dir) + ")"
			h.NameSource += "; folder added: another folder holds the same computer"
			for _, f := range h.Files {
				f.Host = h.Name
			}
		}
	}
}
