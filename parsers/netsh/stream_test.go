package netsh

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// repeatReader yields prefix, then n bytes of fill, then suffix, without
// holding them: a file as big as wanted that costs nothing to make.
type repeatReader struct {
	prefix, suffix []byte
	fill           []byte // a pattern repeated
	n              int64
	off            int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	np := int64(len(r.prefix))
	total := np + r.n + int64(len(r.suffix))
	if r.off >= total {
		return 0, io.EOF
	}
	k := 0
	switch o := r.off; {
	case o < np:
		k = copy(p, r.prefix[o:])
	case o < np+r.n:
		f := o - np
		want := int(min(int64(len(p)), r.n-f))
		for k < want {
			k += copy(p[k:want], r.fill[(f+int64(k))%int64(len(r.fill)):])
		}
	default:
		k = copy(p, r.suffix[o-np-r.n:])
	}
	r.off += int64(k)
	return k, nil
}

// allocated runs f and returns the bytes it allocated (TotalAlloc grows
// with every allocation, freed or not, so it bounds from above how much
// the heap can have grown at any moment during f).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeLineIsSkippedWithBoundedMemory reads a 200 MB file of one line
// (a netsh command whose name goes on and on) from a reader, not a file:
// one ParseError at line 1, column 1, and the parse allocates a few
// buffers (the head, a 64 KiB line buffer, the decoder's chunks), not the
// line. Before streaming, such a file took 1.1 GB.
func TestHugeLineIsSkippedWithBoundedMemory(t *testing.T) {
	const size = 200 << 20
	for _, c := range []struct {
		name string
		r    func() io.Reader
	}{
		{"UTF-8", func() io.Reader {
			return &repeatReader{prefix: []byte("netsh ipsec static add policy name="), fill: bytes.Repeat([]byte("abcdefgh"), 512), n: size}
		}},
		{"UTF-16LE", func() io.Reader {
			return &repeatReader{prefix: utf16le("\ufeffnetsh ipsec static add policy name="), fill: utf16le(strings.Repeat("abcdefgh", 512)), n: size / 2}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var res *Result
			var err error
			r := c.r()
			n := allocated(func() { res, err = ParseReader(r, "huge.cmd", Options{}) })
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 1 || res.Errors[0].Line != 1 || res.Errors[0].Column != 1 || !strings.Contains(res.Errors[0].Error(), fmt.Sprintf("longer than %d bytes", MaxLineBytes)) {
				t.Errorf("errors = %v, want one at line 1 column 1", res.Errors)
			}
			if res.Store.Form != formScript || len(res.Store.Policies) != 0 {
				t.Errorf("form %q, %d policies", res.Store.Form, len(res.Store.Policies))
			}
			if rr := r.(*repeatReader); rr.off != int64(len(rr.prefix))+rr.n {
				t.Fatalf("%d bytes read of %d", rr.off, int64(len(rr.prefix))+rr.n)
			}
			t.Logf("%d MB line: %d KB allocated", size>>20, n>>10)
			if n > 16<<20 {
				t.Errorf("reading a %d MB line allocated %d MB: memory grows with the line", size>>20, n>>20)
			}
		})
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// chunkReader returns its data in random-sized pieces (1 to max bytes),
// as a pipe or a slow disk would.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(1+c.rng.IntN(c.max), len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// resultJSON is everything a Result says, for comparing two.
func resultJSON(t *testing.T, res *Result) string {
	t.Helper()
	b, err := json.Marshal(struct {
		Store    any
		Encoding textenc.Info
		Errors   []string
		Warnings any
	}{res.Store, res.Encoding, errorStrings(res), res.Warnings})
	if err != nil {
		t.Fatal(err)
	}
	return storeJSON(res.Store) + string(b)
}

// TestParseReaderMatchesParse reads large scripts from readers that return
// small random chunks: the model, errors and warnings are those of Parse
// of the same bytes, continued (^) lines included.
func TestParseReaderMatchesParse(t *testing.T) {
	carets := strings.NewReplacer(" srcaddr=", " ^\r\n  srcaddr=", " dstport=", "^\r\n dstport=")
	for name, data := range map[string][]byte{
		"50,000 filters":     bigScript(50000),
		"continued lines":    []byte(carets.Replace(string(bigScript(3000)))),
		"UTF-16 with errors": append([]byte{0xff, 0xfe}, utf16le(string(bigScript(500))+"add filter filterlist=L srcaddr=me dstaddr=10.0.0.300\r\n")...),
		"show all in cp850":  mustRead(t, "testdata/exfe01.showall.cp850.txt"),
		"show all in UTF-16": mustRead(t, "testdata/exfe01.showall.utf16le-bom.txt"),
	} {
		t.Run(name, func(t *testing.T) {
			want, err := Parse(data, "f", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if n := map[string]int{"50,000 filters": 50000, "continued lines": 3000}[name]; n > 0 {
				filters := 0
				for _, l := range want.Store.FilterLists {
					filters += len(l.Filters)
				}
				if filters != n || len(want.Errors) > 0 {
					t.Fatalf("%d filters read of %d, errors %v", filters, n, want.Errors)
				}
			}
			got, err := ParseReader(&chunkReader{data: data, rng: rand.New(rand.NewPCG(1, uint64(len(data)))), max: 4096}, "f", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseReader differs from Parse:\n%.2000s\nwant\n%.2000s", resultJSON(t, got), resultJSON(t, want))
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestStreamedTextIsDecodedText checks the streaming decoder against
// textenc.Decode of the whole input, in every kind of encoding, with bad
// bytes, read in random chunks: the same lines, the same count of bad
// bytes.
func TestStreamedTextIsDecodedText(t *testing.T) {
	text := "Policy Name : Schutz für POP3 – 日本語 中文\r\nline 2 ^\r\n\r\nlast"
	sjis := []byte("Policy Name : \x93\xfa\x96\x7b\x8c\xea\r\nbad \x81\r\nend\r\n") // 日本語, then a cut character
	for _, c := range []struct {
		name, codepage string
		data           []byte
	}{
		{"UTF-8", "", []byte(text)},
		{"UTF-8 with bad bytes", "", []byte("ok\r\n" + text + "\xff\xfe bad\r\n\xc3")},
		{"UTF-8 BOM", "", append([]byte{0xef, 0xbb, 0xbf}, text...)},
		{"UTF-16LE BOM", "", append([]byte{0xff, 0xfe}, utf16le(text)...)},
		{"UTF-16LE no BOM, lone surrogate", "", append(utf16le("abc\r\ndef\r\n"), 0x00, 0xd8, 'x', 0, '\n', 0, 'y')},
		{"UTF-16BE BOM", "", append([]byte{0xfe, 0xff}, swap(utf16le(text))...)},
		{"cp1252 undefined bytes", "", []byte("caf\xe9 \x81\x8d\r\nline\r\n")},
		{"cp850", "cp850", []byte("Schutz f\x81r\r\n")},
		{"cp932", "cp932", sjis},
		{"NUL and Ctrl-Z", "", []byte("a\x00b\r\r\nc\x1a")},
	} {
		t.Run(c.name, func(t *testing.T) {
			decoded, info := textenc.Decode(c.data, c.codepage)
			want := physicalLines(strings.ReplaceAll(string(decoded), "\x00", ""))
			for seed := range uint64(20) {
				head := c.data[:min(len(c.data), SniffBytes)]
				lines := newTextLines(head, &chunkReader{data: c.data[len(head):], rng: rand.New(rand.NewPCG(seed, 9)), max: 7}, textenc.Sniff(head[:min(len(head), encodingHead)], c.codepage))
				var got []string
				for {
					l, _, ok := lines.next()
					if !ok {
						break
					}
					got = append(got, l)
				}
				if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) || lines.Invalid() != info.Invalid {
					t.Fatalf("streamed %q (%d invalid), want %q (%d invalid)", got, lines.Invalid(), want, info.Invalid)
				}
			}
		})
	}
}

func swap(b []byte) []byte {
	out := bytes.Clone(b)
	for i := 0; i+1 < len(out); i += 2 {
		out[i], out[i+1] = out[i+1], out[i]
	}
	return out
}

// TestLongLineInTheMiddle checks that parsing goes on after an over-long
// line, with the lines after it numbered as in the file.
func TestLongLineInTheMiddle(t *testing.T) {
	text := "netsh ipsec static add policy name=A\r\n" +
		"netsh ipsec static add policy name=B description=" + strings.Repeat("x", MaxLineBytes) + "\r\n" +
		"netsh ipsec static add policy ^\r\n name=C\r\n"
	res := parseText(t, text)
	if got := errorStrings(res); len(got) != 1 || !strings.HasPrefix(got[0], "s.cmd:2:1: the line is longer than 65536 bytes") {
		t.Errorf("errors = %q", got)
	}
	if len(res.Store.Policies) != 2 || res.Store.Policy("C") == nil || res.Store.Policy("C").Loc.Line != 3 {
		t.Errorf("policies = %s", storeJSON(res.Store))
	}
	// A line of exactly MaxLineBytes bytes, its line end included, is read.
	fits := "netsh ipsec static add policy name=" + strings.Repeat("y", MaxLineBytes-len("netsh ipsec static add policy name=")-1) + "\n"
	if res := parseText(t, fits); len(res.Errors) != 0 || len(res.Store.Policies) != 1 {
		t.Errorf("a line of %d bytes: errors %v", len(fits), res.Errors)
	}
}

// TestFormGivenIsFormFound: a file parsed with the form Form finds in its
// head (Options.Form, as the audit passes what parsers/detect sniffed)
// reads as it does when ParseReader finds the form itself, in every form.
func TestFormGivenIsFormFound(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.*")
	more, _ := filepath.Glob(filepath.Join(testutil.SamplesDir(t), "netsh", "*"))
	forms := map[string]bool{}
	for _, path := range append(files, more...) {
		data := mustRead(t, path)
		for _, cp := range []string{"", "cp850", "cp936"} {
			text, _ := textenc.Decode(data[:min(len(data), SniffBytes)], cp)
			form := Form(string(text))
			if form == "" {
				continue
			}
			forms[form] = true
			want, werr := Parse(data, path, Options{CodePage: cp})
			got, gerr := Parse(data, path, Options{CodePage: cp, Form: form})
			if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %q: with the form %s given, the result differs:\n%.1500s\nwant\n%.1500s", path, cp, form, resultJSON(t, got), resultJSON(t, want))
			}
		}
	}
	if len(forms) < 3 {
		t.Errorf("only the forms %v were met", forms)
	}
}
