package netsh

import (
	"github.com/ipseclint/ipseclint/internal/model"
)

// addFilterAction runs `add filteraction`.
func addFilterAction(x *call) {
	name, ok := x.newName("filter action", x.store().FilterAction(x.p.val("name").value) != nil)
	if !ok {
		return
	}
	actionSettings(x, x.st.b.newFilterAction(name, x.here()))
}

// setFilterAction runs `set filteraction`.
func setFilterAction(x *call) {
	s := x.store()
	a := lookup(x, "filter action", s.FilterAction, func(a *model.FilterAction) string { return a.GUID }, s.FilterActions)
	if a == nil {
		return
	}
	if nn, ok := x.p.get("newname"); ok {
		renameRefs(s, func(r *model.Rule) *string { return &r.FilterActionName }, a.Name, nn.value)
		a.Name = nn.value
	}
	actionSettings(x, a)
}

// deleteFilterAction runs `delete filteraction`.
func deleteFilterAction(x *call) {
	s := x.store()
	x.deleteNamed(func(name string) {
		if a := s.FilterAction(name); a != nil {
			s.FilterActions = without(s.FilterActions, a)
		}
	}, func() { s.FilterActions = s.FilterActions[:0] })
}

func actionSettings(x *call, a *model.FilterAction) {
	if d, ok := x.p.get("description"); ok {
		a.Description = d.value
	}
	x.setBool("qmpfs", &a.QMPFS, &a.Doubts, "qmpfs")
	x.setBool("inpass", &a.InPass, &a.Doubts, "inpass")
	x.setBool("soft", &a.Soft, &a.Doubts, "soft")
	if v, ok := x.p.get("action"); ok {
		k, err := parseAction(v.value)
		if err != nil {
			x.refuse(v, "action", err, &a.Doubts, "action")
		} else {
			a.Action = k
			known(&a.Doubts, "action")
		}
	}
	setMethods(x, "qmsecmethods", &a.Methods, parseQMMethods, &a.Doubts)
}
