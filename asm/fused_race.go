//go:build race

package asm

import (
	"runtime"
	"unsafe"
)

// The race detector does not see memory that assembly touches. Under
// -race the exported kernels report their slices here before running, so
// a data race on a parameter or gradient slice is still caught (as
// klauspost/reedsolomon's race.go does).

// fusedRaceRead reports a read of all of s to the race detector.
func fusedRaceRead(s []float32) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), len(s)*4)
	}
}

// fusedRaceWrite reports a write of all of s to the race detector.
func fusedRaceWrite(s []float32) {
	if len(s) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&s[0]), len(s)*4)
	}
}
