package netsh

import (
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// setStore runs `set store location=local|persistent|domain`: the
// commands after it act on that store.
func setStore(x *call) {
	l, ok := x.p.get("location")
	if !ok {
		return
	}
	// The constants, not the text: a piece of the line would keep all of
	// it alive as long as the store.
	stores := map[string]model.Store{"local": model.StoreLocal, "persistent": model.StorePersistent, "domain": model.StoreDomain}
	switch v := strings.ToLower(l.value); v {
	case "local", "persistent", "domain":
		x.st.b.switchStore(stores[v], x.loc(l.off))
	default:
		x.errorf(l.off, "set store: location %q is not local, persistent or domain", l.value)
	}
}

// deleteAll runs `delete all`: every policy, filter list and filter action
// of the store.
func deleteAll(x *call) {
	s := x.store()
	s.Policies = s.Policies[:0]
	s.FilterLists = s.FilterLists[:0]
	s.FilterActions = s.FilterActions[:0]
}
