//go:build !amd64 || !gc || purego

package asm

// gramsStep runs the generic reference where no assembly is built.
func gramsStep(p, g, m, v []float32, k *gramsConsts) { gramsStepGeneric(p, g, m, v, k) }
