package regfile

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/model"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

const v5 = "Windows Registry Editor Version 5.00\r\n\r\n"

func mustParse(t *testing.T, input []byte, opts Options) *Result {
	t.Helper()
	r, err := Parse(bytes.NewReader(input), "test.reg", opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

func utf16le(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16be(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func sz(s string) string { return hex.EncodeToString(model.UTF16String(s)) }

func valueHex(t *testing.T, r *Result, key, name string) (model.ValueType, string, bool) {
	t.Helper()
	v := r.Tree.Key(key).Value(name)
	if v == nil {
		return 0, "", false
	}
	return v.Type, hex.EncodeToString(v.Data), true
}

// TestValueForms checks every value form, one line (or a few) inside a key.
func TestValueForms(t *testing.T) {
	cases := []struct {
		name  string
		lines string // after [HKEY_LOCAL_MACHINE\K]
		value string // value name to look at
		typ   model.ValueType
		data  string // hex
	}{
		{"string", `"a"="text"`, "a", model.RegSZ, sz("text")},
		{"empty string", `"a"=""`, "a", model.RegSZ, "0000"},
		{"escapes in name and data", `"a\\b\"c"="x\\y\"z"`, `a\b"c`, model.RegSZ, sz(`x\y"z`)},
		{"other backslashes kept", `"a"="C:\temp\n"`, "a", model.RegSZ, sz(`C:\temp\n`)},
		{"non-ASCII", `"é日"="😀ü"`, "é日", model.RegSZ, sz("😀ü")},
		{"default value", `@="def"`, "", model.RegSZ, sz("def")},
		{"empty name is the default", `""="def"`, "", model.RegSZ, sz("def")},
		{"dword 8 digits", `"d"=dword:0000000a`, "d", model.RegDWORD, "0a000000"},
		{"dword 1 digit", `"d"=dword:1`, "d", model.RegDWORD, "01000000"},
		{"dword 5 digits upper case", `"d"=DWORD:ABCDE`, "d", model.RegDWORD, "debc0a00"},
		{"dword max", `"d"=dword:ffffffff`, "d", model.RegDWORD, "ffffffff"},
		{"binary", `"b"=hex:01,02,ff`, "b", model.RegBinary, "0102ff"},
		{"binary empty", `"b"=hex:`, "b", model.RegBinary, ""},
		{"binary spaces and trailing comma", `"b"=HEX: 01 , 0a ,`, "b", model.RegBinary, "010a"},
		{"binary one-digit bytes", `"b"=hex:1,a`, "b", model.RegBinary, "010a"},
		{"hex(0)", `"n"=hex(0):`, "n", model.RegNone, ""},
		{"hex(1)", `"s"=hex(1):41,00,00,00`, "s", model.RegSZ, "41000000"},
		{"hex(2) stays UTF-16 in version 5", `"e"=hex(2):25,00,00,00`, "e", model.RegExpandSZ, "25000000"},
		{"hex(3)", `"b"=hex(3):01`, "b", model.RegBinary, "01"},
		{"hex(4) of 3 bytes", `"d"=hex(4):01,02,03`, "d", model.RegDWORD, "010203"},
		{"hex(5)", `"d"=hex(5):00,00,00,01`, "d", model.RegDWORDBigEndian, "00000001"},
		{"hex(6)", `"l"=hex(6):41,00`, "l", model.RegLink, "4100"},
		{"hex(7)", `"m"=hex(7):61,00,00,00,00,00`, "m", model.RegMultiSZ, "610000000000"},
		{"hex(8)", `"r"=hex(8):01`, "r", model.RegResourceList, "01"},
		{"hex(9)", `"r"=hex(9):01`, "r", model.RegFullResourceDescriptor, "01"},
		{"hex(a)", `"r"=hex(a):01`, "r", model.RegResourceRequirementsList, "01"},
		{"hex(b)", `"q"=hex(b):01,00,00,00,00,00,00,00`, "q", model.RegQWORD, "0100000000000000"},
		{"hex(100)", `"x"=hex(100):ab`, "x", 0x100, "ab"},
		{"hex(ffffffff)", `"x"=hex(FFFFFFFF):`, "x", 0xFFFFFFFF, ""},
		{"spaces around =", "\"a\" \t=  \"b\"", "a", model.RegSZ, sz("b")},
		{"spaces around @=", `@ = dword:2`, "", model.RegDWORD, "02000000"},
		{"indented value", `   "a"=dword:3`, "a", model.RegDWORD, "03000000"},
		{"trailing comment", `"a"=dword:3 ; three`, "a", model.RegDWORD, "03000000"},
		{"continuation", "\"b\"=hex:01,02,\\\r\n  03,04", "b", model.RegBinary, "01020304"},
		{"continuation, any indentation, spaces after backslash", "\"b\"=hex:01,\\   \r\n\t\t02,\\ \t\r\n03", "b", model.RegBinary, "010203"},
		{"continuation then blank line", "\"b\"=hex:01,\\\r\n\r\n\"c\"=dword:1", "b", model.RegBinary, "01"},
		{"continuation then next value", "\"b\"=hex:01,\\\r\n\"c\"=dword:1", "c", model.RegDWORD, "01000000"},
		{"hivexregedit printable", `"p"=str(2):"%SystemRoot%\System32\x.dll"`, "p", model.RegExpandSZ, sz(`%SystemRoot%\System32\x.dll`)},
		{"printable with quotes and final backslash", `"p"=str(1):"say \"hi\" C:\"`, "p", model.RegSZ, sz(`say "hi" C:\`)},
		{"printable with NULs inside", "\"p\"=str(1):\"a\x00\x00\"", "p", model.RegSZ, sz("a\x00\x00")},
		{"printable over lines", "\"p\"=str(1):\"line1\r\nline2\nend\"", "p", model.RegSZ, sz("line1\r\nline2\nend")},
		{"printable: quote before a line break", "\"p\"=str(1):\"a\\\"\r\nb\"", "p", model.RegSZ, sz("a\"\r\nb")},
		{"printable: final backslash, blank line", "\"p\"=str(1):\"C:\\\"\r\n\r\n\"q\"=dword:1", "p", model.RegSZ, sz(`C:\`)},
		{"printable: final backslash, next value", "\"p\"=str(1):\"C:\\\"\r\n\"q\"=dword:1", "q", model.RegDWORD, "01000000"},
		{"printable: final backslash, next value kept", "\"p\"=str(1):\"C:\\\"\r\n\"q\"=dword:1", "p", model.RegSZ, sz(`C:\`)},
		{"reged: several values on one line", `"n"=hex(0):"e"=hex:"b"=hex:01`, "b", model.RegBinary, "01"},
		{"reged: first of them", `"n"=hex(0):"e"=hex:"b"=hex:01`, "n", model.RegNone, ""},
		{"reged: middle one", `"n"=hex(7):@=hex:"b"=hex:01`, "", model.RegBinary, ""},
		{"later value wins", "\"a\"=dword:1\r\n\"A\"=dword:2", "a", model.RegDWORD, "02000000"},
		{"value names compare case-insensitively", `"NLBSFlags"=dword:1`, "nlbsflags", model.RegDWORD, "01000000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustParse(t, []byte(v5+"[HKEY_LOCAL_MACHINE\\K]\r\n"+c.lines+"\r\n"), Options{})
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %v", r.Errors)
			}
			typ, data, ok := valueHex(t, r, "K", c.value)
			if !ok || typ != c.typ || data != c.data {
				t.Errorf("value %q = %v %s (present %v), want %v %s", c.value, typ, data, ok, c.typ, c.data)
			}
		})
	}
}

func TestDeletions(t *testing.T) {
	in := v5 + `[HKEY_LOCAL_MACHINE\S\A]
"keep"=dword:1
"gone"=dword:2
"Gone2"=dword:3

[HKEY_LOCAL_MACHINE\S\A\Sub]
"x"=dword:4

[HKEY_LOCAL_MACHINE\S\B\Sub]
"y"=dword:5

[HKEY_LOCAL_MACHINE\S\A]
"gone"=-
"gone2" = -
@=-

[-HKEY_LOCAL_MACHINE\s\b]

[HKEY_LOCAL_MACHINE\S\B\New]
"z"=dword:6
`
	r := mustParse(t, []byte(in), Options{})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	a := r.Tree.Key(`S\A`)
	if a == nil || a.Value("keep") == nil || a.Value("gone") != nil || a.Value("gone2") != nil || len(a.Values) != 1 {
		t.Errorf("S\\A after =- deletions: %+v", a)
	}
	if r.Tree.Key(`S\A\Sub`) == nil {
		t.Error("S\\A\\Sub lost")
	}
	if r.Tree.Key(`S\B\Sub`) != nil {
		t.Error("[-S\\B] did not remove S\\B\\Sub read before it")
	}
	if r.Tree.Key(`S\B\New`).Value("z") == nil {
		t.Error("S\\B\\New, written after the deletion, missing")
	}
	if got := r.Tree.Subkeys(`S\B`); len(got) != 1 || got[0] != "New" {
		t.Errorf("subkeys of S\\B = %v", got)
	}
	if r.KeysSeen != 6 || r.KeysKept != 3 || r.ValuesKept != 3 {
		t.Errorf("counts: seen %d kept %d values %d", r.KeysSeen, r.KeysKept, r.ValuesKept)
	}

	r = mustParse(t, []byte(in+"\r\n[-HKEY_LOCAL_MACHINE\\]\r\n[HKLM\\After]\r\n\"a\"=dword:1\r\n"), Options{})
	if r.Tree.Len() != 1 || r.Tree.Key("After") == nil || len(r.Tree.Subkeys("")) != 1 {
		t.Errorf("[-HKEY_LOCAL_MACHINE\\] left %s", dumpKeys(r.Tree))
	}
}

func TestRootsAndKeyNames(t *testing.T) {
	in := v5 + `[HKEY_LOCAL_MACHINE\SYSTEM\]
"a"=dword:1

[hklm\SYSTEM\Select]
"Current"=dword:1

[HKEY_LOCAL_MACHINE\SYSTEM\\ControlSet001\Weird]Name]]
"w"=dword:1

[HKEY_CURRENT_USER\Software\X]
"u"=dword:1

[HKCU\Software\Y]
"v"=dword:1

[HKEY_LOCAL_MACHINE]
"root"=dword:1
`
	r := mustParse(t, []byte(in), Options{})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	for _, k := range []string{"SYSTEM", `SYSTEM\Select`, `SYSTEM\ControlSet001\Weird]Name]`, ""} {
		if key := r.Tree.Key(k); key == nil || len(key.Values) != 1 {
			t.Errorf("key %q: %+v", k, key)
		}
	}
	if r.Tree.Len() != 4 {
		t.Errorf("%d keys kept, want 4:\n%v", r.Tree.Len(), r.Tree.Keys())
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Message, "skipped 2 key(s) outside HKEY_LOCAL_MACHINE") ||
		!strings.Contains(r.Warnings[0].Message, `HKEY_CURRENT_USER\Software\X`) || r.Warnings[0].Loc.Line != 12 {
		t.Errorf("warnings: %+v", r.Warnings)
	}
}

func TestLocations(t *testing.T) {
	in := v5 + "; comment\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\r\n\r\n  \"Current\"=dword:1\r\n" +
		"\"None\"=hex(0):\"Big\"=hex:01,\\\r\n  02\r\n[HKLM\\system\\select]\r\n\"Default\"=dword:1\r\n"
	r := mustParse(t, []byte(in), Options{})
	cases := []struct {
		name string
		want model.Location
	}{
		{"Current", model.Location{File: "test.reg", Line: 6, Column: 3, KeyLine: 4, Key: `SYSTEM\Select`, Value: "Current"}},
		{"None", model.Location{File: "test.reg", Line: 7, Column: 1, KeyLine: 4, Key: `SYSTEM\Select`, Value: "None"}},
		{"Big", model.Location{File: "test.reg", Line: 7, Column: 15, KeyLine: 4, Key: `SYSTEM\Select`, Value: "Big"}},
		{"Default", model.Location{File: "test.reg", Line: 10, Column: 1, KeyLine: 9, Key: `system\select`, Value: "Default"}},
	}
	for _, c := range cases {
		v := r.Tree.Key(`SYSTEM\Select`).Value(c.name)
		if v == nil || v.Loc != c.want {
			t.Errorf("%s: loc %+v, want %+v", c.name, v, c.want)
		}
	}
	k := r.Tree.Key(`SYSTEM\Select`)
	if k.Path != `SYSTEM\Select` || k.Loc.Line != 4 || k.Loc.KeyLine != 4 {
		t.Errorf("key: %+v", k)
	}
}

func TestSyntaxErrorsArePlacedAndParsingGoesOn(t *testing.T) {
	in := v5 + `"early"=dword:1
[HKEY_LOCAL_MACHINE\K]
"a"=dword:
"b"=dword:123456789
"c"=dword:12x
"d"=hex:01,,02
"e"=hex:012
"f"=hex:01 02
"g"=hex(zz):01
"h"=hex(1)01
"i"="unterminated
"j"=unknown:1
"k"
"l"="x" y
"m=dword:1
garbage line
"n"=str(1):abc
"o"=hex:01,0g,\
  03,04,\
  05
"p"=-x
[HKEY_LOCAL_MACHINE\K
[SYSTEM\NoRoot]
[\NoPrefix]
[]
[-HKEY_LOCAL_MACHINE\K2]
"after"=dword:1
[HKEY_LOCAL_MACHINE\K]
"ok"=dword:7
`
	r := mustParse(t, []byte(in), Options{})
	want := []string{
		"test.reg:3:1: value before the first [key] line",
		"test.reg:5:11: expected 1 to 8 hex digits after dword:",
		"test.reg:6:19: expected at most 8 hex digits after dword:",
		"test.reg:7:13: expected the end of the line after the dword digits",
		`test.reg:8:12: expected a hex byte, found ",02"`,
		`test.reg:9:11: expected "," between hex bytes`,
		`test.reg:10:12: expected "," between hex bytes`,
		"test.reg:11:9: expected hex(N): with N a type number in hex",
		"test.reg:12:11: expected hex(N): with N a type number in hex",
		`test.reg:13:18: expected '"' at the end of the string`,
		`test.reg:14:5: expected a value after "=": "string", dword:, hex:, hex(N): or -`,
		`test.reg:15:4: expected "=" after the value name`,
		`test.reg:16:9: expected the end of the line after the string, found "y"`,
		`test.reg:17:11: expected '"' at the end of the value name`,
		`test.reg:18:1: expected [key], "name"=value, @=value or a ; comment`,
		`test.reg:19:12: expected '"' after str(1):`,
		`test.reg:20:13: expected "," between hex bytes`,
		`test.reg:23:6: expected the end of the line after =-, found "x"`,
		`test.reg:24:22: expected "]" at the end of the key name`,
		`test.reg:25:2: expected a key path starting with HKEY_LOCAL_MACHINE or another root key, found "SYSTEM"`,
		`test.reg:26:2: expected a key path starting with HKEY_LOCAL_MACHINE, found one starting with "\" (hivexregedit --export without --prefix?)`,
		"test.reg:27:2: expected a key name between [ and ]",
		"test.reg:29:1: value after a [-key] deletion line",
	}
	var got []string
	for _, e := range r.Errors {
		got = append(got, e.Error())
	}
	if len(got) != len(want) {
		t.Errorf("%d errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
	if v := r.Tree.Key("K").Value("ok"); v == nil {
		t.Error("the value after the errors was not read")
	}
	if k := r.Tree.Key("K"); len(k.Values) != 1 {
		t.Errorf("values kept despite errors: %v", k.Values)
	}
}

func TestHeaders(t *testing.T) {
	if _, err := Parse(strings.NewReader("hello\r\nworld\r\n"), "x.txt", Options{}); err == nil ||
		!strings.Contains(err.Error(), `x.txt:1: not a .reg export: expected "Windows Registry Editor Version 5.00" or "REGEDIT4", found "hello"`) {
		t.Errorf("text file: %v", err)
	}
	for _, in := range []string{"", "\r\n\r\n; only a comment\r\n", "regf\x00\x00\x00\x00\x01\x00"} {
		if _, err := Parse(strings.NewReader(in), "x", Options{}); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	r := mustParse(t, []byte("\r\n; exported by hand\r\n  windows registry editor version 5.00  \r\n[HKLM\\K]\r\n\"a\"=dword:1\r\n"), Options{})
	if r.Header != "windows registry editor version 5.00" || r.Tree.Key("K").Value("a") == nil {
		t.Errorf("header %q", r.Header)
	}
	r = mustParse(t, []byte("[HKLM\\K]\r\n\"a\"=dword:1\r\n"), Options{})
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), "test.reg:1:1: expected the header") || r.Tree.Key("K").Value("a") == nil {
		t.Errorf("header-less file: %v", r.Errors)
	}
	// Exports concatenated into one file: the second header is no error.
	r = mustParse(t, []byte(v5+"[HKLM\\A]\r\n\"a\"=dword:1\r\n\r\n\ufeff"+v5+"[HKLM\\B]\r\n\"b\"=dword:1\r\n"), Options{})
	if len(r.Errors) != 0 || r.Tree.Key("B").Value("b") == nil {
		t.Errorf("concatenated exports: %v", r.Errors)
	}
}

// TestEncodingsAndLineEnds reads one export written in every encoding and
// with every kind of line end, and expects the same tree.
func TestEncodingsAndLineEnds(t *testing.T) {
	text := "[HKEY_LOCAL_MACHINE\\SYSTEM\\Ümlaut]\n\"Wert-ä\"=\"café\"\n\"bin\"=hex:01,\\\n  02\n\n"
	want := model.NewRegTree()
	k := want.EnsureKey(`SYSTEM\Ümlaut`, model.Location{})
	k.SetValue(&model.Value{Name: "Wert-ä", Type: model.RegSZ, Data: model.UTF16String("café")})
	k.SetValue(&model.Value{Name: "bin", Type: model.RegBinary, Data: []byte{1, 2}})
	header := "Windows Registry Editor Version 5.00\n\n"
	cp1252 := func(s string) []byte { b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(s)); return b }
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	cases := []struct {
		name, encoding string
		in             []byte
	}{
		{"UTF-16LE BOM CRLF", "UTF-16LE with BOM", utf16le(crlf(header+text), true)},
		{"UTF-16LE no BOM", "UTF-16LE", utf16le(crlf(header+text), false)},
		{"UTF-16BE BOM", "UTF-16BE with BOM", utf16be(crlf(header + text))},
		{"UTF-8 BOM LF", "UTF-8 with BOM", []byte("\xef\xbb\xbf" + header + text)},
		{"UTF-8 CR only", "UTF-8", []byte(strings.ReplaceAll(header+text, "\n", "\r"))},
		{"UTF-8 CR CR LF", "UTF-8", []byte(strings.ReplaceAll(header+text, "\n", "\r\r\n"))},
		{"cp1252 CRLF Ctrl-Z", "cp1252 (assumed)", append(cp1252(crlf(header+text)), 0x1A)},
		{"UTF-16LE CR only, Ctrl-Z", "UTF-16LE with BOM", utf16le(strings.ReplaceAll(header+text, "\n", "\r")+"\x1a", true)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, oneByte := range []bool{false, true} {
				var r *Result
				var err error
				if oneByte { // every chunk boundary falls everywhere
					r, err = Parse(iotest.OneByteReader(bytes.NewReader(c.in)), "t", Options{})
				} else {
					r, err = Parse(bytes.NewReader(c.in), "t", Options{})
				}
				if err != nil || len(r.Errors) > 0 {
					t.Fatalf("err %v, errors %v", err, r.Errors)
				}
				if d := diffTrees(want, r.Tree); len(d) > 0 {
					t.Fatalf("one byte at a time %v: %v", oneByte, d)
				}
				if r.Encoding.String() != c.encoding {
					t.Errorf("encoding %s, want %s", r.Encoding, c.encoding)
				}
			}
		})
	}
}

func TestLineNumbersForEveryLineEnd(t *testing.T) {
	for _, nl := range []string{"\r\n", "\n", "\r", "\r\r\n"} {
		in := strings.ReplaceAll("Windows Registry Editor Version 5.00\n\n[HKLM\\K]\n\n\"a\"=hex:01,\\\n 02\n\"b\"=dword:x\n", "\n", nl)
		r := mustParse(t, []byte(in), Options{})
		if v := r.Tree.Key("K").Value("a"); v == nil || v.Loc.Line != 5 || len(r.Errors) != 1 || r.Errors[0].Line != 7 {
			t.Errorf("line end %q: value %+v, errors %v", nl, v, r.Errors)
		}
	}
}

func TestREGEDIT4CodePages(t *testing.T) {
	enc := func(s string) []byte { b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(s)); return b }
	// hex(2) "café\0" and hex(7) "ü\0\0" as ANSI bytes; hex(1) is not converted.
	in := string(enc("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\K]\r\n\"é\"=\"ß\"\r\n")) +
		"\"e\"=hex(2):63,61,66,e9,00\r\n\"m\"=hex(7):fc,00,00\r\n\"s\"=hex(1):41,00\r\n"
	r := mustParse(t, []byte(in), Options{})
	if r.Header != "REGEDIT4" || r.Encoding.String() != "cp1252 (assumed)" {
		t.Errorf("header %q encoding %s", r.Header, r.Encoding)
	}
	checks := map[string]string{"é": sz("ß"), "e": sz("café"), "m": hex.EncodeToString(model.UTF16MultiString([]string{"ü"})), "s": "4100"}
	for name, want := range checks {
		if _, got, _ := valueHex(t, r, "K", name); got != want {
			t.Errorf("%q = %s, want %s", name, got, want)
		}
	}

	sjis := func(s string) []byte { b, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s)); return b }
	// 表 is 95 5C in Shift-JIS: its second byte is a backslash.
	in = string(sjis("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\表\\キー]\r\n\"表\"=\"表示\\\\\"\r\n")) + "\"e\"=hex(2):95,5c,00\r\n"
	r = mustParse(t, []byte(in), Options{CodePage: "cp932"})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if _, got, _ := valueHex(t, r, `表\キー`, "表"); got != sz(`表示\`) {
		t.Errorf("cp932 string = %s, want %s (%v)", got, sz(`表示\`), r.Tree.Keys())
	}
	if _, got, _ := valueHex(t, r, `表\キー`, "e"); got != sz("表") {
		t.Errorf("cp932 hex(2) = %s", got)
	}
	if r.Encoding.String() != "cp932 (assumed)" {
		t.Errorf("encoding %s", r.Encoding)
	}
}

func TestCodePageWarnings(t *testing.T) {
	// 0x81 0xFF is not Shift-JIS.
	in := "REGEDIT4\r\n\r\n[HKLM\\K]\r\n\"a\"=\"ok\"\r\n\"b\"=\"\x81\xff\"\r\n"
	r := mustParse(t, []byte(in), Options{CodePage: "cp932"})
	if r.Encoding.Invalid != 1 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Message, "not valid in cp932 (the first on line 5)") || r.Warnings[0].Loc.Line != 5 {
		t.Errorf("encoding %+v warnings %+v", r.Encoding, r.Warnings)
	}
	// reged: names as Latin-1 bytes, strings as UTF-8, in one file.
	in = v5 + "[HKLM\\K\\\xdcmlaut]\r\n\"N\xe4me\"=\"caf\xc3\xa9\"\r\n"
	r = mustParse(t, []byte(in), Options{})
	if _, got, _ := valueHex(t, r, `K\Ümlaut`, "Näme"); got != sz("café") {
		t.Errorf("mixed file: %s %v", got, r.Tree.Keys())
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Message, "mixes UTF-8 and cp1252") {
		t.Errorf("warnings %+v", r.Warnings)
	}
	if _, err := Parse(strings.NewReader(v5), "x", Options{CodePage: "cp0"}); err == nil {
		t.Error("unknown code page accepted")
	}
}

func TestFilterSkipsUnwantedKeys(t *testing.T) {
	in := v5 + `[HKEY_LOCAL_MACHINE\SYSTEM]

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\PolicyAgent\Oakley]
"NLBSFlags"=dword:1

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\Other]
"broken"=dword:xyz
  garbage

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\Other\Deeper]
"x"=dword:1

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent]
"Start"=dword:2

[-HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\Other]
`
	f := model.NewKeyFilter(`SYSTEM\CurrentControlSet\Services\PolicyAgent`)
	r := mustParse(t, []byte(in), Options{Filter: f})
	if len(r.Errors) > 0 {
		t.Errorf("errors in an unwanted key reported: %v", r.Errors)
	}
	if r.Tree.Key(`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`).Value("NLBSFlags") == nil ||
		r.Tree.Key(`SYSTEM\CurrentControlSet\Services\PolicyAgent`).Value("Start") == nil {
		t.Errorf("wanted keys missing: %v", r.Tree.Keys())
	}
	// The filter keeps ancestors of wanted keys too (without their values
	// here, since SYSTEM has none).
	if r.Tree.Len() != 3 || r.Tree.Key("SYSTEM") == nil || r.KeysSeen != 6 || r.ValuesKept != 2 {
		t.Errorf("kept %d keys (seen %d, %d values): %s", r.Tree.Len(), r.KeysSeen, r.ValuesKept, dumpKeys(r.Tree))
	}
}

// TestPruningAgreesWithTheFilter checks the shortcut that skips keys under
// a rejected subtree against KeyFilter itself, on keys in export order.
func TestPruningAgreesWithTheFilter(t *testing.T) {
	f := model.NewKeyFilter(`SYSTEM\CurrentControlSet\Services\PolicyAgent`, `SYSTEM\Select`, `SOFTWARE\Policies\Microsoft\Windows\IPSec`)
	paths := []string{
		`SOFTWARE`, `SOFTWARE\Classes`, `SOFTWARE\Classes\CLSID`, `SOFTWARE\Classes\CLSID\{X}`, `SOFTWARE\classes\x`,
		`SOFTWARE\ClassesX`, `SOFTWARE\Policies`, `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy`,
		`SOFTWARE\Policies\Other`, `SOFTWARE\POLICIES\MICROSOFT\WINDOWS\IPSEC`, `SYSTEM`, `SYSTEM\ControlSet001`,
		`SYSTEM\ControlSet001\Enum`, `SYSTEM\ControlSet001\Enum\PCI`, `SYSTEM\ControlSet001\Services`,
		`SYSTEM\ControlSet001\Services\Policy`, `SYSTEM\ControlSet001\Services\PolicyAgent`,
		`SYSTEM\ControlSet001\Services\PolicyAgentX`, `SYSTEM\ControlSet001\Services\policyagent\Oakley`,
		`SYSTEM\ControlSet002\Services\PolicyAgent`, `SYSTEM\Select`, `SYSTEM\SelectX`, `SYSTEM\Ümlaut`, `SYSTEM\Ümlaut\x`,
		`SYSTEM\ümlaut\y`,
	}
	var in strings.Builder
	in.WriteString(v5)
	for _, p := range paths {
		in.WriteString("[HKEY_LOCAL_MACHINE\\" + p + "]\r\n\"v\"=dword:1\r\n\r\n")
	}
	r := mustParse(t, utf16le(in.String(), true), Options{Filter: f})
	for _, p := range paths {
		if got := r.Tree.Key(p) != nil; got != f.Wants(p) {
			t.Errorf("%s: kept %v, filter wants %v", p, got, f.Wants(p))
		}
	}
}

func TestLongLinesAreBounded(t *testing.T) {
	defer func(n, c int) { maxLineBytes, chunkBytes = n, c }(maxLineBytes, chunkBytes)
	maxLineBytes, chunkBytes = 4096, 512
	long := "\"big\"=hex:" + strings.Repeat("01,", 3000) + "01"
	in := v5 + "[HKLM\\Unwanted]\r\n" + long + "\r\n[HKLM\\K]\r\n" + long + "\r\n\"after\"=dword:1\r\n"
	for _, input := range [][]byte{[]byte(in), utf16le(in, true)} {
		r := mustParse(t, input, Options{Filter: model.NewKeyFilter("K")})
		if len(r.Errors) != 1 || r.Errors[0].Line != 6 || !strings.Contains(r.Errors[0].Err.Error(), "longer than") {
			t.Errorf("errors: %v", r.Errors)
		}
		if r.Tree.Key("K").Value("after") == nil || r.Tree.Key("K").Value("big") != nil {
			t.Errorf("values: %v", r.Tree.Key("K").Values)
		}
	}
}

func TestTooManyErrors(t *testing.T) {
	in := v5 + "[HKLM\\K]\r\n" + strings.Repeat("bad\r\n", maxErrors+5)
	r := mustParse(t, []byte(in), Options{})
	if len(r.Errors) != maxErrors+1 || !strings.Contains(r.Errors[maxErrors].Err.Error(), "5 more syntax errors") {
		t.Errorf("%d errors, last %v", len(r.Errors), r.Errors[len(r.Errors)-1])
	}
}

func TestUnpairedSurrogatesSurviveUTF16(t *testing.T) {
	// A name and a string holding U+D800 alone: legal in the registry.
	u := utf16.Encode([]rune(v5 + "[HKLM\\K]\r\n\"a"))
	u = append(u, 0xD800)
	u = append(u, utf16.Encode([]rune("\"=\"x"))...)
	u = append(u, 0xDC00, '"', '\r', '\n')
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	r := mustParse(t, b, Options{})
	k := r.Tree.Key("K")
	if len(k.Values) != 1 || hex.EncodeToString(k.Values[0].Data) != "780000dc0000" || k.Values[0].Name != "a\xed\xa0\x80" {
		t.Errorf("values %+v", k.Values)
	}
}

func diffTrees(want, got *model.RegTree) []string {
	var out []string
	for _, wk := range want.Keys() {
		gk := got.Key(wk.Path)
		if gk == nil || gk.Path != wk.Path {
			out = append(out, "key "+wk.Path)
			continue
		}
		for _, wv := range wk.Values {
			gv := gk.Value(wv.Name)
			if gv == nil || gv.Name != wv.Name || gv.Type != wv.Type || !bytes.Equal(gv.Data, wv.Data) {
				out = append(out, wk.Path+": "+wv.Name)
			}
		}
		if len(gk.Values) != len(wk.Values) {
			out = append(out, wk.Path+": value count")
		}
	}
	if got.Len() != want.Len() {
		out = append(out, "key count")
	}
	return out
}

func dumpKeys(t *model.RegTree) string {
	var s []string
	for _, k := range t.Keys() {
		s = append(s, k.Path)
	}
	return strings.Join(s, ", ")
}

// TestCutShort reads files that stop in the middle of an entry, without a
// final line end: each gives one error and keeps what came before.
func TestCutShort(t *testing.T) {
	for _, end := range []string{`"a"=str(1):"`, `"a"=str(1):"x`, `"a"="x`, `"a"=hex:01,\`, `"a"=hex(`, `"a`, `[HKLM\K`, `"a"=dword:`} {
		in := v5 + "[HKLM\\K]\r\n\"before\"=dword:1\r\n" + end
		for _, input := range [][]byte{[]byte(in), utf16le(in, true)} {
			r := mustParse(t, input, Options{})
			wantErrors := 1
			if end == `"a"=hex:01,\` {
				wantErrors = 0 // a continuation to nothing: the value ends there
			}
			if len(r.Errors) != wantErrors || r.Tree.Key("K").Value("before") == nil {
				t.Errorf("%q: errors %v, values %v", end, r.Errors, r.Tree.Key("K").Values)
			}
		}
	}
}

// TestCountEntries checks the look-ahead that sizes a key's value list:
// value lines up to the next [key], in 8-bit, UTF-16 and CR-only files.
func TestCountEntries(t *testing.T) {
	const body = "\"a\"=dword:1\r\n  @=\"x\"\r\n\"b\"=hex:01,\\\r\n  02\r\n; c\r\n\r\n[HKEY_LOCAL_MACHINE\\Y]\r\n\"c\"=dword:2\r\n"
	for _, tc := range []struct {
		name string
		data []byte
		wide bool
	}{
		{"8-bit", []byte(body), false},
		{"CR", []byte(strings.ReplaceAll(body, "\r\n", "\r")), false},
		{"UTF-16LE", utf16LE(body), true},
	} {
		src := newLineSource(bytes.NewReader(tc.data), 1<<10)
		if err := src.prime(); err != nil {
			t.Fatal(err)
		}
		src.setup(tc.wide, false, 0)
		if got := src.countEntries(); got != 3 {
			t.Errorf("%s: countEntries = %d, want 3", tc.name, got)
		}
	}
}

func utf16LE(s string) []byte {
	var b []byte
	for _, c := range s {
		b = append(b, byte(c), byte(c>>8))
	}
	return b
}
