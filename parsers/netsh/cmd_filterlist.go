package netsh

import (
	"github.com/ipseclint/ipseclint/internal/model"
)

// addFilterList runs `add filterlist`.
func addFilterList(x *call) {
	name, ok := x.newName("filter list", x.store().FilterList(x.p.val("name").value) != nil)
	if !ok {
		return
	}
	l := x.st.b.newFilterList(name, x.here())
	if d, ok := x.p.get("description"); ok {
		l.Description = d.value
	}
}

// setFilterList runs `set filterlist`.
func setFilterList(x *call) {
	s := x.store()
	l := lookup(x, "filter list", s.FilterList, func(l *model.FilterList) string { return l.GUID }, s.FilterLists)
	if l == nil {
		return
	}
	if nn, ok := x.p.get("newname"); ok {
		renameRefs(s, func(r *model.Rule) *string { return &r.FilterListName }, l.Name, nn.value)
		l.Name = nn.value
	}
	if d, ok := x.p.get("description"); ok {
		l.Description = d.value
	}
}

// deleteFilterList runs `delete filterlist`.
func deleteFilterList(x *call) {
	s := x.store()
	x.deleteNamed(func(name string) {
		if l := s.FilterList(name); l != nil {
			s.FilterLists = without(s.FilterLists, l)
		}
	}, func() { s.FilterLists = s.FilterLists[:0] })
}

// addFilter runs `add filter`; the filter list is made when missing (as
// netsh does).
func addFilter(x *call) {
	listName, ok := x.required("filterlist")
	if !ok {
		return
	}
	f, ok := filterFrom(x)
	if !ok {
		return
	}
	if d, ok := x.p.get("description"); ok {
		f.Description = d.value
	}
	l := x.st.b.filterList(listName)
	if l == nil {
		l = x.st.b.newFilterList(listName, f.Loc)
	}
	x.st.b.made(1)
	l.Filters = append(l.Filters, f)
}

// deleteFilter removes the filters of a list that match every given field.
func deleteFilter(x *call) {
	listName, ok := x.required("filterlist")
	if !ok {
		return
	}
	want, ok := filterFrom(x)
	if !ok || len(want.Doubts) > 0 { // netsh refuses the command: nothing is deleted
		return
	}
	l := x.store().FilterList(listName)
	if l == nil {
		return
	}
	p := x.p
	keep := l.Filters[:0]
	for _, f := range l.Filters {
		same := f.Src == want.Src && f.Dst == want.Dst &&
			(!p.has("protocol") || f.Protocol == want.Protocol) &&
			(!p.has("srcport") || f.SrcPort == want.SrcPort) &&
			(!p.has("dstport") || f.DstPort == want.DstPort) &&
			(!p.has("mirrored") || f.Mirrored == want.Mirrored)
		if !same {
			keep = append(keep, f)
		}
	}
	l.Filters = keep
}

// filterFrom builds a filter from the parameters of add/delete filter,
// with netsh's defaults. ok is false when an address is missing. A value
// netsh refuses (and with it the command) leaves the field's default and
// a doubt on it: on the host the filter may be missing.
func filterFrom(x *call) (*model.Filter, bool) {
	f := model.NewFilter(model.FilterSpec{Mirrored: true}, x.here())
	okSrc := filterAddr(x, "srcaddr", "srcmask", "src", f)
	okDst := filterAddr(x, "dstaddr", "dstmask", "dst", f)
	if v, has := x.p.get("protocol"); has {
		n, err := parseProtocol(v.value)
		if err != nil {
			x.refuse(v, "protocol", err, &f.Doubts, "protocol")
		}
		f.Protocol = n
	}
	filterPort(x, f, "srcport", &f.SrcPort)
	filterPort(x, f, "dstport", &f.DstPort)
	x.setBool("mirrored", &f.Mirrored, &f.Doubts, "mirrored")
	return f, okSrc && okDst
}

// filterAddr reads one side's address and mask into f's field (src or
// dst); ok is false when the address is missing.
func filterAddr(x *call, addrTag, maskTag, field string, f *model.Filter) bool {
	dst := &f.Src
	if field == "dst" {
		dst = &f.Dst
	}
	v, has := x.p.get(addrTag)
	if !has {
		x.errorf(x.at, "%s: %s is required", x.name, addrTag)
		return false
	}
	a, err := parseAddr(v.value)
	if err != nil {
		x.refuse(v, addrTag, err, &f.Doubts, field)
		*dst = model.Address{Kind: model.AddrUnknown, Name: "refused by netsh"}
		return true
	}
	bits := 32
	if m, has := x.p.get(maskTag); has {
		if bits, err = parseMask(m.value); err != nil {
			x.refuse(m, maskTag, err, &f.Doubts, field)
			bits = 32
		}
	}
	*dst = withMask(a, bits)
	return true
}

// filterPort reads a port of f (its protocol already read).
func filterPort(x *call, f *model.Filter, tag string, dst *uint16) {
	v, has := x.p.get(tag)
	if !has {
		return
	}
	n, err := parsePort(v.value)
	if err != nil {
		x.refuse(v, tag, err, &f.Doubts, tag)
	}
	*dst = n
	if n != 0 && f.Protocol != 6 && f.Protocol != 17 && x.p.has("protocol") {
		x.warnf(v.off, "%s: a port only applies to TCP and UDP filters", tag)
	}
}
