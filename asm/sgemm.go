package asm

import (
	"fmt"
	"math/bits"
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
// products over min(Threads(), runtime.GOMAXPROCS(0)) goroutines. It
// panics with a message starting with "asm: sgemm:" on a negative
// dimension, a too small leading dimension or a too short slice.
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
	if !sgemmNarrowOK(p, &g) && sgemmSwapBetter(p, m, n) {
		g = g.swapped()
	}
	t := 1
	if float64(m)*float64(n)*float64(k) >= sgemmParallelMin {
		// More goroutines than Ps cannot run at once: the parts would
		// take turns and only add their repacking and hand-offs.
		t = min(int(sgemmThreads.Load()), runtime.GOMAXPROCS(0))
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

// sgemmPackCost is the cost of packing one element in flops of the
// micro-kernel (about 0.15 ns at 100 GFLOP/s), for sgemmParallel.
const sgemmPackCost = 15

// sgemmThreads holds the goroutine count set by SetThreads.
var sgemmThreads atomic.Int32

func init() { sgemmThreads.Store(int32(runtime.GOMAXPROCS(0))) }

// SetThreads sets how many goroutines Sgemm may use for one large product;
// n < 1 restores the default, runtime.GOMAXPROCS(0) read at the call. A
// call uses at most runtime.GOMAXPROCS(0) of them, read at the call. With
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
//	C[i*ldc+j] = alpha·Σ_p a[p*sa+i]·b[p*sb+j] + beta·C[i*ldc+j]
//
// for i < mr, j < nr, p < k, where a holds mr values of op(A) per p with
// stride sa (sa = mr for a panel packed by sgemmPackA) and b holds nr
// values of op(B) per p with stride sb (sb = nr when packed by
// sgemmPackB). With beta == 0 it never reads C. It needs k ≥ 1 and trusts
// its arguments: a has (k-1)·sa+mr elements, b (k-1)·sb+nr, and c
// (mr-1)·ldc+nr.
type sgemmMicro func(k int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32)

// sgemmParams is one level's micro-kernel with its tile and cache blocks:
// kc is the depth of a packed panel, mc the rows of a packed A block (a
// multiple of mr) and nc the columns of a packed B block (a multiple of nr).
//
// packT is the level's transposing copy, with sgemmPackT's contract.
//
// packEdge is the level's zero-padding copy of a partial panel, with
// sgemmPackEdge's contract (w ≤ max(mr, nr)).
//
// narrow, if not nil, is the level's narrow micro-kernel for products
// whose C has at most narrowNR columns, in tiles of narrowMR rows (see
// sgemmNarrow).
type sgemmParams struct {
	mr, nr     int
	kc, mc, nc int
	kernel     sgemmMicro
	packT      func(dst, src []float32, ld, rows, kb, w int)
	packEdge   func(dst, src []float32, ld, cols, kb, w int)

	narrow             sgemmNarrowMicro
	narrowMR, narrowNR int
}

// sgemmGeom is one Sgemm call's arguments. With cTrans set, element (i, j)
// of C lives at c[j*ldc+i] instead of c[i*ldc+j]: the geometry then
// computes Cᵀ = op(B)ᵀ·op(A)ᵀ (see swapped).
type sgemmGeom struct {
	transA, transB bool
	cTrans         bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

// cAt returns the offset in c of element (i, j) of C.
func (g *sgemmGeom) cAt(i, j int) int {
	if g.cTrans {
		return j*g.ldc + i
	}
	return i*g.ldc + j
}

// swapped returns the geometry of Cᵀ = op(B)ᵀ·op(A)ᵀ, an n×m product whose
// A side is B and whose B side is A.
func (g sgemmGeom) swapped() sgemmGeom {
	return sgemmGeom{
		transA: !g.transB, transB: !g.transA, cTrans: !g.cTrans,
		m: g.n, n: g.m, k: g.k, alpha: g.alpha, beta: g.beta,
		a: g.b, lda: g.ldb, b: g.a, ldb: g.lda, c: g.c, ldc: g.ldc,
	}
}

// sgemmSwapBetter reports whether computing Cᵀ wastes clearly less of the
// mr×nr tiles than computing C, as when n is much smaller than nr (the
// MLP's 10-class layer): the tile fraction holding real elements must grow
// by a quarter to pay for merging every tile through the scratch tile.
func sgemmSwapBetter(p *sgemmParams, m, n int) bool {
	direct := float64(m*n) / float64(sgemmRoundUp(m, p.mr)*sgemmRoundUp(n, p.nr))
	swap := float64(m*n) / float64(sgemmRoundUp(n, p.mr)*sgemmRoundUp(m, p.nr))
	return swap > 1.25*direct
}

// sgemmWork is one goroutine's packing buffers and edge tiles, reused
// through sgemmWorkPool so that steady-state calls do not allocate.
type sgemmWork struct {
	pa, pb, tile []float32
	ct           []float32 // sgemmMacroT's row panel
}

var sgemmWorkPool = sync.Pool{New: func() any { return new(sgemmWork) }}

// sgemmGrow returns s resized to n elements, reallocating only to grow, to
// a power of two: the parts of a parallel call differ by a tile, and their
// buffers, which travel between goroutines through sgemmWorkPool, then
// still fit each other's parts.
func sgemmGrow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n, 1<<bits.Len(uint(n-1)))
	}
	return s[:n]
}

// sgemmSerial runs the BLIS loop nest of g on the calling goroutine.
//
// The blocks are balanced: a side of length x with block limit b is cut into
// ⌈x/b⌉ nearly equal blocks, rounded up to whole tiles, so that no thin
// last block pays the per-block overhead for little work.
func sgemmSerial(p *sgemmParams, g *sgemmGeom, w *sgemmWork) {
	if sgemmNarrowOK(p, g) {
		sgemmNarrow(p, g, w)
		return
	}
	mr, nr := p.mr, p.nr
	kc := sgemmBlock(g.k, p.kc, 1)
	nc := sgemmBlock(g.n, p.nc, nr)
	mc := sgemmBlock(g.m, p.mc, mr)
	w.pa = sgemmGrow(w.pa, min(mc, sgemmRoundUp(g.m, mr))*kc)
	w.pb = sgemmGrow(w.pb, min(nc, sgemmRoundUp(g.n, nr))*kc)
	w.tile = sgemmGrow(w.tile, mr*nr)

	// Small products read op(A) and op(B) in place when their layout is
	// already the packed one (see sgemmDirect), packing only edge panels.
	directA, directB := sgemmDirect(p, g)

	// Loop 5: n by nc columns of C and op(B).
	for jc := 0; jc < g.n; jc += nc {
		nb := min(nc, g.n-jc)
		// Loop 4: k by kc; the user's beta applies to the first block only.
		for pc := 0; pc < g.k; pc += kc {
			kb := min(kc, g.k-pc)
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			sgemmPackB(p, w.pb, g.b, g.ldb, g.transB, pc, jc, kb, nb, directB)
			// Loop 3: m by mc rows of C and op(A).
			for ic := 0; ic < g.m; ic += mc {
				mb := min(mc, g.m-ic)
				sgemmPackA(p, w.pa, g.a, g.lda, g.transA, ic, pc, mb, kb, directA)
				sgemmMacro(p, w, g, ic, jc, pc, mb, nb, kb, beta, directA, directB)
			}
		}
	}
}

// sgemmDirectMax is the largest op(B) (or op(A)), in elements, that the
// micro-kernels read in place instead of packing.
var sgemmDirectMax = 1 << 18

// sgemmDirect reports whether the full panels of op(A) and op(B) are read
// in place: op(A) when A is stored transposed (each p then holds mr
// consecutive values, stride lda) and op(B) when B is not (nr consecutive
// values, stride ldb), if the matrix is small enough that its rows stay in
// cache and the packing would cost more than the strided reads.
func sgemmDirect(p *sgemmParams, g *sgemmGeom) (directA, directB bool) {
	directA = g.transA && g.m*g.k <= sgemmDirectMax
	directB = !g.transB && g.k*g.n <= sgemmDirectMax
	return directA, directB
}

// sgemmBlock returns the block length for a side of length x with limit
// lim: x split into ⌈x/lim⌉ nearly equal parts, rounded up to a multiple
// of unit (lim is a multiple of unit).
func sgemmBlock(x, lim, unit int) int {
	if x <= lim {
		return sgemmRoundUp(x, unit)
	}
	parts := (x + lim - 1) / lim
	return min(lim, sgemmRoundUp((x+parts-1)/parts, unit))
}

// sgemmMacro multiplies the mb×kb block of op(A) at rows ic.., columns
// pc.. by the kb×nb block of op(B) at rows pc.., columns jc.., into the
// block of C at rows ic.., columns jc..: loops 2 and 1 over nr-column and
// mr-row panels, one micro-kernel call per tile. Panels come packed from
// w.pa and w.pb, or, for the full panels of a direct side, straight from
// g.a or g.b. Full tiles of a row-major C go straight to C; edge tiles are
// computed into w.tile with beta 0 and merged, so the micro-kernel never
// touches C outside the block. A transposed C goes to sgemmMacroT.
func sgemmMacro(p *sgemmParams, w *sgemmWork, g *sgemmGeom, ic, jc, pc, mb, nb, kb int, beta float32, directA, directB bool) {
	if g.cTrans {
		sgemmMacroT(p, w, g, ic, jc, pc, mb, nb, kb, beta, directA, directB)
		return
	}
	mr, nr := p.mr, p.nr
	kern := p.kernel
	c, ldc, alpha := g.c, g.ldc, g.alpha
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		bp, sb := w.pb[jr*kb:jr*kb+nr*kb], nr
		if directB && cols == nr {
			bp, sb = g.b[pc*g.ldb+jc+jr:], g.ldb
		}
		for ir := 0; ir < mb; ir += mr {
			rows := min(mr, mb-ir)
			ap, sa := w.pa[ir*kb:ir*kb+mr*kb], mr
			if directA && rows == mr {
				ap, sa = g.a[pc*g.lda+ic+ir:], g.lda
			}
			ct := c[g.cAt(ic+ir, jc+jr):]
			switch {
			case rows == mr && cols == nr:
				kern(kb, ap, sa, bp, sb, ct, ldc, alpha, beta)
			default:
				kern(kb, ap, sa, bp, sb, w.tile, nr, alpha, 0)
				sgemmMerge(w.tile, nr, ct, ldc, rows, cols, beta)
			}
		}
	}
}

// sgemmTChunk is the most columns of a transposed C's row panel that
// sgemmMacroT gathers in w.ct before copying them to C: a multiple of every
// level's nr, and 12×256 values fit in L1.
const sgemmTChunk = 256

// sgemmMacroT is sgemmMacro for a transposed C (g.cTrans), whose rows are
// few (the swap serves products with a narrow C): loop 1 over mr-row
// panels runs outside loop 2, so that the tiles of one row panel, for up to
// sgemmTChunk columns, are computed side by side into w.ct with beta 0 and
// reach C in one transposing copy (the level's packT, in 4×8 blocks) rather
// than tile by tile.
func sgemmMacroT(p *sgemmParams, w *sgemmWork, g *sgemmGeom, ic, jc, pc, mb, nb, kb int, beta float32, directA, directB bool) {
	mr, nr := p.mr, p.nr
	kern := p.kernel
	chunk := min(sgemmRoundUp(nb, nr), sgemmTChunk)
	w.ct = sgemmGrow(w.ct, mr*chunk)
	for ir := 0; ir < mb; ir += mr {
		rows := min(mr, mb-ir)
		ap, sa := w.pa[ir*kb:ir*kb+mr*kb], mr
		if directA && rows == mr {
			ap, sa = g.a[pc*g.lda+ic+ir:], g.lda
		}
		for j0 := 0; j0 < nb; j0 += chunk {
			width := min(chunk, nb-j0)
			for jr := j0; jr < j0+width; jr += nr {
				bp, sb := w.pb[jr*kb:jr*kb+nr*kb], nr
				if directB && nb-jr >= nr {
					bp, sb = g.b[pc*g.ldb+jc+jr:], g.ldb
				}
				kern(kb, ap, sa, bp, sb, w.ct[jr-j0:], chunk, g.alpha, 0)
			}
			ct := g.c[g.cAt(ic+ir, jc+j0):]
			if beta == 0 {
				sgemmCopyT(p, ct, g.ldc, w.ct, chunk, rows, width)
			} else {
				sgemmMergeT(w.ct, chunk, ct, g.ldc, rows, width, beta)
			}
		}
	}
}

// sgemmCopyT sets c[j*ldc+i] = t[i*ldt+j] for i < rows, j < cols with the
// level's packT, whose vector code moves 4×8 blocks: when rows is not a
// multiple of 4, the last rows go in a second copy of the last 4 rows,
// which writes up to 3 rows again with the same values, rather than
// through packT's scalar tail.
func sgemmCopyT(p *sgemmParams, c []float32, ldc int, t []float32, ldt, rows, cols int) {
	if rows < 4 || rows%4 == 0 {
		p.packT(c, t, ldt, rows, cols, ldc)
		return
	}
	p.packT(c, t, ldt, rows&^3, cols, ldc)
	p.packT(c[rows-4:], t[(rows-4)*ldt:], ldt, 4, cols, ldc)
}

// sgemmMergeT sets Cᵀ = T + beta·Cᵀ over rows×cols of T, that is
// c[j*ldc+i] from t[i*ldt+j], not reading C if beta is 0.
func sgemmMergeT(t []float32, ldt int, c []float32, ldc, rows, cols int, beta float32) {
	for j := 0; j < cols; j++ {
		cj := c[j*ldc : j*ldc+rows]
		if beta == 0 {
			for i := range cj {
				cj[i] = t[i*ldt+j]
			}
			continue
		}
		for i := range cj {
			cj[i] = t[i*ldt+j] + beta*cj[i]
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
// values op(A)[i0+r·mr+i][p0+p], with rows past mb set to zero. With
// edgeOnly (A stored transposed) it packs only a last partial panel.
func sgemmPackA(prm *sgemmParams, dst, a []float32, lda int, trans bool, i0, p0, mb, kb int, edgeOnly bool) {
	mr := prm.mr
	if trans {
		// op(A)[i][p] = A[p][i]: each p copies a contiguous run of A.
		skip := 0
		if edgeOnly {
			skip = mb / mr * mr
		}
		sgemmPackN(prm, dst[skip*kb:], a[p0*lda+i0+skip:], lda, mb-skip, kb, mr)
		return
	}
	for ir := 0; ir < mb; ir += mr {
		rows := min(mr, mb-ir)
		panel := dst[ir*kb : ir*kb+mr*kb]
		// op(A)[i][p] = A[i][p]: a transposing copy.
		prm.packT(panel, a[(i0+ir)*lda+p0:], lda, rows, kb, mr)
		for i := rows; i < mr; i++ {
			for p := 0; p < kb; p++ {
				panel[p*mr+i] = 0
			}
		}
	}
}

// sgemmPackB packs rows p0..p0+kb and columns j0..j0+nb of op(B) into dst
// as ⌈nb/nr⌉ panels of kb·nr values: panel r holds, for each p, the nr
// values op(B)[p0+p][j0+r·nr+j], with columns past nb set to zero. With
// edgeOnly (B not transposed) it packs only a last partial panel.
func sgemmPackB(prm *sgemmParams, dst, b []float32, ldb int, trans bool, p0, j0, kb, nb int, edgeOnly bool) {
	nr := prm.nr
	if !trans {
		// op(B)[p][j] = B[p][j]: each p copies a contiguous run of B.
		skip := 0
		if edgeOnly {
			skip = nb / nr * nr
		}
		sgemmPackN(prm, dst[skip*kb:], b[p0*ldb+j0+skip:], ldb, nb-skip, kb, nr)
		return
	}
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		panel := dst[jr*kb : jr*kb+nr*kb]
		// op(B)[p][j] = B[j][p]: a transposing copy.
		prm.packT(panel, b[(j0+jr)*ldb+p0:], ldb, cols, kb, nr)
		for j := cols; j < nr; j++ {
			for p := 0; p < kb; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
}

// sgemmPackN packs kb rows of cols values from src (row stride ld) into
// ⌈cols/w⌉ panels of kb·w values, zeroing the last panel's columns past
// cols:
//
//	for p < kb, j < cols: dst[(j/w)*kb*w + p*w + j%w] = src[p*ld+j]
//
// It walks src row by row, so that each source line is read once; full
// panel rows of the tile widths in use copy as fixed-size arrays. A last
// partial panel goes to prm.packEdge.
func sgemmPackN(prm *sgemmParams, dst, src []float32, ld, cols, kb, w int) {
	if cols == 0 {
		return
	}
	full := cols / w * w
	panel := kb * w
	for p := 0; p < kb && full > 0; p++ {
		row := src[p*ld : p*ld+full]
		d := dst[p*w:]
		switch w {
		case 32:
			for j := 0; j < full; j += 32 {
				*(*[32]float32)(d[j/32*panel:]) = *(*[32]float32)(row[j:])
			}
		case 16:
			for j := 0; j < full; j += 16 {
				*(*[16]float32)(d[j/16*panel:]) = *(*[16]float32)(row[j:])
			}
		case 12:
			for j := 0; j < full; j += 12 {
				*(*[12]float32)(d[j/12*panel:]) = *(*[12]float32)(row[j:])
			}
		case 6:
			for j := 0; j < full; j += 6 {
				*(*[6]float32)(d[j/6*panel:]) = *(*[6]float32)(row[j:])
			}
		default:
			for j := 0; j < full; j += w {
				copy(d[j/w*panel:j/w*panel+w], row[j:j+w])
			}
		}
	}
	if full < cols {
		prm.packEdge(dst[full/w*panel:], src[full:], ld, cols-full, kb, w)
	}
}

// sgemmPackEdge packs the last partial panel of sgemmPackN: kb rows of
// cols < w values, zero-padded to w:
//
//	for p < kb, j < w: dst[p*w+j] = src[p*ld+j] if j < cols, else 0
func sgemmPackEdge(dst, src []float32, ld, cols, kb, w int) {
	for p := 0; p < kb; p++ {
		t := dst[p*w : p*w+w]
		for j, v := range src[p*ld : p*ld+cols] {
			t[j] = v
		}
		clear(t[cols:])
	}
}

func sgemmRoundUp(x, m int) int { return (x + m - 1) / m * m }

// sgemmParallel splits g into t parts of whole tiles along the side that
// costs less (sgemmPlan), and runs them on t goroutines: t-1 parts go to
// the worker goroutines (see parallel.go) and the caller runs the last,
// then takes back and runs any part that no worker has started yet. Each
// part packs its own blocks, so splitting the rows of C repacks all of
// op(B) in every part and splitting the columns repacks all of op(A); the
// cost model weighs the largest part's multiply-adds against that
// repacking (packing one element costs about sgemmPackCost flops).
func sgemmParallel(p *sgemmParams, g *sgemmGeom, t int) {
	byRows, unit, total, tiles, t := sgemmPlan(p, g, t)
	if t <= 1 {
		w := sgemmWorkPool.Get().(*sgemmWork)
		sgemmSerial(p, g, w)
		sgemmWorkPool.Put(w)
		return
	}
	job := newWorkerJob(t - 1)
	for i := range job.tasks {
		task := &job.tasks[i]
		task.p = p
		task.g = sgemmSplit(g, byRows, min(total, tiles*i/t*unit), min(total, tiles*(i+1)/t*unit))
		job.handOff(task, true)
	}
	last := sgemmSplit(g, byRows, min(total, tiles*(t-1)/t*unit), total)
	w := sgemmWorkPool.Get().(*sgemmWork)
	sgemmSerial(p, &last, w)
	sgemmWorkPool.Put(w)
	job.finish(true)
	job.release()
}

// sgemmPlan chooses how sgemmParallel splits g over at most t goroutines:
// along the rows of C (byRows) or its columns, in parts of whole tiles of
// unit rows or columns out of total (tiles tiles); part i of parts covers
// tiles*i/parts .. tiles*(i+1)/parts.
func sgemmPlan(p *sgemmParams, g *sgemmGeom, t int) (byRows bool, unit, total, tiles, parts int) {
	tilesM := (g.m + p.mr - 1) / p.mr
	tilesN := (g.n + p.nr - 1) / p.nr
	partM := min(g.m, (tilesM+t-1)/t*p.mr) // rows of the largest part
	partN := min(g.n, (tilesN+t-1)/t*p.nr)
	k := float64(g.k)
	costRows := 2*float64(partM)*float64(g.n)*k + sgemmPackCost*k*float64(g.n+partM)
	costCols := 2*float64(partN)*float64(g.m)*k + sgemmPackCost*k*float64(g.m+partN)
	byRows = costRows <= costCols
	unit, total, tiles = p.nr, g.n, tilesN
	if byRows {
		unit, total, tiles = p.mr, g.m, tilesM
	}
	return byRows, unit, total, tiles, min(t, tiles)
}

// sgemmSplit returns the part of g computing rows (byRows) or columns
// start..end of C.
func sgemmSplit(g *sgemmGeom, byRows bool, start, end int) sgemmGeom {
	part := *g
	if byRows {
		part.m = end - start
		part.c = g.c[g.cAt(start, 0):]
		if g.transA {
			part.a = g.a[start:]
		} else {
			part.a = g.a[start*g.lda:]
		}
		return part
	}
	part.n = end - start
	part.c = g.c[g.cAt(0, start):]
	if g.transB {
		part.b = g.b[start*g.ldb:]
	} else {
		part.b = g.b[start:]
	}
	return part
}
