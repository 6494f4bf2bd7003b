package rules_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ipseclint/ipseclint/internal/audit"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/rules"
)

// TestAcceptComparesEveryMatchingFinding: Accept, which compares an
// entry only with the findings of its rule (and subject), suppresses and
// counts exactly what comparing every entry with every finding does: on
// the example fleet's findings, with entries for a host, for every host,
// for a subject and for every subject, by folder name, in another case,
// expired, stale and repeated.
func TestAcceptComparesEveryMatchingFinding(t *testing.T) {
	all := rules.All()
	fleet, err := audit.Collect([]string{filepath.Join("..", "testdata", "fleet")}, audit.Options{Filter: rules.KeyFilter(all)})
	if err != nil {
		t.Fatal(err)
	}
	out := rules.Run(fleet, all)
	if len(out.Findings) < 5 {
		t.Fatalf("%d findings in the example fleet, want several", len(out.Findings))
	}
	risks := riskVariety(fleet, out.Findings)
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	got := out
	got.Findings = append([]rules.Finding(nil), out.Findings...)
	rules.Accept(&got, fleet, risks, today)

	folders := map[string]string{}
	for _, h := range fleet.Hosts {
		folders[h.Name] = filepath.Base(h.Dir)
	}
	want, statuses := acceptEveryPair(out.Findings, folders, risks, today)
	for i, st := range statuses {
		if !reflect.DeepEqual(got.Accepted[i], st) {
			r := &risks[i]
			t.Errorf("entry %d (%s %s %q): %+v, want %+v", i, r.Rule.ID, r.Host, r.Subject, got.Accepted[i], st)
		}
	}
	if !reflect.DeepEqual(got.Findings, want) {
		t.Error("Accept suppressed other findings than comparing every entry with every finding does")
	}
}

// acceptEveryPair is Accept as it was: every entry compared with every
// finding.
func acceptEveryPair(fs []rules.Finding, folders map[string]string, risks []model.AcceptedRisk, today time.Time) ([]rules.Finding, []rules.AcceptedStatus) {
	want := append([]rules.Finding(nil), fs...)
	var statuses []rules.AcceptedStatus
	for i := range risks {
		r := &risks[i]
		st := rules.AcceptedStatus{Risk: r, Status: rules.AcceptedStale}
		for j := range want {
			fd := &want[j]
			if !r.Matches(fd.RuleID, fd.Subject, fd.Host, folders[fd.Host]) {
				continue
			}
			st.Matched++
			if !r.Expired(today) && fd.Suppressed == nil {
				fd.Suppressed = &rules.Suppression{Reason: r.Reason, Ticket: r.Ticket, Expires: r.Expires, Loc: r.Loc}
			}
		}
		switch {
		case r.Expired(today):
			st.Status = rules.AcceptedExpired
		case st.Matched > 0:
			st.Status = rules.AcceptedActive
		}
		statuses = append(statuses, st)
	}
	return want, statuses
}

// riskVariety makes accepted entries of every kind for the findings fs.
func riskVariety(fleet *model.Fleet, fs []rules.Finding) []model.AcceptedRisk {
	var risks []model.AcceptedRisk
	for i, fd := range fs {
		ref := model.RuleRef{ID: fd.RuleID}
		switch i % 5 {
		case 0:
			risks = append(risks, model.AcceptedRisk{Rule: ref, Host: fd.Host, Subject: fd.Subject, Reason: "exact"})
		case 1:
			risks = append(risks, model.AcceptedRisk{Rule: ref, Host: "*", Reason: "every host", Expires: "2020-01-01"})
		case 2:
			risks = append(risks, model.AcceptedRisk{Rule: ref, Host: fd.Host, Reason: "every subject"})
		case 3:
			risks = append(risks, model.AcceptedRisk{Rule: ref, Host: "*", Subject: fd.Subject + " (gone)", Reason: "stale"})
		case 4:
			risks = append(risks, model.AcceptedRisk{Rule: ref, Host: strings.ToLower(fd.Host), Subject: fd.Subject, Reason: "host in lower case"})
		}
	}
	risks = append(risks, risks[0], model.AcceptedRisk{Rule: model.RuleRef{ID: "IPSEC999"}, Host: "*", Reason: "no such rule"})
	for _, h := range fleet.Hosts {
		if f := filepath.Base(h.Dir); f != h.Name {
			risks = append(risks, model.AcceptedRisk{Rule: model.RuleRef{ID: fs[0].RuleID}, Host: strings.ToUpper(f), Reason: "by folder"})
		}
	}
	return risks
}
