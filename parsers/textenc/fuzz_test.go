package textenc

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// FuzzDecode: for any bytes and code page, Decode gives valid UTF-8 (the
// UTF-8 and UTF-16 paths) or the code page's text, never panics, and the
// streaming NewReader, read one byte at a time, gives the same text;
// AppendUTF16LE inverts the UTF-16LE decoder that keeps surrogates.
// Seeds: the CLI test fleet's exports (UTF-16LE, UTF-8, REGEDIT4) and
// the netsh parser's fixtures (UTF-16 with BOM, cp850).
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../../internal/cli/testdata/fleet/*/*.reg", "../../internal/cli/testdata/fleet/*/*.txt", "../netsh/testdata/*.*"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data[:min(len(data), 16<<10)], uint8(len(p)))
			}
		}
	}
	f.Add([]byte("REGEDIT4\r\n\"Name\"=\"caf\xe9\"\r\n"), uint8(0))
	f.Add(bytes.Repeat([]byte("\x93\xfa\x96\x7b\r\n"), 50), uint8(2))
	f.Add([]byte("\xff\xfe\x00\xd8a\x00"), uint8(1))
	pages := []string{"cp1252", "cp850", "cp932", "cp936", ""}
	f.Fuzz(func(t *testing.T, data []byte, page uint8) {
		cp := pages[int(page)%len(pages)]
		out, info := Decode(data, cp)
		switch info.Encoding {
		case UTF8, UTF16LE, UTF16BE:
			if !utf8.Valid(out) {
				t.Fatalf("%s: Decode gave invalid UTF-8", info)
			}
		}
		r, rinfo, err := NewReader(iotest.OneByteReader(bytes.NewReader(data)), cp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if rinfo.Encoding != info.Encoding || rinfo.BOM != info.BOM {
			t.Fatalf("Decode says %s, NewReader %s", info, rinfo)
		}
		if info.Encoding != UTF8 || info.Invalid == 0 { // streamed UTF-8 is not repaired
			if !bytes.Equal(got, out) {
				t.Fatalf("%s: Decode %q, NewReader %q", info, out, got)
			}
		}
		even := data[:len(data)&^1]
		d := UTF16Decoder{KeepSurrogates: true}
		wtf := d.Flush(d.Append(nil, even))
		back, bad := AppendUTF16LE(nil, wtf)
		if bad != 0 || !bytes.Equal(back, even) {
			t.Fatalf("UTF-16LE %x decoded to %q and back to %x (%d bad)", even, wtf, back, bad)
		}
	})
}
