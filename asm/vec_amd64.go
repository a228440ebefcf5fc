//go:build amd64 && gc && !purego

package asm

// Dispatch of the elementwise kernels. The AVX2 kernels do whole 8-float
// vectors and the reference finishes the tail; the AVX-512 kernels do the
// whole slice, the last partial vector under a K mask. No MXCSR change:
// these kernels run in Go's default floating-point mode.

func axpy(y []float32, a float32, x []float32) {
	switch active {
	case AVX512:
		axpyAVX512(y, a, x)
	case AVX2:
		n := len(y) &^ 7
		if n > 0 {
			axpyAVX2(y[:n], a, x[:n])
		}
		axpyGeneric(y[n:], a, x[n:])
	default:
		axpyGeneric(y, a, x)
	}
}

func scaleTo(dst []float32, a float32, x []float32) {
	switch active {
	case AVX512:
		scaleAVX512(dst, a, x)
	case AVX2:
		n := len(dst) &^ 7
		if n > 0 {
			scaleAVX2(dst[:n], a, x[:n])
		}
		scaleToGeneric(dst[n:], a, x[n:])
	default:
		scaleToGeneric(dst, a, x)
	}
}

func addTo(dst, x, y []float32) {
	switch active {
	case AVX512:
		addAVX512(dst, x, y)
	case AVX2:
		n := len(dst) &^ 7
		if n > 0 {
			addAVX2(dst[:n], x[:n], y[:n])
		}
		addToGeneric(dst[n:], x[n:], y[n:])
	default:
		addToGeneric(dst, x, y)
	}
}

func mulTo(dst, x, y []float32) {
	switch active {
	case AVX512:
		mulAVX512(dst, x, y)
	case AVX2:
		n := len(dst) &^ 7
		if n > 0 {
			mulAVX2(dst[:n], x[:n], y[:n])
		}
		mulToGeneric(dst[n:], x[n:], y[n:])
	default:
		mulToGeneric(dst, x, y)
	}
}

func reluForwardTo(dst, x []float32) {
	switch active {
	case AVX512:
		reluAVX512(dst, x)
	case AVX2:
		n := len(dst) &^ 7
		if n > 0 {
			reluAVX2(dst[:n], x[:n])
		}
		reluForwardToGeneric(dst[n:], x[n:])
	default:
		reluForwardToGeneric(dst, x)
	}
}

func reluBackwardTo(dst, g, x []float32) {
	switch active {
	case AVX512:
		reluBackAVX512(dst, g, x)
	case AVX2:
		n := len(dst) &^ 7
		if n > 0 {
			reluBackAVX2(dst[:n], g[:n], x[:n])
		}
		reluBackwardToGeneric(dst[n:], g[n:], x[n:])
	default:
		reluBackwardToGeneric(dst, g, x)
	}
}

func sum(x []float32) float32 {
	switch active {
	case AVX512:
		return sumAVX512(x)
	case AVX2:
		n := len(x) &^ 7
		s := float32(0)
		if n > 0 {
			s = sumAVX2(x[:n])
		}
		return s + sumGeneric(x[n:])
	}
	return sumGeneric(x)
}

func dot(x, y []float32) float32 {
	switch active {
	case AVX512:
		return dotAVX512(x, y)
	case AVX2:
		n := len(x) &^ 7
		s := float32(0)
		if n > 0 {
			s = dotAVX2(x[:n], y[:n])
		}
		return s + dotGeneric(x[n:], y[n:])
	}
	return dotGeneric(x, y)
}

// The kernels. Each AVX2 kernel needs the length of its first slice to be
// a multiple of 8 and requires AVX and AVX2 (and FMA3 for axpy and dot);
// each AVX-512 kernel takes any length and requires AVX-512 F. The other
// slices must be at least as long as the first.

// axpyAVX2: for i := range y { y[i] = fma(a, x[i], y[i]) }
//
//go:noescape
func axpyAVX2(y []float32, a float32, x []float32)

// axpyAVX512: as axpyAVX2, any length.
//
//go:noescape
func axpyAVX512(y []float32, a float32, x []float32)

// scaleAVX2: for i := range dst { dst[i] = a * x[i] }
//
//go:noescape
func scaleAVX2(dst []float32, a float32, x []float32)

// scaleAVX512: as scaleAVX2, any length.
//
//go:noescape
func scaleAVX512(dst []float32, a float32, x []float32)

// addAVX2: for i := range dst { dst[i] = x[i] + y[i] }
//
//go:noescape
func addAVX2(dst, x, y []float32)

// addAVX512: as addAVX2, any length.
//
//go:noescape
func addAVX512(dst, x, y []float32)

// mulAVX2: for i := range dst { dst[i] = x[i] * y[i] }
//
//go:noescape
func mulAVX2(dst, x, y []float32)

// mulAVX512: as mulAVX2, any length.
//
//go:noescape
func mulAVX512(dst, x, y []float32)

// reluAVX2: for i := range dst { dst[i] = x[i] < 0 ? 0 : x[i] } (MAXPS
// returns its second source, x, for NaN and for ±0).
//
//go:noescape
func reluAVX2(dst, x []float32)

// reluAVX512: as reluAVX2, any length.
//
//go:noescape
func reluAVX512(dst, x []float32)

// reluBackAVX2: for i := range dst { dst[i] = x[i] > 0 ? g[i] : 0 }
//
//go:noescape
func reluBackAVX2(dst, g, x []float32)

// reluBackAVX512: as reluBackAVX2, any length.
//
//go:noescape
func reluBackAVX512(dst, g, x []float32)

// sumAVX2 returns Σ x[i], accumulated in 4 vectors of 8 lanes.
//
//go:noescape
func sumAVX2(x []float32) float32

// sumAVX512 returns Σ x[i], accumulated in 4 vectors of 16 lanes.
//
//go:noescape
func sumAVX512(x []float32) float32

// dotAVX2 returns Σ x[i]·y[i] with FMA, in 4 vectors of 8 lanes.
//
//go:noescape
func dotAVX2(x, y []float32) float32

// dotAVX512 returns Σ x[i]·y[i] with FMA, in 4 vectors of 16 lanes.
//
//go:noescape
func dotAVX512(x, y []float32) float32
