package fleetgen_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/ipseclint/ipseclint/internal/cli"
	"github.com/ipseclint/ipseclint/internal/fleetgen"
)

// treeHash hashes every file's path and content under dir.
func treeHash(t *testing.T, dir string) (string, int, int64) {
	t.Helper()
	h := sha256.New()
	files, size := 0, int64(0)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(data)
		h.Write([]byte(rel + "\x00" + hex.EncodeToString(sum[:]) + "\n"))
		files++
		size += int64(len(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), files, size
}

func write(t *testing.T, opts fleetgen.Options) (string, fleetgen.Stats) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fleet")
	st, err := fleetgen.Write(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, st
}

func TestSameSeedGivesByteIdenticalTrees(t *testing.T) {
	opts := fleetgen.Options{Hosts: 60, Seed: 7, HostsPerSite: 25}
	dirA, stA := write(t, opts)
	dirB, stB := write(t, opts)
	hashA, filesA, bytesA := treeHash(t, dirA)
	hashB, _, _ := treeHash(t, dirB)
	if hashA != hashB {
		t.Fatalf("two fleets of the same options differ: %s vs %s", hashA, hashB)
	}
	if stA.Files != filesA || stA.Bytes != bytesA || stA.Hosts != 60 || stA.Sites != 3 {
		t.Errorf("stats %d hosts, %d sites, %d files, %d bytes; on disk %d files, %d bytes", stA.Hosts, stA.Sites, stA.Files, stA.Bytes, filesA, bytesA)
	}
	if stB.Files != stA.Files || stB.Bytes != stA.Bytes {
		t.Errorf("stats differ between runs: %+v vs %+v", stA, stB)
	}
	dirC, _ := write(t, fleetgen.Options{Hosts: 60, Seed: 8, HostsPerSite: 25})
	if hashC, _, _ := treeHash(t, dirC); hashC == hashA {
		t.Error("seeds 7 and 8 gave the same fleet")
	}
}

// auditDoc is the part of the JSON report the tests read.
type auditDoc struct {
	Hosts []struct {
		Name string `json:"name"`
		Role string `json:"role"`
		OS   string `json:"os"`
	} `json:"hosts"`
	Files []struct {
		URI      string            `json:"uri"`
		Kind     string            `json:"kind"`
		Detail   string            `json:"detail"`
		Status   string            `json:"status"`
		Problems []json.RawMessage `json:"problems"`
		Notes    []string          `json:"notes"`
	} `json:"files"`
	Findings []struct {
		RuleID string `json:"ruleId"`
		Host   string `json:"host"`
	} `json:"findings"`
	NotEvaluated []struct {
		RuleID string `json:"ruleId"`
		Host   string `json:"host"`
	} `json:"notEvaluated"`
}

func auditJSON(t *testing.T, dir string) auditDoc {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	var stderr bytes.Buffer
	code := cli.Main([]string{"audit", "--format", "json", "-o", out, dir}, &bytes.Buffer{}, &stderr)
	if code != cli.ExitFindings {
		t.Fatalf("audit exit code %d, want %d (findings, every input read); stderr: %s", code, cli.ExitFindings, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc auditDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// faultRules are the rules each fault is meant to make fire on its host.
var faultRules = map[fleetgen.Fault][]string{
	fleetgen.FaultNLBSFlagsMissing:    {"IPSEC001"},
	fleetgen.FaultIMAP4Permitted:      {"IPSEC002"},
	fleetgen.FaultHTTPRuleInactive:    {"IPSEC004", "IPSEC008"},
	fleetgen.FaultAHOffered:           {"IPSEC005"},
	fleetgen.FaultSoftFallback:        {"IPSEC006"},
	fleetgen.FaultWeakCrypto:          {"IPSEC007"},
	fleetgen.FaultNoPolicy:            {"IPSEC002", "IPSEC004"},
	fleetgen.FaultOneWayFilter:        {"IPSEC009"},
	fleetgen.FaultBackendNotRequiring: {"IPSEC010"},
	fleetgen.FaultKerberosExempt:      {"IPSEC011"},
	fleetgen.FaultPolicyAgentOff:      {"IPSEC012"},
	fleetgen.FaultFrontEndClusterNode: {"IPSEC013"},
	fleetgen.FaultWin2000Policy:       {"IPSEC003"},
}

// expectedRules are the rules that must fire on a host, and no others.
func expectedRules(h fleetgen.HostSpec) []string {
	var want []string
	for _, f := range h.Faults {
		rs := faultRules[f]
		if f == fleetgen.FaultPolicyAgentOff {
			rs = []string{"IPSEC010", "IPSEC012"} // a back-end then requires nothing
			if h.Role == fleetgen.RoleFrontEnd {
				rs = []string{"IPSEC002", "IPSEC004", "IPSEC012"} // a front-end then encrypts nothing
			}
		}
		if f == fleetgen.FaultPolicyNotAssigned {
			rs = []string{"IPSEC008", "IPSEC010"} // a back-end then requires nothing
			if h.Role == fleetgen.RoleFrontEnd {
				rs = []string{"IPSEC002", "IPSEC004", "IPSEC008"} // a front-end encrypts nothing
			}
		}
		for _, r := range rs {
			if !slices.Contains(want, r) {
				want = append(want, r)
			}
		}
	}
	sort.Strings(want)
	return want
}

func TestGeneratedFleetAuditsAsPlanned(t *testing.T) {
	dir, st := write(t, fleetgen.Options{Hosts: 30, Seed: 1})
	doc := auditJSON(t, dir)
	if len(doc.Files) != st.Files {
		t.Errorf("the audit lists %d files, %d were written", len(doc.Files), st.Files)
	}
	kinds := map[string]int{}
	for _, f := range doc.Files {
		if f.Status != "read" || len(f.Problems) > 0 || len(f.Notes) > 0 {
			t.Errorf("%s: %s, problems %s, notes %q", f.URI, f.Status, f.Problems, f.Notes)
		}
		kinds[f.Kind+": "+f.Detail]++
	}
	for _, want := range []string{"hive: SYSTEM hive", "hive: SOFTWARE hive", "hive: Cluster hive", "config: ipseclint configuration",
		"reg: Windows Registry Editor Version 5.00, UTF-16LE with BOM", "netsh: netsh ipsec script, UTF-16LE with BOM", "netsh: netsh ipsec script, cp850"} {
		found := false
		for k := range kinds {
			found = found || strings.HasPrefix(k, want)
		}
		if !found {
			t.Errorf("no %s among the files (%v)", want, kinds)
		}
	}
	fired := map[string][]string{}
	rules := map[string]bool{}
	for _, f := range doc.Findings {
		if !slices.Contains(fired[f.Host], f.RuleID) {
			fired[f.Host] = append(fired[f.Host], f.RuleID)
		}
		rules[f.RuleID] = true
	}
	checkHosts(t, doc, st.Manifest, fired)
	if len(rules) < 13 {
		t.Errorf("%d rules fire on the fleet, want all 13: %v", len(rules), rules)
	}
}

// checkHosts compares each host's role and findings with its plan: a
// clean host has no finding, a faulty one exactly the rules its faults
// aim at. Only Windows 2000 hosts have rules not evaluated (their
// policy's contents are not in any export).
func checkHosts(t *testing.T, doc auditDoc, manifest []fleetgen.HostSpec, fired map[string][]string) {
	t.Helper()
	plan := map[string]fleetgen.HostSpec{}
	for _, h := range manifest {
		plan[h.Name] = h
	}
	if len(doc.Hosts) != len(manifest) {
		t.Errorf("the audit found %d hosts, %d were written", len(doc.Hosts), len(manifest))
	}
	clean := 0
	for _, h := range doc.Hosts {
		p, ok := plan[h.Name]
		if !ok {
			t.Errorf("host %s was not written", h.Name)
			continue
		}
		if h.Role != string(p.Role) {
			t.Errorf("%s: role %q, planned %q", h.Name, h.Role, p.Role)
		}
		got := slices.Sorted(slices.Values(fired[h.Name]))
		if want := expectedRules(p); !slices.Equal(got, want) {
			t.Errorf("%s (%s, faults %v): rules %v fire, want %v", h.Name, p.Role, p.Faults, got, want)
		}
		if len(p.Faults) == 0 {
			clean++
		}
	}
	if clean < len(manifest)/5 {
		t.Errorf("%d of %d hosts pass every rule, want at least a fifth", clean, len(manifest))
	}
	for _, ne := range doc.NotEvaluated {
		if !plan[ne.Host].Windows2000 {
			t.Errorf("%s not evaluated on %s, which is not a Windows 2000 host", ne.RuleID, ne.Host)
		}
	}
}

func TestFilesHaveTheProducersShapes(t *testing.T) {
	dir, st := write(t, fleetgen.Options{Hosts: 100, Seed: 3})
	var regBytes int64
	oem850 := 0
	for _, h := range st.Manifest {
		n, oem := checkHostFiles(t, filepath.Join(dir, h.Name), h)
		regBytes += n
		oem850 += oem
	}
	if oem850 == 0 {
		t.Error("no OEM dump names Zürich in code page 850")
	}
	// The figure: about 25 KB of .reg exports per host.
	if per := regBytes / int64(st.Hosts); per < 18000 || per > 35000 {
		t.Errorf("%d bytes of .reg exports per host, want about 25 KB", per)
	}
}

// checkHostFiles checks the shape of each file of a host's folder and
// returns the bytes of its .reg exports, and 1 when its OEM dump holds
// "Zürich" in code page 850.
func checkHostFiles(t *testing.T, dir string, h fleetgen.HostSpec) (regBytes int64, oem850 int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		switch name := e.Name(); {
		case strings.HasSuffix(name, ".reg"):
			regBytes += int64(len(data))
			checkRegExport(t, h.Name+"/"+name, data)
		case name == "SYSTEM" || name == "SOFTWARE" || name == "CLUSDB":
			if !h.Hives || !bytes.HasPrefix(data, []byte("regf")) {
				t.Errorf("%s/%s: not a hive of a host planned with hives", h.Name, name)
			}
		default:
			checkNetsh(t, h, name, data)
			if !bytes.HasPrefix(data, []byte{0xFF, 0xFE}) && bytes.Contains(data, []byte("(Z\x81rich)")) {
				oem850 = 1 // ü in code page 850
			}
		}
	}
	return regBytes, oem850
}

// checkRegExport checks what regedit writes: UTF-16LE with BOM, the
// version 5 header, CRLF line ends, hex wrapped within 80 columns.
func checkRegExport(t *testing.T, name string, data []byte) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || len(data)%2 != 0 {
		t.Errorf("%s: not UTF-16LE with BOM", name)
		return
	}
	var text strings.Builder
	for i := 2; i+1 < len(data); i += 2 {
		if data[i+1] != 0 {
			t.Errorf("%s: non-ASCII UTF-16 unit at byte %d", name, i)
			return
		}
		text.WriteByte(data[i])
	}
	lines := strings.Split(text.String(), "\r\n")
	if lines[0] != "Windows Registry Editor Version 5.00" || lines[1] != "" {
		t.Errorf("%s: header %q", name, lines[:2])
	}
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") || (strings.HasSuffix(l, `\`) && len(l) > 80) {
			t.Errorf("%s:%d: %q is not a CRLF line wrapped within 80 columns", name, i+1, l)
			return
		}
	}
}

// checkNetsh checks a dump's encoding, its netsh script frame and its
// number of filters.
func checkNetsh(t *testing.T, h fleetgen.HostSpec, name string, data []byte) {
	t.Helper()
	var text string
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		var b strings.Builder
		for i := 2; i+1 < len(data); i += 2 {
			b.WriteRune(rune(data[i]) | rune(data[i+1])<<8)
		}
		text = b.String()
	} else {
		dec, err := charmap.CodePage850.NewDecoder().Bytes(data)
		if err != nil {
			t.Fatal(err)
		}
		text = string(dec)
	}
	if !strings.Contains(text, "\r\npushd ipsec static\r\n") || !strings.HasSuffix(text, "\r\npopd\r\n") ||
		!strings.Contains(text, "\r\nset store location=local\r\n") {
		t.Errorf("%s/%s: not framed as a netsh dump", h.Name, name)
	}
	n := strings.Count(text, "\nadd filter ")
	if slices.Contains(h.Faults, fleetgen.FaultNoPolicy) {
		return // only the built-in policies
	}
	if !strings.Contains(text, fmt.Sprintf(`description="%sDC01 (`, h.Site)) {
		t.Errorf("%s/%s: no filter for the site's domain controller", h.Name, name)
	}
	if n < 10 || n > 200 {
		t.Errorf("%s/%s: %d filters, want 10 to 200", h.Name, name, n)
	}
	if assigned := strings.Contains(text, "assign=yes"); assigned == slices.Contains(h.Faults, fleetgen.FaultPolicyNotAssigned) {
		t.Errorf("%s/%s: assigned %v with faults %v", h.Name, name, assigned, h.Faults)
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	for _, opts := range []fleetgen.Options{
		{Hosts: 0},
		{Hosts: 10, HostsPerSite: fleetgen.MaxHostsPerSite + 1},
		{Hosts: fleetgen.MaxSites + 1, HostsPerSite: 1},
	} {
		if _, err := fleetgen.Write(filepath.Join(t.TempDir(), "fleet"), opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fleetgen.Write(dir, fleetgen.Options{Hosts: 3}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("writing into a folder that holds a file: %v", err)
	}
}
