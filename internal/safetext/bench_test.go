package safetext

import (
	"strings"
	"testing"
)

// Typical strings from inputs: a relative file name, a registry path, a
// host name, a finding message.
var benchStrings = []string{
	"EXFE01/HKLM_SYSTEM.reg",
	`HKLM\SYSTEM\CurrentControlSet\Services\IPSEC\Policy\Local`,
	"EXBE01.corp.example.com",
	"the front-end EXFE01 reaches the back-end EXBE01 on TCP 135 without an IPSec filter",
}

func BenchmarkText(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchStrings {
			_ = Text(s)
		}
	}
}

func BenchmarkTextEscaping(b *testing.B) {
	s := "EXFE01\x1b]0;pwned\x07/caf\xe9\n| error | IPSEC999 |"
	b.ReportAllocs()
	for b.Loop() {
		_ = Text(s)
	}
}

func BenchmarkCell(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchStrings {
			_ = Cell(s, 0)
		}
	}
}

func BenchmarkCellLong(b *testing.B) {
	s := strings.Repeat("0a,", 100_000)
	b.ReportAllocs()
	for b.Loop() {
		_ = Cell(s, 0)
	}
}

func BenchmarkWrap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchStrings {
			_ = Wrap(s, 44)
		}
	}
}

func BenchmarkName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchStrings[:1] {
			_ = Name(s)
		}
	}
}
