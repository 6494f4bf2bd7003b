package regfile

import (
	"sync"

	"github.com/ipseclint/ipseclint/internal/slab"
)

// interned holds one copy of the key paths and value names kept so far,
// shared by all the files a process reads: a fleet's exports name the
// same keys and values thousands of times, and each was a new string.
// Looking a name up allocates nothing; only a name not yet seen is
// copied. The table is bounded (maxInterned names of up to
// maxInternedLen bytes), so that what it holds does not depend on the
// input: past the bound, names are copied for each use as before.
var interned struct {
	sync.RWMutex
	m map[string]string
}

const (
	maxInterned    = 1 << 16
	maxInternedLen = 256
)

// lookupInterned returns the interned copy of b, if there is one.
func lookupInterned(b []byte) (string, bool) {
	if len(b) > maxInternedLen {
		return "", false
	}
	interned.RLock()
	s, ok := interned.m[string(b)]
	interned.RUnlock()
	return s, ok
}

// remember interns s, while the table has room, and returns the table's
// copy of it (s itself when the table takes no more). The table's copies
// stay for the whole process, in chunks of their own (see package slab).
func remember(s string) string {
	if len(s) > maxInternedLen {
		return s
	}
	interned.Lock()
	defer interned.Unlock()
	if interned.m == nil {
		interned.m = make(map[string]string)
	}
	if c, ok := interned.m[s]; ok {
		return c
	}
	if len(interned.m) >= maxInterned {
		return s
	}
	c := internedText.Clone(s)
	interned.m[c] = c
	return c
}

// internedText holds the interned names' text.
var internedText slab.Strings

// intern returns b as a string: the interned copy, else a new one, which
// is interned.
func intern(b []byte) string {
	if s, ok := lookupInterned(b); ok {
		return s
	}
	return remember(string(b))
}
