package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"

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
	for _, h := range a.Fleet.Hosts {
		dh := dumpHost{Name: h.Name, NameSource: h.NameSource, Dir: a.rel(h.Dir), Role: h.Role, Facts: h.Facts, IPSec: h.IPSec, Files: []string{}}
		for _, f := range h.Files {
			dh.Files = append(dh.Files, a.rel(f.Path))
		}
		if dh.IPSec == nil {
			dh.IPSec = []*model.PolicyStore{}
		}
		dh.Registry = a.dumpRegistry(h.Registry)
		doc.Hosts = append(doc.Hosts, dh)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	// The facts, policies and cluster resources carry model.Locations
	// whose File is the path as opened; only the root stays absolute.
	out, err := a.relativizePaths(buf.Bytes(), "root")
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		return err
	}
	pretty.WriteByte('\n')
	_, err = w.Write(pretty.Bytes())
	return err
}

// relativizePaths rewrites every string value of the JSON document data
// that is an absolute path inside the audited root into the path relative
// to the root, slash-separated, as the other outputs show files. The
// values of the top-level keys named in keep are left as they are. Key
// order and everything else are preserved.
func (a *Audit) relativizePaths(data []byte, keep ...string) ([]byte, error) {
	if a.Fleet == nil || a.Fleet.Root == "" {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int // tokens written in this container (keys and values)
	}
	var stack []frame
	var out bytes.Buffer
	lastKey := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		isKey := false
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			isKey = top.object && top.n%2 == 0
			if closing := tok == json.Delim('}') || tok == json.Delim(']'); !closing {
				switch {
				case top.object && !isKey:
					out.WriteByte(':')
				case top.n > 0:
					out.WriteByte(',')
				}
				top.n++
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			out.WriteRune(rune(t))
			switch t {
			case '{', '[':
				stack = append(stack, frame{object: t == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if !isKey && !(len(stack) == 1 && slices.Contains(keep, lastKey)) && filepath.IsAbs(t) {
				t = a.rel(t)
			}
			if isKey {
				lastKey = t
			}
			if err := writeJSONString(&out, t); err != nil {
				return nil, err
			}
		case json.Number:
			out.WriteString(t.String())
		case bool:
			fmt.Fprint(&out, t)
		case nil:
			out.WriteString("null")
		}
	}
	return out.Bytes(), nil
}

func writeJSONString(b *bytes.Buffer, s string) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
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
