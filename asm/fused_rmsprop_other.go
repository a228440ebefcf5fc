//go:build !amd64 || !gc || purego

package asm

// rmspropStep runs the generic reference where no assembly is built.
func rmspropStep(p, g, v []float32, k *rmspropConsts) { rmspropStepGeneric(p, g, v, k) }
