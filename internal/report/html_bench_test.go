package report_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/ipseclint/ipseclint/internal/fleetgen"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/rules"
)

// BenchmarkHTML renders the page of a generated fleet (internal/fleetgen,
// seed 1), audited once outside the timed part: the cost of the HTML
// format itself, and the page's size per host.
//
//	go test ./internal/report -run '^$' -bench HTML -benchtime 3x
func BenchmarkHTML(b *testing.B) {
	for _, hosts := range []int{50, 200} {
		b.Run(fmt.Sprintf("hosts=%d", hosts), func(b *testing.B) {
			dir := b.TempDir()
			if _, err := fleetgen.Write(dir, fleetgen.Options{Hosts: hosts, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			a := runAudit(b, dir, rules.All())
			var n countWriter
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				n = 0
				if err := (report.HTML{}).Print(&n, a); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/float64(hosts), "bytes/host")
		})
	}
}

// countWriter counts what is written to it.
type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
