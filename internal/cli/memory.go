package cli

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// minRulesLimit is the least memory the rules are held to (see
// holdToReading): below it, collecting more often saves nothing worth it.
const minRulesLimit = 64 << 20

// rulesMemory is one run's hold on the rules' memory limit (see
// heldRules); set is false when the run leaves the limit alone.
type rulesMemory struct {
	set bool
}

// heldRules counts the runs whose rules are held to their reading's
// memory: the limit is the process's, so runs in one process (cli.Main
// called from several goroutines) set it when the first starts and lift
// it when the last ends, and the others leave it as it is.
var heldRules struct {
	sync.Mutex
	n    int
	prev int64 // the limit before the first run set it
}

// holdToReading holds the rules, once the files are read, to the memory
// the reading took: it sets the runtime's soft memory limit
// (debug.SetMemoryLimit) to what the process holds now, at least
// minRulesLimit. The collector's own goal (twice the live heap) leaves
// out the memory the reading's garbage left half used, which at 10,000
// hosts is tens of megabytes: with the limit, the rules' garbage is
// collected before the process grows past what the reading needed
// (measured: 320 MB peak RSS without, 275 MB with, for about 3% more
// time). A limit or GOGC the user set is left alone.
func holdToReading(env *environment) rulesMemory {
	if env.getenv("GOMEMLIMIT") != "" || env.getenv("GOGC") != "" {
		return rulesMemory{}
	}
	heldRules.Lock()
	defer heldRules.Unlock()
	heldRules.n++
	if heldRules.n == 1 {
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		metrics.Read(s)
		held := int64(s[0].Value.Uint64()) - int64(s[1].Value.Uint64())
		heldRules.prev = debug.SetMemoryLimit(max(held, minRulesLimit))
	}
	return rulesMemory{set: true}
}

// release collects the rules' garbage, so that the outputs start from
// the fleet and the findings alone, and lifts the limit: the outputs
// need what they need (a SARIF log of 10,000 hosts is larger than the
// fleet), and held to the reading's memory they were a quarter slower.
func (m rulesMemory) release() {
	if !m.set {
		return
	}
	heldRules.Lock()
	defer heldRules.Unlock()
	heldRules.n--
	if heldRules.n == 0 {
		runtime.GC()
		debug.SetMemoryLimit(heldRules.prev)
	}
}
