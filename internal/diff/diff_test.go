package diff_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// side audits the paths with every rule, as `ipseclint diff` does for
// each side.
func side(t testing.TB, paths ...string) diff.Side {
	t.Helper()
	f, err := audit.Collect(paths, audit.Options{Filter: rules.KeyFilter(rules.All())})
	if err != nil {
		t.Fatal(err)
	}
	return diff.Side{Label: strings.Join(paths, ", "), Fleet: f, Outcome: rules.Run(f, rules.All())}
}

func exampleFleets(t testing.TB) (old, drift string) {
	root := testutil.RepoRoot(t)
	return filepath.Join(root, "testdata", "fleet"), filepath.Join(root, "testdata", "fleet-drift")
}

// change returns the host's change of that kind, object and field, or fails.
func change(t *testing.T, r *diff.Result, host string, kind diff.Kind, object, field string) diff.Change {
	t.Helper()
	h := r.Host(host)
	if h == nil {
		t.Fatalf("no host %s in the diff", host)
	}
	for _, c := range h.Changes {
		if c.Kind == kind && c.Object == object && c.Field == field {
			return c
		}
	}
	t.Fatalf("%s: no %s change %q %q among %+v", host, kind, object, field, h.Changes)
	return diff.Change{}
}

func finding(t *testing.T, r *diff.Result, rule, host, subject string) diff.FindingDiff {
	t.Helper()
	for _, f := range r.Findings {
		if f.RuleID == rule && f.Host == host && f.Subject == subject {
			return f
		}
	}
	t.Fatalf("no finding %s on %s about %q", rule, host, subject)
	return diff.FindingDiff{}
}

// TestSameFleet: a fleet compared with itself (read twice) has every host
// and finding unchanged, no change, and nothing for the gate.
func TestSameFleet(t *testing.T) {
	old, _ := exampleFleets(t)
	r := diff.Compute(side(t, old), side(t, old))
	c := r.Count()
	if c.Hosts[diff.HostUnchanged] != 6 || c.Changes != 0 || len(r.Hosts) != 6 {
		t.Errorf("hosts %v, %d changes, want 6 unchanged and none", c.Hosts, c.Changes)
	}
	if c.Findings[diff.FindingUnchanged] != len(r.Findings) || len(r.Findings) < 20 {
		t.Errorf("findings %v of %d, want all unchanged", c.Findings, len(r.Findings))
	}
	if c.NotEvaluated[diff.FindingUnchanged] != len(r.NotEvaluated) {
		t.Errorf("not evaluated %v, want all unchanged", c.NotEvaluated)
	}
	if reg := r.Regressions(rules.SeverityNote); len(reg) != 0 {
		t.Errorf("regressions of a fleet against itself: %+v", reg)
	}
}

// TestDrift checks each change testdata/make-drift.sh makes, with both
// values and both locations.
func TestDrift(t *testing.T) {
	old, drift := exampleFleets(t)
	r := diff.Compute(side(t, old), side(t, drift))

	nf := change(t, r, "EXFE02", diff.KindNLBSFlags, "", `Oakley\NLBSFlags`)
	if nf.Op != diff.OpChanged || nf.Old.Text != "REG_DWORD 0x00000001 (1)" || nf.New.Text != "(absent)" {
		t.Errorf("NLBSFlags change %+v %+v", nf.Old, nf.New)
	}
	if nf.Old.Loc.File != "EXFE02/system.reg" || nf.Old.Loc.Line != 56 || nf.Old.Loc.Value != "NLBSFlags" {
		t.Errorf("old NLBSFlags location %+v, want EXFE02/system.reg:56 NLBSFlags", nf.Old.Loc)
	}
	if nf.New.Loc.File != "EXFE02/system.reg" || nf.New.Loc.Key != `SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley` {
		t.Errorf("new NLBSFlags location %+v, want the Oakley key of EXFE02/system.reg", nf.New.Loc)
	}
	fo := change(t, r, "EXFE02", diff.KindFailover, "10.0.0.50", "estimate")
	if fo.Old.Text != "about 2 minutes" || fo.New.Text != "about 6 minutes" || fo.New.Detail == "" {
		t.Errorf("failover to 10.0.0.50: %+v -> %+v", fo.Old, fo.New)
	}
	// Same estimate, other reason: Windows 2000 back-end before, NLBSFlags now.
	fo60 := change(t, r, "EXFE02", diff.KindFailover, "10.0.0.60", "estimate")
	if fo60.Old.Text != fo60.New.Text || fo60.Old.Detail == fo60.New.Detail {
		t.Errorf("failover to 10.0.0.60: %+v -> %+v", fo60.Old, fo60.New)
	}

	checkDriftPolicy(t, r)
	if h := r.Host("EXFE05"); h == nil || h.Status != diff.HostAdded || h.Old != nil || h.New == nil || len(h.Changes) != 0 {
		t.Errorf("EXFE05: %+v, want added", h)
	}
	for _, name := range []string{"EXFE03", "EXFE04", "EXBE01", "W2KBE01"} {
		if h := r.Host(name); h.Status != diff.HostUnchanged {
			t.Errorf("%s: %s %+v, want unchanged", name, h.Status, h.Changes)
		}
	}
	checkDriftFindings(t, r)
}

// checkDriftPolicy checks the changes of EXFE01's policy: a filter's
// field, a rule's field, and a filter action no rule uses any more.
func checkDriftPolicy(t *testing.T, r *diff.Result) {
	mir := change(t, r, "EXFE01", diff.KindPolicyObject, `filter me:any -> 10.0.0.50:110 tcp in "FE to BE POP3"`, "mirrored")
	if mir.Old.Text != "true" || mir.New.Text != "false" || mir.Old.Loc.Line != 15 || mir.New.Loc.Line != 15 || mir.New.Loc.File != "EXFE01/ipsec.txt" {
		t.Errorf("filter change %+v -> %+v", mir.Old, mir.New)
	}
	fa := change(t, r, "EXFE01", diff.KindPolicyObject, `rule "IMAP4 to BE (troubleshooting)"`, "filterAction")
	if fa.Old.Text != "permit" || fa.New.Text != "require esp 3des" {
		t.Errorf("rule change %+v -> %+v", fa.Old, fa.New)
	}
	if rm := change(t, r, "EXFE01", diff.KindPolicyObject, `filter action "Permit"`, ""); rm.Op != diff.OpRemoved || rm.New != nil || rm.Old.Loc.Line != 24 {
		t.Errorf("filter action no rule uses any more: %+v", rm)
	}
}

func checkDriftFindings(t *testing.T, r *diff.Result) {
	if f := finding(t, r, "IPSEC001", "EXFE02", "NLBSFlags"); f.State != diff.FindingNew || f.Old != nil || f.New == nil {
		t.Errorf("IPSEC001 on EXFE02: %s", f.State)
	}
	if f := finding(t, r, "IPSEC009", "EXFE01", `filter me:any -> 10.0.0.50:110 tcp in "FE to BE POP3"`); f.State != diff.FindingNew {
		t.Errorf("IPSEC009 on EXFE01: %s", f.State)
	}
	if f := finding(t, r, "IPSEC002", "EXFE01", `tcp/143 permit "IMAP4 to BE (troubleshooting)"`); f.State != diff.FindingFixed || f.New != nil || f.Old == nil {
		t.Errorf("IPSEC002 IMAP4 on EXFE01: %s", f.State)
	}
	if f := finding(t, r, "IPSEC010", "W2KBE01", "tcp/110"); f.State != diff.FindingChanged || !slices.Equal(f.Changed, []string{"message"}) {
		t.Errorf("IPSEC010 on W2KBE01 (EXFE05 added to its message): %s %v", f.State, f.Changed)
	}
	if f := finding(t, r, "IPSEC001", "EXFE01", "NLBSFlags"); f.State != diff.FindingUnchanged {
		t.Errorf("IPSEC001 on EXFE01: %s", f.State)
	}
	var gate []string
	for _, f := range r.Regressions(rules.SeverityWarning) {
		gate = append(gate, f.RuleID+" "+f.Host+" "+f.Subject)
	}
	// EXBE01's IPSEC010 findings are one per port and decision: they now
	// name EXFE05 too (changed, not new).
	want := []string{
		`IPSEC007 EXFE01 rule "IMAP4 to BE (troubleshooting)" quick mode`,
		`IPSEC009 EXFE01 filter me:any -> 10.0.0.50:110 tcp in "FE to BE POP3"`,
		"IPSEC001 EXFE02 NLBSFlags",
	}
	if !slices.Equal(gate, want) {
		t.Errorf("regressions at warning:\n got %q\nwant %q", gate, want)
	}
	if reg := r.Regressions(rules.SeverityError); len(reg) != 0 {
		t.Errorf("regressions at error: %+v (the drift adds warnings only)", reg)
	}
	if reg := r.Regressions("none"); reg != nil {
		t.Errorf("regressions at none: %+v", reg)
	}
}

// TestRemovedHost compares the other way round: EXFE05 is removed, the
// fixed IMAP4 finding is new again, and the changes swap sides.
func TestRemovedHost(t *testing.T) {
	old, drift := exampleFleets(t)
	r := diff.Compute(side(t, drift), side(t, old))
	if h := r.Host("EXFE05"); h == nil || h.Status != diff.HostRemoved || h.New != nil || h.Old == nil {
		t.Errorf("EXFE05: %+v, want removed", h)
	}
	if f := finding(t, r, "IPSEC002", "EXFE01", `tcp/143 permit "IMAP4 to BE (troubleshooting)"`); f.State != diff.FindingNew {
		t.Errorf("IPSEC002 IMAP4 on EXFE01: %s", f.State)
	}
	if f := finding(t, r, "IPSEC010", "EXBE01", "tcp/110 no filter"); f.State != diff.FindingChanged {
		t.Errorf("IPSEC010 about EXFE05 on EXBE01: %s", f.State)
	}
	nf := change(t, r, "EXFE02", diff.KindNLBSFlags, "", `Oakley\NLBSFlags`)
	if nf.Old.Text != "(absent)" || nf.New.Text != "REG_DWORD 0x00000001 (1)" {
		t.Errorf("NLBSFlags %+v -> %+v", nf.Old, nf.New)
	}
	if a := change(t, r, "EXFE01", diff.KindPolicyObject, `filter action "Permit"`, ""); a.Op != diff.OpAdded || a.Old != nil || a.New == nil {
		t.Errorf("filter action Permit: %+v, want added", a)
	}
}

// writeHost writes a host's SYSTEM and SOFTWARE as regedit v5 exports.
func writeHost(t *testing.T, dir string, system, software []string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	head := "Windows Registry Editor Version 5.00\n\n"
	if err := os.WriteFile(filepath.Join(dir, "system.reg"), []byte(head+strings.Join(system, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "software.reg"), []byte(head+strings.Join(software, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hostExport(name, policyAgentStart, noDefaultExempt, servicePack string) (system, software []string) {
	system = []string{
		`[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName]`, `"ComputerName"="` + name + `"`, "",
		`[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent]`, `"Start"=dword:` + policyAgentStart, "",
		`[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent\Oakley]`, `"NLBSFlags"=dword:00000001`, "",
		`[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\IPSEC]`, `"NoDefaultExempt"=dword:` + noDefaultExempt,
	}
	software = []string{
		`[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion]`,
		`"CurrentVersion"="5.2"`, `"CurrentBuildNumber"="3790"`, `"CSDVersion"="` + servicePack + `"`,
	}
	return system, software
}

// TestHostFacts: hosts are paired by ComputerName whatever their folders
// are called; the PolicyAgent start type, NoDefaultExempt and the service
// pack are compared with both values and locations.
func TestHostFacts(t *testing.T) {
	dir := t.TempDir()
	sys, soft := hostExport("MAIL1", "00000002", "00000003", "Service Pack 1")
	writeHost(t, filepath.Join(dir, "before", "srv-a"), sys, soft)
	sys, soft = hostExport("MAIL1", "00000004", "00000001", "Service Pack 2")
	writeHost(t, filepath.Join(dir, "after", "mail1-renamed-folder"), sys, soft)
	r := diff.Compute(side(t, filepath.Join(dir, "before")), side(t, filepath.Join(dir, "after")))
	if len(r.Hosts) != 1 || r.Hosts[0].Name != "MAIL1" || r.Hosts[0].Status != diff.HostChanged {
		t.Fatalf("hosts %+v, want MAIL1 changed", r.Hosts)
	}
	pa := change(t, r, "MAIL1", diff.KindPolicyAgent, "", `PolicyAgent\Start`)
	if pa.Old.Text != "automatic (2)" || pa.New.Text != "disabled (4)" ||
		pa.Old.Loc.File != "srv-a/system.reg" || pa.New.Loc.File != "mail1-renamed-folder/system.reg" || pa.New.Loc.Line != 7 {
		t.Errorf("PolicyAgent %+v -> %+v", pa.Old, pa.New)
	}
	nde := change(t, r, "MAIL1", diff.KindNoDefaultExempt, "", `IPSEC\NoDefaultExempt`)
	if nde.Old.Text != "REG_DWORD 0x00000003 (3)" || nde.New.Text != "REG_DWORD 0x00000001 (1)" || nde.New.Loc.Line != 13 {
		t.Errorf("NoDefaultExempt %+v -> %+v", nde.Old, nde.New)
	}
	sp := change(t, r, "MAIL1", diff.KindOS, "", "servicePack")
	if sp.Old.Text != "Service Pack 1" || sp.New.Text != "Service Pack 2" || sp.New.Loc.File != "mail1-renamed-folder/software.reg" {
		t.Errorf("service pack %+v -> %+v", sp.Old, sp.New)
	}
	var kinds []diff.Kind
	for _, c := range r.Hosts[0].Changes {
		kinds = append(kinds, c.Kind)
	}
	if want := []diff.Kind{diff.KindOS, diff.KindPolicyAgent, diff.KindNoDefaultExempt}; !slices.Equal(kinds, want) {
		t.Errorf("changes of kinds %v, want %v (in the order of diff.Kinds)", kinds, want)
	}
}

// TestUnknownFacts: a fact NEW's exports no longer tell is a change to
// "unknown", with the reason, never a change to "absent".
func TestUnknownFacts(t *testing.T) {
	dir := t.TempDir()
	sys, soft := hostExport("MAIL1", "00000002", "00000003", "Service Pack 2")
	writeHost(t, filepath.Join(dir, "before", "MAIL1"), sys, soft)
	writeHost(t, filepath.Join(dir, "after", "MAIL1"), sys, soft)
	if err := os.Remove(filepath.Join(dir, "after", "MAIL1", "system.reg")); err != nil {
		t.Fatal(err)
	}
	r := diff.Compute(side(t, filepath.Join(dir, "before")), side(t, filepath.Join(dir, "after")))
	for _, c := range []struct {
		kind  diff.Kind
		field string
	}{{diff.KindPolicyAgent, `PolicyAgent\Start`}, {diff.KindNoDefaultExempt, `IPSEC\NoDefaultExempt`}, {diff.KindNLBSFlags, `Oakley\NLBSFlags`}} {
		ch := change(t, r, "MAIL1", c.kind, "", c.field)
		if ch.New.Text != "unknown" || !strings.Contains(ch.New.Detail, "SYSTEM") || !ch.New.Loc.IsZero() || ch.Old.Loc.IsZero() {
			t.Errorf("%s: %+v -> %+v, want unknown for want of SYSTEM", c.kind, ch.Old, ch.New)
		}
	}
}
