package rules_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/fleetgen"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// TestRetainKeepsOutcome: cutting each host's registry down to
// rules.RetainFilter once its facts are derived (what a large audit
// does) changes nothing the rules report, on every fixture fleet and the
// example fleet.
func TestRetainKeepsOutcome(t *testing.T) {
	dirs := []string{filepath.Join("..", "testdata", "fleet")}
	ids, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		cases, _ := os.ReadDir(filepath.Join("testdata", id.Name()))
		for _, c := range cases {
			if c.IsDir() {
				dirs = append(dirs, filepath.Join("testdata", id.Name(), c.Name()))
			}
		}
	}
	generated := t.TempDir()
	if _, err := fleetgen.Write(generated, fleetgen.Options{Hosts: 120, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, generated)
	all := rules.All()
	for _, dir := range dirs {
		full, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all)})
		if err != nil {
			t.Fatal(err)
		}
		cut, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all), Retain: rules.RetainFilter(all), Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		bare, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all), Retain: rules.RetainFilter(all), OmitCited: true})
		if err != nil {
			t.Fatal(err)
		}
		want := rules.Run(full, all)
		for name, got := range map[string]rules.Outcome{"cut down": rules.Run(cut, all), "cut down, cited lines too": rules.Run(bare, all)} {
			if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.NotEvaluated, want.NotEvaluated) {
				t.Errorf("%s: the outcome differs once the registry is %s:\ngot  %+v\n%+v\nwant %+v\n%+v", dir, name, got.Findings, got.NotEvaluated, want.Findings, want.NotEvaluated)
			}
		}
	}
	if len(dirs) < 100 {
		t.Fatalf("only %d fixture fleets found", len(dirs))
	}
}

// TestRetainDropsUnreadPolicies: the unassigned built-in policies (every
// local store holds them; no rule reads them) go once a host is built,
// with the filter lists only they used, and every policy the facts point
// to stays.
func TestRetainDropsUnreadPolicies(t *testing.T) {
	all := rules.All()
	dir := t.TempDir()
	if _, err := fleetgen.Write(dir, fleetgen.Options{Hosts: 120, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	full, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all)})
	if err != nil {
		t.Fatal(err)
	}
	cut, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all), Retain: rules.RetainFilter(all)})
	if err != nil {
		t.Fatal(err)
	}
	builtin := func(name string) bool {
		switch name {
		case "Client (Respond Only)", "Server (Request Security)", "Secure Server (Require Security)":
			return true
		}
		return false
	}
	count := func(f *model.Fleet) (policies, builtins, lists int) {
		for _, h := range f.Hosts {
			for _, s := range h.IPSec {
				for _, p := range s.Policies {
					policies++
					if builtin(p.Name) && !p.Assigned {
						builtins++
					}
				}
				lists += len(s.FilterLists)
			}
		}
		return
	}
	fp, fb, fl := count(full)
	cp, cb, cl := count(cut)
	if fb == 0 {
		t.Fatal("the generated fleet holds no unassigned built-in policy: the test checks nothing")
	}
	if cb != 0 || cp >= fp || cl >= fl {
		t.Errorf("policies %d -> %d (unassigned built-in %d -> %d), filter lists %d -> %d: want the %d built-in ones gone and fewer lists", fp, cp, fb, cb, fl, cl, fb)
	}
	for _, h := range cut.Hosts {
		for _, p := range h.Facts.Policy.Value.Policies() {
			found := false
			for _, s := range h.IPSec {
				found = found || slices.Contains(s.Policies, p)
			}
			if !found {
				t.Errorf("%s: applied policy %q is gone", h.Name, p.Name)
			}
		}
	}
}

// TestOmitCitedKeepsLess: with OmitCited, the registry keys and values
// kept only because facts were read from their lines go too.
func TestOmitCitedKeepsLess(t *testing.T) {
	all := rules.All()
	dir := filepath.Join("..", "testdata", "fleet")
	count := func(omit bool) (values int) {
		f, err := audit.Collect([]string{dir}, audit.Options{Filter: rules.KeyFilter(all), Retain: rules.RetainFilter(all), OmitCited: omit})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range f.Hosts {
			for _, k := range h.Registry.Tree.Keys() {
				values += len(k.Values)
			}
		}
		return values
	}
	if cited, bare := count(false), count(true); bare == 0 || bare >= cited {
		t.Errorf("values kept: %d citing lines, %d without: want fewer, not none", cited, bare)
	}
}
