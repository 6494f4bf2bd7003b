package flows

import (
	"sync/atomic"
	"testing"
)

// TestParallelCallsEachOnce: every index is called once, each worker
// name is within the bound and never used by two calls at once, and one
// worker makes the calls in order.
func TestParallelCallsEachOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 0} {
		const n = 1000
		var calls [n]atomic.Int32
		busy := make([]atomic.Bool, Workers(workers))
		var order []int
		Parallel(n, workers, func(w, i int) {
			if w < 0 || w >= len(busy) {
				t.Errorf("worker %d of %d", w, len(busy))
				return
			}
			if !busy[w].CompareAndSwap(false, true) {
				t.Errorf("worker %d makes two calls at once", w)
			}
			calls[i].Add(1)
			if workers == 1 {
				order = append(order, i)
			}
			busy[w].Store(false)
		})
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Fatalf("%d workers: index %d called %d times", workers, i, c)
			}
		}
		for i, j := range order {
			if i != j {
				t.Fatalf("one worker: call %d was for index %d", i, j)
			}
		}
	}
}

// TestParallelRaisesPanicInCaller: a call's panic stops the pool and is
// raised again in the caller, with its value.
func TestParallelRaisesPanicInCaller(t *testing.T) {
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want boom", p)
		}
	}()
	Parallel(100, 2, func(_, i int) {
		if i == 10 {
			panic("boom")
		}
	})
	t.Error("Parallel returned after a panic")
}
