//go:build !amd64 || !gc || purego

package asm

// clamp runs the generic reference where no assembly is built.
func clamp(x []float32, lo, hi float32) { clampGeneric(x, lo, hi) }
