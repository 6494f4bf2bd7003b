package regfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/testutil"
)

// encodeResult writes everything a result holds, the values' data
// included.
func encodeResult(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%+v|%d|%d|%d\n", r.Header, r.Encoding, r.KeysSeen, r.KeysKept, r.ValuesKept)
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error %+v\n", *e)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning %+v\n", w)
	}
	for _, k := range r.Tree.Keys() {
		fmt.Fprintf(&b, "[%s] %+v\n", k.Path, k.Loc)
		for _, v := range k.Values {
			fmt.Fprintf(&b, "  %q %v %x %+v\n", v.Name, v.Type, v.Data, v.Loc)
		}
	}
	return b.String()
}

// TestResultsOutliveTheBuffersReused: the parser reuses its buffers
// (decoded lines, names, strings, data) from file to file, and shares
// the names it interns; what a result holds must not be a piece of a
// buffer used again. Every .reg fixture of the repository is parsed and
// its result written down; once every other one is parsed, the first
// results, written again, must not have changed.
func TestResultsOutliveTheBuffersReused(t *testing.T) {
	files := testutil.Fixtures(t, ".", ".reg")
	read := testutil.ResultsOutliveReuse(t, files, func(name string, data []byte) func() string {
		res, err := Parse(bytes.NewReader(data), name, Options{})
		if err != nil {
			return nil
		}
		return func() string { return encodeResult(res) }
	})
	if read < 200 {
		t.Fatalf("only %d .reg fixtures parsed", read)
	}
}
