package autodiff

import (
	"github.com/gograd/gograd/asm"
)

// parallelMin is the least work, in elements touched, that an op splits
// over goroutines. An elementwise kernel runs 32768 floats in cache in
// about 2–4 µs, and on the shared 2-core test machine handing half of
// them to a polling worker did not pay at 4096 to 262144 floats (asm's
// BenchmarkParallel: parallel 0–25% slower than serial; W1's ReLUs have
// 32768), so the threshold stays where goroutines per op had put it.
var parallelMin = 1 << 16

// parts returns how many goroutines should share n independent items
// (images, planes, chunks) of work elements in all: asm.Threads() (the
// thread count the user set for sgemm), at most n, and 1 for small work.
// The result depends on the thread count only, not on GOMAXPROCS, so that
// the ops that accumulate per part (convolution weight gradients) give
// the same results for the same thread count.
func parts(n, work int) int {
	if work < parallelMin {
		return 1
	}
	return max(1, min(asm.Threads(), n))
}

// parallelFor calls f(lo, hi, part) for the parts nearly equal ranges
// [lo, hi) that cover [0, n), part k covering n·k/parts .. n·(k+1)/parts,
// on sgemm's worker goroutines and the caller (asm.ParallelCoarse: the
// parts are images or planes, long enough to wake a blocked worker), and
// returns when all calls have. parts must be in [1, n] unless n is 0; with parts 1
// it runs f(0, n, 0) on the caller. Parts may run one after another on one
// goroutine, in any order. A panic in f reaches the caller.
func parallelFor(n, parts int, f func(lo, hi, part int)) {
	if parts <= 1 {
		f(0, n, 0)
		return
	}
	asm.ParallelCoarse(parts, 1, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			f(n*p/parts, n*(p+1)/parts, p)
		}
	})
}

// elementGrain is the grain of parallelRange: a multiple of 64 floats, so
// that every range but the last covers whole vectors of the asm kernels
// and an elementwise result does not depend on the split.
const elementGrain = 4096

// parallelRange calls f(lo, hi) over ranges covering [0, n) of
// elementwise work, split over the goroutines that parts allows at ranges
// of whole elementGrain blocks, on the caller and the workers that poll
// between products (asm.Parallel).
func parallelRange(n int, f func(lo, hi int)) {
	if parts(n, n) == 1 {
		f(0, n)
		return
	}
	asm.Parallel(n, elementGrain, f)
}
