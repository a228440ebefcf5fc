//go:build !amd64 || !gc || purego

package asm

// The generic references run where no assembly is built.

func afSums(g, p []float32, rows, cols int, rs, cs []float64) float64 {
	return afSumsGeneric(g, p, rows, cols, rs, cs)
}

func afUSum(g, rf, cf []float32, rows, cols int) float64 { return afUSumGeneric(g, rf, cf, rows, cols) }

func afUpdate(p, g, m, rf, cf []float32, rows, cols int, k *afConsts) {
	afUpdateGeneric(p, g, m, rf, cf, rows, cols, k)
}

func afVec(p, g, v, u []float32, b, omb, eps1 float32) (usq, psq float64) {
	return afVecGeneric(p, g, v, u, b, omb, eps1)
}

func afApply(p, u, m []float32, k *afConsts) { afApplyGeneric(p, u, m, k) }
