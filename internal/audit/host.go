package audit

import (
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/gpipsec"
)

// buildHost merges what the files of one host folder said into a host.
// The registry comes first: it names the computer, and the computer's own
// code page in ipseclint.yaml (declared under its ComputerName or its
// folder name) decides how its 8-bit text is decoded; files decoded in
// another code page are read again in it. It returns nil when none of the
// files holds anything about a host (every file skipped or failed): those
// files are still listed in the fleet.
func buildHost(fleet *model.Fleet, hp *hostPlan, flagCodePage string) *model.Host {
	folder := hp.folder
	h := mergeHost(hp)
	if h == nil {
		return nil
	}
	name := model.ReadComputerName(h.Registry)
	if name.Known {
		again := rereadIn(hp, codePageFor(fleet.Config, hostEntry(fleet.Config, name.Value, folder), flagCodePage))
		switch {
		case slices.ContainsFunc(again, givesTree):
			abandon(h)
			h = mergeHost(hp)
			name = model.ReadComputerName(h.Registry)
		case len(again) > 0:
			// Only policy files were read again: the registry merged
			// stands (mergeHost took its trees as they were).
			refreshPolicy(h, hp)
		}
	}
	if name.Known {
		h.Name, h.NameSource = name.Value, "ComputerName in the registry"
	} else {
		h.Name, h.NameSource = folder, "folder name ("+name.Via+")"
	}
	h.Config = hostEntry(fleet.Config, h.Name, folder)
	decodeRegistryPolicy(h)
	model.DeriveFacts(h)
	for _, f := range h.Files {
		f.Host = h.Name
	}
	return h
}

// decodeRegistryPolicy adds the IPSec policy stores the host's registry
// holds (MS-GPIPSEC ipsecData objects) to its policy evidence, and what
// could not be understood of them to the notes of the files they came
// from.
func decodeRegistryPolicy(h *model.Host) {
	res := gpipsec.Decode(h.Registry)
	h.IPSec = append(h.IPSec, res.Stores...)
	for _, a := range []*gpipsec.Assignment{res.Local, res.Domain} {
		if a != nil && a.Policy == nil && len(a.Missing) > 0 {
			if h.MissingPolicyKeys == nil {
				h.MissingPolicyKeys = map[model.Store][]string{}
			}
			h.MissingPolicyKeys[a.Store] = a.Missing
		}
	}
	problems := res.Problems
	for _, s := range res.Stores {
		problems = append(problems, s.Problems...)
	}
	byName := map[string]*model.InputFile{}
	for _, f := range h.Files {
		byName[f.Name] = f
	}
	for _, p := range problems {
		if f := byName[p.Loc.File]; f != nil {
			f.Notes = append(f.Notes, "IPSec policy objects: "+locNote(p))
		}
	}
}

func locNote(p model.Problem) string {
	if p.Loc.Key != "" {
		return "[HKLM\\" + p.Loc.Key + "] " + p.Message
	}
	return p.Message
}

// treeRereadable reports whether rereadIn may read again some file of the
// host that gives a registry tree (8-bit text decoded in a code page).
func treeRereadable(hp *hostPlan) bool {
	for _, j := range hp.jobs {
		if r := readerOf(j.file.Kind); r != nil && r.eightBit && j.decodedIn != "" && givesTree(j) {
			return true
		}
	}
	return false
}

// givesTree reports whether the job's file is of a kind that gives its
// host registry keys.
func givesTree(j *fileJob) bool {
	r := readerOf(j.file.Kind)
	return r != nil && r.gives == givesRegistry
}

// refreshPolicy takes again into h the files and policy stores of the
// host's jobs, some of which were read again.
func refreshPolicy(h *model.Host, hp *hostPlan) {
	h.Files, h.IPSec = h.Files[:0], nil
	for _, j := range hp.jobs {
		h.Files = append(h.Files, j.file)
		h.IPSec = append(h.IPSec, j.stores...)
	}
}

// rereadIn reads again, in code page cp, the host's files whose 8-bit
// text was decoded in another one, and returns them.
func rereadIn(hp *hostPlan, cp string) []*fileJob {
	var again []*fileJob
	for _, j := range hp.jobs {
		if r := readerOf(j.file.Kind); r != nil && r.eightBit && j.decodedIn != "" && !strings.EqualFold(j.decodedIn, cp) {
			j.codepage = cp
			again = append(again, j)
		}
	}
	for _, j := range again {
		j.read()
	}
	return again
}

// abandon clears a host that is dropped: it lies in a chunk with other
// hosts (see retained), which would keep what it points to (its whole
// merged registry) as long as any of them lives.
func abandon(h *model.Host) {
	if h.Registry != nil {
		*h.Registry = model.Registry{}
	}
	*h = model.Host{}
}

// mergeHost merges the registry sources and policy stores of a host
// folder's files; nil when no file contributes anything.
func mergeHost(hp *hostPlan) *model.Host {
	h := &retained.hosts.Make(1)[0] // see retained
	h.Dir = hp.dir
	var tree *model.RegTree
	var conflicts []model.ValueConflict
	useful := false
	logsUsed := map[string]bool{}
	// Trees are taken as they are, merged into the first, unless a file
	// that gives one may be read again: then the merge is a copy, made
	// again after the reread.
	adopt := !treeRereadable(hp)
	for _, j := range hp.jobs {
		h.Files = append(h.Files, j.file)
		if j.tree != nil {
			useful = true
			switch {
			case tree == nil && adopt:
				// The first tree is the merge so far, as it stands: no file
				// of the host is read again, so nothing needs it unmerged.
				tree = j.tree
			case tree == nil:
				tree = model.NewRegTree()
				conflicts = append(conflicts, tree.Merge(j.tree)...)
			case adopt:
				// nor the later trees: their keys join the merge as they are
				conflicts = append(conflicts, tree.Absorb(j.tree)...)
			default:
				conflicts = append(conflicts, tree.Merge(j.tree)...)
			}
			for _, top := range j.file.Hives {
				switch strings.ToUpper(top) {
				case "SYSTEM":
					h.HasSystem = true
				case "SOFTWARE":
					h.HasSoftware = true
				}
			}
		}
		if len(j.stores) > 0 {
			useful = true
			h.IPSec = append(h.IPSec, j.stores...)
		}
		for _, l := range j.logsUsed {
			logsUsed[l] = true
		}
	}
	for _, j := range hp.jobs {
		if j.file.Kind == model.KindHiveLog && logsUsed[j.entry.Name] {
			j.file.Status, j.file.Reason = model.StatusRead, "transaction log applied to its hive"
		}
	}
	if !useful {
		abandon(h)
		return nil
	}
	h.Registry = model.NewRegistry(tree) // a nil tree (no registry source) is an empty one
	h.Registry.Conflicts = append(conflicts, h.Registry.Conflicts...)
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
			h.Name = h.Name + " (" + h.Dir + ")"
			h.NameSource += "; folder added: another folder holds the same computer"
			for _, f := range h.Files {
				f.Host = h.Name
			}
		}
	}
}
