package autodiff

import (
	"runtime"
	"sync"
	"testing"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

func TestParallelFor(t *testing.T) {
	for _, c := range []struct{ n, parts int }{{0, 1}, {1, 1}, {5, 2}, {7, 3}, {7, 7}} {
		hit := make([]int, c.n)
		seen := make([]bool, c.parts)
		parallelFor(c.n, c.parts, func(lo, hi, part int) {
			seen[part] = true
			for i := lo; i < hi; i++ {
				hit[i]++
			}
		})
		for i, h := range hit {
			if h != 1 {
				t.Errorf("n=%d parts=%d: item %d visited %d times", c.n, c.parts, i, h)
			}
		}
		for p, s := range seen {
			if !s && c.n > 0 {
				t.Errorf("n=%d parts=%d: part %d not run", c.n, c.parts, p)
			}
		}
	}
}

// TestParallelRange checks that parallelRange and parallelFor cover
// their ranges exactly once at GOMAXPROCS 1 and 2 with 1 to 3 threads,
// that parallelRange splits at multiples of elementGrain, and that a
// panic in f reaches the caller.
func TestParallelRange(t *testing.T) {
	defer asm.SetThreads(asm.Threads())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, threads := range []int{1, 2, 3} {
			asm.SetThreads(threads)
			for _, n := range []int{0, 1, 100, parallelMin - 1, parallelMin, 3*elementGrain + 17, 100003} {
				hit := make([]int, n)
				var mu sync.Mutex
				ranges := 0
				parallelRange(n, func(lo, hi int) {
					if lo%elementGrain != 0 {
						t.Errorf("n=%d: range starts at %d", n, lo)
					}
					for i := lo; i < hi; i++ {
						hit[i]++
					}
					mu.Lock()
					ranges++
					mu.Unlock()
				})
				for i, h := range hit {
					if h != 1 {
						t.Fatalf("procs=%d threads=%d n=%d: index %d covered %d times", procs, threads, n, i, h)
					}
				}
				if n >= parallelMin && n >= 2*elementGrain && procs > 1 && threads > 1 && ranges < 2 {
					t.Errorf("procs=%d threads=%d n=%d: not split", procs, threads, n)
				}
				for _, p := range []int{1, 2, 3} {
					if p > n {
						continue
					}
					items := make([]int, n)
					parallelFor(n, p, func(lo, hi, part int) {
						if lo != n*part/p || hi != n*(part+1)/p {
							t.Errorf("n=%d parts=%d: part %d got [%d, %d)", n, p, part, lo, hi)
						}
						for i := lo; i < hi; i++ {
							items[i]++
						}
					})
					for i, h := range items {
						if h != 1 {
							t.Fatalf("parallelFor n=%d parts=%d: item %d visited %d times", n, p, i, h)
						}
					}
				}
			}
			func() {
				defer func() {
					if r := recover(); r != "boom" {
						t.Errorf("procs=%d threads=%d: recovered %v, want boom", procs, threads, r)
					}
				}()
				parallelFor(4, 2, func(lo, hi, part int) {
					if part == 0 {
						panic("boom")
					}
				})
			}()
		}
	}
}

// TestSplitOpsMatchSerial runs the ops that split their work over
// goroutines with three threads on inputs large enough to split, against
// serial references.
func TestSplitOpsMatchSerial(t *testing.T) {
	defer asm.SetThreads(asm.Threads())
	asm.SetThreads(3)
	rng := tensor.NewRNG(9)
	x := tensor.RandN(rng, 1, 5, 7, 48, 42)
	if parts(5*7, x.Size()) != 3 {
		t.Fatal("input too small to split")
	}
	got := make([]int32, 5*7*24*21)
	want := make([]int32, len(got))
	for _, k := range []int{2, 3} {
		oh, ow := (48-k)/2+1, (42-k)/2+1
		got, want = got[:5*7*oh*ow], want[:5*7*oh*ow]
		maxPoolIndex(got, x.Data(), 5*7, 48, 42, k, 2, oh, ow)
		maxPoolIndexGeneric(want, x.Data(), 0, 5*7, 48, 42, k, 2, oh, ow)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("maxpool %d: index %d = %d, want %d", k, i, got[i], want[i])
			}
		}
	}
	g := tensor.RandN(rng, 1, x.Shape()...)
	fwd, back := make([]float32, x.Size()), make([]float32, x.Size())
	relu := fn{name: "relu"}
	relu.apply(0, fwd, x.Data())
	derivMulInto(relu, 1, back, g.Data(), x.Data())
	for i, v := range x.Data() {
		wf, wb := float32(0), float32(0)
		if v > 0 {
			wf, wb = v, g.Data()[i]
		}
		if fwd[i] != wf || back[i] != wb {
			t.Fatalf("relu at %d (x = %v): %v, %v, want %v, %v", i, v, fwd[i], back[i], wf, wb)
		}
	}
}
