//go:build !amd64 || !gc || purego

package asm

// exadamStep runs the generic reference where no assembly is built.
func exadamStep(p, g, m, v []float32, k *exadamConsts) { exadamStepGeneric(p, g, m, v, k) }
