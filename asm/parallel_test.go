package asm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// parallelSettings runs f at every pairing of Threads() in threads and
// GOMAXPROCS in procs, restoring both afterwards.
func parallelSettings(t *testing.T, threads, procs []int, f func(threads, procs int)) {
	t.Helper()
	oldT := Threads()
	oldP := runtime.GOMAXPROCS(0)
	defer func() { SetThreads(oldT); runtime.GOMAXPROCS(oldP) }()
	for _, p := range procs {
		runtime.GOMAXPROCS(p)
		for _, th := range threads {
			SetThreads(th)
			f(th, p)
		}
	}
}

// TestParallelCovers checks that Parallel calls f on ranges that cover
// [0, n) exactly once, as many as it should (min(threads, GOMAXPROCS,
// n/grain), at least one), each of at least grain indices and starting on
// a multiple of grain, at GOMAXPROCS 1 and 2 and several thread counts.
func TestParallelCovers(t *testing.T) {
	ns := []int{0, 1, 2, 3, 5, 7, 63, 64, 65, 127, 128, 129, 1000, 4095, 4096, 4097, 100003}
	grains := []int{1, 2, 3, 64, 1000, 4096}
	parallelSettings(t, []int{1, 2, 3, 4}, []int{1, 2}, func(threads, procs int) {
		for ci, call := range []func(int, int, func(int, int)){Parallel, ParallelCoarse} {
			for _, n := range ns {
				for _, grain := range grains {
					hit := make([]int32, n)
					var mu sync.Mutex
					var ranges [][2]int
					call(n, grain, func(lo, hi int) {
						for i := lo; i < hi; i++ {
							hit[i]++
						}
						mu.Lock()
						ranges = append(ranges, [2]int{lo, hi})
						mu.Unlock()
					})
					name := fmt.Sprintf("coarse=%d threads=%d procs=%d n=%d grain=%d", ci, threads, procs, n, grain)
					for i, h := range hit {
						if h != 1 {
							t.Fatalf("%s: index %d covered %d times", name, i, h)
						}
					}
					want := max(1, min(threads, procs, n/grain))
					if n == 0 {
						want = 0
					}
					if len(ranges) != want {
						t.Fatalf("%s: %d ranges %v, want %d", name, len(ranges), ranges, want)
					}
					for _, r := range ranges {
						if r[0]%grain != 0 || (want > 1 && r[1]-r[0] < grain) {
							t.Fatalf("%s: range %v: not a multiple of the grain or shorter than it", name, r)
						}
					}
				}
			}
		}
	})
}

// TestParallelBoundsLarge checks the split of an n near the int limit,
// where units·i would overflow.
func TestParallelBoundsLarge(t *testing.T) {
	parallelSettings(t, []int{2, 3}, []int{2}, func(threads, procs int) {
		const n = 1<<62 + 12345
		var got atomic.Uint64 // sum of range lengths, in units of 1
		var mu sync.Mutex
		var ranges [][2]int
		Parallel(n, 7, func(lo, hi int) {
			got.Add(uint64(hi - lo))
			mu.Lock()
			ranges = append(ranges, [2]int{lo, hi})
			mu.Unlock()
		})
		slices.SortFunc(ranges, func(a, b [2]int) int { return a[0] - b[0] })
		if got.Load() != n || len(ranges) != min(threads, procs) || ranges[0][0] != 0 || ranges[len(ranges)-1][1] != n {
			t.Fatalf("threads=%d: ranges %v", threads, ranges)
		}
		for i := 1; i < len(ranges); i++ {
			if ranges[i][0] != ranges[i-1][1] || ranges[i][0] < 0 {
				t.Fatalf("threads=%d: ranges %v", threads, ranges)
			}
		}
	})
}

// TestParallelArgs checks the panics on a bad n or grain.
func TestParallelArgs(t *testing.T) {
	for _, c := range [][2]int{{-1, 1}, {5, 0}, {5, -3}} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("Parallel(%d, %d): no panic", c[0], c[1])
				}
			}()
			Parallel(c[0], c[1], func(lo, hi int) {})
		}()
	}
}

// TestParallelConcurrent runs Parallel and parallel products from several
// goroutines at once, more than the workers can take, at GOMAXPROCS 1 and
// 2; each result must be exact (products bit for bit against one thread).
func TestParallelConcurrent(t *testing.T) {
	const m, n, k = 130, 100, 120
	rng := rand.New(rand.NewPCG(7, 8))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = rng.Float32() - 0.5
	}
	for i := range b {
		b[i] = rng.Float32() - 0.5
	}
	want := make([]float32, m*n)
	g := sgemmGeom{m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, c: want, ldc: n}
	sgemmSerial(sgemmParamsFor(active), &g, new(sgemmWork))
	rounds := 30
	if testing.Short() || raceEnabledSgemm {
		rounds = 8
	}
	parallelSettings(t, []int{2, 3}, []int{1, 2}, func(threads, procs int) {
		var wg sync.WaitGroup
		for gi := range 6 {
			wg.Go(func() {
				c := make([]float32, m*n)
				x := make([]float32, 5000+gi)
				for r := range rounds {
					if gi%2 == 0 {
						clear(c)
						Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
						if !slices.Equal(c, want) {
							t.Errorf("threads=%d procs=%d: concurrent product differs", threads, procs)
							return
						}
						continue
					}
					Parallel(len(x), 64*(1+r%3), func(lo, hi int) {
						for i := lo; i < hi; i++ {
							x[i] += float32(i)
						}
					})
					for i, v := range x {
						if v != float32(i)*float32(r+1) {
							t.Errorf("threads=%d procs=%d: x[%d] = %v after %d rounds", threads, procs, i, v, r+1)
							return
						}
					}
				}
			})
		}
		wg.Wait()
	})
}

// TestParallelNested runs Parallel and Sgemm inside Parallel's f.
func TestParallelNested(t *testing.T) {
	const m, n, k = 100, 100, 100
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i], b[i] = float32(i%7)-3, float32(i%5)-2
	}
	want := make([]float32, m*n)
	g := sgemmGeom{m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, c: want, ldc: n}
	sgemmSerial(sgemmParamsFor(active), &g, new(sgemmWork))
	parallelSettings(t, []int{2, 4}, []int{2}, func(threads, procs int) {
		const outer = 4
		cs := make([][]float32, outer)
		counts := make([][]int32, outer)
		Parallel(outer, 1, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				cs[o] = make([]float32, m*n)
				Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, cs[o], n)
				counts[o] = make([]int32, 300)
				Parallel(300, 10, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						counts[o][i]++
					}
				})
			}
		})
		for o := range outer {
			if !slices.Equal(cs[o], want) {
				t.Errorf("threads=%d: nested product %d differs", threads, o)
			}
			for i, c := range counts[o] {
				if c != 1 {
					t.Fatalf("threads=%d: nested range %d: index %d covered %d times", threads, o, i, c)
				}
			}
		}
	})
}

// TestParallelPanic panics in f in one range or in all, and checks that
// Parallel panics on the caller with f's value after the other ranges are
// done, and that the workers serve later calls.
func TestParallelPanic(t *testing.T) {
	type boom struct{ lo int }
	parallelSettings(t, []int{2, 3}, []int{1, 2}, func(threads, procs int) {
		const n = 3000
		for _, which := range []string{"first", "last", "all"} {
			for iter := range 20 {
				call := Parallel
				if iter%2 == 1 {
					call = ParallelCoarse // wakes the worker: the first range runs there
				}
				var running atomic.Int32
				got := func() (r any) {
					defer func() { r = recover() }()
					call(n, 10, func(lo, hi int) {
						running.Add(1)
						defer running.Add(-1)
						if which == "all" || (which == "first" && lo == 0) || (which == "last" && hi == n) {
							panic(boom{lo})
						}
					})
					return nil
				}()
				if running.Load() != 0 {
					t.Fatalf("threads=%d procs=%d %s: Parallel returned with f still running", threads, procs, which)
				}
				b, ok := got.(boom)
				if !ok {
					t.Fatalf("threads=%d procs=%d %s: recovered %v, want a boom", threads, procs, which, got)
				}
				if which == "first" && b.lo != 0 {
					t.Fatalf("threads=%d procs=%d: recovered %v, want boom{0}", threads, procs, b)
				}
			}
		}
		hit := make([]int32, 5000)
		Parallel(len(hit), 64, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				hit[i]++
			}
		})
		for i, h := range hit {
			if h != 1 {
				t.Fatalf("threads=%d procs=%d: after panics, index %d covered %d times", threads, procs, i, h)
			}
		}
	})
}

// TestParallelGoexit calls runtime.Goexit in the first range of
// ParallelCoarse (which wakes a blocked worker), which runs
// on a worker (Parallel then panics with workerGoexit) or, taken back, on
// the calling goroutine (which then exits); the workers must serve later
// calls either way.
func TestParallelGoexit(t *testing.T) {
	parallelSettings(t, []int{2}, []int{2}, func(threads, procs int) {
		for range 20 {
			res := make(chan any, 1)
			go func() {
				exited := true
				defer func() {
					r := recover()
					if exited && r == nil {
						r = "caller exited"
					}
					res <- r
				}()
				ParallelCoarse(1000, 100, func(lo, hi int) {
					if lo == 0 {
						runtime.Goexit()
					}
				})
				exited = false
			}()
			if r := <-res; r != workerGoexit && r != "caller exited" {
				t.Fatalf("Goexit in f: got %v", r)
			}
		}
		var ran atomic.Int32
		Parallel(1000, 100, func(lo, hi int) { ran.Add(int32(hi - lo)) })
		if ran.Load() != 1000 {
			t.Fatalf("after Goexit: %d indices covered, want 1000", ran.Load())
		}
	})
}

// TestParallelAllocs checks that a steady-state Parallel call allocates
// nothing (sync.Pool drops items under -race, so it is skipped there).
func TestParallelAllocs(t *testing.T) {
	if raceEnabledSgemm {
		t.Skip("sync.Pool drops items under -race")
	}
	x := make([]float32, 1<<14)
	f := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i]++
		}
	}
	parallelSettings(t, []int{2}, []int{2}, func(threads, procs int) {
		Parallel(len(x), 256, f)
		if a := testing.AllocsPerRun(200, func() { Parallel(len(x), 256, f) }); a != 0 {
			t.Errorf("Parallel allocates %v times per call", a)
		}
	})
}

// BenchmarkParallel times an elementwise kernel (ReluForwardTo) over n
// floats on the caller alone (serial) and through Parallel and
// ParallelCoarse with a grain of 1024 floats (about 0.1 µs of this kernel
// in cache), each call after a two-thread product of W1 (128×256×256, not
// timed) as in a training step, where the workers poll when the call
// comes; it reports how often the caller took its range back from the
// worker. Run with -cpu 2.
func BenchmarkParallel(b *testing.B) {
	defer SetThreads(Threads())
	SetThreads(2)
	s := sgemmMLPShapes[1]
	a, lda, bb, ldb, c := sgemmBenchData(s)
	product := func() { Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n) }
	for _, n := range []int{4096, 8192, 16384, 32768, 100352, 262144, 1 << 20} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		dst := make([]float32, n)
		f := func(lo, hi int) { ReluForwardTo(dst[lo:hi], x[lo:hi]) }
		for _, impl := range []struct {
			name string
			run  func()
		}{
			{"serial", func() { f(0, n) }},
			{"parallel", func() { Parallel(n, 1024, f) }},
			{"coarse", func() { ParallelCoarse(n, 1024, f) }},
		} {
			b.Run(fmt.Sprintf("n=%d/%s", n, impl.name), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				before := workerTakenBack.Load()
				for b.Loop() {
					b.StopTimer()
					product()
					b.StartTimer()
					impl.run()
				}
				b.ReportMetric(float64(workerTakenBack.Load()-before)/float64(b.N), "takebacks/op")
			})
		}
	}
}
