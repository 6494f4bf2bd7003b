package detect

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The heads below are generated here, in the shapes the audit meets: a
// regedit export as Windows writes it (UTF-16LE with BOM, CRLF), a netsh
// dump (`netsh ipsec static dump`, ASCII, CRLF), an English show all
// listing, and a binary file that is no hive. Each is HeadSize bytes, as
// the audit reads them.

// fill repeats the text made by line(i) for i = 0, 1, ... until it is at
// least n bytes long.
func fill(n int, line func(i int) string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(line(i))
	}
	return b.String()
}

func regHead() []byte {
	text := "Windows Registry Editor Version 5.00\r\n\r\n" + fill(HeadSize, func(i int) string {
		return fmt.Sprintf("[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\Svc%d]\r\n\"Start\"=dword:00000002\r\n\"ImagePath\"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,74,00,25,00\r\n\"DisplayName\"=\"Service %d\"\r\n\r\n", i, i)
	})
	return []byte(("\xff\xfe" + utf16(text))[:HeadSize])
}

func dumpHead() []byte {
	text := "# ---------------------------------\r\n# IPSec Configuration\r\n# ---------------------------------\r\npushd ipsec static\r\nSet Store location=local\r\n" +
		"add policy name=\"FE to BE\" description=\"\" mmpfs=no qmpermm=0 mmlifetime=480min activatedefaultrule=yes pollinginterval=180min assign=yes mmsecmethods=\"3DES-SHA1-2\"\r\n" +
		fill(HeadSize, func(i int) string {
			return fmt.Sprintf("add filter filterlist=\"Mail\" srcaddr=me dstaddr=10.0.%d.%d description=\"back-end %d\" protocol=TCP mirrored=yes srcmask=255.255.255.255 dstmask=255.255.255.255 srcport=0 dstport=110\r\n", i/250, i%250, i)
		})
	return []byte(text[:HeadSize])
}

func showAllHead() []byte {
	text := "\r\nPolicy Name            : FE to BE POP3-IMAP4\r\nDescription            : NONE\r\nStore                  : Local Store <EXFE01>\r\nLast Modified          : 25/11/2026 10:00:00\r\nAssigned               : YES\r\n\r\nFilterList Name        : Mail\r\nDescription            : NONE\r\nNo. of Filters         : 200\r\nFilter(s)\r\n---------\r\n" +
		fill(HeadSize, func(i int) string {
			return fmt.Sprintf("Description            : back-end %d\r\nMirrored               : YES\r\nSource IP Address      : <My IP Address>\r\nSource Mask            : 255.255.255.255\r\nSource DNS Name        : <My IP Address>\r\nDestination IP Address : 10.0.0.%d\r\nDestination Mask       : 255.255.255.255\r\nDestination DNS Name   : NONE\r\nProtocol               : TCP\r\nSource Port            : ANY\r\nDestination Port       : 110\r\n\r\n", i, i%250)
		})
	return []byte(text[:HeadSize])
}

func binaryHead() []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, HeadSize)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	copy(b, "MZ\x90\x00")
	return b
}

func BenchmarkSniff(b *testing.B) {
	for _, c := range []struct {
		name string
		head []byte
	}{
		{"reg-utf16", regHead()},
		{"netsh-dump", dumpHead()},
		{"show-all", showAllHead()},
		{"binary", binaryHead()},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.head)))
			b.ReportAllocs()
			for b.Loop() {
				Sniff(c.head, "")
			}
		})
	}
}

// TestBenchmarkHeads checks that the benchmark measures what it says.
func TestBenchmarkHeads(t *testing.T) {
	for _, c := range []struct {
		head []byte
		want string
	}{
		{regHead(), "Windows Registry Editor Version 5.00"},
		{dumpHead(), "netsh ipsec script"},
		{showAllHead(), "netsh ipsec static show all listing"},
		{binaryHead(), "binary file of unknown format"},
	} {
		if got := Sniff(c.head, ""); got.Detail != c.want || len(c.head) != HeadSize {
			t.Errorf("head of %d bytes: %s %q, want %q", len(c.head), got.Kind, got.Detail, c.want)
		}
	}
}
