package gpipsec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// class is one of the five object classes (GPIPSEC.md §1.1).
type class int

const (
	clsPolicy class = iota
	clsISAKMP
	clsNFA
	clsNegPol
	clsFilter
)

var classNames = [...]string{"ipsecPolicy", "ipsecISAKMPPolicy", "ipsecNFA", "ipsecNegotiationPolicy", "ipsecFilter"}

func (c class) String() string { return classNames[c] }

func classOf(name string) (class, bool) {
	for i, n := range classNames {
		if strings.EqualFold(n, name) {
			return class(i), true
		}
	}
	return 0, false
}

const guidPattern = `\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}`

var (
	// tokenRe finds an object-name token in a reference, whatever its form
	// (registry path, LDAP DN): GPIPSEC.md §1.3.
	tokenRe = regexp.MustCompile(`(?i)ipsec(?:ISAKMPPolicy|NegotiationPolicy|Policy|NFA|Filter)` + guidPattern)
	// objectKeyRe matches any ipsec*{GUID} key name, known class or not.
	objectKeyRe = regexp.MustCompile(`(?i)^(ipsec[a-z0-9_]*)(` + guidPattern + `)$`)
	guidRe      = regexp.MustCompile(`^` + guidPattern + `$`)
)

// object is one ipsec*{GUID} key of a store.
type object struct {
	cls   class
	name  string // the key's name as spelled
	token string // lower-case class{guid}, the lookup key
	guid  string // braced, upper case
	path  string
	key   *model.Key // nil when the exports only imply the key
	loc   model.Location
	data  *model.Value // ipsecData; nil when absent or not decodable
	// raw is ipsecData even when it is not decoded (for scrubbing).
	raw  *model.Value
	refs int // references to it from the store's objects
	// doubts are doubts about the object as a whole (no data, wrong data type).
	doubts model.Doubts
}

// dataLoc is the location of the object's ipsecData value.
func (o *object) dataLoc() blobLoc {
	if o.data == nil {
		return blobLoc(o.loc)
	}
	l := o.data.Loc
	if l.Key == "" {
		l.Key = o.path
	}
	if l.Value == "" {
		l.Value = "ipsecData"
	}
	return blobLoc(l)
}

// str returns a string value of the object's key ("" when absent).
func (o *object) str(name string) string {
	s, _ := o.key.Value(name).AsString()
	return strings.TrimSpace(s)
}

// displayName returns the object's ipsecName when it is a name for
// people: not empty, not a bare GUID, not a reference to an object (as
// VPNease writes into NFA and ISAKMP objects).
func (o *object) displayName() string {
	s := o.str("ipsecName")
	if s == "" || guidRe.MatchString(s) || tokenRe.MatchString(s) {
		return ""
	}
	return s
}

// keyLoc is the location of a key: its own, with the path filled in.
func keyLoc(k *model.Key, path string) model.Location {
	var l model.Location
	if k != nil {
		l = k.Loc
	}
	if l.Key == "" {
		l.Key = path
	}
	l.Value, l.Offset = "", 0
	return l
}

// newObject reads the key of one object and checks its values
// (GPIPSEC.md §1.2, §6.2). Mismatches that change nothing are notes; a
// key that cannot be decoded gets a doubt on the object.
func (sb *storeBuilder) newObject(cls class, name, path string) *object {
	k := sb.r.Key(path)
	if k != nil {
		path = k.Path
	}
	m := objectKeyRe.FindStringSubmatch(name)
	o := &object{cls: cls, name: name, path: path, key: k, loc: keyLoc(k, path),
		token: strings.ToLower(name), guid: strings.ToUpper(m[2])}
	if k == nil || len(k.Values) == 0 {
		o.doubts = append(o.doubts, model.Doubt{Field: "object", Loc: o.loc,
			Reason: "the key holds no values in the exports: the object's settings are unknown"})
		return o
	}
	sb.checkIdentity(o)
	sb.checkData(o)
	return o
}

// checkIdentity compares ClassName (className in later Windows), name and
// ipsecID with the key name.
func (sb *storeBuilder) checkIdentity(o *object) {
	if v := o.key.Value("ClassName"); v != nil {
		if s := o.str("ClassName"); !strings.EqualFold(s, o.cls.String()) {
			sb.note(v.Loc, fmt.Sprintf("%s: %s is %q, but the key name says %s (the key name is used)", o.name, v.Name, s, o.cls))
		}
	}
	if v := o.key.Value("name"); v != nil {
		if s := o.str("name"); !strings.EqualFold(s, o.name) {
			sb.note(v.Loc, fmt.Sprintf("%s: name is %q, not the key's name", o.name, s))
		}
	}
	if v := o.key.Value("ipsecID"); v != nil {
		if s := o.str("ipsecID"); !strings.EqualFold(strings.Trim(s, "{}"), strings.Trim(o.guid, "{}")) {
			sb.note(v.Loc, fmt.Sprintf("%s: ipsecID is %q, not the key's GUID", o.name, s))
		}
	}
}

// checkData requires ipsecData and ipsecDataType 256 (GPIPSEC.md §6.2).
func (sb *storeBuilder) checkData(o *object) {
	o.raw = o.key.Value("ipsecData")
	dt := o.key.Value("ipsecDataType")
	switch n, ok := dt.AsDWORD(); {
	case dt == nil && o.raw != nil:
		sb.note(o.loc, o.name+": no ipsecDataType value (256 expected); ipsecData is decoded as type 256")
	case dt == nil: // no data either: the doubt below says it
	case !ok || n != 256:
		o.doubts = append(o.doubts, model.Doubt{Field: "object", Loc: dt.Loc,
			Reason: fmt.Sprintf("ipsecDataType is %s; only 256 is understood, so ipsecData is not decoded", dt.Display())})
		return
	}
	v := o.key.Value("ipsecData")
	if v == nil {
		o.doubts = append(o.doubts, model.Doubt{Field: "object", Loc: o.loc,
			Reason: "no ipsecData value: the object's settings are unknown"})
		return
	}
	if v.Type != model.RegBinary {
		sb.note(v.Loc, fmt.Sprintf("%s: ipsecData is %s, not REG_BINARY; its bytes are decoded all the same", o.name, v.Type))
	}
	o.data = v
}

// refStrings returns the strings of a reference value: REG_SZ or
// REG_MULTI_SZ (GPIPSEC.md §1.2).
func refStrings(v *model.Value) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	return v.AsStrings()
}
