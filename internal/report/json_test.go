package report_test

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// jsonFields collects the field names of a decoded JSON document, except
// the keys of the summary's count maps, which are values (statuses and
// severities). It fails on a null array or object: the shape promises [].
func jsonFields(t *testing.T, v any, path string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if path != "summary.files" && path != "summary.findings" {
				out[k] = true
			}
			if e == nil {
				t.Errorf("%s.%s is null", path, k)
			}
			jsonFields(t, e, strings.TrimPrefix(path+"."+k, "."), out)
		}
	case []any:
		for _, e := range x {
			jsonFields(t, e, path+"[]", out)
		}
	}
}

// TestJSONDocumented: every field the JSON output writes is described in
// docs/json-output.md, and the version is the documented one.
func TestJSONDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", "json-output.md"))
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	for _, a := range []*report.Audit{runAudit(t, fixtureFleet, rulesByID(t, fixtureRules...)), exampleFleet(t), troubledFleet(t)} {
		out := decode(t, render(t, report.JSON{}, a))
		if v := out["version"].(float64); int(v) != report.JSONVersion {
			t.Errorf("version %v, want %d", v, report.JSONVersion)
		}
		jsonFields(t, out, "", fields)
	}
	var missing []string
	for f := range fields {
		if !strings.Contains(string(doc), "`"+f+"`") {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/json-output.md does not describe these JSON fields: %s", strings.Join(missing, ", "))
	}
	if !strings.Contains(string(doc), "now **"+strconv.Itoa(report.JSONVersion)+"**") {
		t.Errorf("docs/json-output.md and JSONVersion (%d) disagree on the version", report.JSONVersion)
	}
}

// TestJSONFailoverAddresses: every front-end's failover entries list
// every clustered back-end address of the example fleet exactly once
// (each entry holds for several), with address the first of addresses.
func TestJSONFailoverAddresses(t *testing.T) {
	a := exampleFleet(t)
	var clustered []string
	seen := map[string]bool{}
	for _, f := range a.Outcome.Failover {
		for _, tg := range f.Targets {
			if ip := tg.IP.String(); !seen[ip] {
				seen[ip] = true
				clustered = append(clustered, ip)
			}
		}
	}
	sort.Strings(clustered)
	if len(clustered) < 2 {
		t.Fatalf("the example fleet has %d clustered addresses, want 2 or more", len(clustered))
	}
	out := decode(t, render(t, report.JSON{}, a))
	frontEnds, grouped := 0, 0
	for _, h := range out["hosts"].([]any) {
		host := h.(map[string]any)
		fo, ok := host["failover"].([]any)
		if !ok {
			continue
		}
		frontEnds++
		var got []string
		for _, e := range fo {
			entry := e.(map[string]any)
			addrs := entry["addresses"].([]any)
			if len(addrs) == 0 || addrs[0] != entry["address"] {
				t.Errorf("%s: address %v is not the first of addresses %v", host["name"], entry["address"], addrs)
			}
			if len(addrs) > 1 {
				grouped++
			}
			for _, ip := range addrs {
				got = append(got, ip.(string))
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(clustered, " ") {
			t.Errorf("%s: failover addresses %v, want each of %v once", host["name"], got, clustered)
		}
	}
	if frontEnds == 0 || grouped == 0 {
		t.Errorf("%d front-ends with estimates, %d estimates for several addresses: the fixture no longer covers grouping", frontEnds, grouped)
	}
}
