package slab

import (
	"strings"
	"sync"
	"testing"
)

// item is an element with a pointer, as most the slabs hold.
type item struct {
	a int64
	p *int
}

// TestMake: slices of the length asked, zeroed, of no more capacity, that
// do not overlap; none for 0; a large request of its own.
func TestMake(t *testing.T) {
	var s Slab[item]
	if got := s.Make(0); got != nil {
		t.Errorf("Make(0) = %v, want nil", got)
	}
	var all [][]item
	for n := 1; n <= 40; n++ {
		got := s.Make(n)
		if len(got) != n || cap(got) != n {
			t.Fatalf("Make(%d): len %d cap %d", n, len(got), cap(got))
		}
		for i := range got {
			if got[i] != (item{}) {
				t.Fatalf("Make(%d)[%d] = %+v, not zero", n, i, got[i])
			}
			got[i].a, got[i].p = int64(n), &n
		}
		all = append(all, got)
	}
	for _, got := range all {
		for _, it := range got {
			if it.a != int64(len(got)) {
				t.Fatalf("a slice of %d holds %d: slices overlap", len(got), it.a)
			}
		}
	}
	per := ChunkBytes / 24
	big := s.Make(per/4 + 1)
	next := s.Make(1)
	if &big[0] == &next[0] || len(big) != per/4+1 {
		t.Errorf("a request of a quarter chunk and more: len %d", len(big))
	}
}

// TestMakeConcurrent: goroutines making slices at once get slices of
// their own.
func TestMakeConcurrent(t *testing.T) {
	var s Slab[int64]
	var wg sync.WaitGroup
	out := make([][][]int64, 8)
	for g := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2000 {
				b := s.Make(3)
				for i := range b {
					b[i] = int64(g)
				}
				out[g] = append(out[g], b)
			}
		}()
	}
	wg.Wait()
	for g, bs := range out {
		for _, b := range bs {
			for _, v := range b {
				if v != int64(g) {
					t.Fatalf("goroutine %d's slices were written by %d", g, v)
				}
			}
		}
	}
}

// TestStrings: copies equal to what was given, which later copies do not
// change, that do not share the caller's bytes; long strings too.
func TestStrings(t *testing.T) {
	var a Strings
	if a.Clone("") != "" || a.CloneBytes(nil) != "" {
		t.Error("the empty string")
	}
	var got, want []string
	for i := range 5000 {
		s := strings.Repeat(string(rune('a'+i%26)), i%97+1)
		b := []byte(s)
		got = append(got, a.Clone(s), a.CloneBytes(b))
		want = append(want, s, s)
		b[0] = '!' // the copy does not share the caller's bytes
	}
	long := strings.Repeat("x", ChunkBytes)
	got, want = append(got, a.Clone(long), a.Clone("after")), append(want, long, "after")
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("copy %d = %.20q…, want %.20q…", i, got[i], want[i])
		}
	}
}

// TestCopy: a copy of its own, of the same length; nil and empty stay
// what they were.
func TestCopy(t *testing.T) {
	var s Slab[int]
	if Copy(&s, []int(nil)) != nil || Copy(&s, []int{}) == nil {
		t.Error("nil or empty not kept as it was")
	}
	src := []int{1, 2, 3}
	got := Copy(&s, src)
	src[0] = 9
	if len(got) != 3 || cap(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Errorf("copy %v (cap %d)", got, cap(got))
	}
}
