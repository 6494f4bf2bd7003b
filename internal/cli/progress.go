package cli

import (
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/ipseclint/ipseclint/internal/safetext"
)

// progressDelay is how long a run goes before it shows progress: short
// runs print nothing on standard error.
const progressDelay = time.Second

// progress shows files read, of how many, and the current one, on
// standard error when it is a terminal and the run takes longer than
// progressDelay. It draws with github.com/schollz/progressbar, never with
// hand-written escape codes.
type progress struct {
	mu      sync.Mutex
	enabled bool
	start   time.Time
	bar     *progressbar.ProgressBar
	env     *environment
}

func newProgress(env *environment, quiet bool) *progress {
	return &progress{enabled: !quiet && safetext.IsTerminal(env.stderr), start: time.Now(), env: env}
}

// update is called as files are read: done of total, the one just read.
func (p *progress) update(done, total int, current string) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		if time.Since(p.start) < progressDelay {
			return
		}
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.env.stderr),
			progressbar.OptionSetDescription("reading"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
	}
	p.bar.Describe("reading " + shorten(safetext.Text(current), 40))
	_ = p.bar.Set(done)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// shorten keeps the end of a long name, where the file is named.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}
