package optim

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

func init() {
	fusedCases = append(fusedCases, wrapCases...)
	// Weight clipping's first step moves the N(0, 1) values of the tests
	// (|θ₀| < 4) to ±c: a step of up to 4/η units of η, and the chain
	// rounds θ − u at that scale (its u is nudged by ulps of θ₀).
	for name, lr := range map[string]float64{"weight-clip": 1e-3, "weight-clip-few": 1e-3,
		"weight-clip-sgdm": 0.05, "weight-clip-lion": 0.01} {
		fusedStepScale[name] = 4 / lr
	}
}

// wrapCases are this file's cases of fusedCases: the fused wrappers from
// the registry at their defaults (base Adam, k = 5, α = 0.5, c = 0.01),
// weight clipping with c = 3, which clips few elements of the N(0, 1)
// parameters of the tests and benchmarks (about 0.3%), where c = 0.01
// clips most of them on every step, and other bases (Lookahead over
// weight clipping composes twice).
var wrapCases = []struct {
	name string
	mk   func([]*autodiff.Var) (*Optimizer, error)
}{
	{"lookahead", func(ps []*autodiff.Var) (*Optimizer, error) { return New("lookahead", ps, 0, -1, nil) }},
	{"lookahead-sgdm-k2", func(ps []*autodiff.Var) (*Optimizer, error) {
		return New("lookahead", ps, 0, -1, map[string]string{"base": "sgd", "k": "2", "alpha": "0.3",
			"base_args": "momentum=0.9;weight_decay=0.01", "lr": "0.01"})
	}},
	{"lookahead-lion-k3", func(ps []*autodiff.Var) (*Optimizer, error) {
		return New("lookahead", ps, 0, -1, map[string]string{"base": "lion", "k": "3", "lr": "0.001"})
	}},
	{"lookahead-cadamw-k2", func(ps []*autodiff.Var) (*Optimizer, error) {
		return New("lookahead", ps, 0, -1, map[string]string{"base": "cadamw", "k": "2", "lr": "0.01"})
	}},
	{"lookahead-weight-clip", func(ps []*autodiff.Var) (*Optimizer, error) {
		return New("lookahead", ps, 0, -1, map[string]string{"base": "weight-clip", "k": "2", "base_args": "c=1.5"})
	}},
	{"weight-clip", func(ps []*autodiff.Var) (*Optimizer, error) { return New("weight-clip", ps, 0, -1, nil) }},
	{"weight-clip-few", func(ps []*autodiff.Var) (*Optimizer, error) {
		return New("weight-clip", ps, 0, -1, map[string]string{"c": "3"})
	}},
	{"weight-clip-sgdm", func(ps []*autodiff.Var) (*Optimizer, error) {
		return New("weight-clip", ps, 0, -1, map[string]string{"base": "sgd", "c": "0.5",
			"base_args": "momentum=0.9;nesterov=true", "lr": "0.05"})
	}},
	{"weight-clip-lion", func(ps []*autodiff.Var) (*Optimizer, error) {
		return New("weight-clip", ps, 0, -1, map[string]string{"base": "lion", "c": "0.8", "lr": "0.01"})
	}},
}

// wrapSizes are parameter sizes that run on the caller and split over
// asm.Parallel (2·fusedGrain and more), with vector tails.
var wrapSizes = []int{1, 17, 133, 2085, 2*fusedGrain + 101}

// TestWrapFused checks that every wrapper case runs a fused step with the
// kernel kind of its base (elementwise, or whole for C-AdamW).
func TestWrapFused(t *testing.T) {
	for _, tc := range wrapCases {
		o, err := tc.mk(newParams(1, 5))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		whole := tc.name == "lookahead-cadamw-k2"
		if !o.Fused() || (o.kernel != nil) == whole || (o.whole != nil) != whole {
			t.Errorf("%s: fused %v, elementwise %v, whole %v", tc.name, o.Fused(), o.kernel != nil, o.whole != nil)
		}
		if o.SetFused(false) {
			t.Errorf("%s: SetFused(false) left the fused step on", tc.name)
		}
	}
}

// TestWrapFusedMatchesChain runs each wrapper case fused and on its chain
// side by side for 50 steps on parameters large enough to be blocked and
// split, as TestFusedMatchesChain does (4 ulps of θ and of the step per
// step, summed over the steps; the chain's weight clipping may sit ulps of the previous θ inside
// ±c), and checks the wrappers' invariants on the fused path: after
// weight clipping max|θ| ≤ c, with elements outside the bounds on ±c
// exactly; after a Lookahead sync θ = φ bit for bit.
func TestWrapFusedMatchesChain(t *testing.T) {
	defer asm.SetThreads(asm.Threads())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	asm.SetThreads(2)
	const steps = 50
	for _, tc := range wrapCases {
		t.Run(tc.name, func(t *testing.T) {
			pf, pc, of, oc := fusedChainPair(t, tc.mk, 7, wrapSizes...)
			c, clip := wrapClipBound(of)
			k, look := wrapSyncPeriod(of)
			lr := float64(of.LR())
			worst := 0.0
			prev, tols := make([][]float32, len(pc)), make([][]float64, len(pc))
			for i := range pc {
				tols[i] = make([]float64, pc[i].Value.Size())
			}
			for s := 1; s <= steps; s++ {
				fillGrads(pf, 3, s)
				fillGrads(pc, 3, s)
				for i := range pc {
					prev[i] = append(prev[i][:0], pc[i].Value.Data()...)
				}
				of.Step()
				oc.Step()
				for i := range pf {
					for j, a := range pf[i].Value.Data() {
						b := pc[i].Value.Data()[j]
						// 4 ulps of θ (before or after the step, where
						// θ − u cancels) and of the step η·1, per step,
						// accumulated.
						tols[i][j] += 4 * (max(ulp32(a), ulp32(prev[i][j])) + ulp32(float32(lr)))
						tol := tols[i][j]
						d := math.Abs(float64(a) - float64(b))
						if !(d <= tol) {
							t.Fatalf("step %d: %s[%d]: fused %.9g, chain %.9g (|Δ| = %.3g > %.3g)", s, pf[i].Name, j, a, b, d, tol)
						}
						worst = max(worst, d/tol)
						if clip && (a > c || a < -c || b > c || b < -c) {
							t.Fatalf("step %d: %s[%d]: fused %v, chain %v outside ±%v", s, pf[i].Name, j, a, b, c)
						}
					}
					if look && s%k == 0 {
						st := of.states[0][i].bufs
						if !slices.Equal(pf[i].Value.Data(), st[len(st)-1]) {
							t.Fatalf("step %d: %s: θ ≠ φ after the sync", s, pf[i].Name)
						}
					}
				}
			}
			t.Logf("largest |Δ| = %.2f of the tolerance", worst)
		})
	}
}

// wrapClipBound returns the weight-clipping bound of o's chain, if any.
func wrapClipBound(o *Optimizer) (float32, bool) {
	if ch, ok := o.tr.(*chain); ok {
		if w, ok := ch.ts[len(ch.ts)-1].(*weightClip); ok {
			return w.c, true
		}
	}
	return 0, false
}

// wrapSyncPeriod returns the Lookahead period of o's chain, if any.
func wrapSyncPeriod(o *Optimizer) (int, bool) {
	if l, ok := o.tr.(*lookahead); ok {
		return l.k, true
	}
	return 0, false
}

// TestWrapFusedClampExact: on the fused path weight clipping puts every
// element that the base step moves outside [−c, c] on ±c exactly, and
// leaves the others as the base's fused step made them (bit for bit).
func TestWrapFusedClampExact(t *testing.T) {
	const c = 0.5
	pw, pb := newParams(2, wrapSizes...), newParams(2, wrapSizes...)
	ow, err := New("weight-clip", pw, 0.05, -1, map[string]string{"c": "0.5"})
	if err != nil {
		t.Fatal(err)
	}
	ob, _ := New("adam", pb, 0.05, -1, nil)
	for s := 1; s <= 10; s++ {
		fillGrads(pw, 5, s)
		fillGrads(pb, 5, s)
		ow.Step()
		ob.Step()
		clipped := 0
		for i := range pw {
			w, b := pw[i].Value.Data(), pb[i].Value.Data()
			for j := range w {
				want := max(-c, min(c, b[j]))
				if w[j] != want {
					t.Fatalf("step %d: %s[%d] = %v, want clamp(%v) = %v", s, pw[i].Name, j, w[j], b[j], want)
				}
				if want != b[j] {
					clipped++
				}
				b[j] = w[j] // the base continues from the clipped values
			}
		}
		if clipped == 0 {
			t.Fatalf("step %d: nothing clipped", s)
		}
	}
}

// TestWrapLookaheadAlphaOne: with α = 1 the fused Lookahead is its base's
// fused step bit for bit, for an elementwise and a whole-parameter base.
func TestWrapLookaheadAlphaOne(t *testing.T) {
	for _, base := range []string{"adam", "cadamw"} {
		pl, pb := newParams(4, wrapSizes...), newParams(4, wrapSizes...)
		ol, err := New("lookahead", pl, 0, -1, map[string]string{"base": base, "k": "2", "alpha": "1"})
		if err != nil {
			t.Fatal(err)
		}
		ob, _ := New(base, pb, 0, -1, nil)
		for s := 1; s <= 7; s++ {
			fillGrads(pl, 6, s)
			fillGrads(pb, 6, s)
			ol.Step()
			ob.Step()
			for i := range pl {
				if !slices.Equal(pl[i].Value.Data(), pb[i].Value.Data()) {
					t.Fatalf("%s step %d: %s differs from the base", base, s, pl[i].Name)
				}
			}
		}
	}
}

// TestWrapFusedSplitBitIdentical steps the wrappers with an elementwise
// base on one thread and split over two and three, at every CPU level,
// and requires the same values and state bit for bit, as
// TestFusedSplitBitIdentical does for the registry at its defaults (k = 2
// here, so that the four steps sync twice).
func TestWrapFusedSplitBitIdentical(t *testing.T) {
	defer asm.SetThreads(asm.Threads())
	defer asm.SetLevel(asm.Active())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	cases := []struct {
		name string
		args map[string]string
	}{
		{"lookahead", map[string]string{"k": "2"}},
		{"lookahead", map[string]string{"k": "2", "alpha": "0.7", "base": "lion"}},
		{"lookahead", map[string]string{"k": "2", "base": "weight-clip", "base_args": "c=1"}},
		{"weight-clip", map[string]string{"c": "1.5"}},
		{"weight-clip", map[string]string{"c": "1", "base": "sgd", "base_args": "momentum=0.9"}},
	}
	for _, level := range asm.Supported() {
		asm.SetLevel(level)
		for _, tc := range cases {
			for _, threads := range []int{2, 3} {
				serial, split := splitParams(1), splitParams(1)
				os, err := New(tc.name, serial, 0, 0.01, tc.args)
				if err != nil {
					t.Fatalf("%s %v: %v", tc.name, tc.args, err)
				}
				ot, _ := New(tc.name, split, 0, 0.01, tc.args)
				if !os.Fused() || ot.kernel == nil {
					t.Fatalf("%s %v: not fused or not elementwise", tc.name, tc.args)
				}
				rng := rand.New(rand.NewPCG(2, uint64(threads)))
				for step := 1; step <= 4; step++ {
					asm.SetThreads(1)
					os.Step()
					asm.SetThreads(threads)
					ot.Step()
					if got := ot.call.next.Load(); got < 2 {
						t.Fatalf("%v %s %v threads=%d: the large parameter ran in %d range(s)", level, tc.name, tc.args, threads, got)
					}
					for i := range serial {
						if !slices.Equal(serial[i].Value.Data(), split[i].Value.Data()) {
							t.Fatalf("%v %s %v threads=%d step %d: parameter %d differs from the serial step", level, tc.name, tc.args, threads, step, i)
						}
						for j, b := range os.states[0][i].bufs {
							if !slices.Equal(b, ot.states[0][i].bufs[j]) {
								t.Fatalf("%v %s %v threads=%d step %d: state %d of parameter %d differs", level, tc.name, tc.args, threads, step, j, i)
							}
						}
						g1, g2 := serial[i].Grad.Data(), split[i].Grad.Data()
						for k := range g1 {
							g1[k] = float32(rng.NormFloat64())
							g2[k] = g1[k]
						}
					}
				}
			}
		}
	}
}

// TestWrapFusedStateRoundTrip: k fused steps, State, LoadState into a
// fresh fused optimizer and into a fresh chain over copies, more steps:
// the fused resume is bit-identical to an uninterrupted fused run, the
// chain's within TestFusedMatchesChain's tolerance.
func TestWrapFusedStateRoundTrip(t *testing.T) {
	const k, more = 6, 7
	for _, tc := range wrapCases {
		ref := newParams(8, wrapSizes...)
		oref, err := tc.mk(ref)
		if err != nil {
			t.Fatal(err)
		}
		for s := 1; s <= k; s++ {
			fillGrads(ref, 9, s)
			oref.Step()
		}
		st, err := oref.State()
		if err != nil {
			t.Fatal(err)
		}
		pf, pc := cloneParams(ref), cloneParams(ref)
		of, _ := tc.mk(pf)
		oc, _ := tc.mk(pc)
		oc.SetFused(false)
		for _, o := range []*Optimizer{of, oc} {
			if err := o.LoadState(st); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		for s := k + 1; s <= k+more; s++ {
			for _, ps := range [][]*autodiff.Var{ref, pf, pc} {
				fillGrads(ps, 9, s)
			}
			oref.Step()
			of.Step()
			oc.Step()
		}
		lr := float64(oref.LR())
		for i := range ref {
			if !slices.Equal(ref[i].Value.Data(), pf[i].Value.Data()) {
				t.Errorf("%s: fused resume of %s differs", tc.name, ref[i].Name)
			}
			for j, a := range ref[i].Value.Data() {
				b := pc[i].Value.Data()[j]
				if d := math.Abs(float64(a) - float64(b)); !(d <= 4*more*(ulp32(a)+ulp32(float32(lr)))) {
					t.Fatalf("%s: chain resume %s[%d] = %v, fused %v", tc.name, ref[i].Name, j, b, a)
				}
			}
		}
	}
}

// TestWrapFusedAllocs checks that a fused wrapped step does not allocate
// in steady state, on the caller and split over two threads.
func TestWrapFusedAllocs(t *testing.T) {
	defer asm.SetThreads(asm.Threads())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, threads := range []int{1, 2} {
		asm.SetThreads(threads)
		for _, tc := range wrapCases {
			o, err := tc.mk(newParams(1, wrapSizes...))
			if err != nil {
				t.Fatal(err)
			}
			o.Step()
			if a := testing.AllocsPerRun(20, o.Step); a > 0 && !(raceSplit && threads > 1) {
				t.Errorf("%s threads=%d: a step allocates %v times", tc.name, threads, a)
			}
		}
	}
}

// TestWrapKeepsChain: the wrappers that need the objective, and wrappers
// around a base whose fused step predicts (XGrad), run the chain.
func TestWrapKeepsChain(t *testing.T) {
	for _, c := range []struct{ name, base string }{
		{"sam", "adam"}, {"usam", "adam"}, {"gam", "adam"}, {"gr-fd", "adam"}, {"flooding", "adam"},
		{"lookahead", "xgrad"}, {"weight-clip", "xgrad"},
	} {
		o, err := New(c.name, newParams(1, 5), 0, -1, map[string]string{"base": c.base})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if o.Fused() || o.kernel != nil || o.whole != nil {
			t.Errorf("%s(%s): has a fused step", c.name, c.base)
		}
	}
	// The constructors fuse as the registry does, following the base's
	// selection.
	for _, fused := range []bool{true, false} {
		b, _ := NewAdam(newParams(1, 5), DefaultAdam())
		b.SetFused(fused)
		la, _ := NewLookahead(b, 3, 0.5)
		wc, _ := NewWrapped("weight-clip", b, nil, WeightClip(1))
		sam, _ := NewWrapped("sam", b, SAM(0.05), nil)
		if la.Fused() != fused || la.kernel == nil || wc.Fused() != fused || wc.kernel == nil || sam.kernel != nil {
			t.Errorf("base fused %v: lookahead %v, weight-clip %v, sam %v", fused, la.Fused(), wc.Fused(), sam.Fused())
		}
	}
}

// BenchmarkWrapStepCPU times one fused Step of Adam and of the wrappers
// over base Adam (weight clipping with most and with few elements
// clipped) on a parameter of n = 1e6 elements, reporting the thread's CPU
// time per element (cpu-ns/param) beside the wall time (ns/param): on a
// shared machine the CPU time leaves out the time the benchmark was
// descheduled. Run with -cpu 1 to compare with BenchmarkStep.
func BenchmarkWrapStepCPU(b *testing.B) {
	const n = 1_000_000
	cases := append([]struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{{"adam", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }}}, wrapCases...)
	for _, tc := range cases {
		if !slices.Contains([]string{"adam", "lookahead", "weight-clip", "weight-clip-few"}, tc.name) {
			continue
		}
		b.Run(tc.name, func(b *testing.B) {
			ps := newParams(1, n)
			fillGrads(ps, 1, 1)
			o, err := tc.mk(ps)
			if err != nil {
				b.Fatal(err)
			}
			o.Step()
			timeSteps(b, n, o.Step)
		})
	}
}

// TestWrapAllFirstOrderBases wraps every first-order method, at its
// registry defaults, in Lookahead (k = 2) and weight clipping (c = 1) and
// runs 20 steps fused and on the chain side by side: each wrapper fuses
// with the base's kernel kind (elementwise or whole-parameter) and stays
// within 1e-5·max(1, |θ|) of the chain (a composition smoke test over
// every base; the tight tolerances are TestWrapFusedMatchesChain's). The
// bases that predict (XGrad) keep the chain.
func TestWrapAllFirstOrderBases(t *testing.T) {
	for _, b := range firstOrderMethods {
		for _, args := range []map[string]string{{"base": b, "k": "2"}, {"base": b, "c": "1"}} {
			w := "lookahead"
			if _, ok := args["c"]; ok {
				w = "weight-clip"
			}
			pf, pc := newParams(3, 1, 17, 1000, 9000), newParams(3, 1, 17, 1000, 9000)
			of, err := New(w, pf, 0, -1, args)
			if err != nil {
				t.Fatalf("%s(%s): %v", w, b, err)
			}
			oc, _ := New(w, pc, 0, -1, args)
			ob, _ := New(b, newParams(3, 1), 0, -1, nil)
			if b == "xgrad" || b == "xgrad-sgdm" {
				if of.Fused() {
					t.Errorf("%s(%s): fused over a predicting base", w, b)
				}
				continue
			}
			if !of.Fused() || (of.kernel != nil) != (ob.kernel != nil) || (of.whole != nil) != (ob.whole != nil) {
				t.Fatalf("%s(%s): fused %v, elementwise %v, whole %v", w, b, of.Fused(), of.kernel != nil, of.whole != nil)
			}
			oc.SetFused(false)
			for s := 1; s <= 20; s++ {
				fillGrads(pf, 4, s)
				fillGrads(pc, 4, s)
				of.Step()
				oc.Step()
				for i := range pf {
					for j, a := range pf[i].Value.Data() {
						c := pc[i].Value.Data()[j]
						if d := math.Abs(float64(a) - float64(c)); !(d <= 1e-5*max(1, math.Abs(float64(c)))) {
							t.Fatalf("%s(%s) step %d: %s[%d]: fused %v, chain %v", w, b, s, pf[i].Name, j, a, c)
						}
					}
				}
			}
		}
	}
}
