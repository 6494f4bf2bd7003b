package regtest

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Diff lists how got differs from want: keys missing or extra, key
// spellings, values missing or extra, types and data. Locations are not
// compared. An empty list means the trees are equal.
func Diff(want, got *model.RegTree) []string {
	var out []string
	for _, wk := range want.Keys() {
		gk := got.Key(wk.Path)
		if gk == nil {
			out = append(out, fmt.Sprintf("key %q missing", wk.Path))
			continue
		}
		if gk.Path != wk.Path {
			out = append(out, fmt.Sprintf("key %q spelled %q", wk.Path, gk.Path))
		}
		out = append(out, diffValues(wk, gk)...)
	}
	for _, gk := range got.Keys() {
		if want.Key(gk.Path) == nil {
			out = append(out, fmt.Sprintf("key %q not expected", gk.Path))
		}
	}
	return out
}

func diffValues(wk, gk *model.Key) []string {
	var out []string
	for _, wv := range wk.Values {
		gv := gk.Value(wv.Name)
		switch {
		case gv == nil:
			out = append(out, fmt.Sprintf("%s: value %q missing", wk.Path, wv.Name))
		case gv.Name != wv.Name:
			out = append(out, fmt.Sprintf("%s: value %q spelled %q", wk.Path, wv.Name, gv.Name))
		case gv.Type != wv.Type || !bytes.Equal(gv.Data, wv.Data):
			out = append(out, fmt.Sprintf("%s: value %q is %s % x, want %s % x", wk.Path, wv.Name, gv.Type, gv.Data, wv.Type, wv.Data))
		}
	}
	for _, gv := range gk.Values {
		if wk.Value(gv.Name) == nil {
			out = append(out, fmt.Sprintf("%s: value %q not expected", wk.Path, gv.Name))
		}
	}
	return out
}

// Dump renders a tree for a failure message.
func Dump(t *model.RegTree) string {
	var b strings.Builder
	for _, k := range t.Keys() {
		fmt.Fprintf(&b, "[%s]\n", k.Path)
		for _, v := range k.Values {
			fmt.Fprintf(&b, "  %q %s % x\n", v.Name, v.Type, v.Data)
		}
	}
	return b.String()
}
