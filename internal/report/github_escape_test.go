package report

import "testing"

// TestGitHubEscapeFunctions: the escaping is actions/toolkit's
// (packages/core/src/command.ts): '%' first, then CR and LF, and in
// property values ':' and ','. safetext.Text leaves no CR or LF for it,
// but the escaping must stand on its own.
func TestGitHubEscapeFunctions(t *testing.T) {
	for _, c := range []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"%0A", "%250A", "%250A"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
	} {
		if got := ghEscapeData(c.in); got != c.data {
			t.Errorf("ghEscapeData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := ghEscapeProperty(c.in); got != c.prop {
			t.Errorf("ghEscapeProperty(%q) = %q, want %q", c.in, got, c.prop)
		}
	}
}
