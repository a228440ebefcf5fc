//go:build !linux

package optim

// threadCPU reports no thread CPU time off Linux.
func threadCPU() int64 { return -1 }
