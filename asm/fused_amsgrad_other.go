//go:build !amd64 || !gc || purego

package asm

// amsgradStep runs the generic reference where no assembly is built.
func amsgradStep(p, g, m, v, vmax []float32, k *adamConsts) {
	amsgradStepGeneric(p, g, m, v, vmax, k)
}
