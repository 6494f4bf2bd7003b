package detect

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// TestNetshSamples checks that every IPSec text the netsh parser reads is
// recognized as netsh, and that the two samples that are no IPSec text
// (a label inventory, localized help) are not.
func TestNetshSamples(t *testing.T) {
	dir := filepath.Join(testutil.SamplesDir(t), "netsh")
	want := map[string]string{
		"01_show-all_filterlist_en_IPSecDotNet5.txt":                          "netsh ipsec static show all listing",
		"02_netdiag_test-ipsec_debug_KB813878.txt":                            "netdiag /test:ipsec output",
		"03_netdiag_short-forms_KB813878.txt":                                 "netdiag /test:ipsec output",
		"04_show-all_zh-CN_label-inventory_selboo-ipsecset.txt":               "",
		"10_netsh-static-script_SEC505_NetShell_Make_Static_IPSec_Policy.cmd": "netsh ipsec script",
		"11_netsh-dynamic-script_SEC505_NetShell_Demo_Dynamic_IPSec.cmd":      "netsh ipsec script",
		"13_netsh-static-cmds_crusader21_AD-trust-PSK.txt":                    "netsh ipsec script",
		"15_netsh-bat_zh-CN_spaces-around-equals_caret.bat":                   "netsh ipsec script",
		"17_netsh-cmdlog_velociraptor-quarantine_socfortress-CoPilot.txt":     "netsh ipsec script",
		"19_ipsecpol-win2000_SEC505.bat":                                      "ipsecpol/ipseccmd command script (Windows 2000/XP)",
		"20_ipsecpol-ipseccmd_KB813878_commands.txt":                          "ipsecpol/ipseccmd command script (Windows 2000/XP)",
		"21_netsh-help-examples_official.txt":                                 "netsh ipsec script",
		"23_netsh-help_localized_de-fr-ru_excerpts.txt":                       "",
	}
	for name, detail := range want {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got := Sniff(data, "")
		switch {
		case detail == "" && got.Kind == model.KindNetsh:
			t.Errorf("%s: recognized as netsh (%s)", name, got.Detail)
		case detail != "" && (got.Kind != model.KindNetsh || got.Detail != detail):
			t.Errorf("%s: %s %q, want netsh %q", name, got.Kind, got.Detail, detail)
		}
	}
}

func TestNetshFixturesAndLookalikes(t *testing.T) {
	for _, c := range []struct {
		text string
		kind model.FileKind
	}{
		{"\xff\xfe" + utf16("Policy Name : P\r\nAssigned : YES\r\n"), model.KindNetsh},
		{"ERR IPsec[05072] : No Policies in Policy Store\r\n", model.KindNetsh},
		{"C:\\WINDOWS\\system32\\netsh.exe ipsec static add policy name=P\r\n", model.KindNetsh},
		{"@echo off\r\nset policy=strict\r\necho %policy%\r\n", model.KindUnknown},
		{"hosts:\n  EXFE01: {role: frontend}\n", model.KindConfig},
		{"Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies]\r\n\"Policy Name : x\"=\"y\"\r\n", model.KindRegExport},
	} {
		if got := Sniff([]byte(c.text), ""); got.Kind != c.kind {
			t.Errorf("%q: %s (%s), want %s", c.text, got.Kind, got.Detail, c.kind)
		}
	}
}

func utf16(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}
