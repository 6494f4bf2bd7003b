package policywriter

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/regfile"
)

// utf16Text decodes a regedit version 5 file: BOM, then UTF-16LE.
func utf16Text(t *testing.T, b []byte) string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || len(b)%2 != 0 {
		t.Fatalf("not UTF-16LE with a BOM: % x", b[:min(len(b), 8)])
	}
	u := make([]uint16, 0, len(b)/2-1)
	for i := 2; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
	}
	return string(utf16.Decode(u))
}

// TestRegLayout checks the export's form: regedit version 5 header,
// CRLF only, every parent key a section of its own, REG_SZ as "…",
// DWORDs as dword:, blobs as hex: and multi-strings as hex(7): wrapped
// at 80 columns with ,\ and two-space continuations.
func TestRegLayout(t *testing.T) {
	tree := model.NewRegTree()
	ps := parseScript(t, "fe-be.netsh")
	keys, err := WriteStore(tree, StoreLocal, ps, Options{PSK: fixtureKeys})
	if err != nil || AssignLocal(tree, keys[0]) != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteReg(&buf, tree); err != nil {
		t.Fatal(err)
	}
	text := utf16Text(t, buf.Bytes())
	if strings.Count(text, "\n") != strings.Count(text, "\r\n") || !strings.HasPrefix(text, "Windows Registry Editor Version 5.00\r\n\r\n") {
		t.Fatal("not a version 5 export with CRLF line ends")
	}
	path := ""
	for _, part := range strings.Split(StoreLocal, `\`) {
		path += part
		if !strings.Contains(text, "\r\n[HKEY_LOCAL_MACHINE\\"+path+"]\r\n") {
			t.Errorf("no section for the parent key %s", path)
		}
		path += `\`
	}
	for _, want := range []string{`"ActivePolicy"="SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local\\ipsecPolicy{`,
		`"ipsecDataType"=dword:00000100`, `"ipsecData"=hex:`, `"ipsecNFAReference"=hex(7):`, `"ipsecOwnersReference"=hex(7):`,
		`"ClassName"="ipsecNegotiationPolicy"`, `"ipsecNegotiationPolicyReference"="SOFTWARE\\`} {
		if !strings.Contains(text, want) {
			t.Errorf("no %s", want)
		}
	}
	wrapped := 0
	for _, line := range strings.Split(text, "\r\n") {
		if len(line) > 80 && !strings.HasPrefix(line, "[") && !strings.Contains(line, `"="`) {
			t.Errorf("line of %d columns: %s", len(line), line)
		}
		if strings.HasSuffix(line, `,\`) {
			wrapped++
		}
	}
	if wrapped == 0 {
		t.Error("no hex line wrapped")
	}
}

// TestRegAsTheSample writes the real export's own tree back: every key
// header and every value regedit itself wrote comes out as the sample
// has it, hex wrapping included, which shows that the writer lays values
// out as Windows 2000's regedit did. The values VPNease's template code
// generated (the NFA blobs, GPIPSEC.md §5, and the reference lists, which
// hold its GUID placeholders) are wrapped 16 bytes a line, not as regedit
// wraps: they are left out. The sample has no sections for the parent
// keys, which the writer adds.
func TestRegAsTheSample(t *testing.T) {
	raw, err := os.ReadFile(testutil.Sample(t, w2kSample))
	if err != nil {
		t.Fatal(err)
	}
	res, err := regfile.Parse(bytes.NewReader(raw), "sample.reg", regfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteReg(&buf, res.Tree); err != nil {
		t.Fatal(err)
	}
	got := utf16Text(t, buf.Bytes())
	checked := 0
	for _, entry := range regEntries(utf16Text(t, raw)) {
		generated := strings.HasPrefix(entry.text, `"ipsecData"=hex:00,ac,bb,11`) || strings.Contains(entry.text, "=hex(7):")
		if generated {
			continue
		}
		checked++
		if !strings.Contains(got, "\r\n"+entry.text+"\r\n") {
			t.Errorf("[%s] not written as the sample has it:\n%s", entry.key, entry.text)
		}
	}
	if checked < 60 {
		t.Errorf("only %d entries compared", checked)
	}
}

// regEntry is a key header or one value with its continuation lines.
type regEntry struct{ key, text string }

func regEntries(text string) []regEntry {
	var out []regEntry
	key := ""
	for _, line := range strings.Split(text, "\r\n") {
		switch {
		case strings.HasPrefix(line, "["):
			key = line
			out = append(out, regEntry{key, line})
		case strings.HasPrefix(line, "  ") && len(out) > 0:
			out[len(out)-1].text += "\r\n" + line
		case strings.HasPrefix(line, `"`) || strings.HasPrefix(line, "@"):
			out = append(out, regEntry{key, line})
		}
	}
	return out
}
