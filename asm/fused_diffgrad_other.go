//go:build !amd64 || !gc || purego

package asm

// diffgradStep runs the generic reference where no assembly is built.
func diffgradStep(p, g, m, v, prev []float32, k *diffgradConsts) {
	diffgradStepGeneric(p, g, m, v, prev, k)
}
