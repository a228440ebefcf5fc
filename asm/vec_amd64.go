//go:build amd64 && gc && !purego

package asm

// Without assembly the elementwise kernels are the references.

func axpy(y []float32, a float32, x []float32)      { axpyGeneric(y, a, x) }
func scaleTo(dst []float32, a float32, x []float32) { scaleToGeneric(dst, a, x) }
func addTo(dst, x, y []float32)                     { addToGeneric(dst, x, y) }
func mulTo(dst, x, y []float32)                     { mulToGeneric(dst, x, y) }
func reluForwardTo(dst, x []float32)                { reluForwardToGeneric(dst, x) }
func reluBackwardTo(dst, g, x []float32)            { reluBackwardToGeneric(dst, g, x) }
func sum(x []float32) float32                       { return sumGeneric(x) }
func dot(x, y []float32) float32                    { return dotGeneric(x, y) }
