//go:build linux

package optim

import "golang.org/x/sys/unix"

// threadCPU returns the calling OS thread's CPU time in nanoseconds
// (CLOCK_THREAD_CPUTIME_ID), or -1; callers lock the goroutine to its
// thread. On a shared machine it leaves out the time the benchmark was
// not running.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return -1
	}
	return ts.Nano()
}
