//go:build amd64 && gc && !purego

package asm

// sgdStep runs the generic reference where no assembly is built.
func sgdStep(p, g, buf []float32, k *sgdConsts) { sgdStepGeneric(p, g, buf, k) }
