package regfile

import (
	"strings"
	"testing"
)

// TestInternCopies checks that an interned name never points into the
// buffer it was read from (the parser reuses its buffers), and that a
// name past maxInternedLen is copied, not held.
func TestInternCopies(t *testing.T) {
	b := []byte("InternCopiesTestName")
	s := intern(b)
	copy(b, "XXXXXXXXXXXXXXXXXXXX")
	if s != "InternCopiesTestName" || intern([]byte("InternCopiesTestName")) != s {
		t.Fatalf("interned name changed with its buffer: %q", s)
	}
	long := []byte(strings.Repeat("n", maxInternedLen+1))
	if got := intern(long); got != string(long) {
		t.Fatalf("long name: %q", got)
	}
	if _, ok := lookupInterned(long); ok {
		t.Fatal("a name longer than maxInternedLen was interned")
	}
}
