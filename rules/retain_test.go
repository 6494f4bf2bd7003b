package rules_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
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
		want, got := rules.Run(full, all), rules.Run(cut, all)
		if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.NotEvaluated, want.NotEvaluated) {
			t.Errorf("%s: the outcome differs once the registry is cut down:\ngot  %+v\n%+v\nwant %+v\n%+v", dir, got.Findings, got.NotEvaluated, want.Findings, want.NotEvaluated)
		}
	}
	if len(dirs) < 100 {
		t.Fatalf("only %d fixture fleets found", len(dirs))
	}
}
