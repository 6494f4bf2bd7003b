package regfile

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
)

// TestRoundTripEveryProducerStyle writes random trees in each producer's
// style and reads them back: the trees must be equal, key and value names,
// types and data, byte for byte. Reads go through small buffers and
// one-byte reads so that lines and characters are cut everywhere.
func TestRoundTripEveryProducerStyle(t *testing.T) {
	defer func(c int) { chunkBytes = c }(chunkBytes)
	seeds := uint64(150)
	if testing.Short() {
		seeds = 30
	}
	for _, style := range regtest.Styles {
		t.Run(style.String(), func(t *testing.T) {
			for seed := range seeds {
				rng := rand.New(rand.NewPCG(seed, uint64(style)))
				tree := regtest.RandomTree(rng, style, 15)
				var buf bytes.Buffer
				if err := regtest.Write(&buf, tree, style); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				var r io.Reader = bytes.NewReader(buf.Bytes())
				chunkBytes = []int{256 << 10, 64, 7}[seed%3]
				if seed%4 == 1 {
					r = iotest.OneByteReader(r)
				}
				res, err := Parse(r, "rt.reg", Options{})
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if len(res.Errors) > 0 {
					t.Fatalf("seed %d: errors %v\n%s", seed, res.Errors, excerpt(buf.Bytes(), style))
				}
				if d := regtest.Diff(tree, res.Tree); len(d) > 0 {
					t.Fatalf("seed %d: %d differences, first: %s\n%s", seed, len(d), strings.Join(d[:min(5, len(d))], "\n"), excerpt(buf.Bytes(), style))
				}
			}
		})
	}
}

// excerpt shows the start of a failing export.
func excerpt(b []byte, style regtest.Style) string {
	if style == regtest.RegeditV5 {
		b = []byte(decodeForDisplay(b))
	}
	if len(b) > 3000 {
		b = b[:3000]
	}
	return string(b)
}

func decodeForDisplay(b []byte) string {
	var sb strings.Builder
	for i := 2; i+1 < len(b); i += 2 {
		sb.WriteRune(rune(b[i]) | rune(b[i+1])<<8)
	}
	return sb.String()
}

// TestRandomTreesCoverEveryForm makes sure the round trip exercises what
// it claims: every style's exports hold the forms of that producer.
func TestRandomTreesCoverEveryForm(t *testing.T) {
	want := map[regtest.Style][]string{
		regtest.RegeditV5:      {`"="`, "dword:", "hex:", "hex(2):", "hex(7):", "hex(b):", "hex(100):", `,\`, `\\`, `\"`, "@="},
		regtest.Regedit4:       {"REGEDIT4", `"="`, "hex(2):", "hex(7):", "hex(1):", "\xe9"},
		regtest.Hivex:          {`\]`, "hex(1):", "hex(3):", "hex(4):", "dword:", "日"},
		regtest.HivexPrintable: {`=str(1):"`, `=str(2):"`, "x\ny", `\"`},
		regtest.Reged:          {"\"=hex(0):\"", "\"=hex:\"", `"="`, "\xed\xa0", "\xe9"},
	}
	for style, forms := range want {
		var all bytes.Buffer
		for seed := range uint64(150) {
			tree := regtest.RandomTree(rand.New(rand.NewPCG(seed, uint64(style))), style, 15)
			if err := regtest.Write(&all, tree, style); err != nil {
				t.Fatal(err)
			}
		}
		text := all.String()
		if style == regtest.RegeditV5 {
			text = decodeForDisplay(all.Bytes())
		}
		for _, f := range forms {
			if !strings.Contains(text, f) {
				t.Errorf("%s: no %q in 150 random exports", style, f)
			}
		}
	}
}
