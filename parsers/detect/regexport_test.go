package detect

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// TestRegExportFromTheStart: telling a .reg export from the start of its
// head gives what classifying all of the head gives, for exports in
// every encoding, with comments and blank lines before the header,
// headers cut by the start's end, BOM-less UTF-16, and text that is not
// an export.
func TestRegExportFromTheStart(t *testing.T) {
	bodies := [][]byte{
		[]byte("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM]\r\n\"A\"=dword:00000001\r\n"),
		[]byte("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Caf\xe9]\r\n@=\"\xe9\"\r\n"),
		[]byte("; a comment\n\n   \nWindows Registry Editor Version 5.00\n[HKEY_LOCAL_MACHINE\\SYSTEM]\n"),
		[]byte("Windows Registry Editor Version 5.0\r\n"),
		[]byte("pushd ipsec static\r\nadd policy name=P\r\n"),
		[]byte("\x82\xa0\x82\xa2 REGEDIT4\r\n"),
	}
	rng := rand.New(rand.NewPCG(5, 8))
	var heads [][]byte
	pads := []int{0, 1, regPrefix + 10}
	for k := range 45 { // a header cut by the start's end, in 8-bit text and in UTF-16
		pads = append(pads, regPrefix-1-k, regPrefix/2-2-k)
	}
	for _, b := range bodies {
		for _, pad := range pads {
			text := append(bytes.Repeat([]byte(";"), pad), '\n')
			if pad == 0 {
				text = nil
			}
			text = append(text, b...)
			for len(text) < HeadSize {
				text = append(text, "\"Value\"=hex:00,01,02\r\n"...)
			}
			heads = append(heads, text[:HeadSize], append([]byte{0xef, 0xbb, 0xbf}, text...)[:HeadSize],
				append([]byte{0xff, 0xfe}, utf16(string(text))...)[:HeadSize], []byte(utf16(string(text)))[:HeadSize])
		}
	}
	samples, _ := filepath.Glob(filepath.Join(testutil.SamplesDir(t), "reg", "*"))
	for _, p := range samples {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		heads = append(heads, data[:min(len(data), HeadSize)])
	}
	for range 2000 {
		h := append([]byte(nil), heads[rng.IntN(len(heads))]...)
		for range rng.IntN(4) * min(len(h), 1) {
			h[rng.IntN(len(h))] = byte(rng.IntN(256))
		}
		heads = append(heads, h[:rng.IntN(len(h)+1)])
	}
	found := 0
	for i, h := range heads {
		for _, cp := range []string{"", "cp932"} {
			info := textenc.Sniff(h[:min(len(h), encodingHead)], cp)
			got, want := Sniff(h, cp), sniffText(h, info)
			if looksBinary(h, info) || (len(h) >= 4 && string(h[:4]) == "regf") {
				continue
			}
			if got != want {
				t.Fatalf("head %d (%q...) in %q: %+v, from all of it %+v", i, h[:min(len(h), 80)], cp, got, want)
			}
			if _, ok := regExport(h, cp, info); ok {
				found++
			}
		}
	}
	if found < len(heads)/4 {
		t.Errorf("the start settled only %d of %d heads", found, 2*len(heads))
	}
}

// TestRegExportWithNULs: an export whose string data holds NULs (as
// hivexregedit writes them) is an export, not a binary file: the regedit
// header decides, in a head shorter than the start regExport decodes and
// in a longer one.
func TestRegExportWithNULs(t *testing.T) {
	short := []byte("Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\IPSec]\n\"S\"=\"a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00b\"\n")
	long := []byte("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n")
	for len(long) < regPrefix+400 {
		long = append(long, "\"Value\"=\"x\"\r\n"...)
	}
	long = append(long, "\"Nul\"=\""+string(make([]byte, 40))+"\"\r\n"...)
	for name, h := range map[string][]byte{"short": short, "long": long[:min(len(long), HeadSize)]} {
		if info := textenc.Sniff(h[:min(len(h), encodingHead)], ""); !looksBinary(h, info) {
			t.Fatalf("%s: the case proves nothing: its head does not look binary", name)
		}
		if got := Sniff(h, ""); got.Kind != model.KindRegExport {
			t.Errorf("%s export with NULs: %+v, want a .reg export", name, got)
		}
	}
}

// TestRegSamplesAreExports: every real .reg sample is told as an export.
func TestRegSamplesAreExports(t *testing.T) {
	samples, _ := filepath.Glob(filepath.Join(testutil.SamplesDir(t), "reg", "*.reg"))
	if len(samples) == 0 {
		t.Fatal("no .reg samples")
	}
	for _, p := range samples {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := Sniff(data[:min(len(data), HeadSize)], ""); got.Kind != model.KindRegExport {
			t.Errorf("%s: %+v, want a .reg export", filepath.Base(p), got)
		}
	}
}
