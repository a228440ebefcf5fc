//go:build !amd64 || !gc || purego

package asm

// lionStep runs the generic reference where no assembly is built.
func lionStep(p, g, m []float32, k *lionConsts) { lionStepGeneric(p, g, m, k) }
