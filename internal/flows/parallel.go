package flows

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is how many goroutines a pool of n workers runs: n, or
// GOMAXPROCS when n < 1.
func Workers(n int) int {
	if n < 1 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// Parallel calls fn(w, i) for every i in [0, n), on at most
// Workers(workers) goroutines at once, and returns when every call has
// returned. w, in [0, Workers(workers)), names the goroutine making the
// call, so that fn can use scratch memory of its own per goroutine. fn
// must write only what is its own (the i-th slot of a result, the w-th
// scratch). With one worker (or one call) the calls are made in order in
// the caller's goroutine. A panic in a call is raised again in the
// caller's goroutine once the other goroutines have stopped.
func Parallel(n, workers int, fn func(w, i int)) {
	workers = min(Workers(workers), n)
	if workers <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var (
		next    atomic.Int64
		stop    atomic.Bool
		wg      sync.WaitGroup
		once    sync.Once
		panicky any
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					once.Do(func() { panicky = p })
					stop.Store(true)
				}
			}()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(w, i)
			}
		}()
	}
	wg.Wait()
	if panicky != nil {
		panic(panicky)
	}
}
