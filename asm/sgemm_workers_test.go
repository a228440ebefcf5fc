package asm

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// TestSgemmConcurrentCalls runs parallel products from several goroutines
// at once, more than the workers can take, and checks each against the
// same product on one thread (bit for bit: a part is computed the same way
// by a worker or by the caller).
func TestSgemmConcurrentCalls(t *testing.T) {
	old := Threads()
	defer SetThreads(old)
	const m, n, k = 130, 100, 120
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = rng.Float32() - 0.5
	}
	for i := range b {
		b[i] = rng.Float32() - 0.5
	}
	for _, threads := range []int{2, 3, 4} {
		SetThreads(threads)
		want := make([]float32, m*n)
		p := sgemmParamsFor(active)
		g := sgemmGeom{m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, c: want, ldc: n}
		sgemmSerial(p, &g, new(sgemmWork))
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				c := make([]float32, m*n)
				for range 20 {
					clear(c)
					Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
					if !slices.Equal(c, want) {
						t.Errorf("threads=%d: concurrent product differs from the serial one", threads)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}
