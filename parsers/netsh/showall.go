package netsh

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// specialListingAddrs are the placeholders a listing prints for special
// addresses (English spelling; other languages map to it through their
// Values table). <Any IP Address> and <My IP Address> are confirmed, the
// server types are not.
var specialListingAddrs = map[string]model.AddrKind{
	"<any ip address>": model.AddrAny, "<my ip address>": model.AddrMe,
	"<dns servers>": model.AddrDNS, "<wins servers>": model.AddrWINS,
	"<dhcp server>": model.AddrDHCP, "<default gateway>": model.AddrGateway,
}

// current says which object the label lines apply to.
type current int

const (
	curNone current = iota
	curPolicy
	curRule
	curList
	curAction
)

// pendingFilter gathers a listed filter's lines; addresses are built when
// it closes, once address, mask and DNS name are all known.
type pendingFilter struct {
	f                      *model.Filter
	seen                   map[field]bool
	srcIP, srcMask, srcDNS string
	dstIP, dstMask, dstDNS string
	line                   int
}

// listing is the state of a `show all` listing being read.
type listing struct {
	b         *builder
	pol       *model.Policy
	rule      *model.Rule
	list      *model.FilterList
	act       *model.FilterAction
	cur       current
	inFilters bool
	expected  int // No. of Filters of the current list; -1 = not said
	expLine   int
	filt      *pendingFilter
	// ruleHasList and ruleHasAction say that the current rule's own filter
	// list and action were seen: the next ones are standalone.
	ruleHasList, ruleHasAction bool
	heading                    field
	langs                      map[string]bool
	unknown                    int
	truncated                  bool
	line                       int
	// pending is the line read last, not yet taken in (see line); cols
	// are the columns of the table whose rows are being read.
	pending     string
	pendingLine int
	hasPending  bool
	cols        []tableColumn
	// afterSecret is set by a line holding a pre-shared key: a line after
	// it that is not understood may hold the rest of the key.
	afterSecret bool
}

// newListing starts reading a `netsh ipsec static show all` listing, in
// list or table format, in any language of Languages.
func newListing(b *builder) *listing {
	return &listing{b: b, expected: -1, langs: map[string]bool{}}
}

// feed reads physical line n. A line is read when the next one has come:
// a table's header is the line above its underline.
func (l *listing) feed(n int, s string) {
	if l.cols != nil { // the rows of a table, up to a blank line
		if strings.TrimSpace(s) == "" {
			l.closeFilter()
			l.cols = nil
			return
		}
		l.line = n
		l.row(s)
		return
	}
	if l.hasPending {
		l.hasPending = false
		l.line = l.pendingLine
		if isDashes(s) {
			if cols := tableColumns(l.pending); cols != nil {
				l.startTable(cols)
				return
			}
		}
		l.lineOf(l.pending)
	}
	l.pending, l.pendingLine, l.hasPending = s, n, true
}

// end finishes the listing: the last line, the summary, the rules' names
// and the objects listed twice.
func (l *listing) end() {
	b := l.b
	if l.cols != nil {
		l.closeFilter()
	}
	if l.hasPending {
		l.line = l.pendingLine
		l.lineOf(l.pending)
	}
	l.closeList()
	if l.unknown > 0 {
		b.warnAt(0, 0, fmt.Sprintf("the listing was only partly understood: %d line(s) were not recognized (see the warnings before)", l.unknown))
	}
	for _, p := range b.store.Policies {
		for i, r := range p.Rules {
			if r.Name == "" {
				r.Name = fmt.Sprintf("Rule %d", i+1)
			}
		}
	}
	l.connTypeDoubts()
	b.store.FilterLists = dedupeLists(b, b.store.FilterLists)
	b.store.FilterActions = dedupeActions(b.store.FilterActions)
}

func (l *listing) warn(msg string) { l.b.warnAt(l.line, 0, msg) }

func (l *listing) lineOf(raw string) {
	t := strings.TrimSpace(raw)
	afterSecret := l.afterSecret
	l.afterSecret = false
	switch {
	case t == "":
		l.closeFilter()
		l.afterSecret = afterSecret // a key may follow its label after a blank line
		return
	case strings.HasPrefix(t, "#"):
		return
	case isErrLine(t):
		l.b.sawNoData()
		return
	case isDashes(t):
		l.afterSecret = afterSecret // or after the label's underline
		return
	}
	label, value, isLabel := splitLabel(t)
	if isLabel {
		if lm, ok := lookupLabel(vocab.labels, label); ok {
			l.langs[lm.lang] = true
			l.set(lm.field, strings.TrimSpace(value))
			return
		}
	}
	if h, ok := lookupLabel(vocab.headings, t); ok {
		l.headingLine(h.field)
		if isSecretLabel(t) {
			l.afterSecret = true
		}
		return
	}
	if l.valueLine(t) {
		return
	}
	l.notUnderstood(t, label, value, isLabel, afterSecret)
}

// notUnderstood warns of a line that is no label, heading or value the
// listing reads. Its text is quoted, except what may be a pre-shared key.
// The value of a label the listing does not know is never quoted, nor
// kept for SARIF's embedded text: a label in a language or wording the
// vocabulary lacks may name the key ("Vorinstallierter Schlüssel"). A
// line that is no label but names a key or secret is not quoted either,
// nor is a line after a key (a long key wrapped onto the next line) or
// after a heading that names one (a bare "Preshared Key", the key on the
// next line: see lineOf).
func (l *listing) notUnderstood(t, label, value string, isLabel, afterSecret bool) {
	l.unknown++
	switch {
	case isLabel && label != "" && !afterSecret && isSecretLabel(label):
		// A key may hold the separator: part of it would be in the label.
		l.afterSecret = true
		l.b.keep.secretAt(l.line, 1)
		l.warn(fmt.Sprintf("unknown label naming a key or secret (%s: neither it nor its value is shown) kept out of the model", model.Redacted))
	case isLabel && label != "" && !afterSecret:
		l.b.keep.secretAfterLabel(l.line)
		l.warn(fmt.Sprintf("unknown label %q (value %s: it is not shown, since a label ipseclint does not know may name a key) kept out of the model", label, model.Redacted))
	case afterSecret:
		l.afterSecret = true
		l.b.keep.secretAt(l.line, 1)
		l.warn(fmt.Sprintf("line not understood: %s (it follows a pre-shared key and may hold part of one)", model.Redacted))
	case isSecretLabel(t):
		l.afterSecret = true
		l.b.keep.secretAt(l.line, 1)
		l.warn(fmt.Sprintf("line not understood: %s (it names a key or secret, and may hold one)", model.Redacted))
	default:
		l.warn(fmt.Sprintf("line not understood: %q", t))
	}
}

// secretWords name a secret in a label, in the languages of Languages.
// It holds words of the languages Windows Server 2003 shipped in beyond
// those: a label the vocabulary lacks is not quoted anyway, but these
// also mark the lines after it, and lines that are no label.
var secretWords = []string{
	"key", "psk", "secret", "password", "passwd", "preshare", "pre-share", "密钥", "密码",
	"schlüssel", "schluessel", "kennwort", "passwort", "geheim", // German
	"clé", "secrète", "mot de passe", "motdepasse", // French
	"clave", "contraseña", "secreto", "chiave", "segret", "chave", "senha", // Spanish, Italian, Portuguese
	"sleutel", "wachtwoord", "nyckel", "lösenord", "nøgle", "adgangskode", "nøkkel", "passord", "avain", "salasana", // Dutch, Nordic
	"klucz", "hasło", "heslo", "klíč", "kulcs", "jelszó", "anahtar", "parola", // Polish, Czech, Hungarian, Turkish
	"ключ", "пароль", "κλειδί", "κωδικός", "מפתח", "סיסמה", "مفتاح", "كلمة", // Russian, Greek, Hebrew, Arabic
	"キー", "鍵", "パスワード", "金鑰", "密碼", "키", "암호", // Japanese, Chinese, Korean
}

// isSecretLabel reports whether a label names a key or a secret.
func isSecretLabel(label string) bool {
	n := normLabel(label)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func (l *listing) headingLine(h field) {
	l.heading = h
	if h == hFilters {
		l.closeFilter()
		l.inFilters = true
	}
}

// valueLine reads a line without a label: a security method or an
// authentication method under its heading.
func (l *listing) valueLine(t string) bool {
	if m, err := parseQMMethods(t); err == nil && l.heading != hMMMethods {
		if a := l.action(); a != nil {
			a.Methods = append(a.Methods, m...)
			return true
		}
	}
	if m, err := parseMMMethods(t); err == nil && l.pol != nil {
		l.pol.MMSecMethods = append(l.pol.MMSecMethods, m...)
		return true
	}
	if l.rule != nil {
		switch normLabel(t) {
		case "kerberos":
			l.rule.Auth = append(l.rule.Auth, model.AuthMethod{Kind: model.AuthKerberos, Loc: l.loc()})
			return true
		case "presharedkey", "pre-sharedkey":
			l.rule.Auth = append(l.rule.Auth, model.AuthMethod{Kind: model.AuthPreshared, Loc: l.loc()})
			l.afterSecret = true // a listing may give the key on the next line
			return true
		}
	}
	return false
}

// action is the filter action the lines apply to: the listed action, or
// the default response rule's own.
func (l *listing) action() *model.FilterAction {
	if l.cur == curAction && l.act != nil {
		return l.act
	}
	if l.rule != nil && l.rule.Default {
		return l.rule.FilterAction
	}
	return nil
}

// set applies one label line.
func (l *listing) set(f field, v string) {
	v = vocab.english(v)
	switch {
	case f == fPSK:
		l.afterSecret = true // the value is never quoted: see notUnderstood
		if strings.HasSuffix(v, "...") {
			l.truncated = true
			l.warn("a pre-shared key value is truncated (format=table or wide=no)")
		}
	case strings.HasSuffix(v, "..."):
		l.truncated = true
		l.warn(fmt.Sprintf("value %q is truncated (format=table or wide=no): names may not match", v))
	}
	if set, ok := listingSetters[f]; ok {
		set(l, f, v)
	}
}

// listingSetters say what each field of a label line does.
var listingSetters = func() map[field]func(*listing, field, string) {
	m := map[field]func(*listing, field, string){
		fPolicyName:       func(l *listing, _ field, v string) { l.startPolicy(v) },
		fRuleID:           (*listing).startRule,
		fRuleName:         (*listing).startRule,
		fFilterListName:   func(l *listing, _ field, v string) { l.startList(v) },
		fFilterActionName: func(l *listing, _ field, v string) { l.startAction(v) },
		fDescription:      func(l *listing, _ field, v string) { l.description(v) },
		fStore:            func(l *listing, _ field, v string) { l.storeLocation(v) },
		fLastModified:     func(l *listing, _ field, v string) { l.lastModified(v) },
		fGUID:             func(l *listing, _ field, v string) { l.guid(v) },
		fNumFilters:       func(l *listing, _ field, v string) { l.numFilters(v) },
		fNumRules:         func(*listing, field, string) {},
	}
	for _, group := range []struct {
		set    func(*listing, field, string)
		fields []field
	}{
		{(*listing).filterField, []field{fMirrored, fSrcIP, fSrcMask, fSrcDNS, fDstIP, fDstMask, fDstDNS, fProtocol, fSrcPort, fDstPort}},
		{(*listing).policyField, []field{fAssigned, fMMPFS, fPollingInterval, fMMLifetime, fQMPerMM, fActivateDefault}},
		{(*listing).actionField, []field{fAction, fQMPFS, fInPass, fSoft}},
		{(*listing).ruleField, []field{fRuleActive, fConnType, fTunnel, fPSK, fRootCA}},
	} {
		for _, f := range group.fields {
			m[f] = group.set
		}
	}
	return m
}()

func (l *listing) startPolicy(name string) {
	l.closeList()
	l.pol = l.b.newPolicy(name, l.loc())
	l.rule, l.act, l.cur = nil, nil, curPolicy
}

func (l *listing) lastModified(v string) {
	if l.cur == curPolicy && l.pol != nil {
		l.pol.LastModified = v
	}
}

func (l *listing) numFilters(v string) {
	if n, err := parseCount(v); err == nil && l.list != nil {
		l.expected, l.expLine = n, l.line
	} else if err != nil {
		l.b.errAt(l.line, 0, fmt.Sprintf("No. of Filters: %v", err))
	}
}

func (l *listing) loc() model.Location { return l.b.loc(l.line, 0) }

func noneToEmpty(v string) string {
	if strings.EqualFold(v, "NONE") {
		return ""
	}
	return v
}

func (l *listing) startRule(f field, v string) {
	l.closeList()
	if l.pol == nil {
		l.unknown++
		l.warn(fmt.Sprintf("rule %q listed outside a policy: skipped", v))
		return
	}
	if f == fRuleName && l.cur == curRule && l.rule != nil && l.rule.Name == "" {
		l.rule.Name = v // after a "Rule ID" line
		return
	}
	// The connection type is unknown until the rule's Connection Type line.
	l.b.made(1)
	r := &model.Rule{PolicyName: l.pol.Name, Active: true, Loc: l.loc()}
	if f == fRuleName {
		r.Name = v
	} else if i := strings.Index(v, "{"); i >= 0 {
		r.GUID = strings.TrimSpace(v[i:])
	}
	insertRule(l.pol, r)
	l.rule, l.act, l.cur, l.heading = r, nil, curRule, ""
	l.ruleHasList, l.ruleHasAction = false, false
}

// startList begins a filter list: the current rule's when it has none yet
// ("<Dynamic>" marks the default response rule), else a standalone one.
func (l *listing) startList(name string) {
	l.closeList()
	l.heading = ""
	if l.rule != nil && !l.ruleHasList {
		l.ruleHasList = true
		if normLabel(name) == "<dynamic>" {
			l.makeDefault(l.rule)
			return
		}
		l.rule.FilterListName = name
	} else {
		l.rule = nil
		if normLabel(name) == "<dynamic>" {
			return // the default response rule's, outside its rule: no list
		}
	}
	l.list = l.b.newFilterList(name, l.loc())
	l.cur, l.inFilters, l.expected = curList, false, -1
}

// makeDefault turns the rule being read into the policy's default
// response rule (unconfirmed: the MMC shows its filter list as <Dynamic>).
func (l *listing) makeDefault(r *model.Rule) {
	d := l.pol.DefaultRule()
	l.pol.Rules = without(l.pol.Rules, r)
	d.Active, d.Loc, d.GUID, d.Doubts = r.Active, r.Loc, r.GUID, r.Doubts
	if r.ConnType != "" {
		d.ConnType = r.ConnType
	}
	d.Auth = r.Auth // the listing lists its authentication methods below
	if r.Name != "" {
		d.Name = r.Name
	}
	l.rule, l.cur = d, curRule
}

func (l *listing) startAction(name string) {
	l.closeList()
	l.heading = ""
	if l.rule != nil && !l.ruleHasAction {
		l.ruleHasAction = true
		if l.rule.Default {
			l.act, l.cur = l.rule.FilterAction, curAction
			return
		}
		l.rule.FilterActionName = name
	} else {
		l.rule = nil
	}
	l.act = l.b.newFilterAction(name, l.loc())
	l.cur = curAction
}

func (l *listing) description(v string) {
	v = noneToEmpty(v)
	switch {
	case l.cur == curList && l.inFilters:
		l.closeFilter()
		l.openFilter().f.Description = v
		l.filt.seen[fDescription] = true
	case l.cur == curList && l.list != nil:
		l.list.Description = v
	case l.cur == curAction && l.act != nil:
		l.act.Description = v
	case l.cur == curRule && l.rule != nil:
		l.rule.Description = v
	case l.cur == curPolicy && l.pol != nil:
		l.pol.Description = v
	}
}

func (l *listing) guid(v string) {
	switch {
	case l.cur == curList && l.list != nil:
		l.list.GUID = v
	case l.cur == curAction && l.act != nil && !(l.rule != nil && l.rule.Default):
		l.act.GUID = v
	case l.cur == curRule && l.rule != nil:
		l.rule.GUID = v
	case l.cur == curPolicy && l.pol != nil:
		l.pol.GUID = v
	}
}

func (l *listing) storeLocation(v string) {
	if !l.b.store.StoreLoc.IsZero() {
		return
	}
	switch w := strings.ToLower(v); {
	case strings.HasPrefix(w, "local"):
		l.b.store.Store, l.b.store.StoreLoc = model.StoreLocal, l.loc()
	case strings.HasPrefix(w, "domain"):
		l.b.store.Store, l.b.store.StoreLoc = model.StoreDomain, l.loc()
	case strings.HasPrefix(w, "persistent"):
		l.b.store.Store, l.b.store.StoreLoc = model.StorePersistent, l.loc()
	}
}

func (l *listing) listBool(f field, v string) (bool, bool) {
	x, err := parseBool(v)
	if err != nil {
		l.b.errAt(l.line, 0, fmt.Sprintf("%s: %v", f, err))
		return false, false
	}
	return x, true
}

// leadingInt reads "180 minutes" or "180".
func leadingInt(v string) (int, error) {
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0, fmt.Errorf("%q is not a number", v)
	}
	return parseMinutes(f[0])
}

func (l *listing) policyField(f field, v string) {
	if l.pol == nil {
		l.unknown++
		l.warn(fmt.Sprintf("%s outside a policy: skipped", f))
		return
	}
	switch f {
	case fAssigned:
		if on, ok := l.listBool(f, v); ok {
			l.b.assign(l.pol, on, l.loc())
		}
	case fMMPFS:
		if on, ok := l.listBool(f, v); ok {
			l.pol.MMPFS = on
		}
	case fActivateDefault:
		if on, ok := l.listBool(f, v); ok {
			setActivateDefault(l.pol, on)
		}
	case fPollingInterval, fMMLifetime, fQMPerMM:
		if f == fMMLifetime && l.cur != curPolicy {
			return // a quick-mode lifetime line of an action
		}
		n, err := leadingInt(v)
		if err != nil {
			l.b.errAt(l.line, 0, fmt.Sprintf("%s: %v", f, err))
			return
		}
		switch f {
		case fPollingInterval:
			l.pol.PollingIntervalMin = n
		case fMMLifetime:
			l.pol.MMLifetimeMin = n
		default:
			l.pol.QMPerMM = n
		}
	}
}

func (l *listing) actionField(f field, v string) {
	a := l.action()
	if a == nil {
		l.unknown++
		l.warn(fmt.Sprintf("%s outside a filter action: skipped", f))
		return
	}
	if f == fAction {
		k, err := parseAction(v)
		if err != nil {
			l.b.errAt(l.line, 0, fmt.Sprintf("Action: %v", err))
			a.Doubts = append(a.Doubts, l.badValue("action", f, v))
			return
		}
		a.Action = k
		return
	}
	on, ok := l.listBool(f, v)
	if !ok {
		a.Doubts = append(a.Doubts, l.badValue(actionFieldNames[f], f, v))
		return
	}
	switch f {
	case fQMPFS:
		a.QMPFS = on
	case fInPass:
		a.InPass = on
	case fSoft:
		a.Soft = on
	}
}

func (l *listing) ruleField(f field, v string) {
	if l.rule == nil {
		l.unknown++
		l.warn(fmt.Sprintf("%s outside a rule: skipped", f))
		return
	}
	switch f {
	case fRuleActive:
		on, ok := l.listBool(f, v)
		switch {
		case !ok && !l.rule.Default:
			l.rule.Doubts = append(l.rule.Doubts, l.badValue("active", f, v))
		case !ok:
		case l.rule.Default:
			setActivateDefault(l.pol, on)
		default:
			l.rule.Active = on
		}
	case fConnType:
		l.connType(v)
	case fTunnel:
		l.rule.TunnelEndpoint = noneToEmpty(v)
		if l.rule.TunnelEndpoint == "0.0.0.0" {
			l.rule.TunnelEndpoint = ""
		}
	case fPSK:
		l.rule.Auth = append(l.rule.Auth, model.AuthMethod{Kind: model.AuthPreshared, KeyLength: len([]rune(strings.TrimSpace(v))), Loc: l.loc()})
	case fRootCA:
		l.rule.Auth = append(l.rule.Auth, model.AuthMethod{Kind: model.AuthCertificate, CA: rootCAName(v), Loc: l.loc()})
	}
}

// listingConnTypes are the values a listing's Connection Type line may
// show, folded (normLabel). None is confirmed by a real capture: netsh's
// own keywords (ALL, LAN, DIALUP), the snap-in's wording ("All network
// connections", "Local area network (LAN)", "Remote access") and the
// zh-CN terms for the same are accepted; anything else is a doubt.
var listingConnTypes = func() map[string]model.ConnType {
	m := map[string]model.ConnType{}
	for ct, spellings := range map[model.ConnType][]string{
		model.ConnAll:    {"ALL", "All network connections", "所有", "全部", "所有网络连接"},
		model.ConnLAN:    {"LAN", "Local area network", "Local area network (LAN)", "局域网", "局域网(LAN)", "局域网 (LAN)"},
		model.ConnDialup: {"DIALUP", "Dial-up", "Remote access", "远程访问", "拨号"},
	} {
		for _, s := range spellings {
			m[normLabel(s)] = ct
		}
	}
	return m
}()

// connType reads a rule's Connection Type line; a value not known leaves
// the connection type unknown, with a doubt, rather than all.
func (l *listing) connType(v string) {
	if ct, ok := lookupLabel(listingConnTypes, v); ok {
		l.rule.ConnType = ct
		return
	}
	l.rule.ConnType = ""
	l.rule.Doubts = append(l.rule.Doubts, model.Doubt{Field: "connType", Loc: l.loc(),
		Reason: fmt.Sprintf("the listing's Connection Type %q is not one ipseclint knows (ALL, LAN, DIALUP): the connections the rule applies to are unknown", v)})
	l.warn(fmt.Sprintf("Connection Type %q not known: the rule's connection type is unknown", v))
}

// connTypeDoubts marks the listed rules whose connection type the listing
// did not show (a table, or a label not in Languages) as unknown.
func (l *listing) connTypeDoubts() {
	for _, p := range l.b.store.Policies {
		for _, r := range p.Rules {
			if r.ConnType == "" && r.Doubts.About("connType") == nil {
				r.Doubts = append(r.Doubts, model.Doubt{Field: "connType", Loc: r.Loc,
					Reason: "the listing shows no Connection Type for the rule: the connections it applies to are unknown"})
			}
		}
	}
}

// openFilter starts a filter in the current list.
func (l *listing) openFilter() *pendingFilter {
	l.filt = &pendingFilter{f: model.NewFilter(model.FilterSpec{Mirrored: true}, l.loc()), seen: map[field]bool{}, line: l.line}
	return l.filt
}

func (l *listing) filterField(f field, v string) {
	if l.list == nil || l.cur != curList {
		l.unknown++
		l.warn(fmt.Sprintf("filter line outside a filter list: %s", f))
		return
	}
	l.inFilters = true
	if l.filt == nil || l.filt.seen[f] {
		l.closeFilter()
		l.openFilter()
	}
	p := l.filt
	p.seen[f] = true
	if err := p.set(f, v); err != nil {
		l.b.errAt(l.line, 0, fmt.Sprintf("%s: %v", f, err))
		p.f.Doubts = append(p.f.Doubts, l.badValue(filterFieldNames[f], f, v))
	}
}

// actionFieldNames and filterFieldNames are the model's names (Doubt.Field)
// of the listing's yes/no lines of a filter action and of its filter lines
// that set.
var (
	actionFieldNames = map[field]string{fQMPFS: "qmpfs", fInPass: "inpass", fSoft: "soft"}
	filterFieldNames = map[field]string{fMirrored: "mirrored", fProtocol: "protocol", fSrcPort: "srcport", fDstPort: "dstport"}
)

// badValue is the doubt on an object's field whose listing line holds a
// value netsh does not show there: the value on the host is unknown (the
// field keeps netsh's default, which no verdict may rest on).
func (l *listing) badValue(name string, f field, v string) model.Doubt {
	return model.Doubt{Field: name, Loc: l.loc(), Reason: fmt.Sprintf("the listing's %s line (%s) shows %q, not a value netsh shows there: the value on the host is unknown", f, l.loc(), v)}
}

// set applies one line of a listed filter.
func (p *pendingFilter) set(f field, v string) error {
	var err error
	switch f {
	case fMirrored:
		var on bool
		if on, err = parseBool(v); err == nil {
			p.f.Mirrored = on
		}
	case fProtocol:
		p.f.Protocol, err = parseProtocol(v)
	case fSrcPort:
		p.f.SrcPort, err = parsePort(v)
	case fDstPort:
		p.f.DstPort, err = parsePort(v)
	default:
		*p.text(f) = v
	}
	return err
}

// text is the pending filter's field for an address line.
func (p *pendingFilter) text(f field) *string {
	switch f {
	case fSrcIP:
		return &p.srcIP
	case fSrcMask:
		return &p.srcMask
	case fSrcDNS:
		return &p.srcDNS
	case fDstIP:
		return &p.dstIP
	case fDstMask:
		return &p.dstMask
	case fDstDNS:
		return &p.dstDNS
	}
	return new(string) // no other field reaches here (listingSetters)
}

// closeFilter builds the pending filter's addresses and adds it.
func (l *listing) closeFilter() {
	p := l.filt
	if p == nil {
		return
	}
	l.filt = nil
	var err1, err2 error
	p.f.Src, err1 = listingAddr(p.srcIP, p.srcMask, p.srcDNS)
	p.f.Dst, err2 = listingAddr(p.dstIP, p.dstMask, p.dstDNS)
	for i, err := range []error{err1, err2} {
		if err != nil {
			l.b.errAt(p.line, 0, fmt.Sprintf("filter: %v", err))
			side, a := "src", &p.f.Src
			if i == 1 {
				side, a = "dst", &p.f.Dst
			}
			*a = model.Address{Kind: model.AddrUnknown, Name: "not read from the listing"}
			p.f.Doubts = append(p.f.Doubts, model.Doubt{Field: side, Loc: l.b.loc(p.line, 0),
				Reason: fmt.Sprintf("the listing's filter at %s: %v: what it matches on the host is unknown", l.b.loc(p.line, 0), err)})
		}
	}
	l.b.made(1)
	l.list.Filters = append(l.list.Filters, p.f)
}

// listingAddr builds an address from a listing's IP address, mask and DNS
// name lines.
func listingAddr(ip, mask, dns string) (model.Address, error) {
	if ip == "" && dns == "" {
		return model.Address{Kind: model.AddrAny}, fmt.Errorf("address missing")
	}
	if k, ok := specialListingAddrs[strings.ToLower(ip)]; ok {
		return model.Address{Kind: k}, nil
	}
	name := noneToEmpty(dns)
	if _, special := specialListingAddrs[strings.ToLower(name)]; special {
		name = ""
	}
	if ip == "" {
		return model.Address{Kind: model.AddrDNSName, Name: name}, nil
	}
	a, err := parseAddr(ip)
	if err != nil {
		return a, err
	}
	bits := 32
	if mask != "" {
		if bits, err = parseMask(mask); err != nil {
			return a, err
		}
	}
	a = withMask(a, bits)
	if a.Kind == model.AddrIP {
		a.Name = name
	}
	return a, nil
}

// closeList ends the current filter list and checks its filter count.
func (l *listing) closeList() {
	l.closeFilter()
	if l.list != nil && l.expected >= 0 && l.expected != len(l.list.Filters) {
		l.b.warnAt(l.expLine, 0, fmt.Sprintf("filter list %q: No. of Filters is %d but %d filters are listed: the listing is incomplete", l.list.Name, l.expected, len(l.list.Filters)))
	}
	l.expected, l.inFilters = -1, false
	if l.cur == curList {
		l.list, l.cur = nil, curNone
		if l.rule != nil {
			l.cur = curRule
		}
	}
}

// tableColumns recognizes the header of a format=table listing: two or
// more known labels separated by runs of blanks. It returns the start of
// each column and its field, or nil.
func tableColumns(line string) []tableColumn {
	var cols []tableColumn
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			break
		}
		start := i
		for i < len(line) && !(line[i] == ' ' && (i+1 >= len(line) || line[i+1] == ' ')) {
			if i-start > maxLabelText {
				return nil // longer than any label: a line of another kind
			}
			i++
		}
		lm, ok := lookupLabel(vocab.labels, line[start:i])
		if !ok {
			return nil
		}
		cols = append(cols, tableColumn{start: start, field: lm.field})
	}
	if len(cols) < 2 {
		return nil
	}
	return cols
}

type tableColumn struct {
	start int
	field field
}

// startTable begins a format=table listing under the header line l.line.
// Each row that follows is one object or one filter.
func (l *listing) startTable(cols []tableColumn) {
	l.cols = cols
	if !l.truncated {
		l.truncated = true
		l.b.warnAt(l.line, 0, "format=table listing: names and values may be truncated and some settings are not shown")
	}
}

// row reads one row of a table.
func (l *listing) row(row string) {
	l.closeFilter()
	for k, c := range l.cols {
		end := len(row)
		if k+1 < len(l.cols) && l.cols[k+1].start < end {
			end = l.cols[k+1].start
		}
		if c.start >= end {
			continue
		}
		if c.field == fPSK {
			l.b.keep.secretAt(l.line, 1) // a row is no label line: all of it
		}
		l.set(c.field, strings.TrimSpace(row[c.start:end]))
	}
}

// dedupeLists merges filter lists listed twice (inside a rule and on their
// own): the first of a name keeps its filters.
func dedupeLists(b *builder, lists []*model.FilterList) []*model.FilterList {
	var out []*model.FilterList
	byName := map[string]*model.FilterList{}
	for _, fl := range lists {
		key := strings.ToLower(fl.Name)
		have := byName[key]
		switch {
		case have == nil:
			byName[key] = fl
			out = append(out, fl)
		case len(have.Filters) == 0 && len(fl.Filters) > 0:
			have.Filters = fl.Filters
		case len(fl.Filters) > 0 && len(fl.Filters) != len(have.Filters):
			b.warnAt(int(fl.Loc.Line), 0, fmt.Sprintf("filter list %q is listed twice with %d and %d filters: the first is kept", fl.Name, len(have.Filters), len(fl.Filters)))
		}
		if have != nil && have.GUID == "" {
			have.GUID = fl.GUID
		}
	}
	return out
}

func dedupeActions(actions []*model.FilterAction) []*model.FilterAction {
	var out []*model.FilterAction
	seen := map[string]bool{}
	for _, a := range actions {
		if key := strings.ToLower(a.Name); !seen[key] {
			seen[key] = true
			out = append(out, a)
		}
	}
	return out
}
