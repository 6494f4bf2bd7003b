package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ipseclint/ipseclint/internal/flows"
	"github.com/ipseclint/ipseclint/internal/model"
)

// copyHost copies a host folder of the repository's example fleet
// (testdata/fleet, made by testdata/make-fleet.sh) into dir.
func copyHost(t *testing.T, dir, host string) {
	t.Helper()
	src := filepath.Join("..", "..", "testdata", "fleet", host)
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{host + "/" + e.Name(): string(b)})
	}
}

// feScript is EXFE02's KB 821839 policy as netsh commands (the example
// fleet's own file is UTF-16), with %s for the rule's extra parameters
// and %p for the filters' protocol.
const feScript = `pushd ipsec static
set store location=local
add policy name="Exchange FE-BE" mmpfs=no qmpermm=0 mmlifetime=480 activatedefaultrule=no pollinginterval=180 assign=yes mmsecmethods="3DES-SHA1-2"
add filterlist name="FE to BE"
add filter filterlist="FE to BE" srcaddr=me dstaddr=10.0.0.0 protocol=%p mirrored=yes srcmask=255.255.255.255 dstmask=255.255.255.0 srcport=0 dstport=110
add filter filterlist="FE to BE" srcaddr=me dstaddr=10.0.0.0 protocol=%p mirrored=yes srcmask=255.255.255.255 dstmask=255.255.255.0 srcport=0 dstport=143
add filteraction name="Require ESP 3DES" qmpfs=no inpass=no soft=no action=negotiate qmsecmethods="ESP[3DES,SHA1]:100000k/3600s"
add rule name="Encrypt" policy="Exchange FE-BE" filterlist="FE to BE" filteraction="Require ESP 3DES" kerberos=yes %s
popd
`

// TestRefusedNetshValuesAreNotPasses audits a front-end and back-end of
// the example fleet whose netsh files hold a value netsh refuses (and
// with it the command): the flows that value decides are undetermined,
// never encrypted, and say which value it was.
func TestRefusedNetshValuesAreNotPasses(t *testing.T) {
	cases := []struct {
		name, rule, proto string
		beFrom, beTo      string // a change to the back-end's dump
		side              flows.Side
		want              flows.Verdict
		why               string
	}{
		{name: "accepted values pass", rule: "conntype=all activate=yes", proto: "TCP", side: flows.Outbound, want: flows.Encrypted},
		{name: "back-end accepted values pass", rule: "conntype=all", proto: "TCP", side: flows.Inbound, want: flows.Encrypted},
		{name: "conntype", rule: "conntype=xyz", proto: "TCP", side: flows.Outbound, want: flows.Undetermined, why: `conntype="xyz" (EXFE02/ipsec.txt:8:`},
		{name: "activate", rule: "activate=maybe", proto: "TCP", side: flows.Outbound, want: flows.Undetermined, why: `activate="maybe" (EXFE02/ipsec.txt:8:`},
		{name: "protocol", rule: "conntype=all", proto: "TPC", side: flows.Outbound, want: flows.Undetermined, why: `protocol="TPC" (EXFE02/ipsec.txt:5:`},
		{name: "inpass", rule: "conntype=all", proto: "TCP", beFrom: "inpass=no", beTo: "inpass=yse", side: flows.Inbound, want: flows.Undetermined, why: `inpass="yse" (EXBE01/ipsec-dump.txt:`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			copyHost(t, dir, "EXBE01")
			if c.beFrom != "" {
				p := filepath.Join(dir, "EXBE01", "ipsec-dump.txt")
				b, err := os.ReadFile(p)
				if err != nil || !strings.Contains(string(b), c.beFrom) {
					t.Fatalf("back-end dump: %v, or no %q in it", err, c.beFrom)
				}
				writeFiles(t, dir, map[string]string{"EXBE01/ipsec-dump.txt": strings.Replace(string(b), c.beFrom, c.beTo, 1)})
			}
			copyHost(t, dir, "EXFE02")
			script := strings.ReplaceAll(strings.Replace(feScript, "%s", c.rule, 1), "%p", c.proto)
			writeFiles(t, dir, map[string]string{"EXFE02/ipsec.txt": script,
				"ipseclint.yaml": "hosts:\n  EXFE02: {role: frontend}\n"})
			f, err := Collect([]string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkVerdicts(t, flows.Analyze(f), c.side, c.want, c.why)
		})
	}
}

// checkVerdicts checks the verdict of every flow of one side on TCP 110
// and 143.
func checkVerdicts(t *testing.T, a *flows.Analysis, side flows.Side, want flows.Verdict, why string) {
	t.Helper()
	n := 0
	for _, fl := range a.Flows {
		if fl.Side != side || (fl.Port != 110 && fl.Port != 143) || fl.Host.Role.Role == model.RoleUnknown {
			continue
		}
		n++
		v, reason := fl.Verdict()
		if v != want || !strings.Contains(reason, why) {
			t.Errorf("%s port %d: verdict %d (%s), want %d with a reason naming %q", fl.Host.Name, fl.Port, v, reason, want, why)
		}
	}
	if n == 0 {
		t.Fatalf("no flow on side %d to judge", side)
	}
}

// utf16File reads a UTF-16LE file (regedit's export) as a string.
func utf16File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 2 || b[0] != 0xff || b[1] != 0xfe {
		t.Fatalf("%s: %v, or not UTF-16LE", path, err)
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
	}
	return string(utf16.Decode(u))
}

// domainDump is a dump of the domain store holding the policy Group
// Policy assigns (GPTIPSECPolicy, appended to the example fleet's
// SOFTWARE export below); %a is its filter action's settings.
const domainDump = `pushd ipsec static
set store location=domain
add policy name="Domain Pol" assign=yes mmsecmethods="3DES-SHA1-2"
add filterlist name="FE to BE"
add filter filterlist="FE to BE" srcaddr=me dstaddr=10.0.0.0 protocol=TCP srcmask=255.255.255.255 dstmask=255.255.255.0 dstport=110
add filter filterlist="FE to BE" srcaddr=me dstaddr=10.0.0.0 protocol=TCP srcmask=255.255.255.255 dstmask=255.255.255.0 dstport=143
add filteraction name="A" %a
add rule name="Encrypt" policy="Domain Pol" filterlist="FE to BE" filteraction="A" kerberos=yes
popd
`

const gptKey = "\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\GPTIPSECPolicy]\r\n" +
	"\"DSIPSECPolicyPath\"=\"LDAP://CN=ipsecPolicy{0E2E0A8C-2F4B-4D61-9E55-AB0C3C8D9E11},CN=IP Security,CN=System,DC=contoso,DC=local\"\r\n" +
	"\"DSIPSECPolicyName\"=\"Domain Pol\"\r\n"

// TestDomainDumpIsNotTheAppliedCopy audits a front-end whose assigned
// domain policy is known only from a dump of Active Directory (no
// Policy\Cache export): the host applies its cached copy, which may
// differ, so every verdict from that policy says so in its Uncertain,
// the pass and the finding alike.
func TestDomainDumpIsNotTheAppliedCopy(t *testing.T) {
	for _, action := range []string{`action=negotiate qmsecmethods="ESP[3DES,SHA1]"`, "action=permit"} {
		dir := t.TempDir()
		copyHost(t, dir, "EXBE01")
		copyHost(t, dir, "EXFE02")
		writeFiles(t, dir, map[string]string{
			"EXFE02/software.reg": utf16File(t, filepath.Join(dir, "EXFE02", "software.reg")) + gptKey,
			"EXFE02/ipsec.txt":    strings.ReplaceAll(strings.Replace(feScript, "%s", "conntype=all", 1), "%p", "TCP"),
			"EXFE02/domain.txt":   strings.Replace(domainDump, "%a", action, 1),
			"ipseclint.yaml":      "hosts:\n  EXFE02: {role: frontend}\n",
		})
		f, err := Collect([]string{dir}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		fe := f.Host("EXFE02")
		if p := fe.Facts.Policy.Value.Policy; p == nil || p.Name != "Domain Pol" {
			t.Fatalf("%s: the policy judged is %+v, want the domain dump's", action, fe.Facts.Policy.Value)
		}
		n := 0
		for _, fl := range flows.Analyze(f).Flows {
			if fl.Host != fe || fl.Side != flows.Outbound || (fl.Port != 110 && fl.Port != 143) {
				continue
			}
			n++
			if !strings.Contains(strings.Join(fl.Match.Uncertain, "\n"), "may differ from the copy the host applies") {
				t.Errorf("%s, port %d: uncertain %q does not say the domain dump may not be the applied copy", action, fl.Port, fl.Match.Uncertain)
			}
		}
		if n == 0 {
			t.Fatalf("%s: no outbound flow of EXFE02", action)
		}
	}
}
