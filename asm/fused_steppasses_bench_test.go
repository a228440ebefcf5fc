package asm

import (
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkStepPasses times each pass of the unfactored AdafactorStep and
// of FAdamStep on its own, next to a whole AdamStep and a whole step of
// each, at n = 16384 (inside L2) and n = 1e6, at every SIMD level, as
// <level>/<n>/<pass>. It reports ns/param and, with the goroutine locked
// to its thread, the thread's CPU ns/param (steadier on a loaded
// machine). Compare each row with adam of the same level and n in the
// same run:
//
//	go test -cpu 1 -run XXX -bench StepPasses -count 5 ./asm
func BenchmarkStepPasses(b *testing.B) {
	old := Active()
	defer SetLevel(old)
	for _, n := range []int{16384, 1_000_000} {
		for _, l := range Supported() {
			if l == Generic {
				continue
			}
			benchPassesAt(b, l, n)
		}
	}
}

func benchPassesAt(b *testing.B, l Level, n int) {
	r := zooRand(5, 6)
	buf := func(lo, hi float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(lo + (hi-lo)*r.Float64())
		}
		return x
	}
	p, g, m, v, u := buf(-0.5, 0.5), buf(-0.5, 0.5), buf(-0.1, 0.1), buf(0, 1), buf(0, 1)
	ha := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true, Step: 10}
	hf := AdafactorParams{LR: 1, DecayRate: 0.8, Eps1: 1e-30, Eps2: 1e-3, ClipThreshold: 1,
		RelativeStep: true, ScaleParameter: true, Step: 10}
	kf := afConsts{b1: 0.9, omb1: 0.1, sc: 1e-3, step: 1e-3, decay: 1}
	hd := FAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Clip: 1, Step: 10}
	var kd fadamConsts
	kd.setPrecond(hd, n, float64(n)/12)
	kd.setUpdate(hd, n, float64(n), float64(n))
	var acc [2 * fadamLanes]float64
	passes := []struct {
		name string
		f    func()
	}{
		{"adam", func() { AdamStep(p, g, m, v, ha) }},
		{"adafactor", func() { AdafactorStep(p, g, v, nil, u, hf) }},
		{"adafactor-pass1", func() { afVec(p, g, v, u, 0.9, 0.1, 1e-30) }},
		{"adafactor-pass2", func() { afApply(p, u, nil, &kf) }},
		{"fadam", func() { FAdamStep(p, g, m, v, u, hd) }},
		{"fadam-nil", func() { FAdamStep(p, g, m, v, nil, hd) }},
		{"fadam-pass1", func() { fadamSum(g, (*[fadamLanes]float64)(acc[:fadamLanes])) }},
		{"fadam-pass2", func() { fadamPrecond(g, p, v, u, &acc, &kd) }},
		{"fadam-pass3", func() { fadamUpdate(p, g, m, u, &kd) }},
		{"fadam-pass3-nil", func() { fadamUpdateRecip(p, g, m, v, &kd) }},
	}
	for _, ps := range passes {
		b.Run(l.String()+"/"+strconv.Itoa(n)+"/"+ps.name, func(b *testing.B) {
			SetLevel(l)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			c0 := sgemmCPUTime()
			for b.Loop() {
				ps.f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
			b.ReportMetric((sgemmCPUTime()-c0)*1e9/float64(b.N)/float64(n), "cpu-ns/param")
		})
	}
}
