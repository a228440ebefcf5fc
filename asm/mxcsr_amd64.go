//go:build amd64 && gc && !purego

package asm

// getMXCSR returns the current thread's MXCSR register (STMXCSR). The
// tests use it to check that the fused kernels restore the caller's mode.
//
//go:noescape
func getMXCSR() uint32
