//go:build !unix

package fleetgen_test

import "time"

// cpuTime is unknown here: the "cores" metric reads 0.
func cpuTime() time.Duration { return 0 }

// maxRSS is unknown here.
func maxRSS() int64 { return 0 }
