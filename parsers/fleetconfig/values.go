package fleetconfig

import (
	"net/netip"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// text reads a scalar as the text written (numbers and dates included:
// `ticket: 1234`), trimmed. Empty text, true/false, lists and mappings are
// mistakes.
func (p *parser) text(path string, n *yaml.Node) (string, bool) {
	r := resolve(n)
	if r == nil || r.Kind != yaml.ScalarNode || r.ShortTag() == "!!bool" || isNull(r) {
		p.fail(n, path, "expected text, not %s", describe(r))
		return "", false
	}
	s := strings.TrimSpace(r.Value)
	if s == "" {
		p.fail(n, path, "is empty")
		return "", false
	}
	return s, true
}

// roles maps every spelling of a role, lower case, to the role. Hyphens,
// underscores and spaces are ignored ("front-end" is "frontend").
var roles = map[string]model.Role{
	"frontend": model.RoleFrontEnd, "fe": model.RoleFrontEnd,
	"backend": model.RoleBackEnd, "be": model.RoleBackEnd,
	"other": model.RoleOther, "none": model.RoleOther,
}

var roleSeparators = strings.NewReplacer("-", "", "_", "", " ", "")

func roleKey(s string) string {
	return roleSeparators.Replace(strings.ToLower(strings.TrimSpace(s)))
}

func (p *parser) role(path string, n *yaml.Node) (model.Role, bool) {
	s, ok := p.text(path, n)
	if !ok {
		return model.RoleUnknown, false
	}
	r, ok := roles[roleKey(s)]
	if !ok {
		p.fail(n, path, "unknown role %s: expected frontend, backend or other", quote(s))
	}
	return r, ok
}

// ipv4 reads one IPv4 host address.
func (p *parser) ipv4(path string, n *yaml.Node) (netip.Addr, bool) {
	s, ok := p.text(path, n)
	if !ok {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is4() {
		p.fail(n, path, "%s is not an IPv4 address (such as 10.0.0.21)", quote(s))
		return netip.Addr{}, false
	}
	if ip.IsUnspecified() {
		p.fail(n, path, "0.0.0.0 is not a host's address")
		return netip.Addr{}, false
	}
	return ip, true
}

// ipv4List reads a list of IPv4 addresses; bad items are left out.
func (p *parser) ipv4List(path string, n *yaml.Node) []netip.Addr {
	items, _ := p.list(path, "a list of IPv4 addresses, such as [10.0.0.21]", n)
	var out []netip.Addr
	for i, item := range items {
		if ip, ok := p.ipv4(index(path, i), item); ok {
			out = append(out, ip)
		}
	}
	return out
}

func (p *parser) codePage(path string, n *yaml.Node) (string, bool) {
	s, ok := p.text(path, n)
	if !ok {
		return "", false
	}
	_, cp, err := textenc.CodePage(s)
	if err != nil {
		p.fail(n, path, "%v", err)
		return "", false
	}
	return cp, true
}

// boolean reads true or false (not yes/no: YAML 1.2 reads those as text).
func (p *parser) boolean(path string, n *yaml.Node) (bool, bool) {
	r := resolve(n)
	if r == nil || r.Kind != yaml.ScalarNode || r.ShortTag() != "!!bool" {
		p.fail(n, path, "expected true or false, not %s", describe(r))
		return false, false
	}
	return strings.EqualFold(r.Value, "true"), true
}

// date reads a day written YYYY-MM-DD.
func (p *parser) date(path string, n *yaml.Node) (string, bool) {
	s, ok := p.text(path, n)
	if !ok {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		p.fail(n, path, "%s is not a date: expected YYYY-MM-DD, such as 2027-06-30", quote(s))
		return "", false
	}
	return s, true
}

// oneOf reads one of the words allowed, case-insensitively, in lower case.
func (p *parser) oneOf(path string, n *yaml.Node, allowed ...string) (string, bool) {
	s, ok := p.text(path, n)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return a, true
		}
	}
	p.fail(n, path, "%s: expected %s", quote(s), orList(allowed))
	return "", false
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// format reads FORMAT or FORMAT=FILE.
func (p *parser) format(path string, n *yaml.Node) (model.OutputFormat, bool) {
	s, ok := p.text(path, n)
	if !ok {
		return model.OutputFormat{}, false
	}
	nm, file, hasFile := strings.Cut(s, "=")
	nm, file = strings.ToLower(strings.TrimSpace(nm)), strings.TrimSpace(file)
	switch {
	case !isFormatName(nm):
		p.fail(n, path, "%s is not FORMAT or FORMAT=FILE (such as sarif=ipseclint.sarif)", quote(s))
		return model.OutputFormat{}, false
	case hasFile && file == "":
		p.fail(n, path, "%s names no file after \"=\"", quote(s))
		return model.OutputFormat{}, false
	}
	return model.OutputFormat{Name: nm, File: file, Loc: p.loc(resolve(n))}, true
}

func isFormatName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
