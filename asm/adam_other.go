//go:build !amd64 || !gc || purego

package asm

// adamStep runs the generic reference where no assembly is built.
func adamStep(p, g, m, v []float32, k *adamConsts) { adamStepGeneric(p, g, m, v, k) }
