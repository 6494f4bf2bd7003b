package netsh

import (
	"unicode"
	"unicode/utf8"
)

// field is what a label of a `show all` listing means, whatever the
// language.
type field string

// The fields of a listing. The *Name fields start an object.
const (
	fPolicyName       field = "policy.name"
	fFilterListName   field = "filterlist.name"
	fFilterActionName field = "filteraction.name"
	fRuleName         field = "rule.name"
	fRuleID           field = "rule.id"

	fDescription  field = "description"
	fStore        field = "store"
	fLastModified field = "lastModified"
	fGUID         field = "guid"

	fAssigned        field = "policy.assigned"
	fMMPFS           field = "policy.mmpfs"
	fPollingInterval field = "policy.pollingInterval"
	fMMLifetime      field = "policy.mmLifetime"
	fQMPerMM         field = "policy.qmPerMM"
	fActivateDefault field = "policy.activateDefaultRule"
	fNumRules        field = "policy.numRules"

	fNumFilters field = "filterlist.numFilters"
	fMirrored   field = "filter.mirrored"
	fSrcIP      field = "filter.srcIP"
	fSrcMask    field = "filter.srcMask"
	fSrcDNS     field = "filter.srcDNS"
	fDstIP      field = "filter.dstIP"
	fDstMask    field = "filter.dstMask"
	fDstDNS     field = "filter.dstDNS"
	fProtocol   field = "filter.protocol"
	fSrcPort    field = "filter.srcPort"
	fDstPort    field = "filter.dstPort"

	fAction field = "filteraction.action"
	fQMPFS  field = "filteraction.qmpfs"
	fInPass field = "filteraction.inpass"
	fSoft   field = "filteraction.soft"

	fRuleActive field = "rule.active"
	fConnType   field = "rule.connType"
	fTunnel     field = "rule.tunnel"
	fPSK        field = "rule.psk"
	fRootCA     field = "rule.rootca"

	// Headings (lines without a value).
	hFilters   field = "heading.filters"
	hAuth      field = "heading.auth"
	hQMMethods field = "heading.qmMethods"
	hMMMethods field = "heading.mmMethods"
	hIgnored   field = "heading.ignored"
)

// Language is the vocabulary one display language of Windows uses in
// `netsh ipsec static show all`: labels, headings and literal values.
// Command keywords are never localized; these are. Adding a language is
// adding a Language to Languages.
type Language struct {
	Name string
	// Labels maps each label as printed to its field.
	Labels map[string]field
	// Headings maps section headings (lines without ':') to their field.
	Headings map[string]field
	// Values maps localized literal values to the English ones (YES, NO,
	// NONE, ANY, <Any IP Address>, <My IP Address>...).
	Values map[string]string
}

// English is the layout of an English Windows Server 2003. Labels marked
// "confirmed" appear in a real capture (samples/netsh/01_*); the others
// are known from memory and FORMATS.md §3.2 only, and carry synonyms
// because the exact wording is not settled.
var English = Language{
	Name: "en",
	Labels: map[string]field{
		// confirmed (samples/netsh/01_*)
		"FilterList Name": fFilterListName, "Description": fDescription, "Store": fStore,
		"Last Modified": fLastModified, "GUID": fGUID, "No. of Filters": fNumFilters,
		"Mirrored": fMirrored, "Source IP Address": fSrcIP, "Source Mask": fSrcMask,
		"Source DNS Name": fSrcDNS, "Destination IP Address": fDstIP, "Destination Mask": fDstMask,
		"Destination DNS Name": fDstDNS, "Protocol": fProtocol, "Source Port": fSrcPort,
		"Destination Port": fDstPort,
		// unconfirmed: FORMATS.md §3.2 (from memory)
		"Policy Name": fPolicyName, "Assigned": fAssigned, "FilterAction Name": fFilterActionName,
		"Action": fAction, "QMPFS": fQMPFS, "Inbound Pass-thru": fInPass, "Allow Unsecured": fSoft,
		// unconfirmed: guesses and synonyms
		"Filter List Name": fFilterListName, "Filter Action Name": fFilterActionName,
		"Rule Name": fRuleName, "Rule ID": fRuleID,
		"Master PFS": fMMPFS, "MMPFS": fMMPFS, "Polling Interval": fPollingInterval,
		"Main Mode Lifetime": fMMLifetime, "MM Lifetime": fMMLifetime, "Lifetime": fMMLifetime,
		"QMPerMM": fQMPerMM, "QM Per MM": fQMPerMM, "Quick Mode Per Main Mode": fQMPerMM,
		"Activate Default Rule": fActivateDefault, "Default Response Rule": fActivateDefault,
		"No. of Rules":     fNumRules,
		"Inbound Passthru": fInPass, "Inbound Pass-through": fInPass,
		"Allow Unsecured(Fallback)": fSoft, "Allow Unsecured Communication": fSoft, "Soft": fSoft,
		"Session Key PFS": fQMPFS, "QM PFS": fQMPFS,
		"Is Activated": fRuleActive, "Activated": fRuleActive, "Active": fRuleActive,
		"Connection Type": fConnType, "Tunnel Endpoint": fTunnel, "Tunnel Address": fTunnel, "Tunnel": fTunnel,
		"Preshared Key": fPSK, "Pre-shared Key": fPSK, "Root CA": fRootCA, "Certificate": fRootCA,
		// unconfirmed: issue 11's account of a listing (a PSK in clear)
		"PreShared Key Value": fPSK, "Pre-shared Key Value": fPSK,
	},
	Headings: map[string]field{
		"Filter(s)": hFilters, "Filters": hFilters, // "Filter(s)" confirmed
		"Authentication Methods": hAuth, "Security Methods": hQMMethods, "Quick Mode Security Methods": hQMMethods,
		"Main Mode Security Methods": hMMMethods, "Main Mode Settings": hMMMethods,
		"Rule Details": hIgnored, "Rule(s)": hIgnored, "FilterList Details": hIgnored, "FilterAction Details": hIgnored,
	},
	Values: map[string]string{},
}

// SimplifiedChinese is the zh-CN layout. The labels and values from the
// label inventory of a working parser of real zh-CN output
// (samples/netsh/04_*) are real; the policy and filter-action labels are
// unconfirmed.
var SimplifiedChinese = Language{
	Name: "zh-CN",
	Labels: map[string]field{
		// real (samples/netsh/04_*)
		"筛选器列表名称": fFilterListName, "描述": fDescription, "已镜像": fMirrored,
		"源 IP 地址": fSrcIP, "源掩码": fSrcMask, "源 DNS 名称": fSrcDNS,
		"目标 IP 地址": fDstIP, "目标掩码": fDstMask, "目标 DNS 名称": fDstDNS,
		"协议": fProtocol, "源端口": fSrcPort, "目标端口": fDstPort,
		"已分配": fAssigned, // seen in another tool's regexp, same sample file
		// unconfirmed
		"策略名称": fPolicyName, "筛选器操作名称": fFilterActionName,
		// unconfirmed: "预共享密钥" is Windows' zh-CN term for a pre-shared
		// key; how show all labels it is not known. Any other label that
		// names a key (密钥) is not quoted either (isSecretLabel).
		"预共享密钥": fPSK, "预共享密钥值": fPSK,
		"连接类型": fConnType, // unconfirmed: the zh-CN term for "Connection Type"
	},
	Headings: map[string]field{},
	Values: map[string]string{
		"是": "YES", "否": "NO", "无": "NONE", "任何": "ANY",
		"<任何 IP 地址>": "<Any IP Address>", "<我的 IP 地址>": "<My IP Address>",
	},
}

// Languages are the languages a listing is read in.
var Languages = []*Language{&English, &SimplifiedChinese}

// normLabel folds a label for lookup: case and blanks do not count
// ("FilterList Name" = "Filter List Name" = "filterlist name").
func normLabel(s string) string {
	return string(appendNormLabel(make([]byte, 0, len(s)), s, len(s)*4))
}

// appendNormLabel appends normLabel(s) to dst, and stops once dst is longer
// than limit.
func appendNormLabel(dst []byte, s string, limit int) []byte {
	for i := 0; i < len(s) && len(dst) <= limit; {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if c != ' ' && (c < '\t' || c > '\r') { // ASCII unicode.IsSpace
				dst = append(dst, lowerASCII(c))
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if !unicode.IsSpace(r) {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}

// lookupLabel finds a label (or heading, or value) in one of the
// vocabulary's tables without allocating. Text longer than any entry
// could be folded from is no label.
func lookupLabel[V any](table map[string]V, s string) (V, bool) {
	var buf [maxLabelBytes + utf8.UTFMax]byte
	key := appendNormLabel(buf[:0], s, maxLabelBytes)
	if len(key) > maxLabelBytes {
		var none V
		return none, false
	}
	v, ok := table[string(key)]
	return v, ok
}

// maxLabelBytes bounds the folded length of every label, heading and
// value of Languages (a test checks it); maxLabelText the length of one
// as printed, with single blanks between its words.
const (
	maxLabelBytes = 64
	maxLabelText  = 2 * maxLabelBytes
)

// vocabulary is every language's labels, headings and values, folded.
type vocabulary struct {
	labels   map[string]labelMeaning
	headings map[string]labelMeaning
	values   map[string]string
}

type labelMeaning struct {
	field field
	lang  string
}

func buildVocabulary(langs []*Language) *vocabulary {
	v := &vocabulary{labels: map[string]labelMeaning{}, headings: map[string]labelMeaning{}, values: map[string]string{}}
	for _, l := range langs {
		for k, f := range l.Labels {
			v.labels[normLabel(k)] = labelMeaning{f, l.Name}
		}
		for k, f := range l.Headings {
			v.headings[normLabel(k)] = labelMeaning{f, l.Name}
		}
		for k, e := range l.Values {
			v.values[normLabel(k)] = e
		}
	}
	return v
}

var vocab = buildVocabulary(Languages)

// english turns a localized literal value into its English spelling.
func (v *vocabulary) english(s string) string {
	if e, ok := lookupLabel(v.values, s); ok {
		return e
	}
	return s
}
