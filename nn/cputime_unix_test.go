//go:build unix

package nn

import (
	"syscall"
	"testing"
)

// processCPU returns the CPU time the process has used (user plus
// system), which other processes on a shared machine inflate far less
// than the wall clock.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportCPU reports the process CPU time per iteration since start as
// cpu-ms/op.
func reportCPU(b *testing.B, start float64) {
	b.ReportMetric(1000*(processCPU()-start)/float64(b.N), "cpu-ms/op")
}
