//go:build !amd64 || !gc || purego

package asm

// The generic references run where no assembly is built.

func dogSums(p, p0, g []float32, wd float32, mode int, l *[32]float64) {
	dogSumsGeneric(p, p0, g, wd, mode, l, 0)
}

func dogStep(p, g, avg []float32, mode int, h *DoGStepParams) { dogStepGeneric(p, g, avg, mode, h) }
