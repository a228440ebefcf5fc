//go:build amd64 && gc && !purego

package asm

// adabeliefStep runs the generic reference where no assembly is built.
func adabeliefStep(p, g, m, s []float32, k *adamConsts) { adabeliefStepGeneric(p, g, m, s, k) }
