package safetext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// childEnv selects a child mode of this test binary (see TestMain). Only
// the child ever runs tablewriter on unprepared text, so the loop it
// shows never runs in the test binary itself.
const childEnv = "IPSECLINT_SAFETEXT_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "upstream-loop" {
		os.Exit(upstreamLoopChild())
	}
	os.Exit(m.Run())
}

// Exit codes and words of the upstream-loop child.
const (
	childFinished = 0
	childLooping  = 3
	childTimedOut = 4
)

// upstreamLoopChild renders, through a table configured as the report
// configures it, one message cell that ends in a 100,000-character token,
// without Cell or Wrap. With tablewriter v1.1.5, twwarp.WrapWords never
// chooses a break for the words before that token (every cost overflows
// math.MaxInt32) and appends empty lines forever; the child watches its
// own heap and exits as soon as it passes 64 MiB.
func upstreamLoopChild() int {
	done := make(chan struct{})
	go func() {
		var buf bytes.Buffer
		t := newReportTable(&buf, map[int]int{1: 72})
		t.Header("Rule", "Message")
		_ = t.Append("IPSEC001", "value NLBSFlags is "+strings.Repeat("A", 100_000))
		_ = t.Render()
		close(done)
	}()
	switch outcome, heap := watch(done, 20*time.Second, 64<<20); outcome {
	case finished:
		fmt.Println("finished")
		return childFinished
	case looping:
		fmt.Printf("looping: heap %d bytes\n", heap)
		return childLooping
	default:
		fmt.Println("timed out")
		return childTimedOut
	}
}

// Outcomes of watch.
const (
	finished = iota
	looping
	timedOut
)

// watch waits for done, checking the heap every few milliseconds: it
// reports looping as soon as the heap passes maxHeap (tablewriter's
// endless loop appends without bound), timedOut after limit.
func watch(done <-chan struct{}, limit time.Duration, maxHeap uint64) (outcome int, heap uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	deadline := time.After(limit)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return finished, 0
		case <-deadline:
			return timedOut, 0
		case <-tick.C:
			metrics.Read(sample)
			if heap := sample[0].Value.Uint64(); heap > maxHeap {
				return looping, heap
			}
		}
	}
}

// TestUpstreamWrapWordsLoops documents why Wrap exists: it shows, in a
// child process, that tablewriter v1.1.5 loops on a long token. When it
// fails because the child finished, the upstream fault is gone: the
// comment on Wrap and this test should then be updated (Cell is still
// needed to keep cells readable).
func TestUpstreamWrapWordsLoops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=upstream-loop")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == childLooping:
		t.Logf("tablewriter still loops on unprepared text: %s", bytes.TrimSpace(out))
	case err == nil:
		t.Errorf("tablewriter rendered a 100,000-character token without looping: the upstream fault is fixed; "+
			"update the comment on Wrap and this test (%s)", bytes.TrimSpace(out))
	default:
		t.Errorf("child: %v: %s", err, out)
	}
}
