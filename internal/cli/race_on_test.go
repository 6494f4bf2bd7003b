//go:build race

package cli_test

// raceDetector is set in a build with the race detector, whose shadow
// memory multiplies every process's footprint: peak memory limits are not
// compared there.
const raceDetector = true
