package asm

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// Benchmarks of the fused optimizer steps and the elementwise kernels,
// as <Kernel>/<level>/<n>. Levels the machine lacks are skipped. Compare
// runs with benchstat at -count=10.

var fusedBenchLevels = []Level{Generic, AVX2, AVX512}

// fusedBenchData caches random slices by length and role so that the
// 1e7-element cases are allocated once.
var fusedBenchData = map[[2]int][]float32{}

func fusedBenchSlice(n, role int, lo, hi float64) []float32 {
	key := [2]int{n, role}
	if s, ok := fusedBenchData[key]; ok {
		return s
	}
	r := rand.New(rand.NewPCG(uint64(n), uint64(role)))
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(lo + (hi-lo)*r.Float64())
	}
	fusedBenchData[key] = s
	return s
}

// fusedBench runs body as sub-benchmarks level/n with b.SetBytes(bytes·n)
// and an ns/param metric.
func fusedBench(b *testing.B, sizes []int, bytes int64, body func(b *testing.B, n int)) {
	old := Active()
	defer SetLevel(old)
	for _, l := range fusedBenchLevels {
		b.Run(l.String(), func(b *testing.B) {
			if SetLevel(l) != l {
				b.Skip("level not supported")
			}
			for _, n := range sizes {
				b.Run(strconv.Itoa(n), func(b *testing.B) {
					b.SetBytes(bytes * int64(n))
					body(b, n)
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
				})
			}
		})
	}
}

var fusedOptSizes = []int{100000, 1000000, 10000000}

// BenchmarkAdam: p, g, m, v read and p, m, v written, 28 bytes per param.
func BenchmarkAdam(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, Decoupled: true}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			AdamStep(p, g, m, v, h)
		}
	})
}

// BenchmarkLion: p, g, m read and p, m written, 20 bytes per param.
func BenchmarkLion(b *testing.B) {
	fusedBench(b, fusedOptSizes, 20, func(b *testing.B, n int) {
		p, g, m := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1), fusedBenchSlice(n, 2, -0.1, 0.1)
		h := LionParams{LR: 1e-4, Beta1: 0.9, Beta2: 0.99, WeightDecay: 0.1}
		for b.Loop() {
			LionStep(p, g, m, h)
		}
	})
}

// BenchmarkSGD (Nesterov momentum): p, g, buf read and p, buf written,
// 20 bytes per param.
func BenchmarkSGD(b *testing.B) {
	fusedBench(b, fusedOptSizes, 20, func(b *testing.B, n int) {
		p, g, buf := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1), fusedBenchSlice(n, 4, -1, 1)
		h := SGDParams{LR: 1e-3, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4}
		for b.Loop() {
			SGDStep(p, g, buf, h)
		}
	})
}

// BenchmarkAMSGrad: p, g, m, v, vmax read and p, m, v, vmax written, 36
// bytes per param.
func BenchmarkAMSGrad(b *testing.B) {
	fusedBench(b, fusedOptSizes, 36, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		w := fusedBenchSlice(n, 5, 0, 0.01)
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			AMSGradStep(p, g, m, v, w, h)
		}
	})
}

// BenchmarkAdaBelief: p, g, m, s read and p, m, s written, 28 bytes per
// param.
func BenchmarkAdaBelief(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, s := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-16}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			AdaBeliefStep(p, g, m, s, h)
		}
	})
}

// BenchmarkAdamSubnormal runs Adam at n = 1e5 on a parameter whose
// gradient has stopped (g = 0) with moments that are normal or deep in
// the subnormal range; with FTZ/DAZ both should run at the same speed.
// Each iteration first restores m and v (a copy, timed as well, the same
// in both cases), since a step decays or flushes them.
func BenchmarkAdamSubnormal(b *testing.B) {
	for _, tc := range []struct {
		name  string
		scale float64
	}{{"normal", 1e-3}, {"subnormal", 1e-40}} {
		b.Run(tc.name, func(b *testing.B) {
			fusedBench(b, []int{100000}, 28, func(b *testing.B, n int) {
				p := fusedBenchSlice(n, 0, -1, 1)
				g := make([]float32, n)
				m0, v0 := make([]float32, n), make([]float32, n)
				r := rand.New(rand.NewPCG(1, 1))
				for i := range m0 {
					m0[i] = float32(tc.scale * (r.Float64() - 0.5))
					v0[i] = float32(tc.scale * r.Float64())
				}
				m, v := make([]float32, n), make([]float32, n)
				h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 100}
				for b.Loop() {
					copy(m, m0)
					copy(v, v0)
					AdamStep(p, g, m, v, h)
				}
			})
		})
	}
}

var fusedVecSizes = []int{1000, 100000, 1000000}

func BenchmarkAxpy(b *testing.B) {
	fusedBench(b, fusedVecSizes, 12, func(b *testing.B, n int) {
		x, y := fusedBenchSlice(n, 10, -1, 1), fusedBenchSlice(n, 11, -1, 1)
		for b.Loop() {
			Axpy(y, 1e-7, x)
		}
	})
}

func BenchmarkScale(b *testing.B) {
	fusedBench(b, fusedVecSizes, 8, func(b *testing.B, n int) {
		x := fusedBenchSlice(n, 10, -1, 1)
		for b.Loop() {
			Scale(x, 1)
		}
	})
}

func BenchmarkAddTo(b *testing.B) {
	fusedBench(b, fusedVecSizes, 12, func(b *testing.B, n int) {
		x, y, d := fusedBenchSlice(n, 10, -1, 1), fusedBenchSlice(n, 11, -1, 1), fusedBenchSlice(n, 12, -1, 1)
		for b.Loop() {
			AddTo(d, x, y)
		}
	})
}

func BenchmarkMulTo(b *testing.B) {
	fusedBench(b, fusedVecSizes, 12, func(b *testing.B, n int) {
		x, y, d := fusedBenchSlice(n, 10, -1, 1), fusedBenchSlice(n, 11, -1, 1), fusedBenchSlice(n, 12, -1, 1)
		for b.Loop() {
			MulTo(d, x, y)
		}
	})
}

func BenchmarkReluForwardTo(b *testing.B) {
	fusedBench(b, fusedVecSizes, 8, func(b *testing.B, n int) {
		x, d := fusedBenchSlice(n, 10, -1, 1), fusedBenchSlice(n, 12, -1, 1)
		for b.Loop() {
			ReluForwardTo(d, x)
		}
	})
}

func BenchmarkReluBackwardTo(b *testing.B) {
	fusedBench(b, fusedVecSizes, 12, func(b *testing.B, n int) {
		x, g, d := fusedBenchSlice(n, 10, -1, 1), fusedBenchSlice(n, 11, -1, 1), fusedBenchSlice(n, 12, -1, 1)
		for b.Loop() {
			ReluBackwardTo(d, g, x)
		}
	})
}

var fusedSink float32

func BenchmarkSum(b *testing.B) {
	fusedBench(b, fusedVecSizes, 4, func(b *testing.B, n int) {
		x := fusedBenchSlice(n, 10, -1, 1)
		for b.Loop() {
			fusedSink += Sum(x)
		}
	})
}

func BenchmarkDot(b *testing.B) {
	fusedBench(b, fusedVecSizes, 8, func(b *testing.B, n int) {
		x, y := fusedBenchSlice(n, 10, -1, 1), fusedBenchSlice(n, 11, -1, 1)
		for b.Loop() {
			fusedSink += Dot(x, y)
		}
	})
}
