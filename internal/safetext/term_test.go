package safetext

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// envOf returns an env function over fixed values, so tests do not
// depend on the environment they run in.
func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestWidthNotATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := []struct {
		columns string
		want    int
	}{
		{"", 0}, {"100", 100}, {" 90 ", 90}, {"abc", 0}, {"-5", 0}, {"0", 0}, {"12x", 0}, {"999999", MaxWidth},
	}
	for _, c := range cases {
		for _, w := range []io.Writer{&bytes.Buffer{}, f} {
			if got := Width(w, envOf("COLUMNS", c.columns)); got != c.want {
				t.Errorf("Width(%T, COLUMNS=%q) = %d, want %d", w, c.columns, got, c.want)
			}
		}
	}
}

func TestColorEnabledNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	cases := []struct {
		mode string
		env  []string
		want bool
	}{
		{"always", nil, true},
		{"ALWAYS", []string{"NO_COLOR", "1"}, true}, // an explicit flag wins over NO_COLOR
		{"never", nil, false},
		{"auto", nil, false}, // not a terminal
		{"", nil, false},
		{"bogus", nil, false},
	}
	for _, c := range cases {
		if got := ColorEnabled(c.mode, &buf, envOf(c.env...)); got != c.want {
			t.Errorf("ColorEnabled(%q, buffer, %v) = %v, want %v", c.mode, c.env, got, c.want)
		}
	}
}
