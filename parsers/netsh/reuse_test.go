package netsh

import (
	"encoding/json"
	"testing"

	"github.com/ipseclint/ipseclint/internal/testutil"
)

// TestResultsOutliveTheBuffersReused: the parser reuses its buffers
// (lines, tokens, commands) from file to file; what a result holds must
// not be a piece of them. Every netsh fixture of the repository is
// parsed and its result encoded; once every other one is parsed, the
// first results, encoded again, must not have changed.
func TestResultsOutliveTheBuffersReused(t *testing.T) {
	files := testutil.Fixtures(t, ".", ".txt")
	read := testutil.ResultsOutliveReuse(t, files, func(name string, data []byte) func() string {
		res, err := Parse(data, name, Options{KeepText: true})
		if err != nil {
			return nil // not IPSec text
		}
		return func() string {
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	})
	if read < 50 {
		t.Fatalf("only %d netsh fixtures parsed", read)
	}
}
