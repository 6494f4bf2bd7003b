package netsh

import (
	"regexp"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

var (
	netdiagPath = regexp.MustCompile(`(?i)IP Security Policy Path:\s*\S*?(\{[0-9A-F-]{36}\})`)
	netdiagNone = regexp.MustCompile(`(?i)no policy is assigned`)
	// netdiagFilter is a filter of the /debug output, not read.
	netdiagFilter = regexp.MustCompile(`(?i)\bSrc Addr\s*:`)
)

// netdiagReader reads `netdiag /test:ipsec [/debug]` output (Windows
// 2000, XP, 2003). It names the active policy but not its rules: the
// policy is kept with Partial set, so that no rule mistakes "unknown" for
// "empty".
type netdiagReader struct {
	b       *builder
	filters int
}

func (nd *netdiagReader) feed(line int, raw string) {
	b := nd.b
	if strings.HasPrefix(strings.TrimSpace(raw), "#") {
		return
	}
	if scope, name, ok := netdiagActiveLine(raw); ok {
		p := b.store.Policy(name)
		if p == nil {
			p = b.newPolicy(name, b.loc(line, 0))
			p.Partial = true
			p.Rules = p.Rules[:0] // not even the default response rule is known
		}
		if strings.EqualFold(scope, "domain") {
			b.store.Store = model.StoreDomain
		}
		if g := netdiagPath.FindStringSubmatch(raw); g != nil {
			p.GUID = g[1]
		}
		b.assign(p, true, b.loc(line, 0))
	}
	if netdiagNone.MatchString(raw) {
		b.warnAt(line, 0, "netdiag: the IPSec service is running and no policy is assigned")
	}
	if netdiagFilter.MatchString(raw) {
		nd.filters++
	}
}

func (nd *netdiagReader) end() {
	nd.b.warnAt(0, 0, "netdiag /test:ipsec output names the active policy but not its rules: the policy's contents are unknown")
	if nd.filters > 0 {
		nd.b.warnAt(0, 0, "the filters of netdiag /debug output are not read (their layout is not reliable enough)")
	}
}
