package fleetconfig

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/model"
)

// accepted reads the accepted: list. An entry with a mistake is left out
// (a finding it was meant for is then reported, not suppressed), and so is
// an entry with the rule, host and subject of an earlier one.
func (p *parser) accepted(n *yaml.Node, cfg *model.FleetConfig) {
	items, _ := p.list("accepted", "a list of entries, such as - {rule: IPSEC001, host: EXFE01, reason: …}", n)
	type identity struct{ rule, host, subject string }
	first := map[identity]int{}
	for i, item := range items {
		path := index("accepted", i)
		a, ok := p.acceptedEntry(path, item)
		if !ok {
			continue
		}
		a.Index = i
		id := identity{strings.ToUpper(a.Rule.Ref), strings.ToUpper(a.Host), a.Subject}
		if line, dup := first[id]; dup {
			p.fail(item, path, "accepts the same rule, host and subject as the entry on line %d; the first applies", line)
			continue
		}
		first[id] = int(a.Loc.Line)
		cfg.Accepted = append(cfg.Accepted, a)
	}
}

func (p *parser) acceptedEntry(path string, item *yaml.Node) (model.AcceptedRisk, bool) {
	a := model.AcceptedRisk{Loc: p.loc(resolve(item))}
	before := p.mistakes
	have := map[string]bool{}
	if r := resolve(item); r == nil || isNull(r) {
		p.fail(item, path, "is empty: give rule, host and reason")
		return a, false
	}
	if !p.mapping(path, "a mapping with rule, host and reason", item, p.acceptedFields(path, &a, have), nil) {
		return a, false
	}
	if p.mistakes > before {
		return a, false
	}
	for _, req := range []struct{ key, why string }{
		{"rule", "the rule's ID or name, such as IPSEC001"},
		{"host", `the host's ComputerName or folder name, or "*" for every host`},
		{"reason", "why the risk is accepted"},
	} {
		if !have[req.key] {
			p.fail(item, path, "%s is missing: %s", req.key, req.why)
		}
	}
	if r := strings.TrimSpace(a.Reason); have["reason"] && (r == "" || strings.EqualFold(r, "TODO")) {
		// --write-accepted writes TODO for a person to replace: an entry
		// merged unreviewed must not silence its finding.
		p.fail(item, path, "reason is %q: write why the risk is accepted (ipseclint audit --write-accepted writes TODO for review); until then the entry does not apply", a.Reason)
	}
	return a, p.mistakes == before
}

// acceptedFields reads an entry's keys into a, noting in have which were
// given.
func (p *parser) acceptedFields(path string, a *model.AcceptedRisk, have map[string]bool) []field {
	text := func(key string, dst *string) field {
		return field{key, func(e entry) {
			if s, ok := p.text(join(path, key), e.raw); ok {
				*dst, have[key] = s, true
			}
		}}
	}
	return []field{
		{"rule", func(e entry) {
			if s, ok := p.text(join(path, "rule"), e.raw); ok {
				a.Rule, have["rule"] = model.RuleRef{Ref: s, Loc: p.loc(e.value)}, true
			}
		}},
		text("host", &a.Host),
		text("subject", &a.Subject),
		text("reason", &a.Reason),
		{"expires", func(e entry) {
			if s, ok := p.date(join(path, "expires"), e.raw); ok {
				a.Expires, have["expires"] = s, true
			}
		}},
		text("ticket", &a.Ticket),
	}
}
