package regfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ipseclint/ipseclint/internal/fleetgen"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

// The benchmarks read an export generated on the fly (never committed):
// regtest.GenerateExport, shaped like a server's whole HKLM in regedit's
// UTF-16LE. IPSECLINT_BENCH_MB sets its size (default 200 MB).
var (
	benchOnce  sync.Once
	benchDir   string
	benchFiles = map[int64]string{}
	benchMu    sync.Mutex
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchExport returns the path of a generated export of about size bytes.
func benchExport(b *testing.B, size int64) string {
	b.Helper()
	benchOnce.Do(func() {
		var err error
		if benchDir, err = os.MkdirTemp("", "regfile-bench-"); err != nil {
			b.Fatal(err)
		}
	})
	benchMu.Lock()
	defer benchMu.Unlock()
	if p, ok := benchFiles[size]; ok {
		return p
	}
	p := filepath.Join(benchDir, "hklm-"+strconv.FormatInt(size, 10)+".reg")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := regtest.GenerateExport(f, size, 1); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	benchFiles[size] = p
	return p
}

func benchSize() int64 {
	if mb, err := strconv.ParseFloat(os.Getenv("IPSECLINT_BENCH_MB"), 64); err == nil && mb > 0 {
		return int64(mb * 1e6)
	}
	return 200e6
}

func runParseBench(b *testing.B, size int64, filter *model.KeyFilter) {
	path := benchExport(b, size)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		if res, err = ParseFile(path, Options{Filter: filter}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if len(res.Errors) > 0 || res.KeysKept == 0 {
		b.Fatalf("%d errors (first %v), %d keys kept", len(res.Errors), res.Errors, res.KeysKept)
	}
	b.ReportMetric(float64(res.KeysSeen), "keys-read")
	b.ReportMetric(float64(res.KeysKept), "keys-kept")
}

// BenchmarkParseHKLMExport reads a 200 MB UTF-16LE HKLM export keeping
// the keys the audit reads (model.FactKeys), as `ipseclint audit` does.
func BenchmarkParseHKLMExport(b *testing.B) {
	runParseBench(b, benchSize(), model.NewKeyFilter(model.FactKeys()...))
}

// BenchmarkParseHKLMExportKeepAll reads a tenth of that size keeping every
// key: the cost of building the whole tree.
func BenchmarkParseHKLMExportKeepAll(b *testing.B) {
	runParseBench(b, benchSize()/10, nil)
}

// BenchmarkParseFleetExports reads the .reg exports of 200 generated
// hosts (internal/fleetgen: about 1,000 files of 10 to 25 KB, UTF-16LE)
// keeping the keys the audit reads: the per-file costs a fleet audit
// pays 20,000 times at 10,000 hosts.
func BenchmarkParseFleetExports(b *testing.B) {
	files, err := fleetgen.Sample(fleetgen.Options{Hosts: 200, Seed: 1}, func(name string) bool { return strings.HasSuffix(name, ".reg") })
	if err != nil {
		b.Fatal(err)
	}
	filter := model.NewKeyFilter(model.FactKeys()...)
	b.SetBytes(fleetgen.SampleSize(files))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			res, err := Parse(bytes.NewReader(f.Data), f.Path, Options{Filter: filter})
			if err != nil || len(res.Errors) > 0 {
				b.Fatal(f.Path, err, res.Errors)
			}
		}
	}
	b.ReportMetric(float64(len(files)), "files")
}
