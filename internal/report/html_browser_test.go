package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ipseclint/ipseclint/internal/diff"
	"github.com/ipseclint/ipseclint/internal/report"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// The browser test opens the HTML report in headless Chromium, driven by
// chromedp over the DevTools protocol (a pipe: no port, nothing on the
// network). In a real browser it checks that the page loads nothing (the
// only request is the page itself, and the Resource Timing API lists no
// resource), logs no console message, exception or browser log entry (a
// CSP violation would be one: a negative control shows that it is
// caught), applies its style and runs its script under its own
// Content-Security-Policy, has one matrix row per host and one column per
// rule, has a target for every in-page link, filters hosts, is complete
// with scripts disabled, and that a hostile fleet's page has no element
// or attribute an input put there.
//
// It writes a screenshot of the page's top (header, summary, matrix) to
// its temporary folder, and with -screenshot to a file too:
//
//	go test ./internal/report -run TestHTMLInBrowser -screenshot ../../docs/images/report.png
//
// Chromium is IPSECLINT_CHROMIUM, else the first of chromium,
// chromium-browser and google-chrome on PATH. Without it the test skips,
// except under IPSECLINT_CI=1, where it fails.

var screenshotFile = flag.String("screenshot", "", "TestHTMLInBrowser also writes its PNG screenshot of the example fleet's report to this file (docs/images/report.png)")

// The screenshot's width, and the height of the window the page is laid
// out in.
const (
	screenshotWidth = 1280
	windowHeight    = 900
)

// chromiumPath finds the browser, or skips the test (fails it in CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IPSECLINT_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("IPSECLINT_CHROMIUM=%s: %v", p, err)
		}
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium: none of chromium, chromium-browser, google-chrome is on PATH and IPSECLINT_CHROMIUM is not set (Debian package chromium; .ci/run installs it)"
	if testutil.InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startBrowser starts Chromium with a fresh profile and returns its
// chromedp context; the browser stops when the test ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Headless, chromedp.DisableGPU,
		// No traffic of the browser's own (updates, sync, field trials):
		// the network check must see only the page's requests.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		// Chromium's sandbox refuses to run as root (CI, containers);
		// another user keeps it.
		chromedp.Flag("no-sandbox", os.Geteuid() == 0),
		chromedp.WindowSize(screenshotWidth, windowHeight),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser; it has no timeout, as a timeout on
	// it would stop the browser (see chromedp.Run). Each tab has one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// tab is one browser tab with what it logged and requested.
type tab struct {
	t   *testing.T
	ctx context.Context // with the tab's timeout

	mu       sync.Mutex
	logged   []string // console messages, exceptions, browser log entries
	requests []string // URLs
}

// newTab opens a tab of the browser, with JavaScript disabled unless
// scripts is set.
func newTab(t *testing.T, browser context.Context, scripts bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tb := &tab{t: t}
	if err := chromedp.Listen(ctx, tb.record); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(cancelTimeout)
	tb.ctx = tctx
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(screenshotWidth, windowHeight)); err != nil {
		t.Fatal(err)
	}
	if !scripts {
		if _, err := chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	return tb
}

// record keeps the events the checks read; chromedp calls it on the
// goroutine that reads the browser, so it only appends.
func (tb *tab) record(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		tb.logged = append(tb.logged, "console."+string(ev.Type)+": "+strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		tb.logged = append(tb.logged, "exception: "+msg)
	case *cdplog.EventEntryAdded:
		tb.logged = append(tb.logged, "log "+string(ev.Entry.Level)+" ("+string(ev.Entry.Source)+"): "+ev.Entry.Text)
	case *network.EventRequestWillBeSent:
		tb.requests = append(tb.requests, ev.Request.URL)
	}
}

// open loads the file and returns what the page logged and what it
// requested besides itself.
func (tb *tab) open(file string) (logged, requests []string) {
	tb.t.Helper()
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String()
	tb.mu.Lock()
	tb.logged, tb.requests = nil, nil
	tb.mu.Unlock()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(u)); err != nil {
		tb.t.Fatalf("opening %s: %v", file, err)
	}
	// A round trip after the load event lets late console messages arrive.
	tb.domCount("body")
	tb.mu.Lock()
	defer tb.mu.Unlock()
	sawPage := false
	for _, r := range tb.requests {
		if r == u {
			sawPage = true
		} else {
			requests = append(requests, r)
		}
	}
	// The page's own request shows that requests are being seen at all.
	if !sawPage {
		tb.t.Fatalf("no Network.requestWillBeSent for %s (saw %q): the request check would prove nothing", u, tb.requests)
	}
	return append([]string(nil), tb.logged...), requests
}

// eval evaluates a JavaScript expression that returns a string.
func (tb *tab) eval(expr string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		tb.t.Fatalf("evaluating %.60q: %v", expr, err)
	}
	return s
}

// domCount counts the elements matching selector through the DOM domain,
// which works with scripts disabled.
func (tb *tab) domCount(selector string) int {
	tb.t.Helper()
	nodes, err := chromedp.Run(tb.ctx, chromedp.Nodes(chromedp.CSSAll(selector), chromedp.AtLeast(0)))
	if err != nil {
		tb.t.Fatalf("querying %q: %v", selector, err)
	}
	return len(nodes)
}

// pageFacts is what the checks read from the page's DOM.
type pageFacts struct {
	Rows, Columns, Resources, Scripts int
	CellsPerRow                       []int
	Hosts, RuleIDs, BrokenLinks       []string
	HandlerAttrs                      []string
	ControlsShown                     bool
	HeaderBackground, ErrorCellColor  string
	MatrixBottom                      float64
}

const pageFactsJS = `JSON.stringify((() => {
  const rows = [...document.querySelectorAll("table.matrix tbody tr")];
  const heads = [...document.querySelectorAll("table.matrix thead th")].slice(1);
  const err = document.querySelector("td.cell.error");
  return {
    Rows: rows.length, Columns: heads.length,
    CellsPerRow: rows.map(r => r.querySelectorAll("td").length),
    Hosts: rows.map(r => r.querySelector(".hostname").textContent),
    RuleIDs: heads.map(h => h.textContent),
    BrokenLinks: [...document.querySelectorAll("a[href^='#']")].map(a => a.getAttribute("href").slice(1)).filter(id => !document.getElementById(id)),
    HandlerAttrs: [...document.querySelectorAll("*")].flatMap(e => [...e.attributes].filter(a => a.name.startsWith("on")).map(a => e.tagName + " " + a.name)),
    Resources: performance.getEntriesByType("resource").length,
    Scripts: document.scripts.length,
    ControlsShown: !document.getElementById("matrix-controls").hidden,
    HeaderBackground: getComputedStyle(document.querySelector("header.page")).backgroundColor,
    ErrorCellColor: err ? getComputedStyle(err).backgroundColor : "",
    MatrixBottom: document.getElementById("matrix").getBoundingClientRect().bottom + window.scrollY,
  };
})())`

func (tb *tab) facts() pageFacts {
	tb.t.Helper()
	var f pageFacts
	if err := json.Unmarshal([]byte(tb.eval(pageFactsJS)), &f); err != nil {
		tb.t.Fatal(err)
	}
	return f
}

// TestHTMLInBrowser opens the example fleet's report in headless Chromium.
func TestHTMLInBrowser(t *testing.T) {
	t.Parallel() // most of its time is spent in another process (ipseclint, the multitool, a browser): it overlaps the others
	browser := startBrowser(t)
	a := exampleFleet(t)
	a.Fleet.Root = "testdata/fleet" // the screenshot shows no path of this machine
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	out := render(t, report.HTML{}, a)
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, browser, true)
	logged, requests := tb.open(file)
	for _, l := range logged {
		t.Errorf("the page logged %s", l)
	}
	for _, r := range requests {
		t.Errorf("the page requested %s", r)
	}
	f := tb.facts()
	checkPageFacts(t, a, f)
	checkFilter(t, tb, a)
	screenshot(t, tb, f.MatrixBottom, dir)

	t.Run("scripts disabled", func(t *testing.T) { checkNoScript(t, browser, file, a) })
	t.Run("CSP violation is caught", func(t *testing.T) { checkCSPViolation(t, browser, dir, out) })
	t.Run("hostile inputs", func(t *testing.T) { checkHostilePage(t, browser, dir) })
	t.Run("diff page", func(t *testing.T) { checkDiffPage(t, browser, dir) })
}

// checkDiffPage opens the page of `diff testdata/fleet
// testdata/fleet-drift`: it loads cleanly, its changes section lists each
// changed fact and each new, changed and fixed finding, and below it is
// NEW's matrix, one row per host.
func checkDiffPage(t *testing.T, browser context.Context, dir string) {
	d := diffOf(t, "fleet", "fleet-drift")
	file := filepath.Join(dir, "diff.html")
	if err := os.WriteFile(file, renderDiff(t, report.HTML{}, d), 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, browser, true)
	if logged, requests := tb.open(file); len(logged)+len(requests) > 0 {
		t.Errorf("the diff page logged %q and requested %q", logged, requests)
	}
	c := d.Result.Count()
	facts, listed := c.Changes, c.Findings[diff.FindingNew]+c.Findings[diff.FindingChanged]+c.Findings[diff.FindingFixed]
	if facts == 0 || listed == 0 {
		t.Fatalf("the drift shows %d changed facts and %d findings to list: the test would prove nothing", facts, listed)
	}
	rows := tb.domCount("#changes table tbody tr")
	hosts := c.Hosts[diff.HostAdded] + c.Hosts[diff.HostRemoved]
	if rows != facts+listed+hosts+len(changedChecks(d)) {
		t.Errorf("the changes section has %d rows, want %d facts + %d findings + %d hosts + %d checks", rows, facts, listed, hosts, len(changedChecks(d)))
	}
	if n := tb.domCount("table.matrix tbody tr"); n != len(d.Result.New.Fleet.Hosts) {
		t.Errorf("the diff page's matrix has %d rows, want NEW's %d hosts", n, len(d.Result.New.Fleet.Hosts))
	}
}

func changedChecks(d *report.Diff) []diff.NotEvaluatedDiff {
	var out []diff.NotEvaluatedDiff
	for _, n := range d.Result.NotEvaluated {
		if n.State != diff.FindingUnchanged {
			out = append(out, n)
		}
	}
	return out
}

// checkNoScript opens the page with JavaScript disabled: it is complete,
// and the controls that need the script stay hidden.
func checkNoScript(t *testing.T, browser context.Context, file string, a *report.Audit) {
	tb := newTab(t, browser, false)
	if logged, requests := tb.open(file); len(logged)+len(requests) > 0 {
		t.Errorf("with scripts disabled the page logged %q and requested %q", logged, requests)
	}
	if n := tb.domCount("table.matrix tbody tr"); n != len(a.Fleet.Hosts) {
		t.Errorf("without scripts the matrix has %d rows, want %d", n, len(a.Fleet.Hosts))
	}
	if n := tb.domCount("article.host:not([hidden])"); n != len(a.Fleet.Hosts) {
		t.Errorf("without scripts %d host sections are shown, want %d", n, len(a.Fleet.Hosts))
	}
	if tb.domCount("#matrix-controls[hidden]") != 1 {
		t.Error("without scripts the filter controls, which need the script, are shown")
	}
}

// checkCSPViolation is the negative control: a page whose script differs
// from the one its CSP pins must be refused, and the refusal must reach
// the test as a console error.
func checkCSPViolation(t *testing.T, browser context.Context, dir string, out []byte) {
	tampered := bytes.Replace(out, []byte(`"use strict";`), []byte(`"use strict"; `), 1)
	if bytes.Equal(tampered, out) {
		t.Fatal("the page's script has no \"use strict\"; to tamper with")
	}
	bad := filepath.Join(dir, "tampered.html")
	if err := os.WriteFile(bad, tampered, 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, browser, true)
	logged, _ := tb.open(bad)
	if !strings.Contains(strings.Join(logged, "\n"), "Content Security Policy") {
		t.Errorf("a script the CSP does not allow was not reported; logged: %q", logged)
	}
	if tb.facts().ControlsShown {
		t.Error("a script the CSP does not allow ran")
	}
}

// checkHostilePage opens the hostile fleet's page: no handler, no other
// script, the payloads shown as text.
func checkHostilePage(t *testing.T, browser context.Context, dir string) {
	bad := filepath.Join(dir, "hostile.html")
	if err := os.WriteFile(bad, render(t, report.HTML{}, hostileAudit(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, browser, true)
	if logged, requests := tb.open(bad); len(logged)+len(requests) > 0 {
		t.Errorf("the hostile fleet's page logged %q and requested %q", logged, requests)
	}
	f := tb.facts()
	if len(f.HandlerAttrs) > 0 || f.Scripts != 1 {
		t.Errorf("the hostile fleet's page has event handlers %q and %d scripts, want none and 1", f.HandlerAttrs, f.Scripts)
	}
	text := tb.eval("document.body.textContent")
	for _, want := range []string{hostilePayloads[0], hostilePayloads[1], hostilePayloads[3]} {
		if !strings.Contains(text, want) {
			t.Errorf("the hostile page does not show %q as text", want)
		}
	}
}

func checkPageFacts(t *testing.T, a *report.Audit, f pageFacts) {
	t.Helper()
	if f.Rows != len(a.Fleet.Hosts) || f.Columns != len(a.Rules) {
		t.Errorf("the matrix is %d rows × %d columns, want one row per host (%d) and one column per rule (%d)",
			f.Rows, f.Columns, len(a.Fleet.Hosts), len(a.Rules))
	}
	checkMatrixOrder(t, a, f)
	if len(f.BrokenLinks) > 0 {
		t.Errorf("links without a target: %q", f.BrokenLinks)
	}
	if f.Resources != 0 || f.Scripts != 1 || len(f.HandlerAttrs) > 0 {
		t.Errorf("%d resources loaded, %d scripts, handlers %q; want 0, 1, none", f.Resources, f.Scripts, f.HandlerAttrs)
	}
	// The style and the script ran despite default-src 'none': their
	// hashes are right.
	if f.HeaderBackground != "rgb(16, 24, 40)" || f.ErrorCellColor != "rgb(254, 228, 226)" {
		t.Errorf("the style was not applied: header %s, error cell %s", f.HeaderBackground, f.ErrorCellColor)
	}
	if !f.ControlsShown {
		t.Error("the script did not run: the filter controls are hidden")
	}
}

// checkMatrixOrder checks the matrix's rows (the hosts in fleet order,
// each with one cell per rule) and columns (the rules in order).
func checkMatrixOrder(t *testing.T, a *report.Audit, f pageFacts) {
	t.Helper()
	for i, n := range f.CellsPerRow {
		if n != len(a.Rules) {
			t.Errorf("matrix row %d has %d cells, want %d", i+1, n, len(a.Rules))
		}
	}
	for i, h := range a.Fleet.Hosts {
		if i < len(f.Hosts) && f.Hosts[i] != h.Name {
			t.Errorf("matrix row %d is %q, want %q", i+1, f.Hosts[i], h.Name)
		}
	}
	for i, r := range a.Rules {
		if i < len(f.RuleIDs) && f.RuleIDs[i] != r.ID {
			t.Errorf("matrix column %d is %q, want %q", i+1, f.RuleIDs[i], r.ID)
		}
	}
}

// checkFilter types into the host filter and counts the rows left.
func checkFilter(t *testing.T, tb *tab, a *report.Audit) {
	t.Helper()
	want := 0
	for _, h := range a.Fleet.Hosts {
		if strings.Contains(strings.ToLower(h.Name), "exfe") {
			want++
		}
	}
	var got struct{ Rows, Hosts int }
	raw := tb.eval(`(() => {
	  const f = document.getElementById("host-filter");
	  f.value = "exfe"; f.dispatchEvent(new Event("input"));
	  const r = { Rows: document.querySelectorAll("table.matrix tbody tr:not([hidden])").length,
	              Hosts: document.querySelectorAll("article.host:not([hidden])").length };
	  f.value = ""; f.dispatchEvent(new Event("input"));
	  return JSON.stringify(r);
	})()`)
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("filter result %s: %v", raw, err)
	}
	if want == 0 || got.Rows != want || got.Hosts != want {
		t.Errorf("filtering on \"exfe\" leaves %d rows and %d host sections, want %d", got.Rows, got.Hosts, want)
	}
}

// screenshot captures the page from the top to the matrix's legend,
// checks it is a PNG of that size with content, and writes it to dir
// and to the -screenshot file.
func screenshot(t *testing.T, tb *tab, bottom float64, dir string) {
	t.Helper()
	height := int(bottom) + 16
	if height < 300 || height > 3000 {
		t.Fatalf("the matrix ends at %v px: not a screenshot to show", bottom)
	}
	yes := true
	shot, err := chromedp.Call(tb.ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: &yes,
		Clip: &page.Viewport{Width: screenshotWidth, Height: float64(height), Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot.Data))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != screenshotWidth || b.Dy() != height {
		t.Errorf("the screenshot is %v, want %d×%d", b, screenshotWidth, height)
	}
	colors := map[[3]uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 7 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colors[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
		}
	}
	if len(colors) < 8 {
		t.Errorf("the screenshot has %d colours: a blank page?", len(colors))
	}
	for _, path := range []string{filepath.Join(dir, "report.png"), *screenshotFile} {
		if path == "" {
			continue
		}
		if err := os.WriteFile(path, shot.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote the screenshot %s (%d×%d, %d bytes)", path, screenshotWidth, height, len(shot.Data))
	}
}
