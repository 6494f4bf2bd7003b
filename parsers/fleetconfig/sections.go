package fleetconfig

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The keys of each part of the file are the fields below, and nothing
// else: TestSchemaKeys compares them with docs/ipseclint.schema.json.

// isExtension reports whether a top-level key is passed over: "x-…"
// (as in Compose files) and ".…" (as in GitLab CI) hold anchors for
// aliases.
func isExtension(key string) bool {
	return strings.HasPrefix(key, "x-") || strings.HasPrefix(key, ".")
}

// top reads the document's top-level mapping into cfg.
func (p *parser) top(root *yaml.Node, cfg *model.FleetConfig) {
	r := resolve(root)
	if r.Kind != yaml.MappingNode && !isNull(r) {
		p.fail(root, "", "the configuration must be a mapping of keys (hosts:, rules:, accepted: …), not %s", describe(r))
		return
	}
	p.mapping("", "a mapping", root, p.topFields(cfg), isExtension)
}

func (p *parser) topFields(cfg *model.FleetConfig) []field {
	return []field{
		{"hosts", func(e entry) { p.hosts(e.raw, cfg) }},
		{"backends", func(e entry) {
			p.mapping("backends", "a mapping such as {virtual_addresses: [10.0.0.50]}", e.raw, p.backendFields(cfg), nil)
		}},
		{"codepage", func(e entry) {
			if cp, ok := p.codePage("codepage", e.raw); ok {
				cfg.CodePage, cfg.CodePageLoc = cp, p.loc(e.value)
			}
		}},
		{"rules", func(e entry) {
			p.mapping("rules", "a mapping such as {disable: [IPSEC011]}", e.raw, p.rulesFields(&cfg.Rules), nil)
		}},
		{"fail-on", func(e entry) {
			if s, ok := p.oneOf("fail-on", e.raw, "error", "warning", "note", "none"); ok {
				cfg.FailOn = model.Setting[string]{Value: s, Set: true, Loc: p.loc(e.value)}
			}
		}},
		{"fail-on-not-evaluated", func(e entry) {
			if b, ok := p.boolean("fail-on-not-evaluated", e.raw); ok {
				cfg.FailOnNotEvaluated = model.Setting[bool]{Value: b, Set: true, Loc: p.loc(e.value)}
			}
		}},
		{"output", func(e entry) {
			p.mapping("output", "a mapping such as {formats: [table]}", e.raw, p.outputFields(cfg), nil)
		}},
		{"accepted", func(e entry) { p.accepted(e.raw, cfg) }},
	}
}

func (p *parser) backendFields(cfg *model.FleetConfig) []field {
	return []field{
		{"virtual_addresses", func(e entry) {
			cfg.BackendVirtualAddresses = p.ipv4List("backends.virtual_addresses", e.raw)
			cfg.BackendVirtualLoc = p.loc(e.value)
		}},
	}
}

// hosts reads the hosts: mapping. Host names compare case-insensitively:
// two entries for one host are a mistake, and the first applies.
func (p *parser) hosts(n *yaml.Node, cfg *model.FleetConfig) {
	if !p.isMapping("hosts", "a mapping of host names to entries, such as {EXFE01: {role: frontend}}", n) {
		return
	}
	for _, e := range p.entries("hosts", resolve(n)) {
		hostName := strings.TrimSpace(e.key.Value)
		if hostName == "" {
			p.fail(e.key, "hosts", "a host name is empty")
			continue
		}
		key := strings.ToUpper(hostName)
		if first := cfg.Hosts[key]; first != nil {
			p.fail(e.key, "hosts", "%s is the same host as %s on line %d (host names are not case-sensitive); the first entry applies", quote(hostName), quote(first.Name), first.Loc.Line)
			continue
		}
		hc := &model.HostConfig{Name: hostName, Loc: p.loc(e.raw)}
		cfg.Hosts[key] = hc
		p.host(join("hosts", model.QuoteKey(hostName)), e, hc)
	}
}

func (p *parser) host(path string, e entry, hc *model.HostConfig) {
	r := resolve(e.raw)
	if r.Kind == yaml.ScalarNode && !isNull(r) {
		if _, ok := roles[roleKey(r.Value)]; ok {
			p.fail(e.raw, path, "expected a mapping, not %s; did you mean {role: %s}?", describe(r), r.Value)
			return
		}
	}
	p.mapping(path, "a mapping such as {role: frontend}", e.raw, p.hostFields(path, hc), nil)
}

func (p *parser) hostFields(path string, hc *model.HostConfig) []field {
	return []field{
		{"role", func(e entry) {
			if r, ok := p.role(join(path, "role"), e.raw); ok {
				hc.Role, hc.RoleLoc = r, p.loc(e.value)
			}
		}},
		{"addresses", func(e entry) {
			hc.Addresses = p.ipv4List(join(path, "addresses"), e.raw)
			hc.AddressesLoc = p.loc(e.value)
		}},
		{"codepage", func(e entry) {
			if cp, ok := p.codePage(join(path, "codepage"), e.raw); ok {
				hc.CodePage, hc.CodePageLoc = cp, p.loc(e.value)
			}
		}},
		{"cluster_node", func(e entry) {
			if b, ok := p.boolean(join(path, "cluster_node"), e.raw); ok {
				hc.ClusterNode = model.Setting[bool]{Value: b, Set: true, Loc: p.loc(e.value)}
			}
		}},
		{"nlb", func(e entry) { p.nlb(join(path, "nlb"), e, hc) }},
	}
}

func (p *parser) nlb(path string, e entry, hc *model.HostConfig) {
	d := &model.NLBDeclaration{Loc: p.loc(e.value)}
	before := p.mistakes
	if !p.mapping(path, "a mapping such as {cluster_addresses: [10.0.0.100], dedicated_address: 10.0.0.11}", e.raw, p.nlbFields(path, d), nil) {
		if isNull(e.value) {
			p.fail(e.raw, path, "is empty: give cluster_addresses, dedicated_address or both")
		}
		return
	}
	if len(d.ClusterAddresses) == 0 && !d.DedicatedAddress.IsValid() {
		if p.mistakes > before {
			return
		}
		p.fail(e.raw, path, "declares no address: give cluster_addresses, dedicated_address or both")
		return
	}
	hc.NLB = d
}

func (p *parser) nlbFields(path string, d *model.NLBDeclaration) []field {
	return []field{
		{"cluster_addresses", func(e entry) {
			d.ClusterAddresses = p.ipv4List(join(path, "cluster_addresses"), e.raw)
		}},
		{"dedicated_address", func(e entry) {
			if ip, ok := p.ipv4(join(path, "dedicated_address"), e.raw); ok {
				d.DedicatedAddress = ip
			}
		}},
	}
}

func (p *parser) rulesFields(rs *model.RuleSettings) []field {
	return []field{
		{"disable", func(e entry) {
			items, _ := p.list("rules.disable", "a list of rule IDs or names, such as [IPSEC011]", e.raw)
			for i, item := range items {
				if s, ok := p.text(index("rules.disable", i), item); ok {
					rs.Disable = append(rs.Disable, model.RuleRef{Ref: s, Loc: p.loc(resolve(item))})
				}
			}
		}},
		{"severity", func(e entry) {
			if !p.isMapping("rules.severity", "a mapping of rules to severities, such as {IPSEC004: error}", e.raw) {
				return
			}
			for _, s := range p.entries("rules.severity", e.value) {
				sev, ok := p.oneOf(join("rules.severity", model.QuoteKey(s.key.Value)), s.raw, "error", "warning", "note")
				if ok {
					ref := model.RuleRef{Ref: strings.TrimSpace(s.key.Value), Loc: p.loc(s.key)}
					rs.Severity = append(rs.Severity, model.SeverityOverride{Rule: ref, Severity: sev, Loc: p.loc(s.value)})
				}
			}
		}},
	}
}

func (p *parser) outputFields(cfg *model.FleetConfig) []field {
	return []field{
		{"formats", func(e entry) {
			items, ok := p.list("output.formats", "a list of FORMAT or FORMAT=FILE, such as [table, sarif=ipseclint.sarif]", e.raw)
			if ok && len(items) == 0 {
				p.fail(e.raw, "output.formats", "is empty: remove it for the default output (table), or name a format")
				return
			}
			var fs []model.OutputFormat
			for i, item := range items {
				if f, ok := p.format(index("output.formats", i), item); ok && p.distinctOutput(i, item, f, fs) {
					fs = append(fs, f)
				}
			}
			if len(fs) > 0 {
				cfg.Formats = model.Setting[[]model.OutputFormat]{Value: fs, Set: true, Loc: p.loc(e.value)}
			}
		}},
	}
}

// distinctOutput reports whether f writes somewhere no earlier format
// writes: two formats on standard output, or in one file, would mix.
func (p *parser) distinctOutput(i int, n *yaml.Node, f model.OutputFormat, earlier []model.OutputFormat) bool {
	for _, g := range earlier {
		switch {
		case f.File == "" && g.File == "":
			p.fail(n, index("output.formats", i), "%s and %s (line %d) would both write to standard output: give one a file, as in %s=ipseclint.%s", quote(f.Name), quote(g.Name), g.Loc.Line, f.Name, f.Name)
			return false
		case f.File != "" && f.File == g.File:
			p.fail(n, index("output.formats", i), "%s and %s (line %d) would both write to %s", quote(f.Name), quote(g.Name), g.Loc.Line, quote(f.File))
			return false
		}
	}
	return true
}
