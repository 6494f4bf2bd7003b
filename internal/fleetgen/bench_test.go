package fleetgen_test

// The fleet benchmarks of issue 11: the audit of generated fleets of
// 1,000 and 10,000 hosts, with hosts/s, MB/s, the peak heap, the cores
// kept busy (CPU time / wall time) and the process's peak RSS, beside the
// physical floor (reading every file of the same fleet as `cat >
// /dev/null` does) in the same run:
//
//   - cat-hosts=N reads every file;
//   - hosts=N runs `ipseclint audit --format json -o /dev/null DIR`
//     through cli.Main: reading with the registry cut down once each
//     host's facts are derived, the rules under the memory the reading
//     took, the JSON report.
//
// The 10,000-host cases are skipped under -short; run them with
//
//	go test ./internal/fleetgen -run '^$' -bench 'Fleet' -benchtime 1x -timeout 30m
//
// maxrss-MB is the process's peak so far (getrusage): it is the case's
// own only when the case runs alone, as in
//
//	go test -c -o /tmp/fleetgen.test ./internal/fleetgen
//	/usr/bin/time -v /tmp/fleetgen.test -test.run '^$' -test.bench 'Fleet/hosts=10000$' -test.benchtime 1x
//
// (the fleet is generated in the same process first, which /usr/bin/time
// counts too). Each fleet is generated once per run (seed 1), outside the
// timed part.

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/fleetgen"
)

// benchFleet is a fleet written for the benchmarks.
type benchFleet struct {
	dir   string
	stats fleetgen.Stats
}

func BenchmarkFleet(b *testing.B) {
	root := b.TempDir()
	fleets := map[int]*benchFleet{}
	get := func(b *testing.B, hosts int) *benchFleet {
		b.Helper()
		if f := fleets[hosts]; f != nil {
			return f
		}
		dir := filepath.Join(root, fmt.Sprintf("hosts=%d", hosts))
		st, err := fleetgen.Write(dir, fleetgen.Options{Hosts: hosts, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		fleets[hosts] = &benchFleet{dir: dir, stats: st}
		return fleets[hosts]
	}
	for _, hosts := range []int{1000, 10000} {
		skip := func(b *testing.B) {
			if hosts >= 10000 && testing.Short() {
				b.Skip("10,000 hosts: not under -short")
			}
		}
		b.Run(fmt.Sprintf("cat-hosts=%d", hosts), func(b *testing.B) {
			skip(b)
			benchCat(b, get(b, hosts))
		})
		b.Run(fmt.Sprintf("hosts=%d", hosts), func(b *testing.B) {
			skip(b)
			benchAudit(b, get(b, hosts), auditCLI)
		})
	}
}

// auditCLI runs `ipseclint audit --format json -o /dev/null DIR`.
func auditCLI(b *testing.B, dir string) {
	code := cli.Main([]string{"audit", "--format", "json", "-o", os.DevNull, dir}, io.Discard, io.Discard)
	if code != cli.ExitOK && code != cli.ExitFindings {
		b.Fatalf("audit of %s: exit code %d", dir, code)
	}
}

// benchAudit times run on the fleet.
func benchAudit(b *testing.B, f *benchFleet, run func(*testing.B, string)) {
	b.SetBytes(f.stats.Bytes)
	runtime.GC()
	// Sampling every 2 ms halved the audit's throughput; 10 ms costs
	// little and still sees the heap between collections.
	peak := startPeakHeap(10 * time.Millisecond)
	cpu0 := cpuTime()
	for b.Loop() {
		run(b, f.dir)
	}
	cpu := cpuTime() - cpu0
	heap := peak.stop()
	b.ReportMetric(float64(f.stats.Hosts)*float64(b.N)/b.Elapsed().Seconds(), "hosts/s")
	b.ReportMetric(float64(heap)/1e6, "peak-heap-MB")
	b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "cores")
	if rss := maxRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/1e6, "maxrss-MB")
	}
}

// benchCat reads every file of the fleet to the end, as `cat` does: the
// floor below which no audit of these files can go.
func benchCat(b *testing.B, f *benchFleet) {
	b.SetBytes(f.stats.Bytes)
	buf := make([]byte, 128<<10)
	cpu0 := cpuTime()
	for b.Loop() {
		n, err := readTree(f.dir, buf)
		if err != nil {
			b.Fatal(err)
		}
		if n != f.stats.Bytes {
			b.Fatalf("read %d bytes of %s, %d were written", n, f.dir, f.stats.Bytes)
		}
	}
	b.ReportMetric(float64(f.stats.Hosts)*float64(b.N)/b.Elapsed().Seconds(), "hosts/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/b.Elapsed().Seconds(), "cores")
}

// readTree reads every regular file under dir into buf, one read after
// another, and returns the bytes read.
func readTree(dir string, buf []byte) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		defer fh.Close()
		for {
			n, err := fh.Read(buf)
			total += int64(n)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
	return total, err
}

// heapCeiling stops a run whose heap passes it, with a message, before the
// machine runs out of memory and the kernel kills whatever it picks: the
// build measured when these benchmarks were written needs far more than
// the 23 GB of this project's machine for 10,000 hosts (issue 11's
// target is a peak RSS under 300 MB).
const heapCeiling = 8 << 30

// peakHeap samples the live and not yet collected heap objects every few
// milliseconds and keeps the largest value; past heapCeiling it panics.
type peakHeap struct {
	done chan struct{}
	max  chan uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func startPeakHeap(every time.Duration) *peakHeap {
	p := &peakHeap{done: make(chan struct{}), max: make(chan uint64)}
	go func() {
		sample := []metrics.Sample{{Name: heapMetric}}
		var peak uint64
		read := func() {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			if peak > heapCeiling {
				panic(fmt.Sprintf("fleet benchmark: the heap reached %d MB, past the %d MB ceiling; stopped before the machine runs out of memory",
					peak>>20, heapCeiling>>20))
			}
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			read()
			select {
			case <-tick.C:
			case <-p.done:
				read()
				p.max <- peak
				return
			}
		}
	}()
	return p
}

func (p *peakHeap) stop() uint64 {
	close(p.done)
	return <-p.max
}
