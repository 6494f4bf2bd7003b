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
	"strings"
	"sync"
)

// ChunkBytes is the size of a chunk.
const ChunkBytes = 64 << 10

// Slab hands out slices of T from chunks of ChunkBytes. It is safe for
// concurrent use; the zero Slab is ready to use.
type Slab[T any] struct {
	mu   sync.Mutex
	per  int // elements in a chunk, once known
	free []T
}

// Make returns a slice of n zero elements, of capacity n (nil for 0).
// A request of more than a quarter of a chunk gets memory of its own.
func (s *Slab[T]) Make(n int) []T {
	if n <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.per == 0 {
		s.per = max(1, ChunkBytes/max(1, int(reflect.TypeFor[T]().Size())))
	}
	if n > s.per/4 {
		return make([]T, n)
	}
	if n > len(s.free) {
		s.free = make([]T, s.per)
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

// Copy returns a copy of xs made from s, nil or empty as xs was (outputs
// tell the two apart).
func Copy[S ~[]T, T any](s *Slab[T], xs S) S {
	if len(xs) == 0 {
		return xs
	}
	out := s.Make(len(xs))
	copy(out, xs)
	return out
}

// Strings copies strings into chunks of ChunkBytes: for strings that
// stay, as Slab is for other objects. It is safe for concurrent use; the
// zero Strings is ready to use.
type Strings struct {
	mu sync.Mutex
	b  strings.Builder // the current chunk; only ever appended to
}

// Clone returns a copy of s in a chunk ("" for ""); a string of more
// than a quarter of a chunk gets memory of its own.
func (a *Strings) Clone(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > ChunkBytes/4 {
		return strings.Clone(s)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.put(s)
}

// CloneBytes is Clone of string(b).
func (a *Strings) CloneBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > ChunkBytes/4 {
		return string(b)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.putBytes(b)
}

// room makes sure the current chunk has room for n more bytes, starting
// a new one when it lacks it: a chunk is never grown, so that the
// strings made from it stay where they are.
func (a *Strings) room(n int) {
	if a.b.Cap()-a.b.Len() < n {
		a.b = strings.Builder{}
		a.b.Grow(ChunkBytes)
	}
}

// put appends s to the current chunk and returns it from there: a
// strings.Builder's String is its bytes, which later writes append to
// and never change.
func (a *Strings) put(s string) string {
	a.room(len(s))
	start := a.b.Len()
	a.b.WriteString(s)
	return a.b.String()[start:]
}

func (a *Strings) putBytes(b []byte) string {
	a.room(len(b))
	start := a.b.Len()
	a.b.Write(b)
	return a.b.String()[start:]
}
