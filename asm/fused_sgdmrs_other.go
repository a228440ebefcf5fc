//go:build !amd64 || !gc || purego

package asm

// sgdmrsStep runs the generic reference where no assembly is built.
func sgdmrsStep(p, g, d []float32, k *sgdmrsConsts) { sgdmrsStepGeneric(p, g, d, k) }
