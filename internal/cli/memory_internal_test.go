package cli

import (
	"runtime/debug"
	"testing"
)

// TestHoldToReading: the rules run under a memory limit of what the
// process holds (at least minRulesLimit), lifted afterwards; a limit or
// GOGC the user set is left alone.
func TestHoldToReading(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	env := &environment{getenv: func(string) string { return "" }}
	m := holdToReading(env)
	during := debug.SetMemoryLimit(-1)
	m.release()
	after := debug.SetMemoryLimit(-1)
	if !m.set || during < minRulesLimit || during >= before || after != before {
		t.Errorf("limit before %d, during the rules %d, after %d", before, during, after)
	}
	// Runs that overlap in one process: the limit stays until the last
	// ends, then is what it was before the first.
	a, b := holdToReading(env), holdToReading(env)
	first := debug.SetMemoryLimit(-1)
	a.release()
	if still := debug.SetMemoryLimit(-1); still != first {
		t.Errorf("one of two overlapping runs ended: the limit is %d, was %d", still, first)
	}
	b.release()
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("both runs ended: the limit is %d, want %d", after, before)
	}
	for _, name := range []string{"GOMEMLIMIT", "GOGC"} {
		env := &environment{getenv: func(k string) string {
			if k == name {
				return "100"
			}
			return ""
		}}
		m := holdToReading(env)
		if during := debug.SetMemoryLimit(-1); m.set || during != before {
			t.Errorf("with %s set: the limit is %d (was %d)", name, during, before)
		}
		m.release()
	}
}
