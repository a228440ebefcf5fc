package asm

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkMemPasses times, on one thread, each pass of the two-pass zoo
// steps that move more bytes than Adam, next to fused AdamW's step in the
// same run, at n = 16384 (in L2) and n = 1e6 (L3 and beyond), so that the
// floor of each whole step shows:
//
//	adamw       AdamStep (decoupled): reads p, g, m, v, writes p, m, v
//	mars        MARSStep: both passes
//	mars-sum    its reduction: reads g, last (Σc² in float64)
//	mars-upd    its update: reads p, g, m, v, last, writes p, m, v, last
//	xgrad       XGradPredictDir then XGradStep storing the next direction
//	            (XGrad's fused step without the objective's gradient)
//	xgrad-pred  XGradPredictDir: reads p, d, writes p, saved (d = saved)
//	xgrad-step  XGradStep: reads theta, g, m, v, writes p, m, v, dir
//	            (theta = dir), p written without being read
//
// Each case has its own arrays except that the passes of one step share
// theirs, so a pass timed alone finds what it read on its previous run,
// not what the other pass left. ns/param is reported, and cpu-ns/param,
// the thread's CPU time (sgemmCPUTime), which leaves out the time other
// processes held the core on a shared machine (but not their use of the
// shared cache).
func BenchmarkMemPasses(b *testing.B) {
	for _, n := range []int{1 << 14, 1_000_000} {
		r := zooRand(73, 74)
		mk := func(lo, hi float64) []float32 {
			s := make([]float32, n)
			f := fusedUniform(r, lo, hi)
			for i := range s {
				s[i] = f()
			}
			return s
		}
		ap, ag, am, av := mk(-1, 1), mk(-1, 1), mk(-0.1, 0.1), mk(0, 0.01)
		mp, mg, mm, mv, ml := mk(-1, 1), mk(-1, 1), mk(-0.1, 0.1), mk(0, 0.01), mk(-1, 1)
		xp, xg, xm, xv, xs := mk(-1, 1), mk(-1, 1), mk(-0.1, 0.1), mk(0, 0.01), mk(-1e-3, 1e-3)
		ah := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 10, Decoupled: true}
		mh := MARSParams{LR: 3e-3, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, Gamma: 0.025, Step: 10}
		xh := XGradParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 10}
		mk1 := AdamParams{LR: mh.LR, Beta1: mh.Beta1, Beta2: mh.Beta2, Eps: mh.Eps, Step: mh.Step, Decoupled: true}.consts()
		kc := float32(mh.Gamma * (mh.Beta1 / (1 - mh.Beta1)))
		xk := xh.consts()
		for _, c := range []struct {
			name string
			run  func()
		}{
			{"adamw", func() { AdamStep(ap, ag, am, av, ah) }},
			{"mars", func() { MARSStep(mp, mg, mm, mv, ml, mh) }},
			{"mars-sum", func() { marsSum(mg, ml, kc) }},
			{"mars-upd", func() { marsStep(mp, mg, mm, mv, ml, &mk1, kc, 0.5) }},
			{"xgrad", func() { XGradPredictDir(xp, xs, xs, 1e-3); XGradStep(xp, xs, xg, xm, xv, xs, xh) }},
			{"xgrad-pred", func() { xgradPredictDir(xp, xs, xs, 1e-3) }},
			{"xgrad-step", func() { xgradStep(xp, xs, xg, xm, xv, xs, &xk) }},
		} {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				c.run()
				c0 := sgemmCPUTime()
				for b.Loop() {
					c.run()
				}
				b.ReportMetric((sgemmCPUTime()-c0)*1e9/float64(b.N)/float64(n), "cpu-ns/param")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
			})
		}
	}
}
