package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unsafe"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/detect"
)

// writeFiles creates files (slash paths relative to dir) with content.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sysReg is a minimal SYSTEM export naming the computer.
func sysReg(name string) string {
	return "Windows Registry Editor Version 5.00\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n" +
		"\"ComputerName\"=\"" + name + "\"\r\n"
}

const netshDump = "pushd ipsec static\r\nadd policy name=\"P\" assign=yes\r\npopd\r\n"

func fileByRel(f *model.Fleet, rel string) *model.InputFile {
	for _, file := range f.Files {
		if file.Name == rel {
			return file
		}
	}
	return nil
}

func hostNames(f *model.Fleet) []string {
	var names []string
	for _, h := range f.Hosts {
		names = append(names, h.Name)
	}
	return names
}

func TestFleetOfHostFolders(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"README.md":              "# exports collected on 2005-03-01\n",
		"ipseclint.yaml":         "hosts:\n  FE1: {role: frontend}\n",
		"a/system.reg":           sysReg("FE1"),
		"a/ipsec.txt":            netshDump,
		"a/notes/extra.txt":      "collected by hand\n",
		"a/nested/software.reg":  "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft]\r\n",
		"b/system.reg":           sysReg("BE1"),
		"site2/c/ipsec-dump.txt": netshDump,
		".git/config":            "[core]\n",
		"b/.hidden":              "x",
	})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(hostNames(f), ","); got != "FE1,BE1,c" {
		t.Errorf("hosts = %s, want FE1,BE1,c (a README at the fleet's root must not make it a host)", got)
	}
	want := map[string]struct {
		host   string
		kind   model.FileKind
		status model.FileStatus
	}{
		"README.md":              {"", model.KindUnknown, model.StatusSkipped},
		"ipseclint.yaml":         {"", model.KindConfig, model.StatusRead},
		"a/system.reg":           {"FE1", model.KindRegExport, model.StatusRead},
		"a/ipsec.txt":            {"FE1", model.KindNetsh, model.StatusRead},
		"a/notes/extra.txt":      {"FE1", model.KindUnknown, model.StatusSkipped},
		"a/nested/software.reg":  {"FE1", model.KindRegExport, model.StatusRead},
		"b/system.reg":           {"BE1", model.KindRegExport, model.StatusRead},
		"site2/c/ipsec-dump.txt": {"c", model.KindNetsh, model.StatusRead},
		".git":                   {"", model.KindDirectory, model.StatusSkipped},
		"b/.hidden":              {"", model.KindUnknown, model.StatusSkipped},
	}
	for rel, w := range want {
		got := fileByRel(f, rel)
		if got == nil {
			t.Errorf("%s: not accounted for in the fleet's files", rel)
			continue
		}
		if got.Host != w.host || got.Kind != w.kind || got.Status != w.status {
			t.Errorf("%s: host %q kind %s status %s, want %q %s %s", rel, got.Host, got.Kind, got.Status, w.host, w.kind, w.status)
		}
	}
	if len(f.Files) != len(want) {
		t.Errorf("%d files recorded, want %d: %v", len(f.Files), len(want), f.Files)
	}
	fe := f.Host("FE1")
	if fe.NameSource != "ComputerName in the registry" || !fe.HasSystem || !fe.HasSoftware {
		t.Errorf("FE1: name source %q, system %v, software %v", fe.NameSource, fe.HasSystem, fe.HasSoftware)
	}
	if fe.Role.Role != model.RoleFrontEnd || !fe.Role.Declared() {
		t.Errorf("FE1 role = %+v, want declared frontend", fe.Role)
	}
	if c := f.Host("c"); c == nil || !strings.HasPrefix(c.NameSource, "folder name") {
		t.Errorf("host c must be named after its folder: %+v", c)
	}
}

func TestLooseFilesAndMissingPaths(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"EXFE01/system.reg": sysReg("EXFE01"), "EXFE01/ipsec.txt": netshDump})
	f, err := Collect([]string{filepath.Join(dir, "EXFE01", "system.reg"), filepath.Join(dir, "EXFE01", "ipsec.txt"), filepath.Join(dir, "nope")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Hosts) != 1 || len(f.Hosts[0].Files) != 2 {
		t.Fatalf("files named on the command line must group by folder into one host: %v", hostNames(f))
	}
	missing := fileByRel(f, "nope")
	if missing == nil || missing.Status != model.StatusFailed || !strings.Contains(missing.Reason, "no such file") {
		t.Errorf("a missing path must be a failed input with its reason: %+v", missing)
	}
}

func TestSameComputerInTwoFolders(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"2005-03/system.reg": sysReg("EXFE01"), "2005-04/system.reg": sysReg("EXFE01")})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(hostNames(f), ","); got != "EXFE01 (2005-03),EXFE01 (2005-04)" {
		t.Errorf("hosts = %s", got)
	}
}

func TestConfigErrorsAndOverride(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ipseclint.yaml":       "hosts:\n  FE1: {role: frontdoor}\n",
		"FE1/system.reg":       sysReg("FE1"),
		"FE1/ipseclint.yaml":   "hosts:\n  FE1: {role: backend}\n",
		"other/ipseclint.yaml": "hosts:\n  FE1: {role: frontend}\n",
	})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fileByRel(f, "ipseclint.yaml")
	if cfg == nil || cfg.Status != model.StatusPartial || len(cfg.Problems) != 1 || !strings.Contains(cfg.Problems[0].Message, `role "frontdoor"`) || cfg.Problems[0].Loc.Line != 2 {
		t.Errorf("the shallowest configuration applies and its mistakes are reported with their line: %+v", cfg)
	}
	if deeper := fileByRel(f, "FE1/ipseclint.yaml"); deeper == nil || deeper.Status != model.StatusSkipped {
		t.Errorf("a deeper configuration is listed as not used: %+v", deeper)
	}
	f, err = Collect([]string{dir}, Options{ConfigPath: filepath.Join(dir, "other", "ipseclint.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if h := f.Host("FE1"); h.Role.Role != model.RoleFrontEnd || !h.Role.Declared() {
		t.Errorf("--config must win: FE1 role %+v", h.Role)
	}
	if _, err := Collect([]string{dir}, Options{ConfigPath: filepath.Join(dir, "ipseclint.yaml")}); err == nil {
		t.Error("an invalid configuration named by --config is a usage error")
	}
	if _, err := Collect([]string{dir}, Options{CodePage: "cp9999"}); err == nil {
		t.Error("an unknown code page is a usage error")
	}
}

// TestCodePagePrecedence checks that a REGEDIT4 export is decoded in the
// host's own code page from ipseclint.yaml, over --codepage, over the
// configuration's default.
func TestCodePagePrecedence(t *testing.T) {
	dir := t.TempDir()
	// "Büro" in cp1252 is 42 FC 72 6F; in cp850 ü is 81.
	reg := func(name string, b byte) string {
		return "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=\"" + name + "\"\r\n\r\n" +
			"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\"Domain\"=\"B" + string([]byte{b}) + "ro\"\r\n"
	}
	writeFiles(t, dir, map[string]string{
		"ipseclint.yaml":    "codepage: cp850\nhosts:\n  JP1: {codepage: cp1252}\n",
		"JP1/system.reg":    reg("JP1", 0xFC),
		"DE1/system.reg":    reg("DE1", 0x81),
		"README-hosts.md":   "-",
		"DE1/cp-notes.txt":  "-",
		"JP1/cp-notes2.txt": "-",
	})
	domain := func(f *model.Fleet, host string) string {
		s, _ := f.Host(host).Registry.Value(`SYSTEM\CurrentControlSet\Services\Tcpip\Parameters`, "Domain").AsString()
		return s
	}
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := domain(f, "JP1"); got != "Büro" {
		t.Errorf("host code page cp1252: got %q", got)
	}
	if got := domain(f, "DE1"); got != "Büro" {
		t.Errorf("fleet code page cp850: got %q", got)
	}
	f, err = Collect([]string{dir}, Options{CodePage: "cp1252"})
	if err != nil {
		t.Fatal(err)
	}
	if got := domain(f, "DE1"); got == "Büro" {
		t.Errorf("--codepage cp1252 must win over the configuration's cp850, got %q", got)
	}
	if got := domain(f, "JP1"); got != "Büro" {
		t.Errorf("the host's own code page must win over --codepage, got %q", got)
	}
}

// TestHiveAndExportMerge checks that a host's binary SYSTEM hive (which
// names ControlSet001) and a live .reg export (which names
// CurrentControlSet) answer as one registry.
func TestHiveAndExportMerge(t *testing.T) {
	dir := t.TempDir()
	tree := model.NewRegTree()
	tree.EnsureKey(`SYSTEM\Select`, model.Location{}).SetValue(&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)})
	tree.EnsureKey(`SYSTEM\ControlSet001\Control\ComputerName\ComputerName`, model.Location{}).
		SetValue(&model.Value{Name: "ComputerName", Type: model.RegSZ, Data: model.UTF16String("BE1")})
	tree.EnsureKey(`SYSTEM\ControlSet001\Services\ClusSvc\Parameters`, model.Location{}).SetValue(&model.Value{Name: "ClusterName", Type: model.RegSZ, Data: model.UTF16String("EXCLUSTER")})
	h, err := hivewriter.Write(tree, "SYSTEM", hivewriter.Options{RootName: "SYSTEM", FileName: `\SystemRoot\System32\Config\SYSTEM`})
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{
		"BE1/SYSTEM":     string(h.Data),
		"BE1/oakley.reg": "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent\\Oakley]\r\n\"NLBSFlags\"=dword:00000001\r\n",
	})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	be := f.Host("BE1")
	if be == nil {
		t.Fatalf("hosts: %v", hostNames(f))
	}
	if !be.Facts.ClusterNode.Value || be.Facts.ClusterNode.Source.File != "BE1/SYSTEM" {
		t.Errorf("cluster node from the hive through CurrentControlSet: %+v", be.Facts.ClusterNode)
	}
	v := be.Registry.Value(`SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley`, "NLBSFlags")
	if n, ok := v.AsDWORD(); !ok || n != 1 || v.Loc.Line != 4 {
		t.Errorf("NLBSFlags from the .reg export: %+v", v)
	}
	if sys := fileByRel(f, "BE1/SYSTEM"); sys.Kind != model.KindHive || sys.Detail != "SYSTEM hive" {
		t.Errorf("hive file: %+v", sys)
	}
}

// TestHiveLogsAccounted checks that the transaction log of a dirty hive is
// applied and reported as read, and that a log with no hive needing it is
// listed as skipped.
func TestHiveLogsAccounted(t *testing.T) {
	dir := t.TempDir()
	before := model.NewRegTree()
	before.EnsureKey(`SYSTEM\Select`, model.Location{}).SetValue(&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)})
	after := model.NewRegTree()
	after.Merge(before)
	after.EnsureKey(`SYSTEM\ControlSet001\Control\ComputerName\ComputerName`, model.Location{}).
		SetValue(&model.Value{Name: "ComputerName", Type: model.RegSZ, Data: model.UTF16String("BE2")})
	opts := hivewriter.Options{RootName: "SYSTEM"}
	hb, err := hivewriter.Write(before, "SYSTEM", opts)
	if err != nil {
		t.Fatal(err)
	}
	ha, err := hivewriter.Write(after, "SYSTEM", opts)
	if err != nil {
		t.Fatal(err)
	}
	primary, log := hivewriter.DirtyOld(hb, ha)
	writeFiles(t, dir, map[string]string{"h/SYSTEM": string(primary), "h/SYSTEM.LOG": string(log), "h/stray/OTHER.LOG": string(log)})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(hostNames(f), ","); got != "BE2" {
		t.Errorf("the name written after the dirty hive's last flush must be read from the log: hosts %s", got)
	}
	if l := fileByRel(f, "h/SYSTEM.LOG"); l.Kind != model.KindHiveLog || l.Status != model.StatusRead {
		t.Errorf("applied log: %+v", l)
	}
	if l := fileByRel(f, "h/stray/OTHER.LOG"); l.Status != model.StatusSkipped {
		t.Errorf("unused log: %+v", l)
	}
	if sys := fileByRel(f, "h/SYSTEM"); len(sys.Notes) == 0 || !strings.Contains(strings.Join(sys.Notes, " "), "log") {
		t.Errorf("the hive's notes must say the logs were applied: %v", sys.Notes)
	}
}

func TestDamagedInputsDoNotStopTheAudit(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"A/system.reg": sysReg("A"),
		"B/SYSTEM":     "regf\x01\x00\x00\x00",
		"C/system.reg": "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=dword:xyz\r\n\"Other\"=\"C\"\r\n",
	})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b := fileByRel(f, "B/SYSTEM"); b.Status != model.StatusFailed || b.Reason == "" {
		t.Errorf("truncated hive: %+v", b)
	}
	c := fileByRel(f, "C/system.reg")
	if c.Status != model.StatusPartial || len(c.Problems) != 1 || c.Problems[0].Loc.Line != 4 {
		t.Errorf("syntax error: %+v", c)
	}
	if f.Host("A") == nil || f.Host("C") == nil {
		t.Errorf("the readable hosts must still be audited: %v", hostNames(f))
	}
}

// TestCodePageDeclaredUnderComputerName checks that a code page declared
// under a host's ComputerName (not its folder name) decodes its 8-bit text:
// the registry is read first, and what was decoded in another code page is
// read again in the host's own.
func TestCodePageDeclaredUnderComputerName(t *testing.T) {
	// Under the ComputerName, and under the folder name of a host whose
	// ComputerName has no entry: the host's code page either way.
	for _, key := range []string{"EXJP01", "server-a"} {
		t.Run(key, func(t *testing.T) { testCodePageDeclaredUnder(t, key) })
	}
}

func testCodePageDeclaredUnder(t *testing.T, key string) {
	dir := t.TempDir()
	// "メール" (mail) in cp932 (Shift JIS): 83 81 81 5B 83 8B.
	sjis := string([]byte{0x83, 0x81, 0x81, 0x5B, 0x83, 0x8B})
	writeFiles(t, dir, map[string]string{
		"ipseclint.yaml": "hosts:\n  " + key + ": {codepage: cp932}\n",
		"server-a/system.reg": "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=\"EXJP01\"\r\n\r\n" +
			"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\"Domain\"=\"" + sjis + "\"\r\n",
		"server-a/ipsec.txt": "pushd ipsec static\r\nadd policy name=\"" + sjis + "\" assign=yes\r\npopd\r\n",
	})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := f.Host("EXJP01")
	if h == nil {
		t.Fatalf("hosts: %v", hostNames(f))
	}
	if s, _ := h.Registry.Value(`SYSTEM\CurrentControlSet\Services\Tcpip\Parameters`, "Domain").AsString(); s != "メール" {
		t.Errorf("REGEDIT4 string decoded as %q, want メール (cp932 declared under %s)", s, key)
	}
	if len(h.IPSec) != 1 || len(h.IPSec[0].Policies) != 1 || h.IPSec[0].Policies[0].Name != "メール" {
		t.Fatalf("netsh policy: %+v", h.IPSec)
	}
	for _, file := range h.Files {
		if !strings.Contains(file.Detail, "cp932") {
			t.Errorf("%s decoded as %q, want cp932", file.Name, file.Detail)
		}
	}
}

// TestSniffedFormOnlyWhereTheHeadReadsTheSame: the netsh form the plan
// sniffed (in the default code page) is passed to the parser when the
// head is UTF-8 or UTF-16, or is parsed in the code page it was sniffed
// in; a head of 8-bit text parsed in another code page is sniffed again.
func TestSniffedFormOnlyWhereTheHeadReadsTheSame(t *testing.T) {
	for _, c := range []struct {
		form, sniffedIn, parsedIn, want string
	}{
		{"script", "", "cp850", "script"},
		{"show-all", "cp1252", "", "show-all"},
		{"show-all", "cp1252", "windows-1252", "show-all"},
		{"script", "cp1252", "cp850", ""},
		{"script", "cp1252", "no such code page", ""},
		{"", "", "cp1252", ""},
	} {
		j := &fileJob{kind: detect.Result{Kind: model.KindNetsh, Form: c.form, CodePage: c.sniffedIn}, codepage: c.parsedIn}
		if got := j.sniffedForm(); got != c.want {
			t.Errorf("form %q sniffed in %q, parsed in %q: %q, want %q", c.form, c.sniffedIn, c.parsedIn, got, c.want)
		}
	}
}

// TestSniffedFormGivenToTheParser: a netsh file is parsed in the form the
// plan sniffed, not sniffed again: a script the plan were to call a
// listing reads as a listing (which holds no policy), and as a script
// when the plan says so.
func TestSniffedFormGivenToTheParser(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"EXBE01/ipsec.txt": "pushd ipsec static\r\nadd policy name=\"Exchange BE\" assign=yes\r\npopd\r\n",
	})
	set, err := inputs.Collect([]string{dir}, inputs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	p := makePlan(set)
	if len(p.hosts) != 1 || len(p.hosts[0].entries) != 1 || p.hosts[0].kinds[0].Form != "script" {
		t.Fatalf("plan: %+v", p.hosts)
	}
	for _, form := range []string{"script", "show-all"} {
		j := &fileJob{entry: p.hosts[0].entries[0], kind: p.hosts[0].kinds[0], sniffed: true, host: p.hosts[0], codepage: "cp1252"}
		j.kind.Form = form
		j.read()
		policies := 0
		for _, s := range j.stores {
			policies += len(s.Policies)
		}
		if want := map[string]int{"script": 1, "show-all": 0}[form]; policies != want {
			t.Errorf("read as %s: %d policies, want %d (status %s: %s)", form, policies, want, j.file.Status, j.file.Reason)
		}
	}
}

// TestFactLocationsShareNames: once the registry is cut down, the key
// names in the host facts' locations are the interner's copies, one for
// every host, not pieces of each host's registry text.
func TestFactLocationsShareNames(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"EXFE01/system.reg": sysReg("EXFE01"), "EXFE02/system.reg": sysReg("EXFE02")})
	f, err := Collect([]string{dir}, Options{Retain: model.NewRetention(model.KeepSpec{Key: model.KeyComputerName})})
	if err != nil {
		t.Fatal(err)
	}
	a, b := f.Host("EXFE01"), f.Host("EXFE02")
	if a == nil || b == nil {
		t.Fatalf("hosts: %v", hostNames(f))
	}
	ka, kb := a.Facts.ComputerName.Source.Key, b.Facts.ComputerName.Source.Key
	if ka == "" || ka != kb || unsafe.StringData(ka) != unsafe.StringData(kb) {
		t.Errorf("ComputerName read at %q and %q: not one shared string", ka, kb)
	}
}

// TestPolicyReadAgainUnderComputerNameCodePage: a host whose registry is
// in UTF-16 and whose netsh dump is 8-bit text in the code page declared
// under its ComputerName: the dump is read again in it, and the registry
// merged once (its trees taken as they are) stays as it was, with the
// one conflict between the exports (merging the taken trees again would
// lose it).
func TestPolicyReadAgainUnderComputerNameCodePage(t *testing.T) {
	utf16le := func(s string) string {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return string(b)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ipseclint.yaml":      "hosts:\n  EXDE01: {codepage: cp850}\n",
		"server-a/system.reg": utf16le(sysReg("EXDE01") + "\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso]\r\n\"Build\"=\"1\"\r\n"),
		"server-a/software.reg": utf16le("Windows Registry Editor Version 5.00\r\n\r\n" +
			"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=\"EXDE01\"\r\n\r\n" +
			"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\"ProductName\"=\"Microsoft Windows Server 2003\"\r\n\r\n" +
			"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso]\r\n\"Build\"=\"2\"\r\n"),
		"server-a/ipsec.txt": "pushd ipsec static\r\nadd policy name=\"M\x81nchen\" assign=yes\r\npopd\r\n", // ü in cp850
	})
	f, err := Collect([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := f.Host("EXDE01")
	if h == nil {
		t.Fatalf("hosts: %v", hostNames(f))
	}
	if len(h.IPSec) != 1 || len(h.IPSec[0].Policies) != 1 || h.IPSec[0].Policies[0].Name != "München" {
		t.Fatalf("netsh policy: %+v", h.IPSec)
	}
	// Contoso's Build is "2" in software.reg and "1" in system.reg: one
	// conflict, the later file's (in name order) value kept.
	if build, _ := h.Registry.Value(`SOFTWARE\Contoso`, "Build").AsString(); len(h.Registry.Conflicts) != 1 || build != "1" ||
		h.Registry.Value(`SOFTWARE\Microsoft\Windows NT\CurrentVersion`, "ProductName") == nil {
		t.Errorf("registry: conflicts %+v, ProductName %v", h.Registry.Conflicts, h.Registry.Value(`SOFTWARE\Microsoft\Windows NT\CurrentVersion`, "ProductName"))
	}
	if len(h.Files) != 3 {
		t.Fatalf("files: %d", len(h.Files))
	}
	for _, file := range h.Files {
		if file.Host != "EXDE01" || (strings.HasSuffix(file.Name, "ipsec.txt") && !strings.Contains(file.Detail, "cp850")) {
			t.Errorf("%s: host %q, detail %q", file.Name, file.Host, file.Detail)
		}
		if fileByRel(f, file.Name) != file {
			t.Errorf("%s: the fleet lists another file object than the host", file.Name)
		}
	}
}

// TestPlanSniffsUntilAnInput: the plan sniffs a folder's files in their
// listed order only until one is an input (a folder of no input is
// sniffed whole), and the files it left are sniffed when read, getting
// the kind a sniff of every file gives, and read whole from the one open
// that sniffed them (a head, then the rest).
func TestPlanSniffsUntilAnInput(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"EXFE01/a-readme.txt": "nothing to read here\n",
		"EXFE01/b-system.reg": sysReg("EXFE01"),
		"EXFE01/c-ipsec.txt":  "pushd ipsec static\r\n" + strings.Repeat("rem padding past the head\r\n", detect.HeadSize/20) + "add policy name=\"FE\" assign=yes\r\npopd\r\n",
		"EXFE01/d-notes.txt":  "more notes\n",
		"docs/readme.txt":     "a fleet\n",
		"docs/more.txt":       "still a fleet\n",
	})
	set, err := inputs.Collect([]string{dir}, inputs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	want := map[string]detect.Result{}
	for _, e := range set.Entries {
		want[e.Name] = sniff(e)
	}
	p := makePlan(set)
	sniffed := map[string]bool{}
	for _, hp := range p.hosts {
		for k, e := range hp.entries {
			sniffed[e.Name] = hp.sniffed[k]
			j := &fileJob{entry: e, kind: hp.kinds[k], sniffed: hp.sniffed[k], host: hp, codepage: "cp1252"}
			j.read()
			if j.kind != want[e.Name] {
				t.Errorf("%s: read as %+v, a sniff gives %+v", e.Name, j.kind, want[e.Name])
			}
			if j.opened != nil {
				t.Errorf("%s: left open", e.Name)
			}
			if e.Name == "EXFE01/c-ipsec.txt" && (len(j.stores) != 1 || len(j.stores[0].Policies) != 1 || j.file.Status != model.StatusRead) {
				t.Errorf("%s, read from the open that sniffed it: %d stores, status %s: %s", e.Name, len(j.stores), j.file.Status, j.file.Reason)
			}
		}
	}
	for name, w := range map[string]bool{
		"EXFE01/a-readme.txt": true, "EXFE01/b-system.reg": true, "EXFE01/c-ipsec.txt": false, "EXFE01/d-notes.txt": false,
		"docs/more.txt": true, "docs/readme.txt": true,
	} {
		if s, ok := sniffed[name]; !ok || s != w {
			t.Errorf("%s: sniffed by the plan %v (listed %v), want %v", name, s, ok, w)
		}
	}
}

// TestPlanSniffsInRounds: in a folder whose first input comes after many
// files that are not, the plan sniffs its files in rounds of 1, 1, 2, 4,
// 8, ... and stops after the round that met the input: never more than
// twice the files before it.
func TestPlanSniffsInRounds(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 20 {
		files[fmt.Sprintf("EXFE01/n%02d.txt", i)] = "notes\n"
	}
	files["EXFE01/n09.txt"] = sysReg("EXFE01")
	writeFiles(t, dir, files)
	set, err := inputs.Collect([]string{dir}, inputs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	p := makePlan(set)
	if len(p.hosts) != 1 || p.hosts[0].dir != "EXFE01" {
		t.Fatalf("hosts: %+v", p.hosts)
	}
	hp := p.hosts[0]
	for k, e := range hp.entries {
		if want := e.Name < "EXFE01/n16.txt"; hp.sniffed[k] != want {
			t.Errorf("%s: sniffed by the plan %v, want %v", e.Name, hp.sniffed[k], want)
		}
	}
}
