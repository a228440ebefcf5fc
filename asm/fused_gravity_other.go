//go:build !amd64 || !gc || purego

package asm

// gravityMax runs the generic reference where no assembly is built.
func gravityMax(g []float32) uint32 { return gravityMaxGeneric(g) }

// gravityStep runs the generic reference where no assembly is built.
func gravityStep(p, g, v []float32, k *gravityConsts) { gravityStepGeneric(p, g, v, k) }
