//go:build !amd64 || !gc || purego

package asm

// The generic references run where no assembly is built.

func cautiousCount(g, m []float32, b1, omb1 float32) int { return cautiousCountGeneric(g, m, b1, omb1) }

func cadamwMoment(g, m []float32, b1, omb1 float32) int { return cadamwMomentGeneric(g, m, b1, omb1) }

func cadamwStep(p, g, m, v []float32, k *adamConsts, steps float32) {
	cadamwStepGeneric(p, g, m, v, k, steps)
}

func clionStep(p, g, m []float32, k *lionConsts) { clionStepGeneric(p, g, m, k) }
