//go:build !amd64 || !gc || purego

package asm

// adaboundStep runs the generic reference where no assembly is built.
func adaboundStep(p, g, m, v []float32, k *adaboundConsts) {
	adaboundStepGeneric(p, g, m, v, v, k)
}

// amsboundStep runs the generic reference where no assembly is built.
func amsboundStep(p, g, m, v, vmax []float32, k *adaboundConsts) {
	adaboundStepGeneric(p, g, m, v, vmax, k)
}
