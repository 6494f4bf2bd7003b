// Package slab hands out slices of T carved from chunks of many
// elements: memory for objects that stay until the end of a run, made
// among many that do not.
//
// The collector puts small objects of one size together, and a span of
// them goes back to other uses only once every object in it is garbage:
// objects that stay, made one by one among thousands that go, keep most
// of those spans from going back. A chunk is larger than any small
// object (32 KB): it has pages of its own, which hold only what stays.
package slab

import (
	"reflect"
	"sync"
)

// ChunkBytes is the size of a chunk.
const ChunkBytes = 64 << 10

// Slab hands out slices of T from chunks of ChunkBytes. It is safe for
// concurrent use; the zero Slab is ready to use.
type Slab[T any] struct {
	mu   sync.Mutex
	free []T
}

// Make returns a slice of n zero elements, of capacity n (nil for 0).
// A request of more than a quarter of a chunk gets memory of its own.
func (s *Slab[T]) Make(n int) []T {
	if n <= 0 {
		return nil
	}
	per := max(1, ChunkBytes/max(1, int(reflect.TypeFor[T]().Size())))
	if n > per/4 {
		return make([]T, n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > len(s.free) {
		s.free = make([]T, per)
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}
