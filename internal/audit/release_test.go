package audit

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// TestHostsShareFilterSpecs: two hosts holding the same policy share the
// spec of each of its filters once built, each keeping where its own copy
// was read and what could not be read there: the doubt about a value
// netsh refuses names each host's own file.
func TestHostsShareFilterSpecs(t *testing.T) {
	dump := netshScript(
		`add filterlist name="FE to BE"`,
		`add filter filterlist="FE to BE" srcaddr=me dstaddr=10.0.0.5 description="POP3" protocol=TCP srcport=0 dstport=110`,
		`add filter filterlist="FE to BE" srcaddr=me dstaddr=10.0.0.6 protocol=TCPX srcport=0 dstport=143`,
		`add policy name="FE-BE" assign=yes`)
	f := released(t, model.KeepSpec{Key: model.KeyComputerName}, map[string]string{
		"EXFE01/system.reg": sysReg("EXFE01"), "EXFE01/ipsec.txt": dump,
		"EXFE02/system.reg": sysReg("EXFE02"), "EXFE02/ipsec.txt": dump,
	})
	var lists []*model.FilterList
	for _, name := range []string{"EXFE01", "EXFE02"} {
		h := f.Host(name)
		if h == nil {
			t.Fatalf("no host %s: %v", name, hostNames(f))
		}
		l := netshList(h, "FE to BE")
		if l == nil || len(l.Filters) != 2 {
			t.Fatalf("%s: filter list %+v", name, l)
		}
		if got, want := l.Filters[0].Loc.File, filepath.ToSlash(filepath.Join(name, "ipsec.txt")); got != want || l.Filters[0].Loc.Line != 3 {
			t.Errorf("%s: first filter read at %s:%d, want %s:3", name, got, l.Filters[0].Loc.Line, want)
		}
		lists = append(lists, l)
	}
	a, b := lists[0].Filters, lists[1].Filters
	if a[0].FilterSpec != b[0].FilterSpec || a[0].Description != "POP3" || a[0].DstPort != 110 {
		t.Errorf("equal filters of two hosts: specs %p and %p (%+v), want one shared", a[0].FilterSpec, b[0].FilterSpec, *a[0].FilterSpec)
	}
	if len(a[1].Doubts) == 0 || len(b[1].Doubts) == 0 || a[1].FilterSpec != b[1].FilterSpec {
		t.Fatalf("filters with a doubt: doubts %v and %v, specs %p and %p: want doubts, and one shared spec", a[1].Doubts, b[1].Doubts, a[1].FilterSpec, b[1].FilterSpec)
	}
	if a[1].Doubts[0].Loc.File == b[1].Doubts[0].Loc.File {
		t.Errorf("both doubts name %s", a[1].Doubts[0].Loc.File)
	}
}

// netshList is the filter list of that name in the host's netsh store.
func netshList(h *model.Host, name string) *model.FilterList {
	for _, s := range h.IPSec {
		if s.Source == model.SourceNetsh {
			if l := s.FilterList(name); l != nil {
				return l
			}
		}
	}
	return nil
}

// TestReleasePacksWhatIsKept: once a host is released, what it keeps of
// its registry, the value its NLBSFlags fact points to, the values its
// sources disagree on and its rules' authentication methods read as
// before, the fact pointing to the registry's own (moved) value.
func TestReleasePacksWhatIsKept(t *testing.T) {
	oakley := "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent\\Oakley]\r\n\"NLBSFlags\"=dword:00000001\r\n"
	dump := netshScript(
		`add filterlist name="L"`,
		`add filter filterlist="L" srcaddr=me dstaddr=10.0.0.5 protocol=TCP srcport=0 dstport=110`,
		`add filteraction name="A" action=negotiate qmsecmethods="ESP[3DES,SHA1]"`,
		`add policy name="P" assign=yes`,
		`add rule name="R" policy="P" filterlist="L" filteraction="A" kerberos=no psk="k"`)
	f := released(t, model.KeepSpec{Key: model.KeyOakley}, map[string]string{
		"EXFE01/system.reg": sysReg("EXFE01") + "\r\n" + oakley, "EXFE01/ipsec.txt": dump,
		"EXFE02/system.reg": sysReg("EXFE02") + "\r\n" + oakley, "EXFE02/oakley.reg": "Windows Registry Editor Version 5.00\r\n\r\n" + strings.Replace(oakley, "00000001", "00000000", 1),
	})
	h := f.Host("EXFE01")
	if h == nil {
		t.Fatalf("no host: %v", hostNames(f))
	}
	nf := h.Facts.NLBSFlags.Value
	if v := h.Registry.Value(model.KeyOakley, "NLBSFlags"); v == nil || nf.Value != v {
		t.Errorf("the NLBSFlags fact points to %p, the registry holds %p", nf.Value, v)
	}
	if len(h.Registry.Conflicts) != 0 {
		t.Errorf("EXFE01: conflicts %+v", h.Registry.Conflicts)
	}
	h2 := f.Host("EXFE02")
	if h2 == nil {
		t.Fatalf("no host EXFE02: %v", hostNames(f))
	}
	cs := h2.Registry.Conflicts
	if len(cs) != 1 || cs[0].Kept != h2.Registry.Value(model.KeyOakley, "NLBSFlags") || cs[0].Lost == nil {
		t.Fatalf("conflicts %+v", cs)
	}
	if kept, _ := cs[0].Kept.AsDWORD(); kept == func() uint32 { n, _ := cs[0].Lost.AsDWORD(); return n }() {
		t.Errorf("both sides of the conflict read %d", kept)
	}
	var auth []model.AuthMethod
	for _, s := range h.IPSec {
		for _, p := range s.Policies {
			for _, r := range p.Rules {
				if r.Name == "R" {
					auth = r.Auth
				}
			}
		}
	}
	if len(auth) != 1 || auth[0].Kind != model.AuthPreshared || auth[0].KeyLength != 1 || cap(auth) != 1 {
		t.Errorf("rule R's authentication: %+v (cap %d)", auth, cap(auth))
	}
}

// TestReleasePacksStores: once released, a host's stores, policies,
// rules, filter lists and actions still point at one another (a list
// two rules share is one list, the one the store holds), and its facts
// at the store's policy.
func TestReleasePacksStores(t *testing.T) {
	dump := netshScript(
		`add filterlist name="L"`,
		`add filter filterlist="L" srcaddr=me dstaddr=10.0.0.5 protocol=TCP srcport=0 dstport=110`,
		`add filter filterlist="L" srcaddr=me dstaddr=10.0.0.5 protocol=TCP srcport=0 dstport=143`,
		`add filteraction name="A" action=negotiate qmsecmethods="ESP[3DES,SHA1]"`,
		`add policy name="P" assign=yes`,
		`add rule name="R1" policy="P" filterlist="L" filteraction="A"`,
		`add rule name="R2" policy="P" filterlist="L" filteraction="A" activate=no`)
	f := released(t, model.KeepSpec{Key: model.KeyComputerName}, map[string]string{"EXFE01/system.reg": sysReg("EXFE01"), "EXFE01/ipsec.txt": dump})
	h := f.Host("EXFE01")
	if h == nil || len(h.IPSec) != 1 {
		t.Fatalf("host %+v", h)
	}
	s := h.IPSec[0]
	l, a, p := s.FilterList("L"), s.FilterAction("A"), s.Policy("P")
	if l == nil || a == nil || p == nil || len(l.Filters) != 2 || l.Filters[1].DstPort != 143 {
		t.Fatalf("store %+v", s)
	}
	if h.Facts.Policy.Value.Policy != p {
		t.Errorf("the facts point to policy %p, the store holds %p", h.Facts.Policy.Value.Policy, p)
	}
	var names []string
	for _, r := range p.Rules {
		names = append(names, r.Name)
		if r.Default {
			continue
		}
		if r.FilterList != l || r.FilterAction != a {
			t.Errorf("rule %s: list %p and action %p, the store holds %p and %p", r.Name, r.FilterList, r.FilterAction, l, a)
		}
	}
	if strings.Join(names, ",") != "R1,R2,Default Response" && strings.Join(names, ",") != "Default Response,R1,R2" {
		t.Errorf("rules %v", names)
	}
}

// netshScript is a netsh ipsec static script of the commands given, as
// `netsh ipsec static dump` frames them.
func netshScript(commands ...string) string {
	return "pushd ipsec static\r\n" + strings.Join(commands, "\r\n") + "\r\npopd\r\n"
}

// released collects a fleet of the files given (path -> content) on two
// workers, each host released keeping what keep names.
func released(t *testing.T, keep model.KeepSpec, files map[string]string) *model.Fleet {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	f, err := Collect([]string{dir}, Options{Workers: 2, Retain: model.NewRetention(keep)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}
