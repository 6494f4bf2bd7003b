// Package fleetconfig reads ipseclint.yaml, where an auditor declares what
// the exports cannot tell: each host's role, the back-end's virtual
// addresses, and the code page of 8-bit text files.
//
//	hosts:
//	  EXFE01: {role: frontend}
//	  EXBE01: {role: backend, addresses: [10.0.0.21]}
//	  EXJP01: {role: frontend, codepage: cp932}
//	backends:
//	  virtual_addresses: [10.0.0.50]
//	codepage: cp1252
package fleetconfig

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// FileName is the name the configuration is looked for under in an
// audited folder.
const FileName = "ipseclint.yaml"

type rawConfig struct {
	Hosts    map[string]yaml.Node `yaml:"hosts"`
	Backends *struct {
		VirtualAddresses []string `yaml:"virtual_addresses"`
	} `yaml:"backends"`
	CodePage string `yaml:"codepage"`
}

type rawHost struct {
	Role      string   `yaml:"role"`
	Addresses []string `yaml:"addresses"`
	CodePage  string   `yaml:"codepage"`
}

// ParseFile reads the configuration at path.
func ParseFile(path string) (*model.FleetConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads a configuration. Every mistake is reported (unknown keys,
// bad roles, bad addresses, unknown code pages), joined into one error;
// the configuration is still returned with what was valid.
func Parse(data []byte, file string) (*model.FleetConfig, error) {
	cfg := &model.FleetConfig{File: file, Hosts: map[string]*model.HostConfig{}}
	var errs []error
	fail := func(line, col int, format string, args ...any) {
		errs = append(errs, model.ParseErrorf(file, line, col, format, args...))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &model.ParseError{File: file, Err: err}
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	var raw rawConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, yamlError(file, err)
	}
	if raw.CodePage != "" {
		if _, name, err := textenc.CodePage(raw.CodePage); err != nil {
			fail(lineOf(&doc, "codepage"), 1, "%v", err)
		} else {
			cfg.CodePage = name
		}
	}
	if raw.Backends != nil {
		cfg.BackendVirtualLoc = model.Location{File: file, Line: lineOf(&doc, "backends")}
		for _, s := range raw.Backends.VirtualAddresses {
			ip, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil || !ip.Is4() {
				fail(cfg.BackendVirtualLoc.Line, 1, "backends.virtual_addresses: %q is not an IPv4 address", s)
				continue
			}
			cfg.BackendVirtualAddresses = append(cfg.BackendVirtualAddresses, ip)
		}
	}
	for name, node := range raw.Hosts {
		hc, herrs := parseHost(file, name, &node)
		errs = append(errs, herrs...)
		cfg.Hosts[strings.ToUpper(name)] = hc
	}
	return cfg, errors.Join(errs...)
}

func parseHost(file, name string, node *yaml.Node) (*model.HostConfig, []error) {
	hc := &model.HostConfig{Name: name, Loc: model.Location{File: file, Line: node.Line, Column: node.Column}}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, &model.ParseError{File: file, Line: node.Line, Column: node.Column, Err: fmt.Errorf("hosts.%s: %s", name, fmt.Sprintf(format, args...))})
	}
	var rh rawHost
	if err := decodeStrict(node, &rh); err != nil {
		fail("%v", err)
		return hc, errs
	}
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(rh.Role), "-", "")) {
	case "":
	case "frontend", "fe":
		hc.Role = model.RoleFrontEnd
	case "backend", "be":
		hc.Role = model.RoleBackEnd
	case "other", "none":
		hc.Role = model.RoleOther
	default:
		fail("role %q: expected frontend, backend or other", rh.Role)
	}
	for _, s := range rh.Addresses {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil || !ip.Is4() {
			fail("addresses: %q is not an IPv4 address", s)
			continue
		}
		hc.Addresses = append(hc.Addresses, ip)
	}
	if rh.CodePage != "" {
		if _, cp, err := textenc.CodePage(rh.CodePage); err != nil {
			fail("%v", err)
		} else {
			hc.CodePage = cp
		}
	}
	return hc, errs
}

// decodeStrict decodes node into v, refusing unknown keys.
func decodeStrict(node *yaml.Node, v any) error {
	out, err := yaml.Marshal(node)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(out))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, e := range te.Errors {
			errs = append(errs, &model.ParseError{File: file, Err: errors.New(e)})
		}
		return errors.Join(errs...)
	}
	return &model.ParseError{File: file, Err: err}
}

// lineOf returns the line of a top-level key, or 0.
func lineOf(doc *yaml.Node, key string) int {
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}
