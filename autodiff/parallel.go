package autodiff

import (
	"sync"

	"github.com/gograd/gograd/asm"
)

// parallelMin is the least work, in elements touched, that an op splits
// over goroutines: below it starting them costs more than it saves.
const parallelMin = 1 << 16

// parts returns how many goroutines should share n independent items
// (images, planes, chunks) of work elements in all: asm.Threads() (the
// thread count the user set for sgemm), at most n, and 1 for small work.
func parts(n, work int) int {
	if work < parallelMin {
		return 1
	}
	return max(1, min(asm.Threads(), n))
}

// parallelFor calls f(lo, hi, part) for the parts nearly equal ranges
// [lo, hi) that cover [0, n), each on its own goroutine (the caller runs
// the last), and returns when all calls have. parts must be in [1, n]
// unless n is 0; with parts 1 it runs f(0, n, 0) on the caller.
func parallelFor(n, parts int, f func(lo, hi, part int)) {
	if parts <= 1 {
		f(0, n, 0)
		return
	}
	var wg sync.WaitGroup
	wg.Add(parts - 1)
	for p := 0; p < parts-1; p++ {
		go func() {
			defer wg.Done()
			f(n*p/parts, n*(p+1)/parts, p)
		}()
	}
	f(n*(parts-1)/parts, n, parts-1)
	wg.Wait()
}

// parallelRange calls f(lo, hi) over nearly equal ranges covering [0, n)
// of elementwise work, one per goroutine as parts decides.
func parallelRange(n int, f func(lo, hi int)) {
	parallelFor(n, parts(n, n), func(lo, hi, _ int) { f(lo, hi) })
}
