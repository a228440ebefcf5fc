//go:build amd64 && gc && !purego

package asm

// cautiousChunk bounds the elements one count kernel call sees, so that
// its 32-bit lane counters and total cannot overflow.
const cautiousChunk = 1 << 30

// cautiousCount dispatches the mask count on the active level, split like
// the update passes (AVX2: whole 8-float vectors in assembly, the tail in
// Go), so that both passes evaluate every element the same way.
func cautiousCount(g, m []float32, b1, omb1 float32) int {
	var n int
	switch active {
	case AVX512:
		for len(g) > 0 {
			c := min(len(g), cautiousChunk)
			n += cautiousCountAVX512(g[:c], m[:c], b1, omb1)
			g, m = g[c:], m[c:]
		}
	case AVX2:
		w := len(g) &^ 7
		for i := 0; i < w; i += cautiousChunk {
			c := min(w-i, cautiousChunk)
			n += cautiousCountAVX2(g[i:i+c], m[i:i+c], b1, omb1)
		}
		n += cautiousCountGeneric(g[w:], m[w:], b1, omb1)
	default:
		n = cautiousCountGeneric(g, m, b1, omb1)
	}
	return n
}

// cadamwMoment dispatches CAdamWStep's first pass on the active level,
// split as cautiousCount.
func cadamwMoment(g, m []float32, b1, omb1 float32) int {
	var n int
	switch active {
	case AVX512:
		for len(g) > 0 {
			c := min(len(g), cautiousChunk)
			n += cadamwMomentAVX512(g[:c], m[:c], b1, omb1)
			g, m = g[c:], m[c:]
		}
	case AVX2:
		w := len(g) &^ 7
		for i := 0; i < w; i += cautiousChunk {
			c := min(w-i, cautiousChunk)
			n += cadamwMomentAVX2(g[i:i+c], m[i:i+c], b1, omb1)
		}
		n += cadamwMomentGeneric(g[w:], m[w:], b1, omb1)
	default:
		n = cadamwMomentGeneric(g, m, b1, omb1)
	}
	return n
}

// cadamwStep dispatches CAdamWStep's update pass on the active level.
func cadamwStep(p, g, m, v []float32, k *adamConsts, steps float32) {
	switch active {
	case AVX512:
		cadamwAVX512(p, g, m, v, k.b2, k.omb2, k.decay, steps, k.rbc2, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			cadamwAVX2(p[:n], g[:n], m[:n], v[:n], k.b2, k.omb2, k.decay, steps, k.rbc2, k.eps)
		}
		cadamwStepGeneric(p[n:], g[n:], m[n:], v[n:], k, steps)
	default:
		cadamwStepGeneric(p, g, m, v, k, steps)
	}
}

// clionStep dispatches CLionStep's update pass on the active level.
func clionStep(p, g, m []float32, k *lionConsts) {
	switch active {
	case AVX512:
		clionAVX512(p, g, m, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			clionAVX2(p[:n], g[:n], m[:n], k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr)
		}
		clionStepGeneric(p[n:], g[n:], m[n:], k)
	default:
		clionStepGeneric(p, g, m, k)
	}
}

// cautiousCountAVX2 is cautiousCountGeneric over len(g) elements, a
// multiple of 8 below 2^31, with FTZ|DAZ set in MXCSR (restored on
// return):
//
//	for i := range g {
//		x := fma(b1, m[i], omb1*g[i])
//		if (x*0x1p127)*g[i] > 0 { n++ } // sign(x)·g > 0
//	}
//
// Scaling by 2^127 makes every normal x at least 2 in magnitude, so the
// product with a normal g cannot underflow. Requires AVX, AVX2, FMA3. m
// must be at least as long as g.
//
//go:noescape
func cautiousCountAVX2(g, m []float32, b1, omb1 float32) int

// cautiousCountAVX512 is cautiousCountAVX2 for any len(g) below 2^31, 16
// floats per vector, the last partial vector under a K mask. Requires
// AVX-512 F and VL.
//
//go:noescape
func cautiousCountAVX512(g, m []float32, b1, omb1 float32) int

// cadamwMomentAVX2 is cadamwMomentGeneric over len(g) elements, a
// multiple of 8 below 2^31, with FTZ|DAZ set in MXCSR (restored on
// return): cautiousCountAVX2 that also stores x,
//
//	for i := range g {
//		m[i] = fma(b1, m[i], omb1*g[i])
//		if (m[i]*0x1p127)*g[i] > 0 { n++ }
//	}
//
// Requires AVX, AVX2, FMA3. m must be at least as long as g.
//
//go:noescape
func cadamwMomentAVX2(g, m []float32, b1, omb1 float32) int

// cadamwMomentAVX512 is cadamwMomentAVX2 for any len(g) below 2^31, 16
// floats per vector, the last partial vector under a K mask. Requires
// AVX-512 F and VL.
//
//go:noescape
func cadamwMomentAVX512(g, m []float32, b1, omb1 float32) int

// cadamwAVX2 is cadamwStepGeneric over len(p) elements, a multiple of 8,
// with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return);
// m holds the new moments (cadamwMomentAVX2's) and is only read:
//
//	for i := range p {
//		pi := p[i] * decay
//		v[i] = b2*v[i] + (omb2*g[i])*g[i]
//		q := m[i]/(sqrt(v[i])*rbc2+eps)
//		if (m[i]*0x1p127)*g[i] > 0 { pi -= steps*q }
//		p[i] = pi
//	}
//
// Requires AVX, AVX2, FMA3. g, m, v must be at least as long as p.
//
//go:noescape
func cadamwAVX2(p, g, m, v []float32, b2, omb2, decay, steps, rbc2, eps float32)

// cadamwAVX512 is cadamwAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func cadamwAVX512(p, g, m, v []float32, b2, omb2, decay, steps, rbc2, eps float32)

// clionAVX2 is clionStepGeneric over len(p) elements, a multiple of 8,
// with FTZ|DAZ set in MXCSR (restored on return); lionAVX2 with a mask:
//
//	for i := range p {
//		c := fma(b1, m[i], omb1*g[i])
//		s := max(-1, min(1, c*0x1p127)) // sign(c), as lionAVX2
//		if !((c*0x1p127)*g[i] > 0) { s = 0 }
//		p[i] = fma(-lr, s, p[i]*decay)
//		m[i] = fma(b2, m[i], omb2*g[i])
//	}
//
// Requires AVX, AVX2, FMA3. g and m must be at least as long as p.
//
//go:noescape
func clionAVX2(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)

// clionAVX512 is clionAVX2 for any len(p), 16 floats per vector, the last
// partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func clionAVX512(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)
