//go:build unix

package fleetconfig

import "syscall"

// openFlags makes opening a FIFO that took the file's place after the
// regular-file check return at once instead of waiting for a writer.
const openFlags = syscall.O_NONBLOCK
