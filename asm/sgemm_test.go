package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// sgemmGuard is the number of NaN elements kept before and after each
// matrix slice to catch stray reads and writes.
const sgemmGuard = 37

// sgemmCase is one Sgemm call: shapes, extra leading-dimension padding and
// scalars.
type sgemmCase struct {
	transA, transB bool
	m, n, k        int
	padA, padB     int // lda, ldb exceed the row width by these
	padC           int
	alpha, beta    float32
}

func (tc sgemmCase) String() string {
	return fmt.Sprintf("tA=%t tB=%t m=%d n=%d k=%d pad=%d,%d,%d alpha=%g beta=%g",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.padA, tc.padB, tc.padC, tc.alpha, tc.beta)
}

// sgemmMatrix is a row-major matrix inside a NaN-filled slice: guard bands
// before and after, and NaN in the gap between rows when ld > cols.
type sgemmMatrix struct {
	buf              []float32 // whole allocation
	rows, cols, ld   int
	data             []float32 // buf[sgemmGuard:], what Sgemm gets
	orig             []float32 // copy of buf before the call
	matrixHasNaNData bool
}

func sgemmNewMatrix(rng *rand.Rand, rows, cols, ld int, nanData bool) *sgemmMatrix {
	size := 0
	if rows > 0 && cols > 0 {
		size = (rows-1)*ld + cols
	}
	buf := make([]float32, sgemmGuard+size+sgemmGuard)
	for i := range buf {
		buf[i] = float32(math.NaN())
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			v := float32(math.NaN())
			if !nanData {
				// Values in [-1, 1) with a few exact small integers mixed in.
				v = float32(rng.IntN(2001)-1000) / 1000
			}
			buf[sgemmGuard+i*ld+j] = v
		}
	}
	mat := &sgemmMatrix{buf: buf, rows: rows, cols: cols, ld: ld,
		data: buf[sgemmGuard : sgemmGuard+size], matrixHasNaNData: nanData}
	mat.orig = append([]float32(nil), buf...)
	return mat
}

func (mat *sgemmMatrix) at(i, j int) float32 { return mat.data[i*mat.ld+j] }

// inside reports whether buf index x is an element of the matrix.
func (mat *sgemmMatrix) inside(x int) bool {
	x -= sgemmGuard
	if x < 0 || mat.rows == 0 || mat.cols == 0 || x >= (mat.rows-1)*mat.ld+mat.cols {
		return false
	}
	return x%mat.ld < mat.cols
}

// sgemmSameBits reports whether x and y hold the same bits.
func sgemmSameBits(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }

// sgemmRef64 computes the expected C in float64 with an error bound per
// element: (k+2)·eps32·(|alpha|·Σ_p|a_ip·b_pj| + |beta·c_ij|), which holds
// for any summation order and with or without FMA (γ_{k+2} with unit
// roundoff eps32/2, doubled for margin).
func sgemmRef64(tc sgemmCase, a, b, c *sgemmMatrix) (want, tol []float64) {
	want = make([]float64, tc.m*tc.n)
	tol = make([]float64, tc.m*tc.n)
	const eps32 = 1.0 / (1 << 23)
	opA := func(i, p int) float64 {
		if tc.transA {
			return float64(a.at(p, i))
		}
		return float64(a.at(i, p))
	}
	opB := func(p, j int) float64 {
		if tc.transB {
			return float64(b.at(j, p))
		}
		return float64(b.at(p, j))
	}
	alpha, beta := float64(tc.alpha), float64(tc.beta)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s, sabs float64
			if alpha != 0 {
				for p := 0; p < tc.k; p++ {
					x := opA(i, p) * opB(p, j)
					s += x
					sabs += math.Abs(x)
				}
			}
			var cv float64
			if beta != 0 {
				cv = beta * float64(c.at(i, j))
			}
			want[i*tc.n+j] = alpha*s + cv
			tol[i*tc.n+j] = float64(tc.k+2) * eps32 * (math.Abs(alpha)*sabs + math.Abs(cv))
		}
	}
	return want, tol
}

// sgemmCheckCase runs tc through call and checks C against the float64
// reference, the guard bands and gaps of C, and that A and B are unchanged.
func sgemmCheckCase(t *testing.T, rng *rand.Rand, tc sgemmCase, call func(tc sgemmCase, a, b, c *sgemmMatrix)) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	a := sgemmNewMatrix(rng, ar, ac, max(1, ac)+tc.padA, false)
	b := sgemmNewMatrix(rng, br, bc, max(1, bc)+tc.padB, false)
	c := sgemmNewMatrix(rng, tc.m, tc.n, max(1, tc.n)+tc.padC, tc.beta == 0)
	want, tol := sgemmRef64(tc, a, b, c)
	call(tc, a, b, c)
	for _, mat := range []*sgemmMatrix{a, b} {
		for x := range mat.buf {
			if !sgemmSameBits(mat.buf[x], mat.orig[x]) {
				t.Fatalf("%v: read-only input changed at buf[%d]: %v -> %v", tc, x, mat.orig[x], mat.buf[x])
			}
		}
	}
	for x := range c.buf {
		if !c.inside(x) && !sgemmSameBits(c.buf[x], c.orig[x]) {
			t.Fatalf("%v: C outside the matrix written at buf[%d] (data index %d): %v",
				tc, x, x-sgemmGuard, c.buf[x])
		}
	}
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			got := float64(c.at(i, j))
			w := want[i*tc.n+j]
			if !(math.Abs(got-w) <= tol[i*tc.n+j]) {
				t.Fatalf("%v: C[%d][%d] = %v, want %v ± %v", tc, i, j, got, w, tol[i*tc.n+j])
			}
		}
	}
}

// sgemmCallAt returns a call running Sgemm at level l with t threads.
func sgemmCallAt(t *testing.T, l Level, threads int) func(tc sgemmCase, a, b, c *sgemmMatrix) {
	return func(tc sgemmCase, a, b, c *sgemmMatrix) {
		old, oldT := Active(), Threads()
		defer func() { SetLevel(old); SetThreads(oldT) }()
		if got := SetLevel(l); got != l {
			t.Fatalf("SetLevel(%v) = %v", l, got)
		}
		SetThreads(threads)
		Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data, a.ld, b.data, b.ld, tc.beta, c.data, c.ld)
	}
}

// sgemmCallParams returns a call running the loop nest with params p on t
// goroutines, bypassing the size threshold for threads; with swap it
// computes Cᵀ = op(B)ᵀ·op(A)ᵀ whatever the shape.
func sgemmCallParams(p *sgemmParams, threads int, swap bool) func(tc sgemmCase, a, b, c *sgemmMatrix) {
	return func(tc sgemmCase, a, b, c *sgemmMatrix) {
		sgemmCheck(tc.transA, tc.transB, tc.m, tc.n, tc.k, a.data, a.ld, b.data, b.ld, c.data, c.ld)
		if tc.m == 0 || tc.n == 0 {
			return
		}
		if tc.k == 0 || tc.alpha == 0 {
			sgemmScale(tc.m, tc.n, tc.beta, c.data, c.ld)
			return
		}
		g := sgemmGeom{transA: tc.transA, transB: tc.transB, m: tc.m, n: tc.n, k: tc.k,
			alpha: tc.alpha, a: a.data, lda: a.ld, b: b.data, ldb: b.ld, beta: tc.beta, c: c.data, ldc: c.ld}
		if swap {
			g = g.swapped()
		}
		sgemmRun(p, &g, threads)
	}
}

var sgemmScalars = []float32{0, 1, -0.5, 2}

// TestSgemmSmall covers every m, n, k in 0..20, all transpose pairs, at
// every supported level, with alpha and beta cycling through 0, 1, -0.5, 2
// and leading dimensions alternately tight and padded.
func TestSgemmSmall(t *testing.T) {
	for _, l := range Supported() {
		t.Run(l.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(l)))
			call := sgemmCallAt(t, l, 1)
			idx := 0
			for tr := 0; tr < 4; tr++ {
				for m := 0; m <= 20; m++ {
					for n := 0; n <= 20; n++ {
						for k := 0; k <= 20; k++ {
							if raceEnabledSgemm && (m+n+k)%3 != 0 {
								continue // a third of the shapes under -race
							}
							idx++
							tc := sgemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: m, n: n, k: k,
								padA: idx % 3, padB: (idx / 3) % 3, padC: (idx / 9) % 3,
								alpha: sgemmScalars[idx%4], beta: sgemmScalars[(idx/4)%4]}
							sgemmCheckCase(t, rng, tc, call)
						}
					}
				}
			}
		})
	}
}

// sgemmLargeCases crosses tile and cache-block edges of every level.
func sgemmLargeCases() []sgemmCase {
	shapes := [][3]int{
		{67, 129, 257}, {129, 67, 515}, {257, 31, 67}, {33, 257, 129},
		{515, 48, 33}, {12, 515, 300}, {128, 256, 10}, {1, 300, 600}, {300, 1, 600},
		{128, 10, 256}, {256, 10, 128},
	}
	var cases []sgemmCase
	for i, s := range shapes {
		for tr := 0; tr < 4; tr++ {
			cases = append(cases, sgemmCase{transA: tr&1 != 0, transB: tr&2 != 0,
				m: s[0], n: s[1], k: s[2], padA: (i + tr) % 2 * 3, padB: i % 3, padC: tr % 3,
				alpha: sgemmScalars[(i+tr)%4], beta: sgemmScalars[(i+2*tr+1)%4]})
		}
	}
	return cases
}

// TestSgemmLarge runs odd shapes past the tile and cache blocks, with one
// and two threads, at every supported level. Under -race or -short each
// case runs with one of the thread counts only.
func TestSgemmLarge(t *testing.T) {
	cases := sgemmLargeCases()
	for _, l := range Supported() {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%v/threads=%d", l, threads), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(2, uint64(l)))
				call := sgemmCallAt(t, l, threads)
				for i, tc := range cases {
					if (raceEnabledSgemm || testing.Short()) && i%2 != threads-1 {
						continue
					}
					// Every other pair of cases packs all panels.
					sgemmWithDirectMax(i/2%2*sgemmDirectMax, func() {
						sgemmCheckCase(t, rng, tc, call)
					})
				}
			})
		}
	}
}

// sgemmWithDirectMax runs f with sgemmDirectMax set to max (0: always pack).
func sgemmWithDirectMax(max int, f func()) {
	old := sgemmDirectMax
	defer func() { sgemmDirectMax = old }()
	sgemmDirectMax = max
	f()
}

// TestSgemmBlocking shrinks every level's cache blocks so that small
// products cross kc, mc and nc edges, forces one to three threads, runs
// both C and the swapped Cᵀ = op(B)ᵀ·op(A)ᵀ, and alternates between
// reading op(A), op(B) in place where possible and packing everything.
func TestSgemmBlocking(t *testing.T) {
	for _, l := range Supported() {
		p := *sgemmParamsFor(l)
		p.kc, p.mc, p.nc = 7, 2*p.mr, 2*p.nr
		for _, threads := range []int{1, 2, 3} {
			for _, swap := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/threads=%d/swap=%t", l, threads, swap), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(3, uint64(l)))
					call := sgemmCallParams(&p, threads, swap)
					idx := 0
					for tr := 0; tr < 4; tr++ {
						for _, m := range []int{1, p.mr, 2*p.mr + 1, 5*p.mr - 1} {
							for _, n := range []int{1, p.nr, 2*p.nr + 3, 5*p.nr - 1} {
								for _, k := range []int{1, 7, 8, 22} {
									idx++
									tc := sgemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: m, n: n, k: k,
										padA: idx % 2, padB: idx % 3, padC: idx % 4,
										alpha: sgemmScalars[idx%4], beta: sgemmScalars[(idx/4)%4]}
									sgemmWithDirectMax(idx%2*sgemmDirectMax, func() {
										sgemmCheckCase(t, rng, tc, call)
									})
								}
							}
						}
					}
				})
			}
		}
	}
}

// TestSgemmGeneric checks the exported reference like Sgemm.
func TestSgemmGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	call := func(tc sgemmCase, a, b, c *sgemmMatrix) {
		SgemmGeneric(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data, a.ld, b.data, b.ld, tc.beta, c.data, c.ld)
	}
	idx := 0
	for tr := 0; tr < 4; tr++ {
		for _, m := range []int{0, 1, 5, 17} {
			for _, n := range []int{0, 1, 6, 33} {
				for _, k := range []int{0, 1, 9, 40} {
					idx++
					tc := sgemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: m, n: n, k: k,
						padA: idx % 2, padB: idx % 3, padC: idx % 4,
						alpha: sgemmScalars[idx%4], beta: sgemmScalars[(idx/4)%4]}
					sgemmCheckCase(t, rng, tc, call)
				}
			}
		}
	}
}

// TestSgemmNaNAlphaZero checks that alpha = 0 does not read A or B.
func TestSgemmNaNAlphaZero(t *testing.T) {
	nan := float32(math.NaN())
	a := []float32{nan, nan, nan, nan}
	b := []float32{nan, nan, nan, nan}
	for _, l := range Supported() {
		c := []float32{1, 2, 3, 4}
		old := Active()
		SetLevel(l)
		Sgemm(false, false, 2, 2, 2, 0, a, 2, b, 2, 2, c, 2)
		SetLevel(old)
		for i, want := range []float32{2, 4, 6, 8} {
			if c[i] != want {
				t.Errorf("%v: alpha=0: c[%d] = %v, want %v", l, i, c[i], want)
			}
		}
	}
}

// TestSgemmPanics checks the argument validation messages.
func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	tests := []struct {
		name           string
		transA, transB bool
		m, n, k        int
		a              []float32
		lda            int
		b              []float32
		ldb            int
		c              []float32
		ldc            int
		want           string
	}{
		{"negative m", false, false, -1, 2, 2, s, 2, s, 2, s, 2, "negative dimension m=-1 n=2 k=2"},
		{"negative n", false, false, 2, -3, 2, s, 2, s, 2, s, 2, "negative dimension m=2 n=-3 k=2"},
		{"negative k", false, false, 2, 2, -4, s, 2, s, 2, s, 2, "negative dimension m=2 n=2 k=-4"},
		{"lda", false, false, 3, 4, 5, s, 4, s, 4, s, 4, "lda=4 < max(1, 5)"},
		{"lda trans", true, false, 3, 4, 5, s, 2, s, 4, s, 4, "lda=2 < max(1, 3)"},
		{"ldb", false, false, 3, 4, 5, s, 5, s, 3, s, 4, "ldb=3 < max(1, 4)"},
		{"ldb trans", false, true, 3, 4, 5, s, 5, s, 4, s, 4, "ldb=4 < max(1, 5)"},
		{"ldc", false, false, 3, 4, 5, s, 5, s, 4, s, 3, "ldc=3 < max(1, 4)"},
		{"ld zero", false, false, 0, 0, 0, nil, 0, nil, 1, nil, 1, "lda=0 < max(1, 0)"},
		{"short a", false, false, 3, 4, 5, s[:14], 5, s, 4, s, 4, "len(a)=14 < (3-1)*5+5"},
		{"short b trans", false, true, 3, 4, 5, s, 5, s[:19], 6, s, 4, "len(b)=19 < (4-1)*6+5"},
		{"short c", false, false, 3, 4, 5, s, 5, s, 4, s[:11], 4, "len(c)=11 < (3-1)*4+4"},
		{"huge ld", false, false, 3, 4, 5, s, math.MaxInt, s, 4, s, 4, "len(a)=100 <"},
	}
	for _, tt := range tests {
		for _, f := range []struct {
			name string
			fn   func(bool, bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int)
		}{{"Sgemm", Sgemm}, {"SgemmGeneric", SgemmGeneric}} {
			func() {
				defer func() {
					r := recover()
					msg, _ := r.(string)
					if !strings.HasPrefix(msg, "asm: sgemm: ") || !strings.Contains(msg, tt.want) {
						t.Errorf("%s %s: panic %q, want one containing %q", f.name, tt.name, r, tt.want)
					}
				}()
				f.fn(tt.transA, tt.transB, tt.m, tt.n, tt.k, 1, tt.a, tt.lda, tt.b, tt.ldb, 0, tt.c, tt.ldc)
			}()
		}
	}
	// Empty products with valid leading dimensions are fine.
	Sgemm(false, false, 0, 5, 3, 1, nil, 3, s, 5, 0, nil, 5)
	Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, s, 2)
}

// TestSgemmAllocs checks that steady-state calls do not allocate.
func TestSgemmAllocs(t *testing.T) {
	if raceEnabledSgemm {
		t.Skip("sync.Pool drops items at random under -race")
	}
	old := Threads()
	defer SetThreads(old)
	for _, threads := range []int{1, 2} {
		SetThreads(threads)
		for _, n := range []int{8, 64, 300} {
			a := make([]float32, n*n)
			b := make([]float32, n*n)
			c := make([]float32, n*n)
			for range 3 {
				Sgemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n)
			}
			allocs := testing.AllocsPerRun(10, func() {
				Sgemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n)
			})
			if allocs != 0 {
				t.Errorf("threads=%d n=%d: %v allocations per call, want 0", threads, n, allocs)
			}
		}
	}
}

// FuzzSgemm compares Sgemm at every supported level with the float64
// reference on fuzzed shapes, strides, scalars and data.
func FuzzSgemm(f *testing.F) {
	f.Add(false, false, uint8(5), uint8(7), uint8(9), uint8(0), uint8(1), uint8(2), float32(1), float32(0), uint64(1), uint8(1))
	f.Add(true, true, uint8(33), uint8(40), uint8(3), uint8(2), uint8(0), uint8(1), float32(-0.5), float32(2), uint64(7), uint8(2))
	f.Add(true, false, uint8(13), uint8(70), uint8(30), uint8(1), uint8(1), uint8(0), float32(2), float32(1), uint64(3), uint8(1))
	f.Fuzz(func(t *testing.T, transA, transB bool, m, n, k, padA, padB, padC uint8, alpha, beta float32, seed uint64, threads uint8) {
		if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) || math.Abs(float64(alpha)) > 1e6 ||
			math.IsNaN(float64(beta)) || math.IsInf(float64(beta), 0) || math.Abs(float64(beta)) > 1e6 {
			t.Skip("scalars out of range")
		}
		tc := sgemmCase{transA: transA, transB: transB, m: int(m % 80), n: int(n % 80), k: int(k),
			padA: int(padA % 8), padB: int(padB % 8), padC: int(padC % 8), alpha: alpha, beta: beta}
		for _, l := range Supported() {
			rng := rand.New(rand.NewPCG(seed, uint64(l)))
			sgemmCheckCase(t, rng, tc, sgemmCallParams(sgemmParamsFor(l), int(threads%3)+1, seed%2 == 1))
		}
	})
}
