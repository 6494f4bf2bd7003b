package detect

import (
	"bytes"
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// contractInputs are real-shaped texts: the netsh parser's fixtures, texts
// that sit on the border (the netsh content after the head, a command cut
// by the head's end, prose that mentions commands), and random line-level
// mutations of all of them (deterministic: seeded).
func contractInputs(t *testing.T, dirs ...string) map[string][]byte {
	in := map[string][]byte{}
	var files []string
	for _, dir := range append([]string{"../netsh/testdata"}, dirs...) {
		more, _ := filepath.Glob(filepath.Join(dir, "*.*"))
		files = append(files, more...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in[filepath.Base(f)] = data
	}
	comments := strings.Repeat("# a comment line that pushes what follows past the head\r\n", HeadSize/56+1)
	cut := strings.Repeat("x", HeadSize-len("netsh ipsec static add pol"))
	for name, text := range map[string]string{
		"after the head":      comments + "netsh ipsec static add policy name=P\r\n",
		"cut by the head":     "rem " + cut + "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\nnetsh ipsec static add policy name=P\r\n",
		"cut command":         cut + "\nnetsh ipsec static add pol" + "icy name=P\n",
		"prose":               "You can add filter lists and set policy names with netsh.\r\nAdd rule: see below.\r\n",
		"pushd only":          "pushd ipsec static\r\npopd\r\n",
		"delete all":          "delete all\r\n",
		"set batch":           "set batch mode=enable\r\n",
		"cmd set":             "@echo off\r\nset policy=strict\r\n",
		"ipsecpol quoted":     "\"C:\\Program Files\\Support Tools\\ipseccmd.exe\" -w REG -p P -r R -f 0+*\r\n",
		"netdiag lower case":  "ip security test . . . : passed\r\n",
		"label only":          "Policy Name : P\r\n",
		"dashes after labels": "Policy Name        Assigned\r\n-----------------------\r\nP                  YES\r\n",
		"utf16 script":        "\xff\xfe" + utf16("netsh ipsec static add policy name=P\r\n"),
		"utf16 blank":         "\xff\xfe" + utf16("\r\n"),
	} {
		in[name] = []byte(text)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	var all [][]byte
	for _, name := range slices.Sorted(maps.Keys(in)) { // a map's order would change the mutations from run to run
		all = append(all, in[name])
	}
	for i := range 300 {
		lines := bytes.Split(all[rng.IntN(len(all))], []byte("\n"))
		for range 1 + rng.IntN(5) {
			j := rng.IntN(len(lines))
			switch rng.IntN(3) {
			case 0:
				lines = append(lines[:j], lines[j+1:]...)
			case 1:
				other := bytes.Split(all[rng.IntN(len(all))], []byte("\n"))
				lines[j] = other[rng.IntN(len(other))]
			default:
				if l := lines[j]; len(l) > 1 {
					k := rng.IntN(len(l))
					lines[j] = append(append([]byte(nil), l[:k]...), l[k+1+rng.IntN(len(l)-k):]...)
				}
			}
			if len(lines) == 0 {
				break
			}
		}
		in["mutation "+string(rune('a'+i%26))+strings.Repeat("'", i/26)] = bytes.Join(lines, []byte("\n"))
	}
	return in
}

// TestNetshExactlyWhenParsed checks the contract between content sniffing
// and the netsh parser: a text file is called netsh exactly when Parse
// reads it (returns no ErrNotIPSec). Hives, binary files and .reg exports
// are recognized before netsh; a blank file is read by Parse as a script
// without data and is no netsh file to sniffing.
func TestNetshExactlyWhenParsed(t *testing.T) {
	checkContract(t, contractInputs(t))
}

// TestNetshExactlyWhenParsedSamples is the same over the real samples and
// mutations of them.
func TestNetshExactlyWhenParsedSamples(t *testing.T) {
	checkContract(t, contractInputs(t, filepath.Join(testutil.SamplesDir(t), "netsh")))
}

func checkContract(t *testing.T, inputs map[string][]byte) {
	t.Helper()
	for name, data := range inputs {
		got := Sniff(data[:min(len(data), HeadSize)], "")
		_, err := netsh.Parse(data, name, netsh.Options{})
		if err != nil && !errors.Is(err, netsh.ErrNotIPSec) {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Kind == model.KindHive || got.Kind == model.KindRegExport || got.Detail == "binary file of unknown format" || blank(data) {
			continue
		}
		if isNetsh, parsed := got.Kind == model.KindNetsh, err == nil; isNetsh != parsed {
			t.Errorf("%s: sniffed as %s (%s), Parse error %v", name, got.Kind, got.Detail, err)
		}
	}
}

// blank reports whether data, decoded, is only white space: a file that
// is a UTF-16 byte-order mark and a line end is blank too.
func blank(data []byte) bool {
	text, _ := textenc.Decode(data, "")
	return len(bytes.TrimSpace(bytes.ReplaceAll(text, []byte{0}, nil))) == 0
}

func TestNetshBorderCases(t *testing.T) {
	in := contractInputs(t)
	for name, want := range map[string]string{
		"after the head":      "",
		"cut by the head":     "",
		"cut command":         "netsh ipsec script",
		"prose":               "",
		"pushd only":          "netsh ipsec script",
		"set batch":           "",
		"cmd set":             "",
		"ipsecpol quoted":     "ipsecpol/ipseccmd command script (Windows 2000/XP)",
		"netdiag lower case":  "netdiag /test:ipsec output",
		"label only":          "netsh ipsec static show all listing",
		"dashes after labels": "netsh ipsec static show all listing",
		"utf16 script":        "netsh ipsec script",
	} {
		got := Sniff(in[name], "")
		if (got.Kind == model.KindNetsh) != (want != "") || got.Kind == model.KindNetsh && got.Detail != want {
			t.Errorf("%s: %s %q, want netsh %q", name, got.Kind, got.Detail, want)
		}
	}
}
