package asm

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in single precision, with
// every matrix stored row-major as in CBLAS (CblasRowMajor):
//
//   - op(A) is m×k: A itself (m×k, row stride lda ≥ max(1, k)) when transA is
//     false, or the transpose of A (k×m, lda ≥ max(1, m)) when it is true;
//   - op(B) is k×n: B (k×n, ldb ≥ max(1, n)) or the transpose of B (n×k,
//     ldb ≥ max(1, k));
//   - C is m×n with ldc ≥ max(1, n).
//
// A slice holding r rows of w columns with stride ld must have at least
// (r-1)·ld + w elements (none when r or w is 0). Elements between rows are
// neither read nor written. C must not overlap A or B.
//
// When beta is 0, C is only written, never read, so NaN or Inf already in C
// does not propagate. When alpha is 0 or k is 0, A and B are not read and
// C = beta·C. Zero m or n does nothing.
//
// Sgemm runs the kernel of the active CPU level (Active) and splits large
// products over Threads() goroutines. It panics with a message starting with
// "asm: sgemm:" on a negative dimension, a too small leading dimension or a
// too short slice.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmCheck(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		sgemmScale(m, n, beta, c, ldc)
		return
	}
	p := sgemmParamsFor(active)
	g := sgemmGeom{transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	t := int(sgemmThreads.Load())
	if m*n*k < sgemmParallelMin {
		t = 1
	}
	sgemmRun(p, &g, t)
}

// sgemmRun computes g with the micro-kernel and blocks of p on up to t
// goroutines; t ≤ 1 stays on the calling goroutine. g needs m, n, k ≥ 1.
func sgemmRun(p *sgemmParams, g *sgemmGeom, t int) {
	if t > 1 {
		sgemmParallel(p, g, t)
		return
	}
	w := sgemmWorkPool.Get().(*sgemmWork)
	sgemmSerial(p, g, w)
	sgemmWorkPool.Put(w)
}

// sgemmParallelMin is the smallest m·n·k that Sgemm splits over goroutines;
// below it the start-up of a goroutine costs more than it saves.
const sgemmParallelMin = 96 * 96 * 96

// sgemmThreads holds the goroutine count set by SetThreads.
var sgemmThreads atomic.Int32

func init() { sgemmThreads.Store(int32(runtime.GOMAXPROCS(0))) }

// SetThreads sets how many goroutines Sgemm may use for one large product;
// n < 1 restores the default, runtime.GOMAXPROCS(0) read at the call. With
// one thread, Sgemm runs on the calling goroutine only. It is safe to call
// concurrently with Sgemm; running calls keep their count.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	sgemmThreads.Store(int32(n))
}

// Threads reports the goroutine count Sgemm may use (see SetThreads).
func Threads() int { return int(sgemmThreads.Load()) }

// sgemmCheck panics unless the arguments describe valid matrices.
func sgemmCheck(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("asm: sgemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	sgemmCheckMatrix("a", a, ar, ac, lda, transA)
	sgemmCheckMatrix("b", b, br, bc, ldb, transB)
	sgemmCheckMatrix("c", c, m, n, ldc, false)
}

// sgemmCheckMatrix panics unless s can hold rows×cols with row stride ld.
func sgemmCheckMatrix(name string, s []float32, rows, cols, ld int, trans bool) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("asm: sgemm: ld%s=%d < max(1, %d) for %d×%d %s (trans=%t)",
			name, ld, cols, rows, cols, name, trans))
	}
	if rows == 0 || cols == 0 {
		return
	}
	// rows-1 ≤ len(s)/ld keeps (rows-1)*ld from overflowing.
	if rows-1 > len(s)/ld || (rows-1)*ld+cols > len(s) {
		panic(fmt.Sprintf("asm: sgemm: len(%s)=%d < (%d-1)*%d+%d for %d×%d %s with ld%s=%d",
			name, len(s), rows, ld, cols, rows, cols, name, name, ld))
	}
}

// sgemmScale sets C = beta·C, writing zeros without reading C when beta is 0.
func sgemmScale(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// sgemmMicro is a micro-kernel: it computes one full mr×nr tile
//
//	C[i*ldc+j] = alpha·Σ_p a[p*mr+i]·b[p*nr+j] + beta·C[i*ldc+j]
//
// for i < mr, j < nr, p < k, where a is an A panel packed by sgemmPackA
// (mr values per p) and b a B panel packed by sgemmPackB (nr values per p).
// With beta == 0 it never reads C. It needs k ≥ 1 and trusts its
// arguments: a has k·mr elements, b k·nr, and c (mr-1)·ldc+nr.
type sgemmMicro func(k int, a, b, c []float32, ldc int, alpha, beta float32)

// sgemmParams is one level's micro-kernel with its tile and cache blocks:
// kc is the depth of a packed panel, mc the rows of a packed A block (a
// multiple of mr) and nc the columns of a packed B block (a multiple of nr).
type sgemmParams struct {
	mr, nr     int
	kc, mc, nc int
	kernel     sgemmMicro
}

// sgemmGeom is one Sgemm call's arguments.
type sgemmGeom struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

// sgemmWork is one goroutine's packing buffers and edge tile, reused
// through sgemmWorkPool so that steady-state calls do not allocate.
type sgemmWork struct {
	pa, pb, tile []float32
}

var sgemmWorkPool = sync.Pool{New: func() any { return new(sgemmWork) }}

// sgemmGrow returns s resized to n elements, reallocating only to grow.
func sgemmGrow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// sgemmSerial runs the BLIS loop nest of g on the calling goroutine.
func sgemmSerial(p *sgemmParams, g *sgemmGeom, w *sgemmWork) {
	mr, nr := p.mr, p.nr
	kcMax := min(p.kc, g.k)
	ncMax := min(p.nc, sgemmRoundUp(g.n, nr))
	mcMax := min(p.mc, sgemmRoundUp(g.m, mr))
	w.pa = sgemmGrow(w.pa, mcMax*kcMax)
	w.pb = sgemmGrow(w.pb, ncMax*kcMax)
	w.tile = sgemmGrow(w.tile, mr*nr)

	// Loop 5: n by nc columns of C and op(B).
	for jc := 0; jc < g.n; jc += p.nc {
		nb := min(p.nc, g.n-jc)
		// Loop 4: k by kc; the user's beta applies to the first block only.
		for pc := 0; pc < g.k; pc += p.kc {
			kb := min(p.kc, g.k-pc)
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			sgemmPackB(w.pb, g.b, g.ldb, g.transB, pc, jc, kb, nb, nr)
			// Loop 3: m by mc rows of C and op(A).
			for ic := 0; ic < g.m; ic += p.mc {
				mb := min(p.mc, g.m-ic)
				sgemmPackA(w.pa, g.a, g.lda, g.transA, ic, pc, mb, kb, mr)
				sgemmMacro(p, w, g.c[ic*g.ldc+jc:], g.ldc, mb, nb, kb, g.alpha, beta)
			}
		}
	}
}

// sgemmMacro multiplies the packed mb×kb block of A by the packed kb×nb
// block of B into C (c[0] is the block's top left element): loops 2 and 1
// over nr-column and mr-row panels, one micro-kernel call per tile. Full
// tiles go straight to C; edge tiles are computed into w.tile with beta 0
// and merged, so the micro-kernel never touches C outside the block.
func sgemmMacro(p *sgemmParams, w *sgemmWork, c []float32, ldc, mb, nb, kb int, alpha, beta float32) {
	mr, nr := p.mr, p.nr
	kern := p.kernel
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		bp := w.pb[jr*kb : jr*kb+nr*kb]
		for ir := 0; ir < mb; ir += mr {
			rows := min(mr, mb-ir)
			ap := w.pa[ir*kb : ir*kb+mr*kb]
			ct := c[ir*ldc+jr:]
			if rows == mr && cols == nr {
				kern(kb, ap, bp, ct, ldc, alpha, beta)
				continue
			}
			kern(kb, ap, bp, w.tile, nr, alpha, 0)
			sgemmMerge(w.tile, nr, ct, ldc, rows, cols, beta)
		}
	}
}

// sgemmMerge sets C = T + beta·C over rows×cols, not reading C if beta is 0.
func sgemmMerge(t []float32, ldt int, c []float32, ldc, rows, cols int, beta float32) {
	for i := 0; i < rows; i++ {
		ti := t[i*ldt : i*ldt+cols]
		ci := c[i*ldc : i*ldc+cols]
		if beta == 0 {
			copy(ci, ti)
			continue
		}
		for j, v := range ti {
			ci[j] = v + beta*ci[j]
		}
	}
}

// sgemmPackA packs rows i0..i0+mb and columns p0..p0+kb of op(A) into dst
// as ⌈mb/mr⌉ panels of kb·mr values: panel r holds, for each p, the mr
// values op(A)[i0+r·mr+i][p0+p], with rows past mb set to zero.
func sgemmPackA(dst, a []float32, lda int, trans bool, i0, p0, mb, kb, mr int) {
	for ir := 0; ir < mb; ir += mr {
		rows := min(mr, mb-ir)
		panel := dst[ir*kb : ir*kb+mr*kb]
		if trans {
			// op(A)[i][p] = A[p][i]: each p reads a contiguous run of A.
			for p := 0; p < kb; p++ {
				src := a[(p0+p)*lda+i0+ir:]
				d := panel[p*mr : p*mr+mr]
				copy(d, src[:rows])
				clear(d[rows:])
			}
			continue
		}
		// op(A)[i][p] = A[i][p]: each row of A scatters with stride mr.
		for i := 0; i < rows; i++ {
			src := a[(i0+ir+i)*lda+p0 : (i0+ir+i)*lda+p0+kb]
			for p, v := range src {
				panel[p*mr+i] = v
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kb; p++ {
				panel[p*mr+i] = 0
			}
		}
	}
}

// sgemmPackB packs rows p0..p0+kb and columns j0..j0+nb of op(B) into dst
// as ⌈nb/nr⌉ panels of kb·nr values: panel r holds, for each p, the nr
// values op(B)[p0+p][j0+r·nr+j], with columns past nb set to zero.
func sgemmPackB(dst, b []float32, ldb int, trans bool, p0, j0, kb, nb, nr int) {
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		panel := dst[jr*kb : jr*kb+nr*kb]
		if !trans {
			// op(B)[p][j] = B[p][j]: each p copies a contiguous run of B.
			for p := 0; p < kb; p++ {
				src := b[(p0+p)*ldb+j0+jr:]
				d := panel[p*nr : p*nr+nr]
				copy(d, src[:cols])
				clear(d[cols:])
			}
			continue
		}
		// op(B)[p][j] = B[j][p]: each row of B scatters with stride nr.
		for j := 0; j < cols; j++ {
			src := b[(j0+jr+j)*ldb+p0 : (j0+jr+j)*ldb+p0+kb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kb; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
}

func sgemmRoundUp(x, m int) int { return (x + m - 1) / m * m }

// sgemmParallel splits g into t parts along its longer side, in whole
// tiles, and runs them on t goroutines (t-1 new ones plus the caller).
func sgemmParallel(p *sgemmParams, g *sgemmGeom, t int) {
	byRows := g.m/p.mr >= g.n/p.nr
	unit, total := p.nr, g.n
	if byRows {
		unit, total = p.mr, g.m
	}
	tiles := (total + unit - 1) / unit
	t = min(t, tiles)
	if t <= 1 {
		w := sgemmWorkPool.Get().(*sgemmWork)
		sgemmSerial(p, g, w)
		sgemmWorkPool.Put(w)
		return
	}
	var wg sync.WaitGroup
	start := 0
	for i := 0; i < t; i++ {
		end := min(total, (tiles*(i+1)/t)*unit)
		part := sgemmSplit(g, byRows, start, end)
		start = end
		if i == t-1 {
			w := sgemmWorkPool.Get().(*sgemmWork)
			sgemmSerial(p, &part, w)
			sgemmWorkPool.Put(w)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := sgemmWorkPool.Get().(*sgemmWork)
			sgemmSerial(p, &part, w)
			sgemmWorkPool.Put(w)
		}()
	}
	wg.Wait()
}

// sgemmSplit returns the part of g computing rows (byRows) or columns
// start..end of C.
func sgemmSplit(g *sgemmGeom, byRows bool, start, end int) sgemmGeom {
	part := *g
	if byRows {
		part.m = end - start
		part.c = g.c[start*g.ldc:]
		if g.transA {
			part.a = g.a[start:]
		} else {
			part.a = g.a[start*g.lda:]
		}
		return part
	}
	part.n = end - start
	part.c = g.c[start:]
	if g.transB {
		part.b = g.b[start*g.ldb:]
	} else {
		part.b = g.b[start:]
	}
	return part
}
