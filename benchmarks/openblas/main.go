//go:build openblas && cgo

package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gograd/gograd/asm"
)

// shape is one product: op(A) m×k times op(B) k×n.
type shape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// mlpShapes are the W1 MLP's products (batch 128, 784-256-256-10):
// forward X·W, backward dX = dY·Wᵀ and dW = Xᵀ·dY.
var mlpShapes = []shape{
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

type sgemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

func main() {
	minTime := flag.Duration("time", 300*time.Millisecond, "minimum measuring time per cell and repetition")
	reps := flag.Int("reps", 3, "repetitions per cell; the best is reported")
	match := flag.String("match", "", "only the shapes whose label matches this regular expression")
	flag.Parse()
	re, err := regexp.Compile(*match)
	if err != nil {
		fmt.Fprintln(os.Stderr, "openblas: -match:", err)
		os.Exit(2)
	}
	if asm.Detected() < asm.AVX512 {
		fmt.Fprintln(os.Stderr, "openblas: warning: this CPU lacks the AVX512 level; its column runs", asm.Detected())
	}
	var shapes []shape
	for _, n := range []int{256, 512, 1024, 2048} {
		shapes = append(shapes, shape{fmt.Sprintf("%d", n), false, false, n, n, n})
	}
	shapes = append(shapes, mlpShapes...)

	core := cblasCore()
	env := os.Getenv("OPENBLAS_CORETYPE")
	if env == "" {
		env = "(unset)"
	}
	fmt.Printf("OPENBLAS_CORETYPE=%s, OpenBLAS core %s, %s, GOMAXPROCS %d; GFLOP/s = 2mnk/t, best of %d;\n"+
		"t is the thread's CPU time at 1 thread, wall time at 2 threads\n\n",
		env, core, runtime.Version(), runtime.GOMAXPROCS(0), *reps)
	fmt.Printf("| shape (m×n×k) | threads | gograd avx512 | gograd avx2 | OpenBLAS %s | avx512/OpenBLAS | avx2/OpenBLAS |\n", core)
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range shapes {
		if !re.MatchString(label(s)) {
			continue
		}
		for _, threads := range []int{1, 2} {
			g512 := measure(s, threads, *minTime, *reps, gograd(asm.AVX512, threads))
			g2 := measure(s, threads, *minTime, *reps, gograd(asm.AVX2, threads))
			cblasSetThreads(threads)
			ob := measure(s, threads, *minTime, *reps, cblasSgemm)
			fmt.Printf("| %s | %d | %.1f | %.1f | %.1f | %.2f | %.2f |\n",
				label(s), threads, g512, g2, ob, g512/ob, g2/ob)
		}
	}
}

var wallStart = time.Now()

// wallSeconds returns the wall time in seconds since start-up.
func wallSeconds() float64 { return time.Since(wallStart).Seconds() }

// threadSeconds returns the CPU time of the calling OS thread in seconds.
func threadSeconds() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return float64(ts.Nano()) / 1e9
}

// label names a shape with its sizes and transposes.
func label(s shape) string {
	if strings.Contains(s.name, "_") {
		return s.name
	}
	return fmt.Sprintf("%d×%d×%d", s.m, s.n, s.k)
}

// gograd returns asm.Sgemm at level l with threads goroutines.
func gograd(l asm.Level, threads int) sgemmFunc {
	return func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		asm.SetLevel(l)
		asm.SetThreads(threads)
		asm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// measure returns the best GFLOP/s of reps timing runs of f on s, each
// repeating f for at least minTime, after checking f against asm.SgemmGeneric.
func measure(s shape, threads int, minTime time.Duration, reps int, f sgemmFunc) float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()*2 - 1
		}
		return x
	}
	lda, ldb := s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	a, b, c := fill(s.m*s.k), fill(s.k*s.n), make([]float32, s.m*s.n)
	f(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n)
	ref := make([]float32, s.m*s.n)
	asm.SgemmGeneric(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, ref, s.n)
	for i := range ref {
		if d := math.Abs(float64(c[i] - ref[i])); d > 1e-3*float64(s.k) {
			fmt.Fprintf(os.Stderr, "openblas: %s: result differs at %d: %v vs %v\n", s.name, i, c[i], ref[i])
			os.Exit(1)
		}
	}
	// One thread runs on this OS thread (OpenBLAS computes in the caller
	// when set to one thread), so its CPU time is measured: it excludes time
	// lost to other processes on a shared machine. More threads need wall
	// time.
	clock := wallSeconds
	if threads == 1 {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		clock = threadSeconds
	}
	var rates []float64
	for r := 0; r < reps; r++ {
		iters := 0
		start := time.Now()
		t0 := clock()
		for time.Since(start) < minTime {
			f(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n)
			iters++
		}
		el := clock() - t0
		rates = append(rates, 2*float64(s.m)*float64(s.n)*float64(s.k)*float64(iters)/el/1e9)
	}
	sort.Float64s(rates)
	return rates[len(rates)-1]
}
