package netsh

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The byte scanners of scan.go replace these regular expressions (the
// parser's before this change); the test checks that they agree on lines
// built from the pieces that matter, in random order and case.
var (
	refErrLine   = regexp.MustCompile(`(?i)^\s*ERR\s+IPsec\s*\[\d+\]`)
	refDashes    = regexp.MustCompile(`^\s*-{3,}[\s-]*$`)
	refLabelLine = regexp.MustCompile(`^\s*([^:：]*?)\s*[:：]\s?(.*)$`)
	refLogPrefix = regexp.MustCompile(`(?i)^[^=:"]{1,60}:\s*((?:[a-z]:)?[^\s"]*netsh(?:\.exe)?\s)`)
	refNetdiag   = regexp.MustCompile(`(?i)IP Security test[\s.]*:`)
	refActive    = regexp.MustCompile(`(?i)\b(Local|Domain) IPSec Policy Active:\s*'([^']*)'`)
)

var scanPieces = []string{
	"ERR", "err", " ", "  ", "\t", "IPsec", "ipsec", "[", "]", "05072", "0", "-", "---", ":", "：", "\v",
	"Policy Name", "Local", "domain", "xLocal", " IPSec Policy Active:", "'", "My Policy", "IP Security test",
	" . . .", ".", "Entry added", "netsh", "NETSH.EXE", "C:\\WINDOWS\\system32\\", "=", `"`, "ipsec static", "é",
	strings.Repeat("a", 61), "x", "Local IPSec Policy Active:", "Domain IPSec Policy Active: ", "'P'", " 'Q R'",
	"ERR IPsec[05072]", "Entry added: netsh ", "IP Security test . . . :",
}

func randomLine(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(9) {
		p := scanPieces[rng.IntN(len(scanPieces))]
		if rng.IntN(4) == 0 {
			p = strings.ToUpper(p)
		}
		b.WriteString(p)
	}
	return b.String()
}

func TestScannersAgreeWithTheRegularExpressions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	matched := map[string]int{}
	for range 50000 {
		s := randomLine(rng)
		for name, re := range map[string]*regexp.Regexp{"err": refErrLine, "dashes": refDashes, "log": refLogPrefix, "netdiag": refNetdiag, "active": refActive} {
			if re.MatchString(s) {
				matched[name]++
			}
		}
		if got, want := isErrLine(s), refErrLine.MatchString(s); got != want {
			t.Fatalf("isErrLine(%q) = %v, want %v", s, got, want)
		}
		if got, want := isDashes(s), refDashes.MatchString(s); got != want {
			t.Fatalf("isDashes(%q) = %v, want %v", s, got, want)
		}
		label, value, ok := splitLabel(s)
		if m := refLabelLine.FindStringSubmatch(s); (m != nil) != ok || ok && (m[1] != label || m[2] != value) {
			t.Fatalf("splitLabel(%q) = %q %q %v, want %q", s, label, value, ok, m)
		}
		p, ok := logPrefixEnd(s)
		if m := refLogPrefix.FindStringSubmatchIndex(s); (m != nil) != ok || ok && m[2] != p {
			t.Fatalf("logPrefixEnd(%q) = %d %v, want %v", s, p, ok, m)
		}
		if got, want := isNetdiagTest(s), refNetdiag.MatchString(s); got != want {
			t.Fatalf("isNetdiagTest(%q) = %v, want %v", s, got, want)
		}
		scope, name, ok := netdiagActiveLine(s)
		if m := refActive.FindStringSubmatch(s); (m != nil) != ok || ok && (m[1] != scope || m[2] != name) {
			t.Fatalf("netdiagActiveLine(%q) = %q %q %v, want %q", s, scope, name, ok, m)
		}
	}
	for _, name := range []string{"err", "dashes", "log", "netdiag", "active"} {
		if matched[name] < 10 {
			t.Errorf("only %d random lines match %s: the comparison proves little", matched[name], name)
		}
	}
}

func TestLabelsFitTheLookupBuffer(t *testing.T) {
	for _, l := range Languages {
		for _, table := range []map[string]field{l.Labels, l.Headings} {
			for k := range table {
				if n := len(normLabel(k)); n > maxLabelBytes {
					t.Errorf("%s label %q folds to %d bytes, more than maxLabelBytes", l.Name, k, n)
				}
				if _, ok := lookupLabel(vocab.labels, k); !ok && table[k] != "" {
					if _, ok := lookupLabel(vocab.headings, k); !ok {
						t.Errorf("%s label %q is not found", l.Name, k)
					}
				}
			}
		}
		for k := range l.Values {
			if _, ok := lookupLabel(vocab.values, k); !ok {
				t.Errorf("%s value %q is not found", l.Name, k)
			}
		}
	}
}
