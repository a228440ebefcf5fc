//go:build amd64 && gc && !purego

package asm

// gravityMax dispatches GravityStep's first pass on the active level
// (AVX2: whole 8-float vectors in assembly, the tail in Go).
func gravityMax(g []float32) uint32 {
	switch active {
	case AVX512:
		return gravityMaxAVX512(g)
	case AVX2:
		n := len(g) &^ 7
		var m uint32
		if n > 0 {
			m = gravityMaxAVX2(g[:n])
		}
		return max(m, gravityMaxGeneric(g[n:]))
	default:
		return gravityMaxGeneric(g)
	}
}

// gravityStep dispatches GravityStep's update pass on the active level.
// The AVX2 kernel does whole 8-float vectors and the reference finishes
// the tail; the AVX-512 kernel does the whole slice, its tail under a K
// mask.
func gravityStep(p, g, v []float32, k *gravityConsts) {
	switch active {
	case AVX512:
		gravityAVX512(p, g, v, k.m, k.b, k.omb, k.lr)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			gravityAVX2(p[:n], g[:n], v[:n], k.m, k.b, k.omb, k.lr)
		}
		gravityStepGeneric(p[n:], g[n:], v[n:], k)
	default:
		gravityStepGeneric(p, g, v, k)
	}
}

// gravityMaxAVX2 is gravityMaxGeneric over len(g) elements, a multiple of
// 8 (integer operations only: MXCSR is not touched):
//
//	for i := range g {
//		m = max(m, bits(g[i]) & 0x7fffffff)
//	}
//
// Requires AVX2.
//
//go:noescape
func gravityMaxAVX2(g []float32) uint32

// gravityMaxAVX512 is gravityMaxAVX2 for any len(g), 16 floats per
// vector, the last partial vector under a K mask (zeros beyond the end).
// Requires AVX-512 F.
//
//go:noescape
func gravityMaxAVX512(g []float32) uint32

// gravityAVX2 is gravityStepGeneric over len(p) elements, a multiple of
// 8, with FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		gm := g[i] * m
//		z := g[i] / (1 + gm*gm)
//		v[i] = b*v[i] + omb*z
//		p[i] = p[i] - lr*v[i]
//	}
//
// Requires AVX, AVX2. g and v must be at least as long as p.
//
//go:noescape
func gravityAVX2(p, g, v []float32, m, b, omb, lr float32)

// gravityAVX512 is gravityAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func gravityAVX512(p, g, v []float32, m, b, omb, lr float32)
