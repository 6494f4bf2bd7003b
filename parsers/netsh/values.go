package netsh

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// parseBool reads yes|no|y|n (any case).
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y":
		return true, nil
	case "no", "n":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}

// parseMinutes reads a count of minutes, as written (`480`) or as dumps
// write it (`480min`).
func parseMinutes(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "minutes"), "min")
	n, err := strconv.Atoi(strings.TrimSpace(t))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a number of minutes", s)
	}
	return n, nil
}

// parseCount reads a non-negative integer.
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return n, nil
}

// specialAddrs are the address keywords of `add filter`.
var specialAddrs = map[string]model.AddrKind{
	"me": model.AddrMe, "any": model.AddrAny, "dns": model.AddrDNS,
	"wins": model.AddrWINS, "dhcp": model.AddrDHCP, "gateway": model.AddrGateway,
}

// parseAddr reads a filter address: a keyword, an IPv4 address, or a DNS
// name. The mask is applied later (parseMask).
func parseAddr(s string) (model.Address, error) {
	t := strings.TrimSpace(s)
	if k, ok := specialAddrs[strings.ToLower(t)]; ok {
		return model.Address{Kind: k}, nil
	}
	if a, err := netip.ParseAddr(t); err == nil {
		if !a.Is4() {
			return model.Address{}, fmt.Errorf("%q: Windows Server 2003 IPSec filters are IPv4 only", s)
		}
		return model.Address{Kind: model.AddrIP, Net: netip.PrefixFrom(a, 32)}, nil
	}
	if strings.ContainsAny(t, "-/") && strings.ContainsAny(t, "0123456789") && !strings.ContainsAny(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return model.Address{}, fmt.Errorf("%q: address ranges and prefixes in the address are not Windows Server 2003 syntax (use srcmask/dstmask)", s)
	}
	if strings.Trim(t, "0123456789.") == "" || !validDNSName(t) {
		return model.Address{}, fmt.Errorf("%q is not an address", s)
	}
	return model.Address{Kind: model.AddrDNSName, Name: t}, nil
}

// validDNSName accepts host names: letters, digits, '-', '_' and dots.
func validDNSName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) {
			return false
		}
	}
	return true
}

// parseMask reads a mask: dotted (255.255.255.0) or a prefix length (24).
func parseMask(s string) (int, error) {
	t := strings.TrimSpace(s)
	if n, ok := prefixLength(t); ok {
		if n < 0 || n > 32 {
			return 0, fmt.Errorf("mask %q: a prefix length is 0 to 32", s)
		}
		return n, nil
	}
	a, err := netip.ParseAddr(t)
	if err != nil || !a.Is4() {
		return 0, fmt.Errorf("%q is not a mask", s)
	}
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	bits := 0
	for bits < 32 && v&(1<<(31-bits)) != 0 {
		bits++
	}
	if bits < 32 && v<<bits != 0 {
		return 0, fmt.Errorf("mask %q is not contiguous", s)
	}
	return bits, nil
}

// prefixLength reads a mask written as a number; a dotted one is not
// (and makes no strconv error to discard: most masks are dotted).
func prefixLength(t string) (int, bool) {
	if strings.IndexByte(t, '.') >= 0 {
		return 0, false
	}
	n, err := strconv.Atoi(t)
	return n, err == nil
}

// withMask applies a mask length to an IP address (other kinds ignore
// it). An address with mask 0.0.0.0 matches every address: it is "any",
// however the file spells it.
func withMask(a model.Address, bits int) model.Address {
	if a.Kind == model.AddrIP && bits == 0 {
		return model.Address{Kind: model.AddrAny}
	}
	if a.Kind == model.AddrIP {
		a.Net = netip.PrefixFrom(a.Net.Addr(), bits).Masked()
	}
	return a
}

// protocolNames are the protocol keywords netsh accepts.
var protocolNames = map[string]uint8{"any": 0, "icmp": 1, "tcp": 6, "udp": 17, "raw": 255}

// parseProtocol reads ANY|ICMP|TCP|UDP|RAW or 0-255.
func parseProtocol(s string) (uint8, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if p, ok := protocolNames[t]; ok {
		return p, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n > 255 {
		return 0, fmt.Errorf("%q is not a protocol (ANY, ICMP, TCP, UDP, RAW or 0-255)", s)
	}
	return uint8(n), nil
}

// parsePort reads a port, 0-65535 (0 = any); "ANY" is the listing's 0.
func parsePort(s string) (uint16, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "any") {
		return 0, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port (0-65535)", s)
	}
	return uint16(n), nil
}

// parseAction reads permit|block|negotiate.
func parseAction(s string) (model.ActionKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "permit":
		return model.ActionPermit, nil
	case "block":
		return model.ActionBlock, nil
	case "negotiate":
		return model.ActionNegotiate, nil
	}
	return "", fmt.Errorf("%q is not permit, block or negotiate", s)
}

// parseConnType reads lan|dialup|all.
func parseConnType(s string) (model.ConnType, error) {
	// The constants, not the text: a piece of the line would keep all of
	// it alive as long as the rule.
	switch t := model.ConnType(strings.ToLower(strings.TrimSpace(s))); t {
	case model.ConnLAN:
		return model.ConnLAN, nil
	case model.ConnDialup:
		return model.ConnDialup, nil
	case model.ConnAll:
		return model.ConnAll, nil
	}
	return "", fmt.Errorf("%q is not lan, dialup or all", s)
}

// normAlg spells an algorithm as netsh does: DES, 3DES, MD5, SHA1, None.
func normAlg(s string) (string, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DES":
		return model.AlgDES, true
	case "3DES":
		return model.Alg3DES, true
	case "MD5":
		return model.AlgMD5, true
	case "SHA1", "SHA":
		return model.AlgSHA1, true
	case "NONE":
		return model.AlgNone, true
	}
	return "", false
}

// parseQMMethods reads a space-separated list of quick-mode methods:
// ESP[3DES,SHA1], AH[MD5], AH[SHA1]+ESP[DES,None], each optionally with
// :100000k/3600s, :3600s or :100000k. The list is shared (methodcache.go):
// it is never written.
func parseQMMethods(s string) ([]model.QMMethod, error) {
	return qmMethods.parse(s, readQMMethods)
}

func readQMMethods(s string) ([]model.QMMethod, error) {
	var out []model.QMMethod
	for _, f := range strings.Fields(s) {
		m, err := parseQMMethod(f)
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no security method in %q", s)
	}
	return out, nil
}

func parseQMMethod(text string) (model.QMMethod, error) {
	m := model.QMMethod{Text: text}
	body, life, hasLife := strings.Cut(text, ":")
	for _, part := range strings.Split(body, "+") {
		if err := parseQMTransform(&m, text, part); err != nil {
			return m, err
		}
	}
	if hasLife {
		if err := parseLifetime(life, &m); err != nil {
			return m, fmt.Errorf("security method %q: %w", text, err)
		}
	}
	return m, nil
}

// parseQMTransform reads one part of a quick-mode method: AH[integrity]
// or ESP[cipher,integrity]; text is the whole method, for messages.
func parseQMTransform(m *model.QMMethod, text, part string) error {
	name, args, ok := strings.Cut(part, "[")
	if !ok || !strings.HasSuffix(args, "]") {
		return fmt.Errorf("security method %q: want ESP[cipher,integrity] or AH[integrity]", text)
	}
	algs := strings.Split(strings.TrimSuffix(args, "]"), ",")
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "AH":
		return parseAH(m, text, algs)
	case "ESP":
		return parseESP(m, text, algs)
	}
	return fmt.Errorf("security method %q: %q is not AH or ESP", text, name)
}

func parseAH(m *model.QMMethod, text string, algs []string) error {
	a, ok := normAlg(algs[0])
	if len(algs) != 1 || !ok || !isIntegrity(a) || a == model.AlgNone || m.AH != "" {
		return fmt.Errorf("security method %q: AH takes MD5 or SHA1", text)
	}
	m.AH = a
	return nil
}

func parseESP(m *model.QMMethod, text string, algs []string) error {
	if len(algs) != 2 || m.ESP != nil {
		return fmt.Errorf("security method %q: ESP takes [cipher,integrity]", text)
	}
	c, ok1 := normAlg(algs[0])
	i, ok2 := normAlg(algs[1])
	if !ok1 || !ok2 || !isCipher(c) || !isIntegrity(i) {
		return fmt.Errorf("security method %q: ESP cipher is DES, 3DES or None, integrity MD5, SHA1 or None (no AES on Windows Server 2003)", text)
	}
	m.ESP = &model.ESPTransform{Cipher: c, Integrity: i}
	return nil
}

// isCipher and isIntegrity tell the two kinds of algorithm normAlg
// returns apart; None is both.
func isCipher(a string) bool    { return a != model.AlgMD5 && a != model.AlgSHA1 }
func isIntegrity(a string) bool { return a != model.AlgDES && a != model.Alg3DES }

// parseLifetime reads 100000k/3600s, 3600s or 100000k.
func parseLifetime(s string, m *model.QMMethod) error {
	for _, part := range strings.Split(s, "/") {
		p := strings.ToLower(strings.TrimSpace(part))
		switch {
		case strings.HasSuffix(p, "k"):
			n, err := strconv.Atoi(strings.TrimSuffix(p, "k"))
			if err != nil || n < 0 {
				return fmt.Errorf("bad kilobyte lifetime %q", part)
			}
			m.LifetimeKB = n
		case strings.HasSuffix(p, "s"):
			n, err := strconv.Atoi(strings.TrimSuffix(p, "s"))
			if err != nil || n < 0 {
				return fmt.Errorf("bad seconds lifetime %q", part)
			}
			m.LifetimeSec = n
		default:
			return fmt.Errorf("bad lifetime %q (want 100000k/3600s)", part)
		}
	}
	return nil
}

// parseMMMethods reads main-mode methods: 3DES-SHA1-2 (cipher-hash-group).
// The list is shared (methodcache.go): it is never written.
func parseMMMethods(s string) ([]model.MMMethod, error) {
	return mmMethods.parse(s, readMMMethods)
}

func readMMMethods(s string) ([]model.MMMethod, error) {
	var out []model.MMMethod
	for _, f := range strings.Fields(s) {
		m, err := parseMMMethod(f)
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no main-mode method in %q", s)
	}
	return out, nil
}

func parseMMMethod(text string) (model.MMMethod, error) {
	parts := strings.Split(text, "-")
	if len(parts) != 3 {
		return model.MMMethod{}, fmt.Errorf("main-mode method %q: want cipher-hash-group, e.g. 3DES-SHA1-2", text)
	}
	c, ok1 := normAlg(parts[0])
	h, ok2 := normAlg(parts[1])
	g, err := strconv.Atoi(parts[2])
	if !ok1 || !ok2 || (c != model.AlgDES && c != model.Alg3DES) || (h != model.AlgMD5 && h != model.AlgSHA1) || err != nil || g < 1 || g > 3 {
		return model.MMMethod{}, fmt.Errorf("main-mode method %q: cipher DES or 3DES, hash MD5 or SHA1, DH group 1, 2 or 3", text)
	}
	return model.MMMethod{Cipher: c, Integrity: h, DHGroup: g, Text: text}, nil
}
