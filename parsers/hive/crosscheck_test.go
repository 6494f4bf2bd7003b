package hive

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// These tests compare what Open reads with two independent readers of
// the format: hivexregedit (Debian libwin-hivex-perl), whose export gives
// every value's exact bytes, and reglookup (Debian reglookup).

// TestAgreesWithHivexregedit compares whole clean hives, byte for byte.
func TestAgreesWithHivexregedit(t *testing.T) {
	hivex := testutil.Tool(t, "hivexregedit", "libwin-hivex-perl")
	testutil.SamplesDir(t) // absent: the whole test skips with the message, not each hive
	for _, rel := range []string{
		"xp-sp3-SYSTEM", "xp-sp3-software.sav", "xp-sp3-system.sav", "win10-minimal-SYSTEM",
		"edge/BigDataHive", "edge/ExtendedASCIIHive", "edge/ManySubkeysHive", "edge/MultiSzHive",
		"edge/StringValuesHive", "edge/UnicodeHive", "edge/UpcaseHive", "edge/EmptyHive",
		"edge/NewDirtyHive1-RecoveredHive_Windows10", "edge/OldDirtyHive-RecoveredHive_Windows7",
	} {
		t.Run(rel, func(t *testing.T) {
			path := testutil.Sample(t, "hives/"+rel)
			out, err := exec.Command(hivex, "--export", path, `\`).Output()
			if err != nil {
				t.Fatalf("hivexregedit: %v", err)
			}
			want, err := parseHivexExport(out)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Open(path, Options{})
			if err != nil || len(res.Damage) > 0 {
				t.Fatalf("err %v damage %s", err, damageOf(res))
			}
			got := model.NewRegTree()
			for _, k := range res.Tree.Keys() {
				rel := strings.TrimPrefix(strings.TrimPrefix(k.Path, res.Mount), `\`)
				nk := got.EnsureKey(rel, k.Loc)
				for _, v := range k.Values {
					nk.SetValue(v)
				}
			}
			if diff := treeDiff(got, want); diff != "" {
				t.Errorf("Open and hivexregedit disagree:\n%s", diff)
			}
			if got.Len() != want.Len() {
				t.Errorf("%d keys read, hivexregedit exports %d", got.Len(), want.Len())
			}
		})
	}
}

// parseHivexExport reads `hivexregedit --export` output: keys as
// [\path], values as "name"=dword:XXXXXXXX or "name"=hex(N):bytes on one
// line. Names come out as UTF-8, or Latin-1 for names stored compressed.
func parseHivexExport(out []byte) (*model.RegTree, error) {
	tree := model.NewRegTree()
	var key *model.Key
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	var pending string
	for sc.Scan() {
		line := pending + decodeLine(sc.Bytes())
		pending = ""
		switch {
		case line == "" || strings.HasPrefix(line, "Windows Registry Editor"):
		case strings.HasPrefix(line, `[\`):
			if !strings.HasSuffix(line, "]") { // a key name holding a line break
				pending = line + "\n"
				continue
			}
			key = tree.EnsureKey(strings.TrimPrefix(line[2:len(line)-1], `\`), model.Location{})
		case key != nil:
			v, err := parseHivexValue(line)
			if err != nil {
				return nil, err
			}
			key.SetValue(v)
		default:
			return nil, fmt.Errorf("unexpected line %q", line)
		}
	}
	return tree, sc.Err()
}

func decodeLine(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func parseHivexValue(line string) (*model.Value, error) {
	v := &model.Value{}
	rest := line
	if strings.HasPrefix(line, "@=") {
		rest = line[2:]
	} else {
		name, n, err := unquoteRegName(line)
		if err != nil {
			return nil, err
		}
		v.Name, rest = name, line[n:]
		if !strings.HasPrefix(rest, "=") {
			return nil, fmt.Errorf("no = in %q", line)
		}
		rest = rest[1:]
	}
	switch {
	case strings.HasPrefix(rest, "dword:"):
		n, err := strconv.ParseUint(rest[6:], 16, 32)
		if err != nil {
			return nil, err
		}
		v.Type, v.Data = model.RegDWORD, model.DWORDData(uint32(n))
	case strings.HasPrefix(rest, "hex("):
		typ, data, ok := strings.Cut(rest[4:], "):")
		if !ok {
			return nil, fmt.Errorf("bad hex value %q", line)
		}
		n, err := strconv.ParseUint(typ, 16, 32)
		if err != nil {
			return nil, err
		}
		b, err := hex.DecodeString(strings.ReplaceAll(data, ",", ""))
		if err != nil {
			return nil, err
		}
		v.Type, v.Data = model.ValueType(n), b
	default:
		return nil, fmt.Errorf("unknown value form %q", line)
	}
	return v, nil
}

// unquoteRegName reads a "quoted" name with \\ and \" escapes and returns
// it with the number of bytes it took.
func unquoteRegName(s string) (string, int, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", 0, fmt.Errorf("value name not quoted: %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated name in %q", s)
}

// TestAgreesWithReglookup compares the 12 MB Windows 7 hive and the XP
// one with reglookup: the same keys, the same values with the same types,
// the same numbers.
func TestAgreesWithReglookup(t *testing.T) {
	reglookup := testutil.Tool(t, "reglookup", "reglookup")
	testutil.SamplesDir(t) // absent: the whole test skips with the message, not each hive
	for _, rel := range []string{"win7-sp1-SYSTEM", "xp-sp3-SYSTEM"} {
		t.Run(rel, func(t *testing.T) {
			path := testutil.Sample(t, "hives/"+rel)
			out, err := exec.Command(reglookup, "-H", path).Output()
			if err != nil {
				t.Fatalf("reglookup: %v", err)
			}
			res, err := Open(path, Options{})
			if err != nil || len(res.Damage) > 0 {
				t.Fatalf("err %v damage %s", err, damageOf(res))
			}
			keys, values, dwords := 0, 0, 0
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				f := strings.Split(line, ",")
				if len(f) < 4 {
					t.Fatalf("reglookup line %q", line)
				}
				// Components are split before unescaping: a %2F is a slash inside a name.
				parts := strings.Split(f[0], "/")
				for i, c := range parts {
					if parts[i], err = url.PathUnescape(c); err != nil {
						t.Fatalf("path %q: %v", f[0], err)
					}
				}
				p := strings.Join(parts, `\`)
				if f[1] == "KEY" {
					keys++
					if res.Tree.Key(res.Mount+strings.TrimSuffix(p, `\`)) == nil {
						t.Errorf("reglookup lists key %s, Open did not read it", p)
					}
					continue
				}
				values++
				k := res.Tree.Key(res.Mount + strings.Join(parts[:len(parts)-1], `\`))
				v := k.Value(parts[len(parts)-1])
				if v == nil {
					t.Errorf("reglookup lists value %s, Open did not read it", p)
					continue
				}
				if typeName(v.Type) != f[1] {
					t.Errorf("%s: type %s, reglookup says %s", p, v.Type, f[1])
				}
				if f[1] == "DWORD" {
					dwords++
					n, _ := v.AsDWORD()
					if fmt.Sprintf("0x%08X", n) != f[2] {
						t.Errorf("%s = %#x, reglookup says %s", p, n, f[2])
					}
				}
			}
			readValues := 0
			for _, k := range res.Tree.Keys() {
				readValues += len(k.Values)
			}
			if keys != res.Tree.Len() || values != readValues {
				t.Errorf("reglookup: %d keys, %d values; Open: %d keys, %d values", keys, values, res.Tree.Len(), readValues)
			}
			t.Logf("%d keys, %d values (%d DWORDs) agree", keys, values, dwords)
		})
	}
}

// typeName is reglookup's name for a value type.
func typeName(t model.ValueType) string {
	names := []string{"NONE", "SZ", "EXPAND_SZ", "BINARY", "DWORD", "DWORD_BE", "LINK", "MULTI_SZ",
		"RSRC_LIST", "RSRC_DESC", "RSRC_REQ_LIST", "QWORD"}
	if int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprintf("0x%.8X", uint32(t))
}
