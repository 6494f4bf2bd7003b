package netsh

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/ipseclint/ipseclint/internal/model"
)

// TestMethodListsShared: a text met again gets the list parsed the first
// time, whose capacity is its length (an append copies it) and whose
// strings are not pieces of the line it was read from.
func TestMethodListsShared(t *testing.T) {
	line := `add policy name="p" mmsecmethods="3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1"`
	text := line[len(line)-len(`3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1"`) : len(line)-1]
	a, err := parseMMMethods(text)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseMMMethods(string([]byte(text)))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 3 || &a[0] != &b[0] || cap(a) != len(a) {
		t.Fatalf("lists not shared: %d methods, cap %d, same array %v", len(a), cap(a), &a[0] == &b[0])
	}
	start, end := uintptr(unsafe.Pointer(unsafe.StringData(line))), uintptr(unsafe.Pointer(unsafe.StringData(line)))+uintptr(len(line))
	for _, m := range a {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(m.Text))); p >= start && p < end {
			t.Errorf("method %q is a piece of the input line", m.Text)
		}
	}
	a = append(a, model.MMMethod{Text: "x"})
	if &a[0] == &b[0] {
		t.Error("an append wrote into the shared list")
	}
}

// TestMethodCacheBounded: texts the parser rejects, texts too long and
// texts past the cache's size are parsed, not kept.
func TestMethodCacheBounded(t *testing.T) {
	c := &methodCache[model.QMMethod]{lists: map[string][]model.QMMethod{}}
	if _, err := c.parse("ESP[ROT13,SHA1]", readQMMethods); err == nil || len(c.lists) != 0 {
		t.Fatalf("rejected text: err %v, %d lists kept", err, len(c.lists))
	}
	long := ""
	for len(long) <= maxCachedMethodText {
		long += "ESP[3DES,SHA1] "
	}
	if m, err := c.parse(long, readQMMethods); err != nil || len(m) == 0 || len(c.lists) != 0 {
		t.Fatalf("long text: %d methods, err %v, %d lists kept", len(m), err, len(c.lists))
	}
	for i := range maxCachedMethodLists + 10 {
		m, err := c.parse(fmt.Sprintf("ESP[3DES,SHA1]:%dk", 50000+i), readQMMethods)
		if err != nil || len(m) != 1 || m[0].LifetimeKB != 50000+i {
			t.Fatalf("text %d: %+v, %v", i, m, err)
		}
	}
	if len(c.lists) != maxCachedMethodLists {
		t.Errorf("%d lists kept, want the bound %d", len(c.lists), maxCachedMethodLists)
	}
}
