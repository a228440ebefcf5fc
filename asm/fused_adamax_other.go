//go:build !amd64 || !gc || purego

package asm

// adamaxStep runs the generic reference where no assembly is built.
func adamaxStep(p, g, m, u []float32, k *adamConsts) { adamaxStepGeneric(p, g, m, u, k) }
