package netsh

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"net/netip"

	"github.com/ipseclint/ipseclint/model"
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

// TestParse50000FiltersIsFast guards the benchmark's promise in the
// ordinary test run: a 50,000-filter script reads in well under a second.
func TestParse50000FiltersIsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	data := bigScript(50000)
	start := time.Now()
	res, err := Parse(data, "big.netsh", Options{})
	elapsed := time.Since(start)
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	n := 0
	for _, l := range res.Store.FilterLists {
		n += len(l.Filters)
	}
	if n != 50000 || len(res.Store.Policies[0].Rules) != 501 {
		t.Fatalf("%d filters, %d rules", n, len(res.Store.Policies[0].Rules))
	}
	if elapsed > 2*time.Second { // generous for slow CI machines; typically ~0.2 s
		t.Errorf("50,000 filters took %v", elapsed)
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
