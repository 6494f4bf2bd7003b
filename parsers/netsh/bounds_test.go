package netsh

import (
	"fmt"
	"strings"
	"testing"
)

// A file of nothing but mistakes keeps MaxProblems errors and counts the
// rest in a last one, so that a hostile file cannot grow the report
// (100 MB of bad lines took 9 GB and printed a 1.4 GB report).
func TestProblemsAreBounded(t *testing.T) {
	in := "pushd ipsec static\r\n" + strings.Repeat("add bogus thing=1\r\n", MaxProblems+7)
	res, err := Parse([]byte(in), "bad.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != MaxProblems+1 || !strings.Contains(res.Errors[MaxProblems].Error(), "7 more errors not listed") {
		t.Errorf("%d errors, last %v", len(res.Errors), res.Errors[len(res.Errors)-1])
	}
}

// A file that makes more than MaxObjects objects is read up to there:
// the error names the line, and nothing after it is read.
func TestObjectsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("pushd ipsec static\nadd policy name=P assign=yes\nadd filterlist name=L\n")
	for i := 0; i < MaxObjects+10; i++ {
		fmt.Fprintf(&b, "add filter filterlist=L srcaddr=10.%d.%d.%d dstaddr=me protocol=TCP dstport=110\n", i>>16&255, i>>8&255, i&255)
	}
	b.WriteString("add filterlist name=After\n")
	res, err := Parse([]byte(b.String()), "many.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Store.FilterList("L")
	if l == nil || len(l.Filters) > MaxObjects || len(l.Filters) < MaxObjects-10 || res.Store.FilterList("After") != nil {
		t.Fatalf("filters read: %v, list After read: %v", l != nil && len(l.Filters) > 0, res.Store.FilterList("After") != nil)
	}
	last := res.Errors[len(res.Errors)-1]
	if !strings.Contains(last.Error(), "the rest of it is not read") || last.Line != 3+MaxObjects-2 {
		t.Errorf("errors %v", res.Errors)
	}
}
