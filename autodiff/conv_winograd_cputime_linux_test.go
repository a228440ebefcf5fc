//go:build linux

package autodiff

import "golang.org/x/sys/unix"

// processCPUTime returns the CPU time of the whole process in seconds
// (CLOCK_PROCESS_CPUTIME_ID), or -1 if unavailable: benchmarks report it
// beside wall time, which a loaded machine inflates.
func processCPUTime() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return -1
	}
	return float64(ts.Nano()) / 1e9
}
