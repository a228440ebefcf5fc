//go:build linux

package asm

import "golang.org/x/sys/unix"

// sgemmCPUTimeKind names what sgemmCPUTime measures.
const sgemmCPUTimeKind = "thread CPU time"

// sgemmCPUTime returns the calling OS thread's CPU time in seconds
// (CLOCK_THREAD_CPUTIME_ID); callers lock the goroutine to its thread.
func sgemmCPUTime() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return float64(ts.Nano()) / 1e9
}

// sgemmProcessCPUTime returns the CPU time of the whole process in seconds
// (CLOCK_PROCESS_CPUTIME_ID).
func sgemmProcessCPUTime() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return float64(ts.Nano()) / 1e9
}
