//go:build !linux

package optim

// xgradThreadCPU reports no thread CPU time off Linux.
func xgradThreadCPU() int64 { return -1 }
