package asm

import (
	"math/rand/v2"
	"runtime"
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

// TestSgemmTakeBack runs parallel products with GOMAXPROCS 1, where a
// worker cannot start its part while the caller computes its own, so the
// caller takes the part back (workerTakenBack); each product must equal the
// serial one bit for bit, and the workers must still serve parallel
// products afterwards with GOMAXPROCS restored.
func TestSgemmTakeBack(t *testing.T) {
	const m, n, k = 130, 100, 120
	rng := rand.New(rand.NewPCG(5, 6))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = rng.Float32() - 0.5
	}
	for i := range b {
		b[i] = rng.Float32() - 0.5
	}
	p := sgemmParamsFor(active)
	want := make([]float32, m*n)
	g := sgemmGeom{m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, c: want, ldc: n}
	sgemmSerial(p, &g, new(sgemmWork))
	run := func(threads int) {
		c := make([]float32, m*n)
		g := sgemmGeom{m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, c: c, ldc: n}
		sgemmRun(p, &g, threads)
		if !slices.Equal(c, want) {
			t.Fatalf("threads=%d: parallel product differs from the serial one", threads)
		}
	}
	old := runtime.GOMAXPROCS(1)
	before := workerTakenBack.Load()
	for range 50 {
		run(2)
	}
	taken := workerTakenBack.Load() - before
	runtime.GOMAXPROCS(old)
	if taken == 0 {
		t.Errorf("GOMAXPROCS 1: no part of 50 products was taken back from a worker")
	}
	for range 50 {
		run(2)
		run(3)
	}
}
