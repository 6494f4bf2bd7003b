package textenc

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
	"unicode/utf8"
)

// randomUnits returns UTF-16 code units mixing ASCII runs, BMP text,
// surrogate pairs and unpaired surrogates.
func randomUnits(rng *rand.Rand, n int) []uint16 {
	u := make([]uint16, 0, n)
	for len(u) < n {
		switch rng.IntN(10) {
		case 0:
			u = append(u, 0xD800+uint16(rng.IntN(0x400)), 0xDC00+uint16(rng.IntN(0x400))) // pair
		case 1:
			u = append(u, 0xD800+uint16(rng.IntN(0x800))) // unpaired high or low
		case 2:
			u = append(u, uint16(0x80+rng.IntN(0xD800-0x80)))
		case 3:
			u = append(u, uint16(0xE000+rng.IntN(0x2000)))
		default:
			for range rng.IntN(20) {
				u = append(u, uint16(rng.IntN(0x80)))
			}
		}
	}
	return u
}

func unitBytes(u []uint16, be bool) []byte {
	b := make([]byte, 2*len(u))
	for i, c := range u {
		if be {
			binary.BigEndian.PutUint16(b[2*i:], c)
		} else {
			binary.LittleEndian.PutUint16(b[2*i:], c)
		}
	}
	return b
}

// referenceUTF8 decodes units one by one with the standard library:
// unpaired surrogates become U+FFFD, or their 3-byte form when kept.
func referenceUTF8(u []uint16, keep bool) (string, int) {
	var b []byte
	bad := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		if utf16.IsSurrogate(rune(c)) {
			if c < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] < 0xE000 {
				b = utf8.AppendRune(b, utf16.DecodeRune(rune(c), rune(u[i+1])))
				i++
				continue
			}
			if keep {
				b = append(b, 0xE0|byte(c>>12), 0x80|byte(c>>6)&0x3F, 0x80|byte(c)&0x3F)
			} else {
				b = utf8.AppendRune(b, 0xFFFD)
				bad++
			}
			continue
		}
		b = utf8.AppendRune(b, rune(c))
	}
	return string(b), bad
}

func TestUTF16DecoderMatchesReferenceAcrossChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		u := randomUnits(rng, rng.IntN(200))
		be, keep := iter%2 == 1, iter%3 == 0
		src := unitBytes(u, be)
		want, wantBad := referenceUTF8(u, keep)
		d := UTF16Decoder{BigEndian: be, KeepSurrogates: keep}
		var out []byte
		for rest := src; len(rest) > 0; {
			n := 1 + rng.IntN(min(len(rest), 9))
			out = d.Append(out, rest[:n])
			rest = rest[n:]
		}
		out = d.Flush(out)
		if string(out) != want || d.Invalid != wantBad {
			t.Fatalf("iter %d (be=%v keep=%v): got %q (%d invalid), want %q (%d)", iter, be, keep, out, d.Invalid, want, wantBad)
		}
	}
}

func TestDecodeUTF16OddByteAndTrailingHighSurrogate(t *testing.T) {
	out, bad := DecodeUTF16([]byte{'A', 0, 0x3D, 0xD8, 'B'}, false)
	if string(out) != "A\uFFFD\uFFFD" || bad != 2 {
		t.Fatalf("got %q, %d invalid", out, bad)
	}
}

func TestAppendUTF16LEInvertsTheDecoderWithKeptSurrogates(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		u := randomUnits(rng, rng.IntN(100))
		src := unitBytes(u, false)
		d := UTF16Decoder{KeepSurrogates: true}
		text := d.Flush(d.Append(nil, src))
		if !ValidWTF8(text) {
			t.Fatalf("decoder output %q is not generalized UTF-8", text)
		}
		back, bad := AppendUTF16LE(nil, text)
		if !bytes.Equal(back, src) || bad != 0 {
			t.Fatalf("round trip of % x gave % x (%d invalid)", src, back, bad)
		}
		if s := StringFromUTF16LE(src); s != string(text) {
			t.Fatalf("StringFromUTF16LE = %q, decoder gave %q", s, text)
		}
	}
}

func TestCESU8PairsAreJoined(t *testing.T) {
	// U+1F600 as reged writes it: two 3-byte surrogates.
	cesu := []byte{'a', 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, 'b'}
	if !ValidWTF8(cesu) || utf8.Valid(cesu) {
		t.Fatal("CESU-8 must be generalized UTF-8 but not UTF-8")
	}
	if got := NormalizeWTF8(cesu); got != "a😀b" {
		t.Fatalf("NormalizeWTF8 = %q", got)
	}
	u, _ := AppendUTF16LE(nil, cesu)
	if want := unitBytes(utf16.Encode([]rune("a😀b")), false); !bytes.Equal(u, want) {
		t.Fatalf("AppendUTF16LE = % x, want % x", u, want)
	}
	if ValidWTF8([]byte{0xE9, 'x'}) || ValidWTF8([]byte{0xED, 0xA0}) {
		t.Fatal("Latin-1 byte and a cut sequence must not be generalized UTF-8")
	}
}

func TestCodePageDecoder(t *testing.T) {
	cases := []struct {
		cp      string
		in      []byte
		want    string
		invalid int
	}{
		{"cp1252", []byte("caf\xe9 \x80 \x9c"), "café € œ", 0},
		{"", []byte("\x81\x8d"), "\u0081\u008d", 2}, // undefined in cp1252: kept as Windows does, counted
		{"cp850", []byte("\x82"), "é", 0},
		{"cp932", []byte("\x93\xfa\x96\x7b\x95\x5c"), "日本表", 0}, // 表 ends in 0x5C, a backslash in ASCII
		{"shift_jis", []byte("\x81\xffA"), "\uFFFDA", 1},
		{"utf-8", []byte("é\xff"), "é\uFFFD", 1},
	}
	for _, c := range cases {
		d, err := NewCodePageDecoder(c.cp)
		if err != nil {
			t.Fatal(err)
		}
		got, bad := d.Append([]byte("<"), c.in)
		if string(got) != "<"+c.want || bad != c.invalid {
			t.Errorf("%s: %q → %q (%d invalid), want %q (%d)", c.cp, c.in, got, bad, c.want, c.invalid)
		}
	}
	if d, _ := NewCodePageDecoder("cp932"); !d.MultiByte() {
		t.Error("cp932 must be multi-byte")
	}
	if d, _ := NewCodePageDecoder("1252"); d.MultiByte() || d.Name() != "cp1252" {
		t.Errorf("1252: multibyte=%v name=%s", d.MultiByte(), d.Name())
	}
	if _, err := NewCodePageDecoder("cp99999"); err == nil {
		t.Error("unknown code page accepted")
	}
}

func TestDecodeAndNewReaderAgree(t *testing.T) {
	text := "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Ümlaut]\r\n\"日本\"=\"a😀b\"\r\n"
	u16 := utf16.Encode([]rune(text))
	inputs := map[string][]byte{
		"UTF-16LE with BOM": append([]byte{0xFF, 0xFE}, unitBytes(u16, false)...),
		"UTF-16BE with BOM": append([]byte{0xFE, 0xFF}, unitBytes(u16, true)...),
		"UTF-16LE":          unitBytes(u16, false),
		"UTF-8 with BOM":    append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"UTF-8":             []byte(text),
	}
	for want, in := range inputs {
		out, info := Decode(in, "")
		if string(out) != text || info.String() != want || info.Invalid != 0 {
			t.Errorf("Decode %s: %q, info %v", want, out, info)
		}
		r, rinfo, err := NewReader(bytes.NewReader(in), "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil || string(got) != text || rinfo.String() != want {
			t.Errorf("NewReader %s: %q, info %v, err %v", want, got, rinfo, err)
		}
	}
	cp := []byte("REGEDIT4\r\n\"Name\"=\"caf\xe9\"\r\n")
	out, info := Decode(cp, "cp1252")
	if string(out) != "REGEDIT4\r\n\"Name\"=\"café\"\r\n" || info.Encoding != "cp1252" || !info.Assumed {
		t.Errorf("Decode cp1252: %q %+v", out, info)
	}
	r, _, _ := NewReader(bytes.NewReader(cp), "cp1252")
	if got, _ := io.ReadAll(r); !bytes.Equal(got, out) {
		t.Errorf("NewReader cp1252: %q", got)
	}
	sjis := bytes.Repeat([]byte("\x93\xfa\x96\x7b\r\n"), 5000) // 日本, cut anywhere by small reads
	out, info = Decode(sjis, "cp932")
	r, _, _ = NewReader(iotest.OneByteReader(bytes.NewReader(sjis)), "cp932")
	if got, _ := io.ReadAll(r); !bytes.Equal(got, out) || info.Encoding != "cp932" || !strings.HasPrefix(string(out), "日本\r\n日本") {
		t.Errorf("cp932: Decode %q… NewReader %q…", out[:20], got[:min(20, len(got))])
	}
}

func TestSniff(t *testing.T) {
	cases := map[string]string{
		"\xff\xfeW\x00":        "UTF-16LE with BOM",
		"W\x00i\x00n\x00d\x00": "UTF-16LE",
		"\x00W\x00i\x00n\x00d": "UTF-16BE",
		"caf\xc3\xa9":          "UTF-8",
		"caf\xe9 au lait":      "cp1252 (assumed)",
	}
	for in, want := range cases {
		if got := Sniff([]byte(in), "").String(); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", in, got, want)
		}
	}
}

func BenchmarkDecodeUTF16ASCII(b *testing.B) {
	line := utf16.Encode([]rune(`"ThreadingModel"="Apartment"` + "\r\n"))
	var src []byte
	for len(src) < 1<<20 {
		src = append(src, unitBytes(line, false)...)
	}
	d := UTF16Decoder{KeepSurrogates: true}
	dst := make([]byte, 0, len(src))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		dst = d.Append(dst[:0], src)
	}
}

// TestAppendDecodeIsDecode: AppendDecode appends what Decode returns,
// with the same Info, in every encoding (invalid bytes included), and
// uses the room dst has; so does AppendDecodeAs given what Sniff says.
func TestAppendDecodeIsDecode(t *testing.T) {
	text := "REGEDIT4\r\n\"Ümlaut\"=\"a😀b\"\r\n"
	u16 := utf16.Encode([]rune(text))
	for name, in := range map[string][]byte{
		"UTF-16LE with BOM":       append([]byte{0xFF, 0xFE}, unitBytes(u16, false)...),
		"UTF-16BE, odd last byte": append(unitBytes(u16, true), 'x'),
		"UTF-8 with BOM":          append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"UTF-8, bad at the end":   append([]byte(text), 0xFF, 0xFE, 'a'),
		"cp1252":                  []byte("REGEDIT4\r\n\"Name\"=\"caf\xe9\x81\"\r\n"),
		"cp932":                   bytes.Repeat([]byte("\x93\xfa\x96\x7b\r\n"), 50),
		"empty":                   nil,
	} {
		cp := "cp1252"
		if name == "cp932" {
			cp = "cp932"
		}
		want, winfo := Decode(in, cp)
		buf := make([]byte, 3, 4096)
		copy(buf, "pre")
		got, info := AppendDecode(buf, in, cp)
		if string(got) != "pre"+string(want) || info != winfo {
			t.Errorf("%s: AppendDecode %q %+v, Decode %q %+v", name, got, info, want, winfo)
		}
		if len(got) <= cap(buf) && &got[0] != &buf[0] {
			t.Errorf("%s: a new buffer though dst had room", name)
		}
		sniffed := Sniff(in[:min(len(in), 8192)], cp)
		sniffed.Invalid = 7 // what Sniff says is taken, not a count
		if as, info := AppendDecodeAs(nil, in, sniffed); string(as) != string(want) || info != winfo {
			t.Errorf("%s: AppendDecodeAs %q %+v, Decode %q %+v", name, as, info, want, winfo)
		}
		text, info, inPlace := DecodeAs(make([]byte, 0, 4096), in, sniffed)
		if string(text) != string(want) || info != winfo {
			t.Errorf("%s: DecodeAs %q %+v, Decode %q %+v", name, text, info, want, winfo)
		}
		valid := info.Encoding == UTF8 && utf8.Valid(body(in, info))
		if inPlace != valid || (inPlace && len(text) > 0 && &text[len(text)-1] != &in[len(in)-1]) {
			t.Errorf("%s: DecodeAs in place %v, want %v (valid UTF-8 is not copied)", name, inPlace, valid)
		}
	}
}

// TestFastPathsMatchTheirDefinitions checks the word-at-a-time paths
// against the byte-at-a-time definitions they replace, on text that mixes
// ASCII runs of every length with 8-bit bytes and UTF-8 sequences cut
// anywhere: the single-byte code page decoder (each byte through its
// table) and validUTF8Prefix (valid UTF-8 but for a character cut at the
// end).
func TestFastPathsMatchTheirDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	cp850, err := NewCodePageDecoder("cp850")
	if err != nil {
		t.Fatal(err)
	}
	cp1252, _ := NewCodePageDecoder("cp1252")
	pieces := [][]byte{[]byte("a"), []byte("add filter srcaddr=me"), []byte("é"), []byte("€"), []byte("😀"), {0x82}, {0x81}, {0xff}, {0xe2, 0x82}, {0xf0, 0x9f, 0x98}, {0xc3}}
	for range 5000 {
		var b []byte
		for range rng.IntN(12) {
			p := pieces[rng.IntN(len(pieces))]
			for range rng.IntN(3) + 1 {
				b = append(b, p...)
			}
		}
		b = b[:rng.IntN(len(b)+1)]
		for _, d := range []*CodePageDecoder{cp850, cp1252} {
			got, bad := d.Append([]byte("<"), b)
			want, wantBad := []byte("<"), 0
			for _, c := range b {
				if c >= 0x80 && d.bad[c] {
					wantBad++
				}
				if c < 0x80 {
					want = append(want, c)
				} else {
					want = utf8.AppendRune(want, d.table[c])
				}
			}
			if !bytes.Equal(got, want) || bad != wantBad {
				t.Fatalf("%s.Append(%q) = %q (%d invalid), want %q (%d)", d.Name(), b, got, bad, want, wantBad)
			}
		}
		if got, want := validUTF8Prefix(b), validUTF8PrefixByRune(b); got != want {
			t.Fatalf("validUTF8Prefix(%q) = %v, want %v", b, got, want)
		}
	}
}

// validUTF8PrefixByRune is validUTF8Prefix's definition, a character at
// a time.
func validUTF8PrefixByRune(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		b = b[size:]
	}
	return true
}
