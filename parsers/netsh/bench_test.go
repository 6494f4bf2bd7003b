package netsh

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"net/netip"

	"github.com/ipseclint/ipseclint/internal/fleetgen"
	"github.com/ipseclint/ipseclint/internal/model"
)

// bigScript writes a dump-form script with n filters in lists of 100,
// one rule per list.
func bigScript(n int) []byte {
	var b strings.Builder
	b.WriteString("pushd ipsec static\r\nSet Store location=local\r\n")
	b.WriteString(`add policy name="Big" description="" mmpfs=no qmpermm=0 mmlifetime=480min activatedefaultrule=yes pollinginterval=180min assign=yes mmsecmethods="3DES-SHA1-2 3DES-MD5-2"` + "\r\n")
	b.WriteString(`add filteraction name="Enc" qmpfs=no inpass=no soft=no action=negotiate qmsecmethods="ESP[3DES,SHA1]:100000k/3600s ESP[3DES,MD5]:100000k/3600s"` + "\r\n")
	for i := 0; i < n; i++ {
		list := i / 100
		if i%100 == 0 {
			fmt.Fprintf(&b, "add filterlist name=\"List %d\" description=\"generated\"\r\n", list)
			fmt.Fprintf(&b, "add rule name=\"Rule %d\" policy=\"Big\" filterlist=\"List %d\" filteraction=\"Enc\" conntype=all activate=yes kerberos=yes\r\n", list, list)
		}
		fmt.Fprintf(&b, "add filter filterlist=\"List %d\" srcaddr=me dstaddr=10.%d.%d.%d description=\"filter %d\" protocol=TCP mirrored=yes srcmask=255.255.255.255 dstmask=255.255.255.255 srcport=0 dstport=%d\r\n",
			list, i>>16&255, i>>8&255, i&255, i, 1+i%65000)
	}
	b.WriteString("popd\r\n")
	return []byte(b.String())
}

func BenchmarkParse50000Filters(b *testing.B) {
	data := bigScript(50000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse(data, "big.netsh", Options{})
		if err != nil || len(res.Errors) > 0 {
			b.Fatal(err, res.Errors)
		}
	}
}

// TestParseScalesLinearly: ten times the filters cost about ten times the
// allocations, never a hundred (a quadratic step, such as a list searched
// per filter, shows in them). Allocations, not time: a timed test fails on
// a loaded machine; BenchmarkParse50000Filters measures the time.
func TestParseScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	allocs := func(n int) float64 {
		data := bigScript(n)
		res, err := Parse(data, "big.netsh", Options{})
		if err != nil || len(res.Errors) > 0 {
			t.Fatal(err, res.Errors)
		}
		filters := 0
		for _, l := range res.Store.FilterLists {
			filters += len(l.Filters)
		}
		if filters != n || len(res.Store.Policies[0].Rules) != n/100+1 {
			t.Fatalf("%d filters, %d rules read of %d", filters, len(res.Store.Policies[0].Rules), n)
		}
		return testing.AllocsPerRun(2, func() { _, _ = Parse(data, "big.netsh", Options{}) })
	}
	small, large := allocs(5000), allocs(50000)
	if large > 15*small {
		t.Errorf("5,000 filters: %.0f allocations; 50,000 filters: %.0f: not linear", small, large)
	}
	t.Logf("allocations: 5,000 filters %.0f, 50,000 filters %.0f (%.1f×)", small, large, large/small)
}

func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata", filepath.Join("..", "..", "..", "shared", "samples", "netsh")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("netsh ipsec static add filter filterlist=\"a srcaddr= dstaddr=me ^\r\n"))
	f.Add([]byte("Policy Name : P\nRule Name : R\nFilterList Name : <Dynamic>\nFilterAction Name : X\n"))
	f.Add([]byte("set store location=persistent\r\nadd policy name=P assign=yes\r\nset store location=local\r\nadd rule name=R policy=P filterlist=L filteraction=A psk=k ey\r\n"))
	f.Add(append([]byte{0xff, 0xfe}, "n\x00e\x00t\x00s\x00h\x00 \x00i\x00p\x00s\x00e\x00c\x00 \x00^\x00\r\x00\n\x00s\x00t\x00a\x00t\x00i\x00c\x00"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, "fuzz", Options{})
		// The same bytes read in small pieces of random size (seeded by
		// the input, so that a failure replays) give the same Result.
		h := fnv.New64a()
		h.Write(data)
		chunks := &chunkReader{data: data, rng: rand.New(rand.NewPCG(h.Sum64(), 1)), max: 1 + int(h.Sum64()%97)}
		res2, err2 := ParseReader(chunks, "fuzz", Options{})
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(res, res2) {
			t.Fatalf("Parse and ParseReader differ:\n%v %.3000s\n%v %.3000s", err, resultJSON(t, res), err2, resultJSON(t, res2))
		}
		if res.Store != res.Stores[0] {
			t.Fatal("Store is not Stores[0]")
		}
		if err != nil {
			return
		}
		for _, e := range res.Errors {
			if e.Line < 0 || e.Column < 0 {
				t.Fatalf("bad position: %v", e)
			}
		}
		for _, s := range res.Stores {
			for _, p := range s.Policies {
				if p.Store != s.Store {
					t.Fatalf("policy %q of the %s store says %s", p.Name, s.Store, p.Store)
				}
				p.Match(matchProbe)
			}
		}
	})
}

var matchProbe = model.Packet{SrcIsMe: true, Dst: netip.MustParseAddr("10.0.0.50"), Protocol: 6, DstPort: 110}

// BenchmarkParseFleetDumps reads the netsh dumps of 200 generated hosts
// (internal/fleetgen: about 170 files of 5 to 20 KB, cp850 or UTF-16LE),
// as the audit does (ParseReader): the per-file costs a fleet audit pays
// 10,000 times at 10,000 hosts.
func BenchmarkParseFleetDumps(b *testing.B) {
	files, err := fleetgen.Sample(fleetgen.Options{Hosts: 200, Seed: 1}, func(name string) bool {
		return strings.HasSuffix(name, ".txt")
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fleetgen.SampleSize(files))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			res, err := ParseReader(bytes.NewReader(f.Data), f.Path, Options{CodePage: "cp850"})
			if err != nil || len(res.Errors) > 0 {
				b.Fatal(f.Path, err, res.Errors)
			}
		}
	}
	b.ReportMetric(float64(len(files)), "files")
}
