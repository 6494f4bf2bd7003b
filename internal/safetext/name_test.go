package safetext

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"EXFE01/system.reg", "EXFE01/system.reg"},
		{"caf\xe9.reg", `caf\xe9.reg`},   // Latin-1 file name
		{`a\b`, `a\\b`},                  // backslash doubled
		{`a\xe9`, `a\\xe9`},              // a literal \xe9 stays distinct from the byte
		{"\xff\xfe", `\xff\xfe`},         // UTF-16 BOM bytes
		{"ctl\x1b\n", "ctl\x1b\n"},       // control characters are JSON's job
		{"Zürich-東京", "Zürich-東京"},       // valid UTF-8 unchanged
		{"\xed\xa0\x80", `\xed\xa0\x80`}, // encoded surrogate
	}
	for _, c := range cases {
		got := Name(c.in)
		if got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.in, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Name(%q) = %q is not valid UTF-8", c.in, got)
		}
		back, err := UnName(got)
		if err != nil || back != c.in {
			t.Errorf("UnName(%q) = %q, %v; want %q", got, back, err, c.in)
		}
	}
}

// TestNameSurvivesJSON shows the loss Name prevents: encoding/json turns
// an invalid byte into U+FFFD, Name's form comes back byte for byte.
func TestNameSurvivesJSON(t *testing.T) {
	in := "fleet/caf\xe9\\\xff.reg"
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var lossy string
	if err := json.Unmarshal(raw, &lossy); err != nil {
		t.Fatal(err)
	}
	if lossy == in {
		t.Fatalf("encoding/json kept %q; the premise of Name no longer holds", in)
	}
	raw, err = json.Marshal(Name(in))
	if err != nil {
		t.Fatal(err)
	}
	var kept string
	if err := json.Unmarshal(raw, &kept); err != nil {
		t.Fatal(err)
	}
	back, err := UnName(kept)
	if err != nil || back != in {
		t.Fatalf("via JSON %s: UnName = %q, %v; want %q", raw, back, err, in)
	}
}

func TestUnNameRejectsBadEscapes(t *testing.T) {
	for _, s := range []string{`\`, `a\q`, `\x`, `\x1`, `\xZZ`, `\u00e9`, `ok\`} {
		if got, err := UnName(s); err == nil {
			t.Errorf("UnName(%q) = %q, want an error", s, got)
		} else if !strings.Contains(err.Error(), "offset") {
			t.Errorf("UnName(%q) error %q does not say where", s, err)
		}
	}
	if got, err := UnName(`\xE9\x41`); err != nil || got != "\xe9A" {
		t.Errorf(`UnName(\xE9\x41) = %q, %v; want "\xe9A"`, got, err)
	}
}

func TestNameCleanDoesNotAllocate(t *testing.T) {
	s := "EXFE01/HKLM_SYSTEM.reg"
	if n := testing.AllocsPerRun(100, func() { _ = Name(s) }); n != 0 {
		t.Errorf("Name allocates %v times, want 0", n)
	}
}

func TestURIPath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"EXFE01/system.reg", "EXFE01/system.reg"},
		{"EXFE01/ipsec (copy) 2.txt", "EXFE01/ipsec%20%28copy%29%202.txt"},
		{"EXFE01:backup/x.reg", "EXFE01%3Abackup/x.reg"},
		{"a%20b?c#d", "a%2520b%3Fc%23d"},
		{"caf\xe9/Zü", "caf%E9/Z%C3%BC"},
		{`win\path`, "win%5Cpath"},
		{"/abs/path", "/abs/path"},
		{"//host/share", "/%2Fhost/share"},
		{"a+b&c=d;e@f", "a%2Bb%26c%3Dd%3Be%40f"},
	}
	for _, c := range cases {
		got := URIPath(c.in)
		if got != c.want {
			t.Errorf("URIPath(%q) = %q, want %q", c.in, got, c.want)
		}
		checkURIPath(t, c.in, got)
	}
}

// checkURIPath fails unless u is a URI reference that is nothing but a
// path, and decodes back to s.
func checkURIPath(t *testing.T, s, u string) {
	t.Helper()
	back, err := url.PathUnescape(u)
	if err != nil || back != s {
		t.Fatalf("url.PathUnescape(%q) = %q, %v; want %q", u, back, err, s)
	}
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", u, err)
	}
	if p.Scheme != "" || p.Host != "" || p.User != nil || p.RawQuery != "" || p.Fragment != "" || p.Opaque != "" {
		t.Fatalf("URIPath(%q) = %q parses as more than a path: %#v", s, u, p)
	}
	if p.Path != s {
		t.Fatalf("url.Parse(%q).Path = %q, want %q", u, p.Path, s)
	}
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"", "a", `a\b`, "caf\xe9", `\x41`, "\\\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Name(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Name(%q) = %q is not valid UTF-8", s, n)
		}
		back, err := UnName(n)
		if err != nil || back != s {
			t.Fatalf("UnName(Name(%q)) = %q, %v", s, back, err)
		}
	})
}

func FuzzURIPath(f *testing.F) {
	for _, s := range []string{"", "a/b", "a b", "//x", "a:b", "%", "\xff", "?#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkURIPath(t, s, URIPath(s))
	})
}
