package netsh

import (
	"bufio"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

func parseFile(t *testing.T, path string, opts Options) *Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(data, filepath.Base(path), opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return res
}

// normalized strips what differs between the forms of the same policy
// and is not configuration: places, GUIDs and dates (a script has none),
// the form and file name.
func normalized(s *model.PolicyStore) *model.PolicyStore {
	c := *s
	c.File, c.Form, c.StoreLoc = "", "", model.Location{}
	for _, p := range c.Policies {
		p.Loc, p.AssignLoc, p.GUID, p.LastModified = model.Location{}, model.Location{}, "", ""
		for _, r := range p.Rules {
			r.Loc, r.GUID = model.Location{}, ""
			for i := range r.Auth {
				r.Auth[i].Loc = model.Location{}
			}
			if r.Default && r.FilterAction != nil {
				r.FilterAction.Loc = model.Location{}
			}
		}
	}
	for _, l := range c.FilterLists {
		l.Loc, l.GUID = model.Location{}, ""
		for _, f := range l.Filters {
			f.Loc = model.Location{}
		}
	}
	for _, a := range c.FilterActions {
		a.Loc, a.GUID = model.Location{}, ""
	}
	return &c
}

// storeJSON renders a store with the default rules' own actions, which
// the JSON form of Rule leaves out.
func storeJSON(s *model.PolicyStore) string {
	b, _ := json.MarshalIndent(s, "", "  ")
	out := string(b)
	for _, p := range s.Policies {
		if d := p.DefaultRule(); d != nil && d.FilterAction != nil {
			a, _ := json.Marshal(d.FilterAction)
			out += "\ndefault action of " + p.Name + ": " + string(a)
		}
	}
	return out
}

func TestScriptAndShowAllYieldTheSameModel(t *testing.T) {
	script := parseFile(t, "testdata/exfe01.dump.netsh", Options{})
	if len(script.Errors) > 0 || len(script.Warnings) > 0 {
		t.Fatalf("script: errors %v warnings %v", script.Errors, script.Warnings)
	}
	want := storeJSON(normalized(script.Store))
	for _, c := range []struct {
		file string
		opts Options
		enc  string
	}{
		{"exfe01.showall.txt", Options{}, "UTF-8"},
		{"exfe01.showall.utf16le-bom.txt", Options{}, "UTF-16LE"},
		{"exfe01.showall.cp850.txt", Options{CodePage: "cp850"}, "cp850"},
	} {
		t.Run(c.file, func(t *testing.T) {
			res := parseFile(t, filepath.Join("testdata", c.file), c.opts)
			if res.Store.Form != "show-all" {
				t.Fatalf("form = %q", res.Store.Form)
			}
			if res.Encoding.Encoding != c.enc {
				t.Errorf("encoding = %v, want %s", res.Encoding, c.enc)
			}
			if len(res.Errors) > 0 || len(res.Warnings) > 0 {
				t.Errorf("errors %v warnings %v", res.Errors, res.Warnings)
			}
			if got := storeJSON(normalized(res.Store)); got != want {
				t.Errorf("show all differs from the script:\n--- show all\n%s\n--- script\n%s", got, want)
			}
			if !reflect.DeepEqual(normalized(res.Store).Policies[0].Rules[0].FilterList, normalized(script.Store).Policies[0].Rules[0].FilterList) {
				t.Errorf("rule 1 resolves to different filter lists")
			}
		})
	}
}

func TestShowAllEvaluatesLikeTheScript(t *testing.T) {
	res := parseFile(t, "testdata/exfe01.showall.txt", Options{})
	p := res.Store.Assigned()
	if p == nil {
		t.Fatal("no assigned policy")
	}
	m := p.Match(model.Packet{SrcIsMe: true, Dst: mustAddr("10.0.0.50"), Protocol: 6, DstPort: 143})
	if m.Outcome != model.MatchNegotiate || m.Rule.Name != "Mail to back-end" || !m.Methods[0].Confidential() {
		t.Errorf("TCP 143 to the back-end: %+v", m)
	}
	m = p.Match(model.Packet{SrcIsMe: true, Dst: mustAddr("10.0.0.50"), Protocol: 6, DstPort: 80})
	if m.Outcome != model.MatchPermit || m.Rule.Name != "Back-end subnet" {
		t.Errorf("TCP 80 to the back-end: %+v", m)
	}
}

// TestChineseLabels builds a zh-CN listing from the English fixture's
// filter lists with the real label pairs of samples/netsh/04_* and checks
// that it reads the same, and that every pair is in the zh-CN table.
func TestChineseLabels(t *testing.T) {
	f, err := os.Open(testutil.Sample(t, "netsh/04_show-all_zh-CN_label-inventory_selboo-ipsecset.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pairs := map[string]string{} // English → Chinese
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		zh, en, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(zh, "#") {
			continue
		}
		pairs[en] = zh
		if lm, ok := vocab.labels[normLabel(zh)]; ok {
			if want := vocab.labels[normLabel(en)]; want.field != lm.field {
				t.Errorf("zh-CN label %q means %s, English %q means %s", zh, lm.field, en, want.field)
			}
		} else if vocab.english(zh) != en {
			t.Errorf("zh-CN %q (%s) is in no table", zh, en)
		}
	}
	if len(pairs) < 18 {
		t.Fatalf("only %d label pairs read from sample 04", len(pairs))
	}
	// The filter-list part of the English fixture, translated.
	en, err := os.ReadFile("testdata/exfe01.showall.txt")
	if err != nil {
		t.Fatal(err)
	}
	var zhLines []string
	var enLines []string
	in := false
	for _, line := range strings.Split(string(en), "\n") {
		label, value, hasColon := strings.Cut(line, ":")
		if strings.HasPrefix(line, "FilterList Name") {
			in = true
		}
		if strings.HasPrefix(line, "FilterAction Name") || strings.HasPrefix(line, "Rule ID") {
			in = false
		}
		if !in {
			continue
		}
		enLines = append(enLines, line)
		if !hasColon {
			zhLines = append(zhLines, line)
			continue
		}
		l, v := strings.TrimSpace(label), strings.TrimSpace(value)
		if zl, ok := pairs[l]; ok {
			l = zl
		}
		if zv, ok := pairs[v]; ok {
			v = zv
		}
		zhLines = append(zhLines, l+" : "+v)
	}
	enRes, err := Parse([]byte(strings.Join(enLines, "\n")), "en.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	zhRes, err := Parse([]byte(strings.Join(zhLines, "\n")), "zh.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(zhRes.Errors) > 0 || len(zhRes.Warnings) > 0 {
		t.Errorf("zh-CN listing: errors %v warnings %v", zhRes.Errors, zhRes.Warnings)
	}
	if got, want := storeJSON(normalized(zhRes.Store)), storeJSON(normalized(enRes.Store)); got != want || len(zhRes.Store.FilterLists) != 2 {
		t.Errorf("zh-CN listing differs:\n%s\nwant\n%s", got, want)
	}
}

func TestListingProblems(t *testing.T) {
	text := `FilterList Name        : L
No. of Filters         : 2
Filter(s)
---------
Description            : one
Mirrored               : NO
Source IP Address      : 10.1.0.0
Source Mask            : 255.255.0.0
Source DNS Name        : NONE
Destination IP Address : <My IP Address>
Destination Mask       : 255.255.255.255
Destination DNS Name   : <My IP Address>
Protocol               : 17
Frobnication Level     : 11
Source Port            : 500
Destination Port       : 500
`
	res, err := Parse([]byte(text), "l.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Store.FilterList("L")
	if l == nil || len(l.Filters) != 1 {
		t.Fatalf("filter list: %+v", l)
	}
	f := l.Filters[0]
	if f.Src.Net.String() != "10.1.0.0/16" || f.Dst.Kind != model.AddrMe || f.Protocol != 17 || f.SrcPort != 500 || f.Mirrored {
		t.Errorf("filter = %+v", f)
	}
	var msgs []string
	for _, w := range res.Warnings {
		msgs = append(msgs, w.Loc.String()+" "+w.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"l.txt:14 unknown label \"Frobnication Level\"", "l.txt:2 filter list \"L\": No. of Filters is 2 but 1 filters are listed", "only partly understood"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
}

func TestTableFormat(t *testing.T) {
	text := "\r\nPolicy Name                 Last Modified           Assigned\r\n" +
		"-------------------------------------------------------------\r\n" +
		"FE to BE POP3-IMAP4         25/11/2026 10:00:00     YES\r\n" +
		"Server (Request Securi...   17/02/2003 13:11:05     NO\r\n"
	res, err := Parse([]byte(text), "t.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Store
	if len(s.Policies) != 2 || s.Assigned() == nil || s.Assigned().Name != "FE to BE POP3-IMAP4" || s.Policies[1].LastModified != "17/02/2003 13:11:05" {
		t.Fatalf("policies: %s", storeJSON(s))
	}
	var truncated bool
	for _, w := range res.Warnings {
		truncated = truncated || strings.Contains(w.Message, "truncated")
	}
	if !truncated {
		t.Errorf("no truncation warning: %v", res.Warnings)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestAssumedCodePageIsReported(t *testing.T) {
	data, err := os.ReadFile("testdata/exfe01.showall.cp850.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(data, "cp850.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var assumed bool
	for _, w := range res.Warnings {
		assumed = assumed || strings.Contains(w.Message, "which was assumed")
	}
	if !assumed {
		t.Errorf("warnings = %v, want one about the assumed code page", res.Warnings)
	}
	// cp1252 misreads cp850's ü (0x81): the description differs.
	if d := res.Store.Policies[0].Description; d == "Schutz für POP3 und IMAP4" {
		t.Errorf("description %q decoded right without the code page: the test proves nothing", d)
	}
}

// TestListingBadValuesAreDoubts edits values of the fixture listing into
// ones netsh never shows: each leaves a doubt on its object's field
// rather than netsh's default.
func TestListingBadValuesAreDoubts(t *testing.T) {
	en, err := os.ReadFile("testdata/exfe01.showall.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(en)
	for _, e := range [][2]string{
		{"Protocol               : TCP\n", "Protocol               : TPC\n"},
		{"Inbound Pass-thru      : NO\n", "Inbound Pass-thru      : NOPE\n"},
		{"Is Activated           : YES\n", "Is Activated           : MAYBE\n"},
	} {
		if !strings.Contains(text, e[0]) {
			t.Fatalf("fixture has no %q", e[0])
		}
		text = strings.Replace(text, e[0], e[1], 1)
	}
	res, err := Parse([]byte(text), "edited.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	s := res.Store
	for _, l := range s.FilterLists {
		for _, f := range l.Filters {
			for _, d := range f.Doubts {
				fields["filter "+d.Field] = strings.Contains(d.Reason, `"TPC"`)
			}
		}
	}
	for _, a := range s.FilterActions {
		for _, d := range a.Doubts {
			fields["action "+d.Field] = strings.Contains(d.Reason, `"NOPE"`)
		}
	}
	for _, p := range s.Policies {
		for _, r := range p.Rules {
			if d := r.Doubts.About("active"); d != nil {
				fields["rule active"] = strings.Contains(d.Reason, `"MAYBE"`)
			}
		}
	}
	for _, want := range []string{"filter protocol", "action inpass", "rule active"} {
		if !fields[want] {
			t.Errorf("no doubt naming the value on %s (doubts: %v)", want, fields)
		}
	}
}
