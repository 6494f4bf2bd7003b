package audit

import (
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// release reduces a built host to what the rules read: its registry to
// what keep names (the facts are derived already), and the text
// of its policy objects detached from the lines of the files they were
// read from, so that those lines can go.
func release(h *model.Host, keep *model.Retention) {
	if h.Registry != nil {
		h.Registry.Tree = h.Registry.Tree.Retain(keep)
	}
	for _, s := range h.IPSec {
		detachStore(s)
	}
}

// detachStore copies the strings of a store's objects, which parsers may
// have cut out of much longer lines of input.
func detachStore(s *model.PolicyStore) {
	for _, p := range s.Policies {
		p.Name, p.Description, p.GUID, p.LastModified = c(p.Name), c(p.Description), c(p.GUID), c(p.LastModified)
		for i := range p.MMSecMethods {
			p.MMSecMethods[i].Text = c(p.MMSecMethods[i].Text)
		}
		for _, r := range p.Rules {
			r.Name, r.Description, r.PolicyName, r.GUID = c(r.Name), c(r.Description), c(r.PolicyName), c(r.GUID)
			r.FilterListName, r.FilterActionName, r.TunnelEndpoint = c(r.FilterListName), c(r.FilterActionName), c(r.TunnelEndpoint)
			for i := range r.Auth {
				r.Auth[i].CA = c(r.Auth[i].CA)
			}
		}
	}
	for _, l := range s.FilterLists {
		l.Name, l.Description, l.GUID = c(l.Name), c(l.Description), c(l.GUID)
		for _, f := range l.Filters {
			f.Description, f.GUID = c(f.Description), c(f.GUID)
			f.Src.Name, f.Dst.Name = c(f.Src.Name), c(f.Dst.Name)
		}
	}
	for _, a := range s.FilterActions {
		a.Name, a.Description, a.GUID = c(a.Name), c(a.Description), c(a.GUID)
		for i := range a.Methods {
			a.Methods[i].Text = c(a.Methods[i].Text)
		}
	}
}

// c copies s (an empty string stays the shared empty string).
func c(s string) string { return strings.Clone(s) }
