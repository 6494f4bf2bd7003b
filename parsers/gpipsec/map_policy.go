package gpipsec

import (
	"fmt"
	"slices"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Defaults the specification gives for a 0 in the blob (GPIPSEC.md §3.1, §3.2).
const (
	defaultPollingSec = 10800
	defaultMMLifetime = 28800
)

// mapPolicyBlob sets the polling interval.
func mapPolicyBlob(pb *policyBlob, p *model.Policy, bl blobLoc) []finding {
	notes := bl.split(pb.Findings, &p.Doubts)
	if pb.Fail != nil {
		p.Doubts = append(p.Doubts, bl.doubtAt("pollingIntervalMinutes", pb.Fail))
	}
	if pb.Polling.OK {
		sec := pb.Polling.V
		if sec == 0 {
			sec = defaultPollingSec
		}
		p.PollingIntervalMin = int(sec / 60)
	}
	return notes
}

// mmFields are the policy fields the ISAKMP object holds.
var mmFields = []string{"mmpfs", "qmPerMM", "mmLifetimeMinutes", "mmSecMethods"}

// mmUnknown doubts every main-mode field of p for one reason.
func mmUnknown(p *model.Policy, reason string, loc model.Location) {
	p.Doubts = slices.Grow(p.Doubts, len(mmFields))
	for _, f := range mmFields {
		p.Doubts = append(p.Doubts, model.Doubt{Field: f, Reason: reason, Loc: loc})
	}
}

// mapISAKMP sets the policy's main-mode settings from its ISAKMP blob.
func mapISAKMP(ib *isakmpBlob, p *model.Policy, bl blobLoc) []finding {
	notes := bl.split(ib.Findings, &p.Doubts)
	if f := ib.Fail; f != nil {
		fixed := ib.Lifetime.OK
		for _, field := range mmFields {
			if fixed && field != "mmSecMethods" {
				continue
			}
			p.Doubts = append(p.Doubts, bl.doubtAt(field, f))
		}
		if !fixed {
			return notes
		}
	}
	bl.flag(ib.MasterPFS, "mmpfs", "Master-PFS-Required", &p.MMPFS, &p.Doubts)
	p.QMPerMM = int(ib.QMLimit.V)
	p.MMSecMethods = append(newDHMethods(ib, bl), mmMethods(ib.Methods, bl)...)
	mapMMLifetime(ib, p, bl)
	return notes
}

// mapMMLifetime takes MM-Lifetime, else the methods' common
// Oakley-Lifetime-Secs (Windows 2000 writes 0 and a lifetime per method),
// else the default 28,800 s.
func mapMMLifetime(ib *isakmpBlob, p *model.Policy, bl blobLoc) {
	sec := ib.Lifetime.V
	if sec == 0 && len(ib.Methods) > 0 {
		sec = ib.Methods[0].LifeSec
		for _, m := range ib.Methods[1:] {
			if m.LifeSec != sec {
				p.Doubts = append(p.Doubts, model.Doubt{Field: "mmLifetimeMinutes", Loc: bl.at(m.Off + 56),
					Reason: fmt.Sprintf("MM-Lifetime is 0 and the methods' lifetimes differ (%d s and %d s): the first method's is shown", sec, m.LifeSec)})
				break
			}
		}
	}
	if sec == 0 {
		sec = defaultMMLifetime
	}
	p.MMLifetimeMin = int(sec / 60)
}

// The New-DH and Random-Function values 1–4: cipher and hash, each with
// DH group 2048 (netsh group 3).
var dh2048Suites = [5][2]string{{}, {model.AlgDES, model.AlgMD5}, {model.AlgDES, model.AlgSHA1}, {model.Alg3DES, model.AlgMD5}, {model.Alg3DES, model.AlgSHA1}}

const dh2048Doubt = "how Windows Server 2003 stores DH group 2048 (New-DH, Random-Function or Oakley-Group 0x10000001) is uncertain (GPIPSEC.md §4.4); no sample shows it"

// newDHMethods reads New-DH-1…4, offered before the Security-Methods.
func newDHMethods(ib *isakmpBlob, bl blobLoc) []model.MMMethod {
	var out []model.MMMethod
	for i, v := range ib.NewDH.V {
		if v == 0 {
			continue
		}
		m := model.MMMethod{DHGroup: 3, Loc: bl.at(ib.NewDH.Off + i), Doubt: fmt.Sprintf("New-DH-%d is %d: %s", i+1, v, dh2048Doubt)}
		if v <= 4 {
			m.Cipher, m.Integrity = dh2048Suites[v][0], dh2048Suites[v][1]
		} else {
			m.Doubt = fmt.Sprintf("not understood at offset %d: New-DH-%d is %d (1 to 4 expected)", ib.NewDH.Off+i, i+1, v)
		}
		m.Text = mmText(m)
		out = append(out, m)
	}
	return out
}

// mmMethods reads the Security-Methods (GPIPSEC.md §4.4).
func mmMethods(list []mmMethodBlob, bl blobLoc) []model.MMMethod {
	var out []model.MMMethod
	for _, b := range list {
		m := model.MMMethod{Loc: bl.at(b.Off)}
		switch b.Cipher {
		case 1:
			m.Cipher = model.AlgDES
		case 3:
			m.Cipher = model.Alg3DES
		case 2:
			m.Cipher = model.Alg3DES
			m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("IKE cipher 2 at offset %d ([MS-GPIPSEC]: 3DES-CBC) has not been seen: read as 3DES, uncertain", b.Off+4))
		default:
			m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: IKE cipher %d (1 DES, 3 3DES expected)", b.Off+4, b.Cipher))
		}
		m.Integrity = integrityName(b.Hash, false)
		if m.Integrity == "" {
			m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: IKE hash %d (1 MD5, 2 SHA-1 expected)", b.Off+16, b.Hash))
		}
		switch b.Group {
		case 1, 2:
			m.DHGroup = int(b.Group)
		case 0x10000001:
			m.DHGroup = 3
			m.Doubt = joinDoubt(m.Doubt, "Oakley-Group 0x10000001 read as DH group 2048: "+dh2048Doubt)
		default:
			m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: Oakley-Group 0x%X (1, 2 or 0x10000001 expected)", b.Off+44, b.Group))
		}
		if b.Random != 0 {
			m = randomFunction(m, b)
		}
		m.Text = mmText(m)
		out = append(out, m)
	}
	return out
}

// randomFunction applies a non-zero Random-Function, which [MS-GPIPSEC]
// says overrides cipher, hash and group; never seen.
func randomFunction(m model.MMMethod, b mmMethodBlob) model.MMMethod {
	if b.Random > 4 {
		m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("not understood at offset %d: Random-Function %d (0 to 4 expected)", b.Off+36, b.Random))
		return m
	}
	m.Cipher, m.Integrity, m.DHGroup = dh2048Suites[b.Random][0], dh2048Suites[b.Random][1], 3
	m.Doubt = joinDoubt(m.Doubt, fmt.Sprintf("Random-Function %d overrides the method: %s", b.Random, dh2048Doubt))
	return m
}

// mmText writes a main-mode method as netsh does: 3DES-SHA1-2.
func mmText(m model.MMMethod) string {
	part := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	g := "unknown"
	if m.DHGroup > 0 {
		g = fmt.Sprint(m.DHGroup)
	}
	return part(m.Cipher) + "-" + part(m.Integrity) + "-" + g
}
