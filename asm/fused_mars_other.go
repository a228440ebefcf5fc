//go:build !amd64 || !gc || purego

package asm

// The generic references run where no assembly is built.

func marsSum(g, last []float32, kc float32) float64 { return marsSumGeneric(g, last, kc) }

func marsStep(p, g, m, v, last []float32, k *adamConsts, kc, scale float32) {
	marsStepGeneric(p, g, m, v, last, k, kc, scale)
}
