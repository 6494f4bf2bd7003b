package fleetconfig

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

func TestParse(t *testing.T) {
	cfg, err := Parse([]byte(`# roles the exports cannot tell
hosts:
  exfe01: {role: frontend}
  EXBE01: {role: back-end, addresses: [10.0.0.21]}
  EXJP01:
    role: fe
    codepage: shift_jis
backends:
  virtual_addresses: [10.0.0.50, 10.0.0.60]
codepage: "850"
`), "ipseclint.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Hosts["EXFE01"].Role != model.RoleFrontEnd || cfg.Hosts["EXBE01"].Role != model.RoleBackEnd || cfg.Hosts["EXJP01"].Role != model.RoleFrontEnd {
		t.Errorf("roles: %+v %+v %+v", cfg.Hosts["EXFE01"], cfg.Hosts["EXBE01"], cfg.Hosts["EXJP01"])
	}
	if cfg.Hosts["EXJP01"].CodePage != "cp932" || cfg.CodePage != "cp850" {
		t.Errorf("code pages: host %q, fleet %q", cfg.Hosts["EXJP01"].CodePage, cfg.CodePage)
	}
	if got := cfg.Hosts["EXBE01"].Addresses; len(got) != 1 || got[0] != netip.MustParseAddr("10.0.0.21") {
		t.Errorf("addresses: %v", got)
	}
	if len(cfg.BackendVirtualAddresses) != 2 || cfg.BackendVirtualLoc.Line != 8 {
		t.Errorf("virtual addresses: %v at %+v", cfg.BackendVirtualAddresses, cfg.BackendVirtualLoc)
	}
	if cfg.Hosts["EXJP01"].Loc.Line != 6 {
		t.Errorf("host location: %+v", cfg.Hosts["EXJP01"].Loc)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{"hosts:\n  FE1: {role: frontdoor}\n", `ipseclint.yaml:2:8: hosts.FE1: role "frontdoor": expected frontend, backend or other`},
		{"hosts:\n  FE1: {role: frontend, colour: red}\n", "hosts.FE1: "},
		{"backends:\n  virtual_addresses: [10.0.0.500]\n", `ipseclint.yaml:1:1: backends.virtual_addresses: "10.0.0.500" is not an IPv4 address`},
		{"codepage: klingon\n", `unknown code page "klingon"`},
		{"frontends: []\n", "field frontends not found"},
		{"hosts: [\n", "ipseclint.yaml: "},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.text), "ipseclint.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.text, err, c.want)
		}
		var pe *model.ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("%q: error %T is not a *model.ParseError", c.text, err)
		}
	}
}

func TestEmpty(t *testing.T) {
	cfg, err := Parse(nil, "ipseclint.yaml")
	if err != nil || cfg == nil || len(cfg.Hosts) != 0 {
		t.Errorf("an empty configuration is valid: %v %v", cfg, err)
	}
}
