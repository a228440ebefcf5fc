package asm

import "testing"

// Benchmarks of the zoo kernels, as <Kernel>/<level>/<n> with the sizes of
// BenchmarkAdam (fused_bench_test.go); run them together with
// BenchmarkAdam to compare.

// BenchmarkRMSProp: p, g, v read and p, v written, 20 bytes per param.
func BenchmarkRMSProp(b *testing.B) {
	fusedBench(b, fusedOptSizes, 20, func(b *testing.B, n int) {
		p, g, v := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1), fusedBenchSlice(n, 3, 0, 0.01)
		h := RMSPropParams{LR: 1e-3, Rho: 0.9, Eps: 1e-8, EpsInSqrt: true}
		for b.Loop() {
			RMSPropStep(p, g, v, h)
		}
	})
}

// BenchmarkAdaMax: p, g, m, u read and p, m, u written, 28 bytes per
// param.
func BenchmarkAdaMax(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, u := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := AdamParams{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			AdaMaxStep(p, g, m, u, h)
		}
	})
}

// BenchmarkAdEMAMix: p, g, m1, m2, v read and p, m1, m2, v written, 36
// bytes per param.
func BenchmarkAdEMAMix(b *testing.B) {
	fusedBench(b, fusedOptSizes, 36, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m1, m2 := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 4, -0.1, 0.1)
		v := fusedBenchSlice(n, 3, 0, 0.01)
		h := AdEMAMixParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Beta3: 0.9999, Alpha: 2, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			AdEMAMixStep(p, g, m1, m2, v, h)
		}
	})
}

// BenchmarkCAdamW: the count pass reads g, m and writes m (12 bytes per
// param); the update pass reads p, g, m, v and writes p, v (24); 36 in
// all.
func BenchmarkCAdamW(b *testing.B) {
	fusedBench(b, fusedOptSizes, 36, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 1e-2}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			CAdamWStep(p, g, m, v, h)
		}
	})
}

// BenchmarkCLion: the count pass reads g, m (8 bytes per param); the
// update pass reads p, g, m and writes p, m (20); 28 in all.
func BenchmarkCLion(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g, m := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1), fusedBenchSlice(n, 2, -0.1, 0.1)
		h := LionParams{LR: 1e-4, Beta1: 0.95, Beta2: 0.98, WeightDecay: 0.1}
		for b.Loop() {
			CLionStep(p, g, m, h)
		}
	})
}

// BenchmarkGrams: p, g, m, v read and p, m, v written, 28 bytes per param.
func BenchmarkGrams(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			GramsStep(p, g, m, v, h)
		}
	})
}

// BenchmarkAdaBound: p, g, m, v read and p, m, v written, 28 bytes per
// param (AdaBoundStep also reloads and stores v as its vmax, in L1).
func BenchmarkAdaBound(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := AdaBoundParams{LR: 1e-3, FinalLR: 0.1, Gamma: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			AdaBoundStep(p, g, m, v, h)
		}
	})
}

// BenchmarkDiffGrad: p, g, m, v, prev read and p, m, v, prev written, 36
// bytes per param.
func BenchmarkDiffGrad(b *testing.B) {
	fusedBench(b, fusedOptSizes, 36, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		prev := fusedBenchSlice(n, 4, -1, 1)
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			DiffGradStep(p, g, m, v, prev, h)
		}
	})
}

// BenchmarkEXAdam: p, g, m, v read and p, m, v written, 28 bytes per
// param.
func BenchmarkEXAdam(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := EXAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			EXAdamStep(p, g, m, v, h)
		}
	})
}
