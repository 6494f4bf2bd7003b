package netsh

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

func parseText(t *testing.T, text string) *Result {
	t.Helper()
	res, err := Parse([]byte(text), "s.cmd", Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return res
}

func errorStrings(res *Result) []string {
	var out []string
	for _, e := range res.Errors {
		out = append(out, e.Error())
	}
	return out
}

func TestAbbreviationsSpacesAndPositionalTags(t *testing.T) {
	res := parseText(t, `netsh ipsec static add policy "P" desc = "a policy" mmsec=3DES-SHA1-3 act=n
netsh ipsec static add filterlist "L"
netsh ipsec static add filter filterl = L srca=10.1.2.3 srcm=24 dsta = me proto=udp mir=n dstp=500
netsh ipsec static add filteraction name=A qmsec="ESP[DES,MD5]:100000k AH[SHA1]+ESP[None,SHA1]:3600s" soft=Y inp=yes
NETSH IPSEC STATIC ADD RULE name=R pol=P filterl=L filtera=A con=dialup
`)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", errorStrings(res))
	}
	s := res.Store
	p := s.Policy("P")
	if p == nil || p.Description != "a policy" || p.ActivateDefaultRule || p.DefaultRule().Active || p.MMSecMethods[0].DHGroup != 3 {
		t.Fatalf("policy = %+v", p)
	}
	f := s.FilterList("L").Filters[0]
	if f.Src.Net.String() != "10.1.2.0/24" || f.Dst.Kind != model.AddrMe || f.Protocol != 17 || f.Mirrored || f.DstPort != 500 {
		t.Errorf("filter = %+v", f)
	}
	a := s.FilterAction("A")
	if !a.Soft || !a.InPass || a.Action != model.ActionNegotiate || len(a.Methods) != 2 {
		t.Fatalf("action = %+v", a)
	}
	if m := a.Methods[0]; m.ESP.Cipher != "DES" || m.ESP.Integrity != "MD5" || m.LifetimeKB != 100000 || m.LifetimeSec != 0 {
		t.Errorf("method 1 = %+v", m)
	}
	if m := a.Methods[1]; m.AH != "SHA1" || m.ESP.Cipher != "None" || m.Confidential() || m.LifetimeSec != 3600 {
		t.Errorf("method 2 = %+v", m)
	}
	r := p.Rule("R")
	if r == nil || r.ConnType != "dialup" || r.FilterAction != a || r.FilterList != s.FilterList("L") || r.Auth[0].Kind != model.AuthKerberos {
		t.Errorf("rule = %+v", r)
	}
}

func TestCaretsAndCommandTails(t *testing.T) {
	res := parseText(t, "@echo off\r\n"+
		"REM netsh ipsec static add policy name=Ignored\r\n"+
		":: netsh ipsec static add policy name=AlsoIgnored\r\n"+
		"netsh ipsec static ^\r\n"+
		"   add policy ^\r\n"+
		"   name=\"P Q\" assign=y && echo done > nul\r\n"+
		"if errorlevel 1 goto :eof\r\n"+
		"C:\\WINDOWS\\system32\\netsh.exe -r EXFE01 ipsec static add filterlist name=L >>log.txt 2>&1\r\n")
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", errorStrings(res))
	}
	s := res.Store
	if len(s.Policies) != 1 || s.Policies[0].Name != "P Q" || !s.Policies[0].Assigned {
		t.Fatalf("policies = %+v", s.Policies)
	}
	if loc := s.Policies[0].AssignLoc; loc.Line != 6 || loc.Column != 15 {
		t.Errorf("assign location = %v, want line 6 col 15 (after the carets)", loc)
	}
	if s.Policies[0].Loc.Line != 5 {
		t.Errorf("policy line = %d, want 5 (the add)", s.Policies[0].Loc.Line)
	}
	if s.FilterList("L") == nil {
		t.Error("filter list after a redirection not read")
	}
}

func TestErrorsHavePositionsAndParsingGoesOn(t *testing.T) {
	res := parseText(t, `pushd ipsec static
add policy name=P frobnicate=yes
add filter filterlist=L srcaddr=me dstaddr=10.0.0.300 protocol=TCP
add filter filterlist=L srcaddr=me dstaddr=any srcmask=255.0.255.0 protocol=XTP
add filter filterlist=L srcaddr=me dstaddr=10.0.0.5 src=1
add filteraction name=A action=encrypt qmsec="ESP[AES,SHA1]"
add filter filterlist=L srcaddr=me dstaddr=10.0.0.9 dstport=110 protocol=tcp
set policy name=P assign=maybe
add rule name=R policy=P filterlist=L
popd
`)
	want := []string{
		`s.cmd:2:19: add policy: unknown parameter "frobnicate"`,
		`s.cmd:3:44: dstaddr: "10.0.0.300" is not an address`,
		`s.cmd:4:56: srcmask: mask "255.0.255.0" is not contiguous`,
		`s.cmd:4:77: protocol: "XTP" is not a protocol (ANY, ICMP, TCP, UDP, RAW or 0-255)`,
		`s.cmd:5:53: add filter: ambiguous parameter "src" (srcaddr, srcmask, srcport)`,
		`s.cmd:6:32: action: "encrypt" is not permit, block or negotiate`,
		`s.cmd:6:46: qmsecmethods: security method "ESP[AES,SHA1]": ESP cipher is DES, 3DES or None, integrity MD5, SHA1 or None (no AES on Windows Server 2003)`,
		`s.cmd:8:26: assign: "maybe" is not yes or no`,
		`s.cmd:9:1: add rule: filteraction is required`,
	}
	got := errorStrings(res)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The rest still parses: the policy, the good filters, the action.
	s := res.Store
	if s.Policy("P") == nil || s.FilterAction("A") == nil {
		t.Fatalf("store lost objects: %+v", s)
	}
	// netsh refuses each command with a bad value: the filter or action is
	// kept with a doubt on the refused field, so that no verdict rests on
	// the default put in its place.
	fs := s.FilterList("L").Filters
	if len(fs) != 4 {
		t.Fatalf("%d filters kept, want 4 (lines 3, 4, 5 and 7)", len(fs))
	}
	wantDoubts := [][]string{{"dst"}, {"src", "protocol"}, nil, nil}
	for i, f := range fs {
		var got []string
		for _, d := range f.Doubts {
			got = append(got, d.Field)
			if !strings.Contains(d.Reason, "netsh refuses") || d.Loc.Line == 0 {
				t.Errorf("filter %d: doubt %+v does not say where netsh refuses what", i, d)
			}
		}
		if strings.Join(got, ",") != strings.Join(wantDoubts[i], ",") {
			t.Errorf("filter %d (line %d): doubts on %q, want %q", i, f.Loc.Line, got, wantDoubts[i])
		}
	}
	if a := s.FilterAction("A"); a.Doubts.About("action") == nil || a.Doubts.About("qmSecMethods") == nil {
		t.Errorf("filter action A: doubts %+v, want action and qmSecMethods", a.Doubts)
	}
}

func TestRefusedValuesAreDoubts(t *testing.T) {
	res := parseText(t, `pushd ipsec static
add policy name=P
add filterlist name=L
add filter filterlist=L srcaddr=me dstaddr=10.0.0.50 protocol=tcp dstport=110 mirrored=perhaps
add filter filterlist=L srcaddr=me dstaddr=10.0.0.50 protocol=tcp dstport=99999
add filteraction name=A action=negotiate inpass=yse soft=noo qmsec="ESP[3DES,SHA1]"
add rule name=R policy=P filterlist=L filteraction=A activate=maybe conntype=xyz
set filteraction name=A inpass=no
popd
`)
	s := res.Store
	fs := s.FilterList("L").Filters
	if len(fs) != 2 || fs[0].Doubts.About("mirrored") == nil || fs[1].Doubts.About("dstport") == nil {
		t.Fatalf("filters %+v: want doubts on mirrored and dstport", fs)
	}
	a := s.FilterAction("A")
	if a.Doubts.About("inpass") != nil {
		t.Errorf("inpass doubt kept after set filteraction inpass=no: %+v", a.Doubts)
	}
	if d := a.Doubts.About("soft"); d == nil || !strings.Contains(d.Reason, `soft="noo"`) || d.Loc.Line != 6 {
		t.Errorf("soft doubt = %+v, want one naming soft=\"noo\" on line 6", d)
	}
	r := s.Policy("P").Rule("R")
	if r.Doubts.About("active") == nil || r.Doubts.About("connType") == nil || r.ConnType != "" {
		t.Errorf("rule R: conntype %q, doubts %+v; want doubts on active and connType", r.ConnType, r.Doubts)
	}
}

func TestSetAndDeleteInFileOrder(t *testing.T) {
	res := parseText(t, `netsh ipsec static add policy name=Old
netsh ipsec static add filterlist name=L1
netsh ipsec static add filter filterlist=L1 srcaddr=me dstaddr=10.0.0.50 protocol=tcp dstport=110
netsh ipsec static add filter filterlist=L1 srcaddr=me dstaddr=10.0.0.50 protocol=tcp dstport=143
netsh ipsec static add filteraction name=Enc action=negotiate qmsec=ESP[3DES,SHA1]
netsh ipsec static add rule name=R policy=Old filterlist=L1 filteraction=Enc
netsh ipsec static set policy name=Old newname=New pollinginterval=5
netsh ipsec static set filterlist name=L1 newname=Mail
netsh ipsec static set filteraction name=Enc soft=yes qmsec="ESP[DES,MD5]"
netsh ipsec static delete filter filterlist=Mail srcaddr=me dstaddr=10.0.0.50 dstport=143
netsh ipsec static set rule name=R policy=New activate=no kerberos=no rootca="CN=Corp Root CA certmap:yes"
netsh ipsec static set defaultrule policy=New activate=no
netsh ipsec static add policy name=Other assign=yes
netsh ipsec static set policy name=New assign=yes
netsh ipsec static delete policy name=Other
netsh ipsec dynamic set config property=ipsecexempt value=3
netsh ipsec dynamic add rule srcaddr=any dstaddr=any mmpolicy=x actioninbound=block actionoutbound=block
`)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", errorStrings(res))
	}
	s := res.Store
	if len(s.Policies) != 1 {
		t.Fatalf("policies: %d", len(s.Policies))
	}
	p := s.Policies[0]
	if p.Name != "New" || p.PollingIntervalMin != 5 || !p.Assigned || p.AssignLoc.Line != 14 || p.DefaultRule().Active || p.ActivateDefaultRule {
		t.Errorf("policy = %+v", p)
	}
	r := p.Rule("R")
	if r.PolicyName != "New" || r.FilterListName != "Mail" || r.FilterList == nil || len(r.FilterList.Filters) != 1 || r.FilterList.Filters[0].DstPort != 110 {
		t.Errorf("rule's list after rename and delete = %+v", r.FilterList)
	}
	if r.Active || len(r.Auth) != 1 || r.Auth[0].Kind != model.AuthCertificate || r.Auth[0].CA != "CN=Corp Root CA" {
		t.Errorf("rule = active %v auth %q", r.Active, r.Auth)
	}
	if a := r.FilterAction; !a.Soft || a.Methods[0].ESP.Cipher != "DES" {
		t.Errorf("action = %+v", a)
	}
	if s.IPSecExempt == nil || s.IPSecExempt.Value != 3 || s.IPSecExempt.Loc.Line != 16 {
		t.Errorf("ipsecexempt = %+v", s.IPSecExempt)
	}
	var warned bool
	for _, w := range res.Warnings {
		warned = warned || strings.Contains(w.Message, `unassigns policy "Other"`)
	}
	if !warned {
		t.Errorf("no warning that assigning New unassigns Other: %v", res.Warnings)
	}
}

func TestNoData(t *testing.T) {
	for name, text := range map[string]string{
		"ERR line":      "ERR IPsec[05072] : No Policies in Policy Store\r\n",
		"empty dump":    "# -----\r\n# IPSec configuration\r\n# -----\r\npushd ipsec static\r\nset store location=local\r\npopd\r\n",
		"dump with ERR": "pushd ipsec static\r\nERR IPsec[05072] : No Policies in Policy Store\r\npopd\r\n",
		"empty file":    " \r\n",
	} {
		t.Run(name, func(t *testing.T) {
			res := parseText(t, text)
			if !res.Store.NoData {
				t.Errorf("NoData not set: %+v", res.Store)
			}
		})
	}
	if res := parseText(t, "netsh ipsec static add policy name=P\r\n"); res.Store.NoData {
		t.Error("NoData set for a file with a policy")
	}
}

func TestNotIPSec(t *testing.T) {
	for _, text := range []string{
		"Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n",
		"@echo off\r\nset policy=strict\r\necho %policy%\r\n",
		"hosts:\n  EXFE01: {role: frontend}\n",
	} {
		if _, err := Parse([]byte(text), "x", Options{}); !errors.Is(err, ErrNotIPSec) {
			t.Errorf("%q: err = %v, want ErrNotIPSec", text, err)
		}
	}
}

func TestParseErrorPosition(t *testing.T) {
	res, err := Parse([]byte("netsh ipsec static add filter filterlist=L srcaddr=me dstaddr=10.0.0.300\r\n"), "a.txt", Options{})
	if err != nil || len(res.Errors) != 1 {
		t.Fatalf("errors %v, %v", res.Errors, err)
	}
	e := res.Errors[0]
	if e.File != "a.txt" || e.Line != 1 || e.Column == 0 || !strings.HasPrefix(e.Error(), fmt.Sprintf("a.txt:1:%d: ", e.Column)) || e.Unwrap() == nil {
		t.Errorf("error %q (%+v): want a.txt:1:col: with a wrapped cause", e.Error(), e)
	}
}

func TestMaskAndAddressForms(t *testing.T) {
	for _, c := range []struct {
		args, src, dst string
	}{
		{"srcaddr=10.0.0.0 srcmask=8 dstaddr=any", "10.0.0.0/8", "any"},
		{"srcaddr=me dstaddr=192.168.1.77 dstmask=255.255.255.0", "me", "192.168.1.0/24"},
		{"srcaddr=WINS dstaddr=ME", "wins", "me"},
		{"srcaddr=gateway dstaddr=me", "gateway", "me"},
		{"srcaddr=me dstaddr=dc01.corp.example", "me", "dc01.corp.example"},
		{"srcaddr=0.0.0.0 srcmask=0.0.0.0 dstaddr=me", "any", "me"},
	} {
		res := parseText(t, "netsh ipsec static add filter filterlist=L "+c.args+"\n")
		if len(res.Errors) > 0 {
			t.Errorf("%s: %v", c.args, errorStrings(res))
			continue
		}
		f := res.Store.FilterList("L").Filters[0]
		got := filterString(f)
		if want := c.src + ">" + c.dst + " 0 0-0 m"; got != want {
			t.Errorf("%s: %s, want %s", c.args, got, want)
		}
	}
}

func TestNetshRunsAnotherScript(t *testing.T) {
	res := parseText(t, "@echo off\r\nnetsh -f C:\\ipsec\\policy.txt\r\n")
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, `runs the script "C:\\ipsec\\policy.txt"`) || res.Warnings[0].Loc.Line != 2 {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

// TestIPSecPolBadFilterIsADoubt: an ipsecpol -f filter that cannot be read
// is not silently left out: its list says that not all its filters are
// known, so that no verdict rests on the others alone.
func TestIPSecPolBadFilterIsADoubt(t *testing.T) {
	res := parseText(t, "ipsecpol -w REG -p P -r R -f 0+10.0.0.50:110:TCP -f 0+10.0.0.999:143:TCP -n ESP[3DES,SHA1]\r\n")
	var l *model.FilterList
	for _, fl := range res.Store.FilterLists {
		if len(fl.Filters) > 0 {
			l = fl
		}
	}
	if l == nil || len(l.Filters) != 1 {
		t.Fatalf("filter lists %+v: want one list holding the readable filter", res.Store.FilterLists)
	}
	if d := l.Doubts.About("filters"); d == nil || !strings.Contains(d.Reason, "10.0.0.999") || d.Loc.Line != 1 {
		t.Errorf("list doubts %+v: want one on filters naming the unread filter", l.Doubts)
	}
}
