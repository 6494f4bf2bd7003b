package fleetconfig

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// FuzzParse: Parse never panics and is deterministic; every mistake it
// reports is a *model.ParseError of the file, at a line of the file; a
// configuration comes back unless the file is not YAML at all. Seeds: the
// valid examples of testdata/valid and the CLI test fleet's own
// configuration, and mistakes and alias shapes real files show.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/valid/*.yaml", "../../internal/cli/testdata/fleet/ipseclint.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("hosts:\n  EXFE01: &fe {role: frontend}\n  EXFE02: *fe\n  EXFE03: {<<: *fe, codepage: cp850}\n"))
	f.Add([]byte("hosts:\n  EXFE01: {role: nope, addresses: [1.2.3]}\nbackends: {virtual_addresses: [10.0.0.50, x]}\n"))
	f.Add([]byte("x-a: &a [1, 2]\nx-b: &b [*a, *a]\nhosts:\n  H: {addresses: *b}\n"))
	f.Add([]byte("accepted:\n  - {rule: IPSEC001, host: EXFE01, reason: why, expires: 2027-01-01}\nrules: {IPSEC002: {severity: note}}\n"))
	f.Add([]byte("\t- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "ipseclint.yaml")
		cfg2, err2 := Parse(data, "ipseclint.yaml")
		if !reflect.DeepEqual(cfg, cfg2) || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("two parses differ: %v / %v", err, err2)
		}
		if err == nil || cfg == nil {
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, e := range unwrapAll(err) {
			var pe *model.ParseError
			if !errors.As(e, &pe) {
				t.Fatalf("a mistake that is not a ParseError: %T %v", e, e)
			}
			if pe.File != "ipseclint.yaml" || pe.Line < 0 || pe.Line > lines {
				t.Fatalf("mistake at %s:%d, the file has %d lines: %v", pe.File, pe.Line, lines, pe)
			}
		}
	})
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
