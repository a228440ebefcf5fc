//go:build amd64 && gc && !purego

package asm

// lookaheadSync dispatches LookaheadSync on the active level. The AVX2
// kernel does whole 8-float vectors and the reference finishes the tail;
// the AVX-512 kernel does the whole slice, its tail under a K mask.
func lookaheadSync(p, slow []float32, a, b float32) {
	switch active {
	case AVX512:
		lookaheadAVX512(p, slow, a, b)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			lookaheadAVX2(p[:n], slow[:n], a, b)
		}
		lookaheadSyncGeneric(p[n:], slow[n:], a, b)
	default:
		lookaheadSyncGeneric(p, slow, a, b)
	}
}

// lookaheadAVX2 is lookaheadSyncGeneric over len(p) elements, a multiple
// of 8, with the same roundings (no fused multiply-add):
//
//	for i := range p {
//		f := float32(b*slow[i]) + float32(a*p[i])
//		slow[i], p[i] = f, f
//	}
//
// Requires AVX. slow must be at least as long as p.
//
//go:noescape
func lookaheadAVX2(p, slow []float32, a, b float32)

// lookaheadAVX512 is lookaheadAVX2 for any len(p), 16 floats per vector,
// the last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func lookaheadAVX512(p, slow []float32, a, b float32)
