package report

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/ipseclint/ipseclint/rules"
)

// sarifLimits are the limits of GitHub code scanning's SARIF upload
// ("SARIF support for code scanning", "Uploading SARIF files": at most
// 25,000 results a run, and the gzip-compressed file at most 10 MB; a
// file past either is rejected).
type sarifLimits struct {
	Results    int   // results in one run
	GzipBytes  int64 // the whole log, gzip-compressed
	reserveOut int64 // what the rest of the log may add after cutting (the notification, run.properties)
}

var defaultSARIFLimits = sarifLimits{Results: 25_000, GzipBytes: 10_000_000, reserveOut: 64 << 10}

// sarifLimitsInUse are the limits buildSARIF applies; tests lower them.
var sarifLimitsInUse = defaultSARIFLimits

// sarifCut says what applySARIFLimits left out: run.properties.resultsCut.
type sarifCut struct {
	Kept       int            `json:"kept"`
	Left       int            `json:"leftOut"`
	BySeverity map[string]int `json:"leftOutBySeverity"`
	Reason     string         `json:"reason"`
}

// resultRank orders results for cutting: the most severe first (error,
// warning, note), an active result before a suppressed one, then the
// audit's order.
func resultRank(r sarifResult) int {
	rank := rules.Severity(r.Level).Rank() * 2
	if len(r.Suppressions) == 0 {
		rank++
	}
	return rank
}

// applySARIFLimits cuts the run's results to the limits, keeping the
// most severe, and says what it cut in a toolExecutionNotification of
// inv; it returns nil when nothing was cut. The results kept stay in
// the audit's order.
func applySARIFLimits(run *sarifRun, inv *sarifInvocation, lim sarifLimits) *sarifCut {
	n := len(run.Results)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return resultRank(run.Results[order[i]]) > resultRank(run.Results[order[j]]) })
	keep, reason := n, ""
	if keep > lim.Results {
		keep, reason = lim.Results, fmt.Sprintf("GitHub code scanning accepts at most %d results a run", lim.Results)
	}
	if k := fitGzip(run, inv, order, keep, lim); k < keep {
		keep, reason = k, fmt.Sprintf("the log would be larger than %d bytes gzip-compressed, GitHub code scanning's limit", lim.GzipBytes)
	}
	if keep == n {
		return nil
	}
	kept := make([]bool, n)
	for _, i := range order[:keep] {
		kept[i] = true
	}
	cut := &sarifCut{Kept: keep, Left: n - keep, BySeverity: map[string]int{}, Reason: reason}
	results := make([]sarifResult, 0, keep)
	for i, r := range run.Results {
		if kept[i] {
			results = append(results, r)
		} else {
			cut.BySeverity[r.Level]++
		}
	}
	run.Results = results
	msg := fmt.Sprintf("%d of %d results were left out (%s): %d errors, %d warnings, %d notes; the %d kept are the most severe. "+
		"The JSON output has every finding.", cut.Left, n, reason,
		cut.BySeverity["error"], cut.BySeverity["warning"], cut.BySeverity["note"], keep)
	inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification(notifResultsCut, "warning", msg))
	return cut
}

// fitGzip returns how many of the first keep results (in order) the log
// can hold within lim.GzipBytes, compressed: keep itself when they fit,
// else the largest count that does, found by halving.
func fitGzip(run *sarifRun, inv *sarifInvocation, order []int, keep int, lim sarifLimits) int {
	if lim.GzipBytes <= 0 {
		return keep
	}
	size := func(k int) int64 {
		trial := *run
		trial.Results = make([]sarifResult, k)
		for i, j := range order[:k] {
			trial.Results[i] = run.Results[j]
		}
		trial.Invocations = []sarifInvocation{*inv}
		log := &sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{trial}}
		if raw := encodedSize(log, false); raw <= lim.GzipBytes-lim.reserveOut {
			return raw // gzip never makes JSON larger by more than the reserve
		}
		return encodedSize(log, true)
	}
	budget := lim.GzipBytes - lim.reserveOut
	sizeHi := size(keep)
	if sizeHi <= budget {
		return keep
	}
	// The largest count that fits, where the sizes cross the budget:
	// guessed from the sizes at both ends (results are of like size, so
	// the guess lands close), halving whenever a guess did not halve the
	// range. Each size is a whole log encoded and compressed; halving
	// alone took 14 of them for 10,000 hosts' results.
	lo, hi := 0, keep // size(lo) fits, size(hi) does not
	sizeLo := size(0)
	if sizeLo > budget {
		return 0
	}
	bisect := false
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if !bisect && sizeHi > sizeLo {
			mid = lo + int(float64(hi-lo)*float64(budget-sizeLo)/float64(sizeHi-sizeLo))
			mid = min(max(mid, lo+1), hi-1)
		}
		before := hi - lo
		if sz := size(mid); sz <= budget {
			lo, sizeLo = mid, sz
		} else {
			hi, sizeHi = mid, sz
		}
		bisect = !bisect && hi-lo > before/2 // a guess that did not halve the range: halve next
	}
	return lo
}

// encodedSize is the size of v's JSON, indented as Print writes it,
// gzip-compressed when compressed is set. A log is written as Print
// writes it (writeSARIF: streamed, terminalSafe), so that measuring one
// of 10,000 hosts does not hold its text.
func encodedSize(v any, compressed bool) int64 {
	var c countWriter
	var w io.Writer = &c
	var zw *gzip.Writer
	if compressed {
		zw = gzip.NewWriter(&c)
		w = zw
	}
	if log, ok := v.(*sarifLog); ok {
		_ = writeSARIF(w, log) // writes to a counter only
	} else {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
	}
	if zw != nil {
		_ = zw.Close()
	}
	return c.n
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
