package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/gpipsec"
	"github.com/ipseclint/ipseclint/parsers/regfile"
)

// script is a small netsh script (hand-written for this test): two
// policies, the second assigned, a PSK rule, a filter from "me".
const script = `pushd ipsec static
add policy name="FE" mmsecmethods="3DES-SHA1-2"
add policy name="Other" mmsecmethods="3DES-MD5-2"
add filterlist name="To BE"
add filter filterlist="To BE" srcaddr=me dstaddr=10.0.0.50 protocol=TCP dstport=110
add filteraction name="ESP" qmsecmethods="ESP[3DES,SHA1]"
add rule name="BE" policy="FE" filterlist="To BE" filteraction="ESP" psk="fixture-key"
add rule name="BE" policy="Other" filterlist="To BE" filteraction="ESP"
set policy name="FE" assign=yes
popd
`

func writeScript(t *testing.T, text string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "script.netsh")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// decodeFile reads an export back through the regfile parser and the decoder.
func decodeFile(t *testing.T, path string) *gpipsec.Result {
	t.Helper()
	res, err := regfile.ParseFile(path, regfile.Options{})
	if err != nil || len(res.Errors) > 0 || res.Header != "Windows Registry Editor Version 5.00" {
		t.Fatalf("%s: %v %v, header %q", path, err, res.Errors, res.Header)
	}
	return gpipsec.Decode(model.NewRegistry(res.Tree))
}

func TestLocalWithAssignment(t *testing.T) {
	dir, in := writeScript(t, script)
	out := filepath.Join(dir, "out.reg")
	if err := run([]string{"-store", "local", "-me", "10.0.0.21", "-psk", "FE/BE=fixture-key", "-o", out, in}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	res := decodeFile(t, out)
	if res.Local == nil || res.Local.Policy == nil || res.Local.Policy.Name != "FE" || res.Domain != nil {
		t.Fatalf("assignment %+v / %+v, want FE assigned locally", res.Local, res.Domain)
	}
	p := res.Local.Policy
	if f := p.Rule("BE").FilterList.Filters[0]; f.Src.String() != "10.0.0.21" || f.Dst.String() != "10.0.0.50" {
		t.Errorf("filter %s, want me written as 10.0.0.21", f)
	}
	if a := p.Rule("BE").Auth; len(a) != 1 || a[0].Kind != model.AuthPreshared || a[0].KeyLength != len("fixture-key") {
		t.Errorf("auth %+v", a)
	}
	if len(res.Stores) != 1 || len(res.Stores[0].Policies) != 2 {
		t.Errorf("%d stores, want one with both policies", len(res.Stores))
	}
	// Never overwritten.
	if err := run([]string{"-me", "10.0.0.21", "-psk", "BE=fixture-key", "-o", out, in}, &bytes.Buffer{}); err == nil {
		t.Error("an existing output file overwritten")
	}
}

func TestCacheAssignments(t *testing.T) {
	dir, in := writeScript(t, script)
	for _, tc := range []struct {
		assign, want string
	}{{"", "FE"}, {"Other", "Other"}, {"none", ""}} {
		out := filepath.Join(dir, "cache-"+tc.assign+".reg")
		args := []string{"-store", "cache", "-domain", "DC=corp,DC=example", "-me", "10.0.0.21", "-psk", "BE=fixture-key", "-o", out, in}
		if tc.assign != "" {
			args = append([]string{"-assign", tc.assign}, args...)
		}
		if err := run(args, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		res := decodeFile(t, out)
		switch {
		case res.Local != nil:
			t.Errorf("-assign %q: a local assignment", tc.assign)
		case tc.want == "" && res.Domain != nil:
			t.Errorf("-assign none: domain assignment %+v", res.Domain)
		case tc.want != "" && (res.Domain == nil || res.Domain.Policy == nil || res.Domain.Policy.Name != tc.want || res.Domain.Name != tc.want ||
			!strings.HasSuffix(res.Domain.Ref, ",CN=IP Security,CN=System,DC=corp,DC=example")):
			t.Errorf("-assign %q: domain assignment %+v, want %s", tc.assign, res.Domain, tc.want)
		}
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		args       []string
		want       string
	}{
		{"me without -me", script, []string{"-psk", "BE=k"}, `"me"`},
		{"psk missing", script, []string{"-me", "10.0.0.21"}, "pre-shared key"},
		{"psk typo", script, []string{"-me", "10.0.0.21", "-psk", "BE=k", "-psk", "Other/BE=k"}, `-psk "Other/BE": no rule`},
		{"soft", strings.Replace(script, `add filteraction name="ESP"`, `add filteraction name="ESP" soft=yes`, 1), []string{"-me", "10.0.0.21", "-psk", "BE=k"}, "script.netsh:6:1: filter action \"ESP\" soft"},
		{"script errors", script + "add filter filterlist=\"To BE\" srcaddr=nonsense/// dstaddr=any\n", []string{"-me", "10.0.0.21", "-psk", "BE=k"}, "the script has errors"},
		{"unknown policy", script, []string{"-me", "10.0.0.21", "-psk", "BE=k", "-assign", "Nope"}, `-assign "Nope"`},
		{"bad store", script, []string{"-store", "persistent"}, "local or cache"},
		{"bad me", script, []string{"-me", "::1"}, "IPv4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, in := writeScript(t, tc.text)
			out := filepath.Join(dir, "out.reg")
			err := run(append(tc.args, "-o", out, in), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			if _, statErr := os.Stat(out); statErr == nil {
				t.Error("an output file written despite the error")
			}
		})
	}
	if err := run([]string{"-o", "x.reg"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no script: %v", err)
	}
}
