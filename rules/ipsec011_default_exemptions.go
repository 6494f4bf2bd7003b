package rules

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// KeyIPSecDriver is the IPSec driver's service key, which holds
// NoDefaultExempt (Windows XP spells it `IPSec`; key names are
// case-insensitive).
const KeyIPSecDriver = `SYSTEM\CurrentControlSet\Services\IPSEC`

func init() {
	register(&Rule{
		ID:       "IPSEC011",
		Name:     "default-exemptions",
		Severity: SeverityWarning,
		Judges:   []model.Role{model.RoleFrontEnd, model.RoleBackEnd},
		Reads:    []string{KeyIPSecDriver},
		Keeps:    []model.KeepSpec{{Key: KeyIPSecDriver, Shallow: true, Values: []string{"NoDefaultExempt"}}},
		Check:    checkDefaultExemptions,
	})
}

// exemption is a host's NoDefaultExempt setting as far as the exports
// tell.
type exemption struct {
	Value int
	Known bool
	Loc   model.Location
	Via   string // how it was read, or why it is unknown
}

// kerberosExempt reports whether the setting exempts Kerberos (and thus
// source port 88); ok is false for undocumented values.
func (e exemption) kerberosExempt() (exempt, ok bool) {
	switch e.Value {
	case 0, 2:
		return true, true
	case 1, 3:
		return false, true
	}
	return false, false
}

// readExemption reads NoDefaultExempt: the netsh ipsecexempt setting when
// an export sets it, else the registry value, else the Windows version's
// default where the export covers the key.
func readExemption(h *model.Host) exemption {
	if c := h.Registry.ConflictOn(KeyIPSecDriver, "NoDefaultExempt"); c != nil {
		return exemption{Via: c.Disputed() + ": which one the host uses is not known"}
	}
	reg := h.Registry.Value(KeyIPSecDriver, "NoDefaultExempt")
	for _, s := range h.IPSec {
		if s.IPSecExempt == nil {
			continue
		}
		via := fmt.Sprintf("netsh ipsec dynamic set config property=ipsecexempt value=%d", s.IPSecExempt.Value)
		if n, ok := reg.AsDWORD(); ok && int(n) != s.IPSecExempt.Value {
			// Two snapshots of one setting that disagree (netsh sets the
			// registry value; the driver reads it when it starts).
			return exemption{Via: fmt.Sprintf("%s (%s), but the registry's Services\\IPSEC\\NoDefaultExempt is %d (%s): which one is in effect is not known",
				via, s.IPSecExempt.Loc, n, reg.Loc)}
		}
		return exemption{Value: s.IPSecExempt.Value, Known: true, Loc: s.IPSecExempt.Loc, Via: via}
	}
	loc := valueLocation(h, KeyIPSecDriver, "NoDefaultExempt", h.SystemFile())
	switch {
	case reg != nil:
		if n, ok := reg.AsDWORD(); ok {
			return exemption{Value: int(n), Known: true, Loc: loc, Via: fmt.Sprintf("Services\\IPSEC\\NoDefaultExempt is %d", n)}
		}
		return exemption{Via: fmt.Sprintf("Services\\IPSEC\\NoDefaultExempt is %s, not a REG_DWORD", reg.Display())}
	case !h.HasSystem:
		return exemption{Via: "no SYSTEM hive or export, which holds Services\\IPSEC\\NoDefaultExempt"}
	case !h.Covers(KeyIPSecDriver):
		return exemption{Via: "the SYSTEM export does not include Services\\IPSEC: export HKLM\\SYSTEM\\CurrentControlSet\\Services\\IPSEC"}
	}
	os := h.Facts.OS
	switch {
	case os.Known && (os.Value.Family == model.OSWin2000 || os.Value.Family == model.OSWinXP):
		return exemption{Value: 0, Known: true, Loc: loc, Via: fmt.Sprintf("Services\\IPSEC\\NoDefaultExempt is absent, and 0 is the default on %s", os.Value.Family)}
	case os.Known && (os.Value.Family == model.OSWin2003 || os.Value.Family == model.OSWinLater):
		return exemption{Value: 3, Known: true, Loc: loc, Via: fmt.Sprintf("Services\\IPSEC\\NoDefaultExempt is absent, and 3 is the default on %s", os.Value.Family)}
	}
	return exemption{Via: "Services\\IPSEC\\NoDefaultExempt is absent and the Windows version is unknown (" + os.Via + "): the default is 0 on Windows 2000 and XP, 3 on Windows Server 2003"}
}

func checkDefaultExemptions(p *Pass, out *Reporter) {
	for _, h := range p.Fleet.Hosts {
		if h.Role.Role == model.RoleOther {
			continue
		}
		ex := readExemption(h)
		exempt, documented := ex.kerberosExempt()
		if os := h.Facts.OS; ex.Known && ex.Value > 1 && os.Known && (os.Value.Family == model.OSWin2000 || os.Value.Family == model.OSWinXP) {
			// KB 811832 documents only 0 and 1 for Windows 2000 and XP;
			// 2 and 3 are Windows Server 2003's.
			documented = false
		}
		if ex.Known && documented && !exempt {
			continue
		}
		var protected []flow
		maybe := "" // why a flow may be negotiated, where one may
		for _, fl := range p.Flows.OfHost(h) {
			if fl.Match.Outcome == model.MatchNegotiate {
				protected = append(protected, fl)
			} else if why := fl.MayNegotiate(); why != "" && maybe == "" {
				maybe = why
			}
		}
		var unknown []string
		if len(protected) == 0 {
			// Why the host's Exchange traffic is unknown, if it is.
			if roleUnknown(h) {
				unknown = append(unknown, "role not known ("+h.Role.Why+")")
			}
			unknown = append(unknown, p.Flows.HostGaps(h)...)
			if maybe != "" {
				unknown = append(unknown, "whether its policy negotiates IPSec for its Exchange traffic is not established: "+maybe)
			}
			if len(unknown) == 0 {
				continue // the policy protects no Exchange traffic
			}
		}
		switch {
		case !ex.Known:
			unknown = append(unknown, ex.Via)
		case !documented:
			unknown = append(unknown, fmt.Sprintf("%s, which is not a documented value (0 to 3; 0 and 1 on Windows 2000 and XP)", ex.Via))
		}
		if len(unknown) > 0 {
			out.Skip(h, "%s", strings.Join(unknown, "; "))
			continue
		}
		also := "RSVP"
		if ex.Value == 0 {
			also = "RSVP, multicast and broadcast"
		}
		pol := protected[0].Policy
		fd := out.Report(h, "NoDefaultExempt", ex.Loc,
			"%s %s: %s, so Kerberos (and %s) traffic is exempt from IPSec filtering: anything sent from source port 88 bypasses policy %q, which negotiates IPSec for %s (KB 811832)",
			roleName(h), h.Name, ex.Via, also, pol.Name, describeTraffic(protected))
		if !pol.Loc.IsZero() && pol.Loc != ex.Loc {
			fd.Related = []model.Location{pol.Loc}
		}
	}
}
