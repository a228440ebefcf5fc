//go:build !amd64 || !gc || purego

package asm

// ademamixStep runs the generic reference where no assembly is built.
func ademamixStep(p, g, m1, m2, v []float32, k *ademamixConsts) {
	ademamixStepGeneric(p, g, m1, m2, v, k)
}
