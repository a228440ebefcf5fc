//go:build !linux

package asm

import "time"

// sgemmCPUTimeKind names what sgemmCPUTime measures.
const sgemmCPUTimeKind = "wall time"

var sgemmStart = time.Now()

// sgemmCPUTime falls back to wall time in seconds where no per-thread CPU
// clock is wired up.
func sgemmCPUTime() float64 { return time.Since(sgemmStart).Seconds() }

// sgemmProcessCPUTime falls back to wall time in seconds.
func sgemmProcessCPUTime() float64 { return sgemmCPUTime() }
