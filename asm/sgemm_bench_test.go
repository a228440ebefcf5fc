package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// sgemmShape is one benchmarked product: op(A) m×k times op(B) k×n.
type sgemmShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// sgemmMLPShapes are the W1 MLP's products (batch 128, 784-256-256-10):
// forward X·W, and backward dX = dY·Wᵀ and dW = Xᵀ·dY.
var sgemmMLPShapes = []sgemmShape{
	{"128x784x256_NN", false, false, 128, 256, 784},
	{"128x256x256_NN", false, false, 128, 256, 256},
	{"128x256x10_NN", false, false, 128, 10, 256},
	{"128x10x256_NT", false, true, 128, 256, 10},
	{"128x256x256_NT", false, true, 128, 256, 256},
	{"128x256x784_NT", false, true, 128, 784, 256},
	{"256x128x784_TN", true, false, 256, 784, 128},
	{"256x128x256_TN", true, false, 256, 256, 128},
	{"256x128x10_TN", true, false, 256, 10, 128},
}

// sgemmBenchData returns random op(A), op(B) and C for s.
func sgemmBenchData(s sgemmShape) (a []float32, lda int, b []float32, ldb int, c []float32) {
	rng := rand.New(rand.NewPCG(5, 5))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()*2 - 1
		}
		return x
	}
	lda, ldb = s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return fill(s.m * s.k), lda, fill(s.k * s.n), ldb, fill(s.m * s.n)
}

// sgemmBench times Sgemm on s at level l with the given threads and
// reports GFLOP/s = 2mnk/t.
func sgemmBench(b *testing.B, l Level, threads int, s sgemmShape) {
	oldL, oldT := Active(), Threads()
	defer func() { SetLevel(oldL); SetThreads(oldT) }()
	if SetLevel(l) != l {
		b.Skipf("level %v not supported", l)
	}
	SetThreads(threads)
	a, lda, bb, ldb, c := sgemmBenchData(s)
	b.ResetTimer()
	cpu0 := sgemmProcessCPUTime()
	for b.Loop() {
		Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
	}
	sgemmReportGFLOPS(b, s, sgemmProcessCPUTime()-cpu0)
}

// sgemmReportGFLOPS reports GFLOP/s = 2mnk/t over the wall time and, as
// cpu-GFLOP/s, over the process's CPU time cpu (Linux; wall time
// elsewhere), which a busy shared machine disturbs less. At one thread the
// two agree on an idle machine; with more threads cpu-GFLOP/s is the rate
// per busy core.
func sgemmReportGFLOPS(b *testing.B, s sgemmShape, cpu float64) {
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(flops/cpu/1e9, "cpu-GFLOP/s")
}

var sgemmBenchLevels = []Level{Generic, AVX2, AVX512}

// BenchmarkSgemm times square products at one thread per level.
func BenchmarkSgemm(b *testing.B) {
	for _, l := range sgemmBenchLevels {
		for _, n := range []int{64, 128, 256, 512, 1024, 2048} {
			if l == Generic && n > 512 {
				continue
			}
			b.Run(fmt.Sprintf("%v/%d", l, n), func(b *testing.B) {
				sgemmBench(b, l, 1, sgemmShape{m: n, n: n, k: n})
			})
		}
	}
}

// BenchmarkSgemmMLP times the W1 MLP's forward and backward products at
// one thread per level.
func BenchmarkSgemmMLP(b *testing.B) {
	for _, l := range sgemmBenchLevels {
		for _, s := range sgemmMLPShapes {
			b.Run(fmt.Sprintf("%v/%s", l, s.name), func(b *testing.B) {
				sgemmBench(b, l, 1, s)
			})
		}
	}
}

// BenchmarkSgemmThreads times square products at the detected level with
// 1, 2 and 4 goroutines.
func BenchmarkSgemmThreads(b *testing.B) {
	for _, threads := range []int{1, 2, 4} {
		for _, n := range []int{128, 256, 512, 1024, 2048} {
			b.Run(fmt.Sprintf("%d/%d", threads, n), func(b *testing.B) {
				sgemmBench(b, Detected(), threads, sgemmShape{m: n, n: n, k: n})
			})
		}
	}
	for _, threads := range []int{1, 2} {
		for _, s := range sgemmMLPShapes[:3] {
			b.Run(fmt.Sprintf("%d/%s", threads, s.name), func(b *testing.B) {
				sgemmBench(b, Detected(), threads, s)
			})
		}
	}
}

// BenchmarkSgemmGonum times gonum's pure-Go Sgemm for comparison, at one
// thread: gonum splits work over GOMAXPROCS goroutines, so GOMAXPROCS is 1
// while it runs.
func BenchmarkSgemmGonum(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, n := range []int{256, 512} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := sgemmShape{m: n, n: n, k: n}
			a, lda, bb, ldb, c := sgemmBenchData(s)
			var impl gonum.Implementation
			cpu0 := sgemmProcessCPUTime()
			for b.Loop() {
				impl.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, lda, bb, ldb, 0, c, n)
			}
			sgemmReportGFLOPS(b, s, sgemmProcessCPUTime()-cpu0)
		})
	}
}

// BenchmarkSgemmSplit bounds the two-thread speedup at the detected level
// on a shared machine, where wall times of two busy threads are unreliable:
// each iteration times the whole product and then each part of the two-way
// split, one after the other on one locked OS thread, by that thread's CPU
// time on Linux (sgemmCPUTime). It reports the fastest times seen, in µs,
// and bound = whole / largest part, the speedup two idle cores would reach
// if the parts did not compete for memory bandwidth and L3.
func BenchmarkSgemmSplit(b *testing.B) {
	shapes := []sgemmShape{{"512", false, false, 512, 512, 512}, {"1024", false, false, 1024, 1024, 1024},
		{"2048", false, false, 2048, 2048, 2048}}
	shapes = append(shapes, sgemmMLPShapes[:2]...)
	shapes = append(shapes, sgemmMLPShapes[5:7]...)
	p := sgemmParamsFor(Detected())
	b.Logf("level %v, times are %s", Detected(), sgemmCPUTimeKind)
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			a, lda, bb, ldb, c := sgemmBenchData(s)
			g := sgemmGeom{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k,
				alpha: 1, a: a, lda: lda, b: bb, ldb: ldb, c: c, ldc: s.n}
			if sgemmSwapBetter(p, s.m, s.n) {
				g = g.swapped()
			}
			byRows, unit, total, tiles, parts := sgemmPlan(p, &g, 2)
			w := new(sgemmWork)
			timed := func(part sgemmGeom) float64 {
				t0 := sgemmCPUTime()
				sgemmSerial(p, &part, w)
				return sgemmCPUTime() - t0
			}
			whole, worst := math.Inf(1), 0.0
			bestPart := make([]float64, parts)
			for i := range bestPart {
				bestPart[i] = math.Inf(1)
			}
			for b.Loop() {
				whole = min(whole, timed(g))
				for i := range parts {
					part := sgemmSplit(&g, byRows, min(total, tiles*i/parts*unit), min(total, tiles*(i+1)/parts*unit))
					bestPart[i] = min(bestPart[i], timed(part))
				}
			}
			for _, t := range bestPart {
				worst = max(worst, t)
			}
			b.ReportMetric(whole*1e6, "whole-µs")
			b.ReportMetric(worst*1e6, "part-µs")
			b.ReportMetric(whole/worst, "bound")
		})
	}
}

// sgemmMLPStepShapes are the products of one W1 backprop step in the
// order autodiff runs them: the forward pass, then the weight and input
// gradients from the last layer back (none for the input).
var sgemmMLPStepShapes = []sgemmShape{
	sgemmMLPShapes[0], sgemmMLPShapes[1], sgemmMLPShapes[2],
	sgemmMLPShapes[8], sgemmMLPShapes[3], sgemmMLPShapes[7], sgemmMLPShapes[4], sgemmMLPShapes[6],
}

// BenchmarkSgemmMLPStep runs the products of a W1 backprop step back to
// back at the detected level with 1 and 2 threads, as the training loop
// does (so that sgemm's workers see the real gaps between products). Each
// product's fastest wall time over the iterations is reported as
// <shape>-µs, and their sum as best-sum-µs: on a shared machine the
// fastest run is the one least disturbed by other processes.
func BenchmarkSgemmMLPStep(b *testing.B) {
	type operands struct {
		a, b, c  []float32
		lda, ldb int
	}
	ops := make([]operands, len(sgemmMLPStepShapes))
	for i, s := range sgemmMLPStepShapes {
		a, lda, bb, ldb, c := sgemmBenchData(s)
		ops[i] = operands{a, bb, c, lda, ldb}
	}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			oldL, oldT := Active(), Threads()
			defer func() { SetLevel(oldL); SetThreads(oldT) }()
			SetLevel(Detected())
			SetThreads(threads)
			best := make([]time.Duration, len(sgemmMLPStepShapes))
			for i := range best {
				best[i] = time.Duration(math.MaxInt64)
			}
			for b.Loop() {
				for i, s := range sgemmMLPStepShapes {
					o := &ops[i]
					t0 := time.Now()
					Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, s.n)
					best[i] = min(best[i], time.Since(t0))
				}
			}
			var sum time.Duration
			for i, s := range sgemmMLPStepShapes {
				b.ReportMetric(float64(best[i].Nanoseconds())/1e3, s.name+"-µs")
				sum += best[i]
			}
			b.ReportMetric(float64(sum.Nanoseconds())/1e3, "best-sum-µs")
		})
	}
}
