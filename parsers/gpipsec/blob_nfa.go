package gpipsec

import (
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The authentication method types (GPIPSEC.md §4.1).
const (
	authTypePSK         = 1
	authTypeCertificate = 3
	authTypeKerberos    = 5
)

// nfaBlob is an ipsecNFA blob (a rule; [MS-GPIPSEC] §2.2.1.3.1;
// GPIPSEC.md §3.3). It never holds a pre-shared key: only the key's
// length and the byte range it occupies (Secrets), for scrubbing.
type nfaBlob struct {
	blobStatus
	Auth       []authBlob
	AuthOK     bool // the authentication methods were read to their end
	IfType     fld[uint32]
	IfName     fld[string]
	TunnelAddr fld[[4]byte]
	IsTunnel   fld[uint32]
	IsActive   fld[uint32]
	Endpoint   fld[string]
	LegacyEnd  int // offset after Tunnel-End-Point-Name; 0 if not reached
	Ext        *nfaExtBlob
	// Secrets are the byte ranges that hold a pre-shared key, or that
	// could not be decoded and may hold one.
	Secrets []span
}

// authBlob is one authentication method. Text is the CA name of a
// certificate method; a pre-shared key is never decoded, only counted.
type authBlob struct {
	Off      int
	Type     uint32
	Data     span
	Text     string
	KeyChars int
	// Withheld is set for a certificate method whose CA name does not
	// read as a distinguished name (see readsAsDN): Text is empty, and
	// its bytes are among the blob's secrets.
	Withheld bool
}

// nfaExtBlob is the Vista+ extension after the legacy part (GPIPSEC.md §3.3.2).
type nfaExtBlob struct {
	Off    int
	Auth   []authBlob
	AuthOK bool
	Zero1  fld[uint32]
	Flags  []uint32
	IPv6   bool
}

func decodeNFABlob(b []byte) *nfaBlob {
	p := &nfaBlob{}
	c := newCursor(b)
	if !header(c, &p.blobStatus, typeNFA, "ipsecNFA") {
		// The key could be anywhere in a blob that is not understood.
		p.Secrets = append(p.Secrets, span{Off: 0, Len: len(b)})
		return p
	}
	authAt := c.off
	p.Auth, p.AuthOK = readAuthList(c, &p.Secrets, "Auth-Method-Count")
	if p.AuthOK && len(p.Auth) == 0 {
		// A rule authenticates with at least one method: with the count
		// damaged to 0 a key's bytes are read as the fields that follow.
		p.Secrets = append(p.Secrets, span{Off: authAt, Len: len(b) - authAt})
	}
	p.IfType = read32(c, "Interface-Type")
	p.IfName = readWstr(c, &p.blobStatus, "Interface-Name")
	off := c.off
	p.TunnelAddr = fld[[4]byte]{V: c.ipv4("Tunnel-Address"), Off: off, OK: c.ok()}
	p.IsTunnel = read32(c, "Is-Tunnel-Specifier")
	p.IsActive = read32(c, "Is-Active-Specifier")
	p.Endpoint = readWstr(c, &p.blobStatus, "Tunnel-End-Point-Name")
	if c.ok() {
		p.LegacyEnd = c.off
	}
	if c.peekGUID(nfaAltAuthID1) {
		p.Ext = readNFAExt(c, p)
	}
	if extra := tail(c, &p.blobStatus, "object"); extra.Len > 0 {
		p.Secrets = append(p.Secrets, extra)
	}
	p.finish(c)
	if p.LegacyEnd > 0 {
		checkDL(&p.blobStatus, "ipsecNFA", p.LegacyEnd-headerSize)
	}
	if p.Fail != nil {
		// Decoding went astray somewhere: a key may have been read as
		// other fields (a PSK whose length was damaged), so nothing after
		// the header is shown.
		p.Secrets = append(p.Secrets, span{Off: headerSize, Len: max(0, len(b)-headerSize)})
	}
	return p
}

// readAuthList reads a count and that many authentication methods. When
// the list cannot be read to its end, the bytes from the list's start to
// the blob's end are recorded as secret: a key may sit in them.
func readAuthList(c *cursor, secrets *[]span, what string) ([]authBlob, bool) {
	start := c.off
	n := c.count(what, authMinSize)
	var out []authBlob
	for i := 0; i < n && c.ok(); i++ {
		a := authBlob{Off: c.off}
		a.Type = c.u32("Auth-Type")
		a.Data = c.wspan("Auth-Method-Data")
		if !c.ok() {
			break
		}
		data := c.b[a.Data.Off : a.Data.Off+a.Data.Len]
		switch a.Type {
		case authTypePSK:
			a.KeyChars = keyChars(data)
			*secrets = append(*secrets, a.Data)
			if a.Data.Len == 0 || a.Data.Len%2 != 0 {
				// A UTF-16 key has an even, non-zero length: with a
				// damaged length the key's bytes follow as other fields.
				*secrets = append(*secrets, span{Off: a.Data.Off, Len: len(c.b) - a.Data.Off})
			}
		case authTypeCertificate:
			// A CA name is a distinguished name (GPIPSEC.md §4.1). Text
			// that does not read as one may be a pre-shared key under a
			// damaged Auth-Type: it is neither shown nor kept.
			if t := model.UTF16Text(data); readsAsDN(t) {
				a.Text = t
			} else {
				a.Withheld = true
				*secrets = append(*secrets, a.Data)
			}
		case authTypeKerberos:
			if slices.ContainsFunc(data, func(b byte) bool { return b != 0 }) {
				// Kerberos carries no data but 00 00, or none (GPIPSEC.md
				// §4.1, the Vista+ extension): anything else may be a key
				// under a damaged type.
				*secrets = append(*secrets, a.Data)
			}
		default:
			// An unknown method's data may be a key.
			*secrets = append(*secrets, a.Data)
		}
		out = append(out, a)
	}
	if !c.ok() {
		*secrets = append(*secrets, span{Off: start, Len: len(c.b) - start})
		return out, false
	}
	return out, true
}

// keyChars is the length in characters of a pre-shared key stored as
// UTF-16LE with its NUL. Key bytes this package has scrubbed are all
// zero; their length is then taken from the byte length (which includes
// the NUL), so that decoding a scrubbed registry again gives the same
// length.
func keyChars(data []byte) int {
	for _, b := range data {
		if b != 0 {
			return utf16Units(data)
		}
	}
	if len(data) >= 2 {
		return len(data)/2 - 1
	}
	return 0
}

func readWstr(c *cursor, s *blobStatus, what string) fld[string] {
	off := c.off
	v, _, odd := c.wstr(what)
	if odd {
		s.note(off, "%s has an odd byte length (UTF-16 text is 2 bytes a character)", what)
	}
	return fld[string]{V: v, Off: off, OK: c.ok()}
}

func readNFAExt(c *cursor, p *nfaBlob) *nfaExtBlob {
	e := &nfaExtBlob{Off: c.off}
	c.guid("Alt-Auth-Method-Id1")
	e.Auth, e.AuthOK = readAuthList(c, &p.Secrets, "Alt-Auth-Num-Methods-Count")
	if c.peekGUID(nfaAltAuthID2) {
		c.guid("Alt-Auth-Method-Id2")
		e.Zero1 = read32(c, "Zero1")
		if c.need(4*len(e.Auth), "Alt-Auth-Method-Flags") {
			for range e.Auth {
				e.Flags = append(e.Flags, c.u32("Alt-Auth-Method-Flags"))
			}
		}
	}
	if c.peekGUID(nfaIPv6Tunnel) {
		c.guid("IPv6-Tunnel-Mode-ID")
		c.take(16, "IPv6 tunnel address")
		e.IPv6 = c.ok()
	}
	if !c.ok() && e.AuthOK {
		p.Secrets = append(p.Secrets, span{Off: e.Off, Len: len(c.b) - e.Off})
	}
	return e
}

// readsAsDN reports whether s reads as a distinguished name in the
// string form Windows shows a CA's ("CN=Example Root CA, DC=example,
// DC=com"; RFC 4514 writes the same without the spaces): relative names
// separated by commas or semicolons (or plus signs within one), each an
// attribute type (a name or a dotted OID) and a value that is not empty,
// with quotes and backslash escapes inside values.
func readsAsDN(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	var part strings.Builder
	var parts []string
	quoted, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '+'):
			parts = append(parts, part.String())
			part.Reset()
			continue
		}
		part.WriteRune(r)
	}
	if quoted || escaped {
		return false
	}
	parts = append(parts, part.String())
	for _, p := range parts {
		attr, value, ok := strings.Cut(p, "=")
		if !ok || !isAttributeType(strings.TrimSpace(attr)) || strings.TrimSpace(value) == "" {
			return false
		}
	}
	return true
}

// isAttributeType reports whether s is an attribute type of a
// distinguished name: a name (a letter, then letters, digits and
// hyphens) or a dotted OID, also as Windows writes one it has no name
// for ("OID.2.5.4.97").
func isAttributeType(s string) bool {
	if rest, ok := strings.CutPrefix(s, "OID."); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		s = rest
	}
	if s == "" {
		return false
	}
	if s[0] >= '0' && s[0] <= '9' {
		for _, arc := range strings.Split(s, ".") {
			if arc == "" || strings.Trim(arc, "0123456789") != "" {
				return false
			}
		}
		return true
	}
	for i, r := range s {
		letter := (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')
		if !letter && (i == 0 || (r != '-' && (r < '0' || r > '9'))) {
			return false
		}
	}
	return true
}
