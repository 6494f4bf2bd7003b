package regfile

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// keyForms are the spellings of a pre-shared key that must not be in a
// text: as it is, its UTF-16LE and ASCII bytes in hex (with the commas,
// backslashes, line ends and blanks of a wrapped hex value taken out, so
// that a key cut over two lines is found too), in any case.
func keyForms(key string) []string {
	var utf16 []byte
	for _, c := range []byte(key) {
		utf16 = append(utf16, c, 0)
	}
	return []string{strings.ToLower(key), hex.EncodeToString(utf16), hex.EncodeToString([]byte(key))}
}

// holdsKey reports which form of key the lines hold.
func holdsKey(lines []string, key string) string {
	joined := strings.ToLower(strings.Join(lines, "\n"))
	packed := strings.NewReplacer(",", "", "\\", "", "\n", "", " ", "", "\t", "").Replace(joined)
	for _, f := range keyForms(key) {
		if strings.Contains(joined, f) || strings.Contains(packed, f) {
			return f
		}
	}
	return ""
}

// nfaTree is a policy store with an NFA blob holding key in UTF-16LE, as
// Windows stores it, among other values.
func nfaTree(key string) *model.RegTree {
	tree := model.NewRegTree()
	base := `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`
	blob := append(bytes.Repeat([]byte{0xAB}, 70), model.UTF16String(key)...)
	blob = append(blob, bytes.Repeat([]byte{0x01}, 40)...)
	nfa := tree.EnsureKey(base+`\ipsecNFA{72385233-70fa-11d1-864c-14a300000000}`, model.Location{})
	nfa.SetValue(&model.Value{Name: "ipsecName", Type: model.RegSZ, Data: model.UTF16String("Rule")})
	nfa.SetValue(&model.Value{Name: "ipsecData", Type: model.RegBinary, Data: blob})
	nfa.SetValue(&model.Value{Name: "whenChanged", Type: model.RegDWORD, Data: model.DWORDData(7)})
	tree.EnsureKey(base+`\ipsecFilter{72385235-70fa-11d1-864c-14a300000000}`, model.Location{}).
		SetValue(&model.Value{Name: "IPSECDATA", Type: model.RegBinary, Data: bytes.Repeat([]byte{0x42}, 90)})
	return tree
}

// TestReadTextCutsIPSecData writes a policy store whose NFA blob holds a
// pre-shared key in every producer's style, and reads its text: no form
// of the key is in it, every ipsecData value's data are cut, and the
// lines are where Parse's locations say (each value's name at its line
// and column).
func TestReadTextCutsIPSecData(t *testing.T) {
	const key = "Zebra-Secret-42"
	for _, style := range regtest.Styles {
		t.Run(style.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := regtest.Write(&buf, nfaTree(key), style); err != nil {
				t.Fatal(err)
			}
			if holdsKey(rawLines(t, buf.Bytes()), key) == "" {
				t.Fatal("the export does not hold the key: the test proves nothing")
			}
			txt, err := ReadText(bytes.NewReader(buf.Bytes()), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if f := holdsKey(txt.Lines, key); f != "" {
				t.Errorf("the text holds the key as %q:\n%s", f, strings.Join(txt.Lines, "\n"))
			}
			if txt.Values != 2 || len(txt.Redacted) < 2 {
				t.Errorf("%d ipsecData values cut on lines %v, want 2", txt.Values, txt.Redacted)
			}
			checkPositions(t, buf.Bytes(), txt)
		})
	}
}

// rawLines returns the lines of data as ReadText cuts and decodes them,
// without cutting anything out.
func rawLines(t *testing.T, data []byte) []string {
	t.Helper()
	cp, err := textenc.NewCodePageDecoder("")
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := startSource(bytes.NewReader(data), cp, chunkBytes)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for {
		raw, _, _, ok := src.next()
		if !ok {
			return lines
		}
		lines = append(lines, decodeLine(src, cp, raw))
	}
}

// checkPositions checks that the text's lines are Parse's: each value's
// name starts at its location's line and column (in characters).
func checkPositions(t *testing.T, data []byte, txt *Text) {
	t.Helper()
	res, err := Parse(bytes.NewReader(data), "x.reg", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range res.Tree.Keys() {
		for _, v := range k.Values {
			if v.Loc.Line < 1 || int(v.Loc.Line) > len(txt.Lines) {
				t.Errorf("%s: line %d, the text has %d", v.Name, v.Loc.Line, len(txt.Lines))
				continue
			}
			line := []rune(txt.Lines[v.Loc.Line-1])
			if c := int(v.Loc.Column) - 1; c < 0 || c >= len(line) || !strings.HasPrefix(strings.ToLower(string(line[c:])), strings.ToLower(`"`+v.Name+`"`)) {
				t.Errorf("%s at %d:%d: the line is %q", v.Name, v.Loc.Line, v.Loc.Column, string(line))
			}
			n++
		}
	}
	if n < 4 {
		t.Errorf("only %d values checked", n)
	}
}

// TestReadTextForms: ipsecData written as a second entry on a line
// (reged), in a CR-only file, as hex(3), followed at once by another
// value, and a blank line ending its continuation.
func TestReadTextForms(t *testing.T) {
	for name, c := range map[string]struct {
		text string
		want []string // the lines kept
	}{
		"second entry on a line": {"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\K]\r\n\"a\"=hex:\"ipsecData\"=hex:4b,00,65,00\r\n\"b\"=dword:00000001\r\n",
			[]string{"REGEDIT4", "", `[HKEY_LOCAL_MACHINE\K]`, `"a"=hex:"ipsecData"=hex:<redacted>`, `"b"=dword:00000001`}},
		"CR line ends, hex(3), continued": {"REGEDIT4\r\r[HKEY_LOCAL_MACHINE\\K]\r\"IpSecData\" = hex(3):4b,00,\\\r  65,00,79,00\r\"ipsecName\"=\"N\"\r",
			[]string{"REGEDIT4", "", `[HKEY_LOCAL_MACHINE\K]`, `"IpSecData" = hex(3):<redacted>`, "  <redacted>", `"ipsecName"="N"`}},
		"a blank line ends the value, but not the cut of its stray bytes": {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\K]\n\"ipsecData\"=hex:4b,\\\n\n  65,00\n",
			[]string{"REGEDIT4", `[HKEY_LOCAL_MACHINE\K]`, `"ipsecData"=hex:<redacted>`, "", "  <redacted>"}},
		"stray bytes after a comment, an entry, a key": {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\K]\n\"ipsecData\"=hex:4b,\\\n; c\n  65,00,\\\n\"x\"=\"y\"\n  79,00\n[HKEY_LOCAL_MACHINE\\L]\n  4b,00\n",
			[]string{"REGEDIT4", `[HKEY_LOCAL_MACHINE\K]`, `"ipsecData"=hex:<redacted>`, "; c", "  <redacted>", `"x"="y"`, "  <redacted>", `[HKEY_LOCAL_MACHINE\L]`, "  <redacted>"}},
		"another value's continuation is kept": {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\K]\n\"ipsecData\"=hex:4b\n\"IPAddress\"=hex(7):31,00,\\\n  30,00\n",
			[]string{"REGEDIT4", `[HKEY_LOCAL_MACHINE\K]`, `"ipsecData"=hex:<redacted>`, `"IPAddress"=hex(7):31,00,\`, "  30,00"}},
		"other names kept": {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\K]\n\"ipsecDataX\"=hex:4b\n\"x\"=\"ipsecData\"\n",
			[]string{"REGEDIT4", `[HKEY_LOCAL_MACHINE\K]`, `"ipsecDataX"=hex:4b`, `"x"="ipsecData"`}},
	} {
		txt, err := ReadText(strings.NewReader(c.text), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(txt.Lines) != fmt.Sprint(c.want) {
			t.Errorf("%s:\n got %q\nwant %q", name, txt.Lines, c.want)
		}
	}
}

// TestReadTextOfTheExampleFleet: EXFE04's policy export holds the key
// "Fl33t-Example-PSK" in an NFA blob; its text does not.
func TestReadTextOfTheExampleFleet(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "fleet", "EXFE04", "ipsec-policy.reg"))
	if err != nil {
		t.Fatal(err)
	}
	const key = "Fl33t-Example-PSK"
	lines := rawLines(t, data)
	if holdsKey(lines, key) == "" {
		t.Fatal("the export does not hold the key")
	}
	txt, err := ReadText(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := holdsKey(txt.Lines, key); f != "" {
		t.Errorf("the text holds the key as %q", f)
	}
	checkPositions(t, data, txt)
}
