package netsh

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"net/netip"

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

// TestParseScalesLinearly guards the benchmark's promise in the ordinary
// test run without depending on the machine's speed: reading ten times
// as many filters must take about ten times as long, not a hundred
// (a quadratic lookup would), and 50,000 filters must all be read.
func TestParseScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	timeParse := func(n int) time.Duration {
		data := bigScript(n)
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			res, err := Parse(data, "big.netsh", Options{})
			if d := time.Since(start); d < best {
				best = d
			}
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
		}
		return best
	}
	small, large := timeParse(5000), timeParse(50000)
	if large > 30*small && large > 500*time.Millisecond {
		t.Errorf("5,000 filters: %v; 50,000 filters: %v: not linear", small, large)
	}
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
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, "fuzz", Options{})
		if err != nil {
			return
		}
		for _, e := range res.Errors {
			if e.Line < 0 || e.Column < 0 {
				t.Fatalf("bad position: %v", e)
			}
		}
		for _, p := range res.Store.Policies {
			p.Match(matchProbe)
		}
	})
}

var matchProbe = model.Packet{SrcIsMe: true, Dst: netip.MustParseAddr("10.0.0.50"), Protocol: 6, DstPort: 110}
