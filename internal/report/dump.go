package report

import (
	"encoding/json"
	"io"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Dump writes what ipseclint understood of its inputs, as JSON: every
// file's kind and status, every host's facts with the evidence for each,
// the registry keys and values the rules read, and the IPSec policies. It
// is the post-mortem view, and the first thing to run when a verdict
// surprises. It shows no findings.
type Dump struct{}

type dumpValue struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Data     string `json:"data"`
	Location string `json:"location"`
}

type dumpKey struct {
	Path     string      `json:"path"`
	Location string      `json:"location"`
	Values   []dumpValue `json:"values"`
}

type dumpHost struct {
	Name       string               `json:"name"`
	NameSource string               `json:"nameSource"`
	Dir        string               `json:"dir,omitempty"`
	Role       model.RoleFact       `json:"role"`
	Files      []string             `json:"files"`
	Facts      model.HostFacts      `json:"facts"`
	Registry   dumpRegistry         `json:"registry"`
	IPSec      []*model.PolicyStore `json:"ipsec"`
	Failover   []failoverView       `json:"failover,omitempty"`
}

type dumpRegistry struct {
	CurrentControlSet     int                   `json:"currentControlSet,omitempty"`
	CurrentControlSetFrom string                `json:"currentControlSetFrom,omitempty"`
	CurrentControlSetNote string                `json:"currentControlSetNote,omitempty"`
	Conflicts             []model.ValueConflict `json:"conflicts,omitempty"`
	Keys                  []dumpKey             `json:"keys"`
}

type dumpDoc struct {
	Tool   map[string]string  `json:"tool"`
	Root   string             `json:"root"`
	Config *model.FleetConfig `json:"config,omitempty"`
	Files  []jsonFile         `json:"files"`
	Hosts  []dumpHost         `json:"hosts"`
}

// Print writes the dump.
func (Dump) Print(w io.Writer, a *Audit) error {
	doc := dumpDoc{Tool: map[string]string{"name": a.Tool.Name, "version": a.Tool.Version}, Root: a.Fleet.Root,
		Config: a.Fleet.Config, Files: []jsonFile{}, Hosts: []dumpHost{}}
	for _, f := range a.Fleet.Files {
		doc.Files = append(doc.Files, a.jsonFileOf(f))
	}
	failovers := a.hostIndex().failovers
	addrs := newAddressLists()
	for _, h := range a.Fleet.Hosts {
		dh := dumpHost{Name: h.Name, NameSource: h.NameSource, Dir: h.Dir, Role: h.Role, Facts: h.Facts, IPSec: h.IPSec, Files: []string{}}
		for _, f := range h.Files {
			dh.Files = append(dh.Files, f.Name)
		}
		if dh.IPSec == nil {
			dh.IPSec = []*model.PolicyStore{}
		}
		dh.Registry = a.dumpRegistry(h.Registry)
		dh.Failover = a.failoverViews(failovers[h], addrs)
		doc.Hosts = append(doc.Hosts, dh)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func (a *Audit) dumpRegistry(r *model.Registry) dumpRegistry {
	d := dumpRegistry{Keys: []dumpKey{}}
	if r == nil {
		return d
	}
	d.CurrentControlSet, d.CurrentControlSetNote, d.Conflicts = r.CurrentSet, r.CurrentSetNote, r.Conflicts
	if !r.CurrentSetSource.IsZero() {
		d.CurrentControlSetFrom = a.locationText(r.CurrentSetSource)
	}
	for _, k := range r.Tree.Keys() {
		dk := dumpKey{Path: k.Path, Location: a.locationText(k.Loc), Values: []dumpValue{}}
		for _, v := range k.Values {
			dk.Values = append(dk.Values, dumpValue{Name: v.Name, Type: v.Type.String(), Data: v.Display(), Location: a.locationText(v.Loc)})
		}
		d.Keys = append(d.Keys, dk)
	}
	return d
}
