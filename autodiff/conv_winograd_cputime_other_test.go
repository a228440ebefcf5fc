//go:build !linux

package autodiff

// processCPUTime returns -1: no process CPU clock is read off Linux.
func processCPUTime() float64 { return -1 }
