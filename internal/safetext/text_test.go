package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"clean ASCII", `EXFE01/HKLM_SYSTEM.reg`, `EXFE01/HKLM_SYSTEM.reg`},
		{"registry path keeps backslashes", `HKLM\SYSTEM\CurrentControlSet`, `HKLM\SYSTEM\CurrentControlSet`},
		{"clean non-ASCII", "Zürich-ДЦ-東京-😀", "Zürich-ДЦ-東京-😀"},
		{"literal U+FFFD stays", "a\uFFFDb", "a\uFFFDb"},
		{"newline forging a row", "a.reg\n| error | IPSEC999 | forged |", `a.reg\n| error | IPSEC999 | forged |`},
		{"CR and tab", "a\r\tb", `a\r\tb`},
		{"OSC window title", "\x1b]0;pwned\x07host", `\x1b]0;pwned\x07host`},
		{"CSI clear screen", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"NUL, BS and DEL", "a\x00\x08\x7fb", `a\x00\x08\x7fb`},
		{"C1 CSI and NEL", "a\u009b31m\u0085b", `a\u009b31m\u0085b`},
		{"right-to-left override", "exe.\u202etxt", `exe.\u202etxt`},
		{"isolates and embeddings", "\u2066a\u2069\u202ab\u202c", `\u2066a\u2069\u202ab\u202c`},
		{"zero-width characters", "a\u200bb\u200dc\u200fd", `a\u200bb\u200dc\u200fd`},
		{"BOM, soft hyphen, word joiner", "\ufeffa\u00adb\u2060c", `\ufeffa\u00adb\u2060c`},
		{"line and paragraph separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"tag character (outside the BMP)", "a\U000E0041b", `a\U000e0041b`},
		{"invalid byte", "a\xffb", `a\xffb`},
		{"truncated sequence", "a\xe6\x9d", `a\xe6\x9d`},
		{"encoded surrogate", "\xed\xa0\x80", `\xed\xa0\x80`},
		{"overlong slash", "\xc0\xaf", `\xc0\xaf`},
		{"C1 byte versus C1 character", "\x85|\u0085", `\x85|\u0085`},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Text(c.in)
			if got != c.want {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
			}
			checkDisplaySafe(t, got)
			if again := Text(got); again != got {
				t.Errorf("Text is not idempotent: Text(%q) = %q", got, again)
			}
		})
	}
}

// checkDisplaySafe fails unless s is valid UTF-8 with no character that
// Text escapes.
func checkDisplaySafe(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%q is not valid UTF-8", s)
	}
	for i, r := range s {
		if mustEscape(r) {
			t.Fatalf("%q has %U at offset %d", s, r, i)
		}
	}
}

// TestTextEscapesEveryRequiredRange walks every code point the brief names
// and every other code point, and checks each is escaped exactly when it
// is a control, format or separator character.
func TestTextEscapesEveryRequiredRange(t *testing.T) {
	required := [][2]rune{
		{0x00, 0x1f}, {0x7f, 0x9f}, {0x200b, 0x200f}, {0x202a, 0x202e},
		{0x2066, 0x2069}, {0xfeff, 0xfeff}, {0x2028, 0x2029},
	}
	for _, rg := range required {
		for r := rg[0]; r <= rg[1]; r++ {
			if got := Text(string(r)); got == string(r) || !strings.HasPrefix(got, `\`) {
				t.Errorf("Text(%U) = %q, want an escape", r, got)
			}
		}
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		got := Text(s)
		if mustEscape(r) == (got == s) {
			t.Fatalf("Text(%U) = %q: escaped %v, want %v", r, got, got != s, mustEscape(r))
		}
		if got != s {
			checkDisplaySafe(t, got)
		}
	}
}

func TestTextEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := "a" + string([]byte{byte(c)}) + "b"
		got := Text(s)
		checkDisplaySafe(t, got)
		if c >= 0x20 && c < 0x7f && got != s {
			t.Errorf("Text(%q) = %q, want it unchanged", s, got)
		}
		if (c < 0x20 || c >= 0x7f) && got == s {
			t.Errorf("Text(%q) left byte %#x unescaped", s, c)
		}
	}
}

func TestTextCleanDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"EXFE01", `HKLM\SYSTEM\CurrentControlSet\Services\IPSEC`, "Zürich-東京"} {
		if n := testing.AllocsPerRun(100, func() { _ = Text(s) }); n != 0 {
			t.Errorf("Text(%q) allocates %v times, want 0", s, n)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "EXFE01", "\x1b]0;x\x07", "a\nb", "\xff\xfe", "exe.\u202etxt", "\\x1b", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		checkDisplaySafe(t, got)
		if Text(got) != got {
			t.Fatalf("Text not idempotent on %q", s)
		}
		if utf8.ValidString(s) && firstUnsafe(s) == len(s) && got != s {
			t.Fatalf("clean %q changed to %q", s, got)
		}
	})
}
