package policywriter

import (
	"crypto/sha1" //nolint:gosec // a name-based GUID (RFC 4122 version 5), not a security use
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// guid is a GUID in the Windows in-memory layout the blobs store: Data1
// uint32 LE, Data2 and Data3 uint16 LE, then Data4[8] as written
// (GPIPSEC.md §2.1).
type guid [16]byte

// String renders the GUID braced and in upper case, as Windows 2000
// writes key names and ipsecID values.
func (g guid) String() string {
	return fmt.Sprintf("{%08X-%04X-%04X-%02X%02X-%X}",
		binary.LittleEndian.Uint32(g[0:]), binary.LittleEndian.Uint16(g[4:]), binary.LittleEndian.Uint16(g[6:]),
		g[8], g[9], g[10:16])
}

// parseGUID reads "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (braces
// optional, any case) into the in-memory layout.
func parseGUID(s string) (guid, bool) {
	var g guid
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}")
	parts := strings.Split(s, "-")
	if len(parts) != 5 || len(parts[0]) != 8 || len(parts[1]) != 4 || len(parts[2]) != 4 || len(parts[3]) != 4 || len(parts[4]) != 12 {
		return g, false
	}
	d1, err1 := strconv.ParseUint(parts[0], 16, 32)
	d2, err2 := strconv.ParseUint(parts[1], 16, 16)
	d3, err3 := strconv.ParseUint(parts[2], 16, 16)
	if err1 != nil || err2 != nil || err3 != nil {
		return g, false
	}
	binary.LittleEndian.PutUint32(g[0:], uint32(d1))
	binary.LittleEndian.PutUint16(g[4:], uint16(d2))
	binary.LittleEndian.PutUint16(g[6:], uint16(d3))
	rest := parts[3] + parts[4]
	for i := range 8 {
		b, err := strconv.ParseUint(rest[2*i:2*i+2], 16, 8)
		if err != nil {
			return g, false
		}
		g[8+i] = byte(b)
	}
	return g, true
}

func mustGUID(s string) guid {
	g, ok := parseGUID(s)
	if !ok {
		panic("policywriter: bad GUID constant " + s)
	}
	return g
}

// derive makes a name-based GUID (RFC 4122 version 5 over SHA-1) from
// the seed and the parts that name an object, so that the same input
// always gives the same keys. Parts are compared without regard to case,
// as netsh and Windows compare object names.
func derive(seed string, parts ...string) guid {
	h := sha1.New() //nolint:gosec // see the import
	h.Write([]byte("ipseclint policywriter\x00" + seed))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(strings.ToLower(p)))
	}
	var u [16]byte // RFC 4122 byte order (big-endian fields)
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0F | 0x50
	u[8] = u[8]&0x3F | 0x80
	var g guid
	binary.LittleEndian.PutUint32(g[0:], binary.BigEndian.Uint32(u[0:]))
	binary.LittleEndian.PutUint16(g[4:], binary.BigEndian.Uint16(u[4:]))
	binary.LittleEndian.PutUint16(g[6:], binary.BigEndian.Uint16(u[6:]))
	copy(g[8:], u[8:])
	return g
}

// The blob type GUIDs ([MS-GPIPSEC] §2.2.1; GPIPSEC.md §2.1).
var (
	typePolicy = mustGUID("{22202163-4F4C-11D1-863B-00A0248D3021}")
	typeISAKMP = mustGUID("{80DC20B8-2EC8-11D1-A89E-00A0248D3021}")
	typeNFA    = mustGUID("{11BBAC00-498D-11D1-8639-00A0248D3021}")
	typeNegPol = mustGUID("{80DC20B9-2EC8-11D1-A89E-00A0248D3021}")
	typeFilter = mustGUID("{80DC20B5-2EC8-11D1-A89E-00A0248D3021}")
)

// The ipsecNegotiationPolicyAction and ipsecNegotiationPolicyType values
// (GPIPSEC.md §4.3).
var (
	actionNegotiate = mustGUID("{8A171DD3-77E3-11D1-8659-A04F00000000}")
	actionInPass    = mustGUID("{3F91A81A-7647-11D1-864D-D46A00000000}")
	actionPermit    = mustGUID("{8A171DD2-77E3-11D1-8659-A04F00000000}")
	actionBlock     = mustGUID("{3F91A819-7647-11D1-864D-D46A00000000}")
	negTypeStandard = mustGUID("{62F49E10-6C37-11D1-864C-14A300000000}")
	negTypeDefault  = mustGUID("{62F49E13-6C37-11D1-864C-14A300000000}")
)
