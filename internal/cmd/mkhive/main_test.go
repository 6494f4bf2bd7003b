package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/parsers/hive"
)

// TestFilledByHivexregedit makes an empty SYSTEM hive, fills it with
// hivexregedit --merge as fixture scripts do (FORMATS.md §2), and reads
// it back with the hive reader.
func TestFilledByHivexregedit(t *testing.T) {
	hivex := testutil.Tool(t, "hivexregedit", "libwin-hivex-perl")
	dir := t.TempDir()
	p := filepath.Join(dir, "SYSTEM")
	if err := run([]string{"-name", "SYSTEM", "-file", `\SystemRoot\System32\Config\SYSTEM`, "-o", p}); err != nil {
		t.Fatal(err)
	}
	empty, err := hive.Open(p, hive.Options{})
	if err != nil || len(empty.Damage) > 0 || empty.Tree.Len() != 1 || empty.Mount != "SYSTEM" {
		t.Fatalf("empty hive: err %v, %+v", err, empty)
	}
	reg := strings.Join([]string{
		`Windows Registry Editor Version 5.00`, ``,
		`[HKEY_LOCAL_MACHINE\SYSTEM\Select]`, `"Current"=dword:00000001`, ``,
		`[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001]`, ``,
		`[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services]`, ``,
		`[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\IPSEC]`, `"NoDefaultExempt"=dword:00000003`, ``,
		`[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\PolicyAgent]`, `"Start"=dword:00000002`, `"DisplayName"="IPSEC Services"`, ``,
		`[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\PolicyAgent\Oakley]`, `"NLBSFlags"=dword:00000001`,
		`"Blob"=hex:01,02,03,04,05,06`, `"List"=hex(7):61,00,00,00,62,00,00,00,00,00`, ``,
	}, "\n")
	regPath := filepath.Join(dir, "fixture.reg")
	if err := os.WriteFile(regPath, []byte(reg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(hivex, "--merge", "--prefix", `HKEY_LOCAL_MACHINE\SYSTEM`, p, regPath).CombinedOutput(); err != nil {
		t.Fatalf("hivexregedit --merge: %v\n%s", err, out)
	}
	res, err := hive.Open(p, hive.Options{})
	if err != nil || len(res.Damage) > 0 {
		t.Fatalf("err %v damage %v", err, res.Damage)
	}
	r := model.NewRegistry(res.Tree)
	if res.Hive != "SYSTEM" || res.CurrentSet != 1 || r.CurrentSet != 1 {
		t.Errorf("hive %q, current set %d", res.Hive, res.CurrentSet)
	}
	dword := func(key, name string, want uint32) {
		if n, ok := r.Value(key, name).AsDWORD(); !ok || n != want {
			t.Errorf(`%s\%s = %s, want %d`, key, name, r.Value(key, name).Display(), want)
		}
	}
	dword(`SYSTEM\CurrentControlSet\Services\IPSEC`, "NoDefaultExempt", 3)
	dword(`SYSTEM\CurrentControlSet\Services\PolicyAgent`, "Start", 2)
	dword(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "NLBSFlags", 1)
	if s, _ := r.Value(`SYSTEM\CurrentControlSet\Services\PolicyAgent`, "DisplayName").AsString(); s != "IPSEC Services" {
		t.Errorf("DisplayName = %q", s)
	}
	if v := r.Value(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "Blob"); v == nil || !bytes.Equal(v.Data, []byte{1, 2, 3, 4, 5, 6}) || v.Type != model.RegBinary {
		t.Errorf("Blob = %s", v.Display())
	}
	if ss, _ := r.Value(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "List").AsStrings(); strings.Join(ss, ",") != "a,b" {
		t.Errorf("List = %q", ss)
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "x")
	if err := os.WriteFile(existing, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"-o", existing}, {"-minor", "9", "-o", filepath.Join(dir, "y")}, {"-o", "a", "extra"}} {
		if err := run(args); err == nil {
			t.Errorf("mkhive %q: no error", args)
		}
	}
	if data, _ := os.ReadFile(existing); string(data) != "keep" {
		t.Error("an existing file was overwritten")
	}
}
