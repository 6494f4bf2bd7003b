package netsh

import (
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// listedRule is a listing of one policy with one rule whose Connection
// Type line is line ("" for none).
func listedRule(line string) string {
	text := "Policy Name            : P\r\nRule ID                : 1, GUID = {A0000001-72B7-11D2-ACF0-0260B025CAFE}\r\nRule Name              : R\r\n"
	if line != "" {
		text += line + "\r\n"
	}
	return text + "FilterList Name        : L\r\nFilterAction Name      : A\r\nAction                 : NEGOTIATE\r\n"
}

func TestListingConnectionTypes(t *testing.T) {
	for _, c := range []struct {
		line string
		want model.ConnType
	}{
		{"Connection Type        : ALL", model.ConnAll},
		{"Connection Type        : All", model.ConnAll},
		{"Connection Type        : All network connections", model.ConnAll},
		{"Connection Type        : LAN", model.ConnLAN},
		{"Connection Type        : Local area network (LAN)", model.ConnLAN},
		{"Connection Type        : DIALUP", model.ConnDialup},
		{"Connection Type        : Dial-up", model.ConnDialup},
		{"Connection Type        : Remote access", model.ConnDialup},
		{"连接类型 : 所有", model.ConnAll},
		{"连接类型 : 局域网", model.ConnLAN},
		{"Connection Type        : 远程访问", model.ConnDialup},
		{"Connection Type        : 拨号", model.ConnDialup},
		{"Connection Type        : WIRELESS", ""},
		{"Connection Type        : ", ""},
		{"", ""}, // no line: not netsh's default, unknown
	} {
		t.Run(c.line, func(t *testing.T) {
			res := parseText(t, listedRule(c.line))
			r := res.Store.Policy("P").Rule("R")
			if r == nil {
				t.Fatalf("no rule: %s", storeJSON(res.Store))
			}
			d := r.Doubts.About("connType")
			if r.ConnType != c.want || (c.want == "") != (d != nil) {
				t.Fatalf("connType %q, doubt %+v; want %q", r.ConnType, d, c.want)
			}
			if d != nil && (d.Loc.Line == 0 || !strings.Contains(d.Reason, "unknown")) {
				t.Errorf("doubt %+v", d)
			}
			if covers, known := r.ConnType.CoversLAN(); c.want == "" && (covers || known) {
				t.Errorf("an unknown connection type covers LAN %v, known %v", covers, known)
			}
		})
	}
}

func TestScriptConnectionTypes(t *testing.T) {
	const pre = "netsh ipsec static add policy name=P\r\n"
	for _, c := range []struct {
		text   string
		want   model.ConnType
		errors int
	}{
		{"netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A\r\n", model.ConnAll, 0}, // netsh's default
		{"netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A conntype=LAN\r\n", model.ConnLAN, 0},
		{"netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A con=dialup\r\n", model.ConnDialup, 0},
		{"netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A conntype=wifi\r\n", "", 1},
		{"netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A conntype=wifi\r\nnetsh ipsec static set rule name=R policy=P conntype=all\r\n", model.ConnAll, 1},
		{"ipsecpol -w REG -p P -r R -f 0+10.0.0.50 -n PASS -dialup\r\n", model.ConnDialup, 0},
		{"ipsecpol -w REG -p P -r R -f 0+10.0.0.50 -n PASS -lan\r\n", model.ConnLAN, 0},
	} {
		res := parseText(t, pre+c.text)
		r := res.Store.Policy("P").Rule("R")
		if r == nil || r.ConnType != c.want || len(res.Errors) != c.errors || (c.want == "") != (r.Doubts.About("connType") != nil) {
			t.Errorf("%q: rule %+v, errors %v; want %q", c.text, r, errorStrings(res), c.want)
		}
	}
}
