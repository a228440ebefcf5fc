package optim

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// splitParams returns parameters of a size that Step splits (an odd
// number of elements, so that the last range has a vector tail) and of a
// size it does not, with random values and gradients from seed.
func splitParams(seed uint64) []*autodiff.Var {
	rng := tensor.NewRNG(seed)
	var ps []*autodiff.Var
	for i, n := range []int{5*fusedGrain + 37, 100} {
		p := autodiff.NewParam(string(rune('a'+i)), tensor.RandN(rng, 1, n))
		p.Grad = tensor.RandN(rng, 1, n)
		ps = append(ps, p)
	}
	return ps
}

// TestFusedSplitBitIdentical steps every registered optimizer with an
// elementwise fused kernel (newFused) on one thread and, from the same
// start, on two and three threads, where Step splits the large parameter
// over asm.Parallel, and requires the same values and state bit for bit,
// at every CPU level.
func TestFusedSplitBitIdentical(t *testing.T) {
	defer asm.SetThreads(asm.Threads())
	defer asm.SetLevel(asm.Active())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	var names []string
	for _, name := range Names() {
		if o, err := New(name, splitParams(1), 0, 0.01, nil); err == nil && o.kernel != nil {
			names = append(names, name)
		}
	}
	// adam adamw sgd lion adabelief adamax amsgrad adagrad rmsprop
	// ademamix diffgrad grams adabound amsbound exadam
	if len(names) < 15 {
		t.Fatalf("%d optimizers with an elementwise kernel (%v), want at least 15", len(names), names)
	}
	for _, level := range asm.Supported() {
		asm.SetLevel(level)
		for _, name := range names {
			fusedSplitCheck(t, level, name)
		}
	}
}

// fusedSplitCheck is TestFusedSplitBitIdentical for one optimizer.
func fusedSplitCheck(t *testing.T, level asm.Level, name string) {
	t.Helper()
	{
		for _, threads := range []int{2, 3} {
			serial, split := splitParams(1), splitParams(1)
			os, err := New(name, serial, 0, 0.01, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			ot, err := New(name, split, 0, 0.01, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !os.Fused() || ot.kernel == nil {
				t.Fatalf("%s: not fused or not split", name)
			}
			rng := rand.New(rand.NewPCG(2, uint64(threads)))
			for step := range 4 {
				asm.SetThreads(1)
				os.Step()
				asm.SetThreads(threads)
				ot.Step()
				if got := ot.call.next.Load(); got < 2 {
					t.Fatalf("%v %s threads=%d: the large parameter ran in %d range(s)", level, name, threads, got)
				}
				for i := range serial {
					if !slices.Equal(serial[i].Value.Data(), split[i].Value.Data()) {
						t.Fatalf("%v %s threads=%d step %d: parameter %d differs from the serial step", level, name, threads, step+1, i)
					}
					for j, b := range os.states[0][i].bufs {
						if !slices.Equal(b, ot.states[0][i].bufs[j]) {
							t.Fatalf("%v %s threads=%d step %d: state %d of parameter %d differs", level, name, threads, step+1, j, i)
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

// TestFusedSplitNotListed checks that the kernels whose update spans the
// whole parameter (the cautious mask counts) are not split: they are
// whole-parameter kernels.
func TestFusedSplitNotListed(t *testing.T) {
	for _, name := range []string{"cadamw", "clion"} {
		o, err := New(name, splitParams(3), 0, 0.01, nil)
		if err != nil {
			t.Fatal(err)
		}
		if o.kernel != nil || o.whole == nil {
			t.Fatalf("%s's fused step is split", name)
		}
	}
}

// TestFusedSplitAllocs checks that a split Adam step does not allocate in
// steady state.
func TestFusedSplitAllocs(t *testing.T) {
	defer asm.SetThreads(asm.Threads())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	asm.SetThreads(2)
	o, err := NewAdam(splitParams(4), DefaultAdam())
	if err != nil {
		t.Fatal(err)
	}
	o.Step()
	a := testing.AllocsPerRun(50, o.Step)
	if a > 0 && !raceSplit {
		t.Errorf("split Adam step allocates %v times", a)
	}
}

// BenchmarkFusedSplit times a fused Adam Step alone over the parameters of
// W1 (784-256-256-10: 269,322 elements, the largest 200,704) and over
// W2's largest Linear weight (9216×128 = 1,179,648 elements), each after
// a two-thread product (128×256×256, untimed) as in training, where the
// Step follows the backward pass's products and the workers poll when it
// starts. Each iteration runs the Step with asm thread count 1 (the kernel
// on the caller) and then 2 (ranges split over asm.Parallel), and the
// fastest and median times of each are reported (µs): on a shared
// machine the fastest run is the least disturbed. Run with -cpu 2.
func BenchmarkFusedSplit(b *testing.B) {
	defer asm.SetThreads(asm.Threads())
	models := []struct {
		name  string
		sizes []int
	}{
		{"W1", []int{784 * 256, 256, 256 * 256, 256, 256 * 10, 10}},
		{"W2fc1", []int{9216 * 128}},
	}
	const pm, pn, pk = 128, 256, 256
	a, bb, c := make([]float32, pm*pk), make([]float32, pk*pn), make([]float32, pm*pn)
	for _, m := range models {
		rng := tensor.NewRNG(5)
		var ps []*autodiff.Var
		for i, n := range m.sizes {
			p := autodiff.NewParam(fmt.Sprint("p", i), tensor.RandN(rng, 1, n))
			p.Grad = tensor.RandN(rng, 1, n)
			ps = append(ps, p)
		}
		o, err := NewAdam(ps, DefaultAdam())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(m.name, func(b *testing.B) {
			var times [2][]float64
			for b.Loop() {
				for k, threads := range []int{1, 2} {
					asm.SetThreads(2)
					asm.Sgemm(false, false, pm, pn, pk, 1, a, pk, bb, pn, 0, c, pn)
					asm.SetThreads(threads)
					t0 := time.Now()
					o.Step()
					times[k] = append(times[k], float64(time.Since(t0).Nanoseconds())/1e3)
				}
			}
			for k, threads := range []int{1, 2} {
				slices.Sort(times[k])
				b.ReportMetric(times[k][0], fmt.Sprintf("best%d-µs", threads))
				b.ReportMetric(times[k][len(times[k])/2], fmt.Sprintf("median%d-µs", threads))
			}
		})
	}
}
