package netsh

import (
	"slices"
	"strings"
	"sync"

	"github.com/ipseclint/ipseclint/internal/model"
)

// A fleet's policies offer the same few lists of security methods
// ("3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1 DES-MD5-1", Windows' default
// actions' "ESP[3DES,SHA1] ESP[3DES,MD5] ...") on every host, several
// times each. A methodCache parses each text once and hands out the same
// list every time it is met again, in every file parsed: a 10,000-host
// audit holds a handful of lists, not tens of thousands.
//
// A list handed out is read-only: nothing in the model writes a parsed
// method in place (a parameter set again is parsed again and replaces the
// list), and its capacity is its length, so that an append copies it.
// Its strings are copies, never pieces of an input line. So is every
// method string of a netsh store, cached or not (ipsecpol's methods are
// parsed one by one from copies): internal/audit leaves a netsh store's
// methods as they are when it detaches the rest from the input.
type methodCache[M any] struct {
	mu    sync.Mutex
	lists map[string][]M
}

// Bounds on the cache, so that a hostile file cannot make it grow: only
// texts of a real length are kept, and only so many of them (the rest
// are parsed every time, as without the cache).
const (
	maxCachedMethodText  = 512
	maxCachedMethodLists = 4096
)

var (
	qmMethods = &methodCache[model.QMMethod]{lists: map[string][]model.QMMethod{}}
	mmMethods = &methodCache[model.MMMethod]{lists: map[string][]model.MMMethod{}}
)

// parse returns read(s), from the cache when s was parsed before. A text
// that read rejects is not kept.
func (c *methodCache[M]) parse(s string, read func(string) ([]M, error)) ([]M, error) {
	c.mu.Lock()
	list, ok := c.lists[s]
	c.mu.Unlock()
	if ok {
		return list, nil
	}
	s = strings.Clone(s)
	list, err := read(s)
	if err != nil {
		return list, err
	}
	list = slices.Clip(list)
	if len(s) <= maxCachedMethodText {
		c.mu.Lock()
		if len(c.lists) < maxCachedMethodLists {
			c.lists[s] = list
		}
		c.mu.Unlock()
	}
	return list, nil
}
