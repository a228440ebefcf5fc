package asm

// sgemmNarrowMicro is a narrow micro-kernel: it computes one 8×n tile
//
//	C[i*ldc+j] = alpha·Σ_p a[i*lda+p]·b[p*sb+j] + beta·C[i*ldc+j]
//
// for i < 8, j < n, p < k, reading the rows of op(A) = A in place (row
// stride lda) and op(B) with row stride sb. With beta == 0 it never reads
// C. Columns n.. of b and c are neither read nor written. It needs k ≥ 1
// and 1 ≤ n ≤ 16 and trusts its arguments: a has 7·lda+k elements, b
// (k-1)·sb+n and c 7·ldc+n.
type sgemmNarrowMicro func(k int, a []float32, lda int, b []float32, sb int, c []float32, ldc int, n int, alpha, beta float32)

// sgemmNarrowOK reports whether g is computed by sgemmNarrow: the level
// has a narrow kernel, C is stored row-major (not a swapped geometry), A is
// not transposed and C has at most narrowNR columns, as the 10-class layer
// of an MLP (forward X·W with W k×10).
//
// For these products the regular path wastes most of an mr×nr tile or,
// swapped, must pack A transposed and merge every tile through the scratch
// tile; the narrow kernel instead reads A and B in place and writes C
// directly. A stored transposed is left to the regular path: its swapped
// geometry reads A in place with full-width tiles.
func sgemmNarrowOK(p *sgemmParams, g *sgemmGeom) bool {
	return p.narrow != nil && !g.cTrans && !g.transA && g.n <= p.narrowNR
}

// sgemmNarrow computes g (sgemmNarrowOK) with the level's narrow kernel:
// k by kc blocks, the user's beta on the first only; op(B) read in place,
// or, if B is transposed, packed into kc×narrowNR rows; the rows of C in
// tiles of narrowMR rows, A read in place. The last partial tile copies its
// rows of A into w.pa padded with zero rows and is computed into w.tile,
// then merged, so the kernel never touches C or A outside the matrices.
func sgemmNarrow(p *sgemmParams, g *sgemmGeom, w *sgemmWork) {
	mr, nr := p.narrowMR, p.narrowNR
	kc := sgemmBlock(g.k, p.kc, 1)
	full := g.m / mr * mr
	if g.transB {
		w.pb = sgemmGrow(w.pb, min(kc, g.k)*nr)
	}
	if full < g.m {
		w.pa = sgemmGrow(w.pa, mr*min(kc, g.k))
		w.tile = sgemmGrow(w.tile, mr*nr)
	}
	for pc := 0; pc < g.k; pc += kc {
		kb := min(kc, g.k-pc)
		beta := g.beta
		if pc > 0 {
			beta = 1
		}
		var bp []float32
		sb := nr
		if g.transB {
			// op(B)[p][j] = B[j][pc+p]: a transposing copy.
			bp = w.pb
			p.packT(bp, g.b[pc:], g.ldb, g.n, kb, nr)
		} else {
			bp, sb = g.b[pc*g.ldb:], g.ldb
		}
		for ir := 0; ir < full; ir += mr {
			p.narrow(kb, g.a[ir*g.lda+pc:], g.lda, bp, sb, g.c[ir*g.ldc:], g.ldc, g.n, g.alpha, beta)
		}
		if full == g.m {
			continue
		}
		rows := g.m - full
		pa := w.pa[:mr*kb]
		for i := 0; i < mr; i++ {
			if i < rows {
				copy(pa[i*kb:(i+1)*kb], g.a[(full+i)*g.lda+pc:])
			} else {
				clear(pa[i*kb : (i+1)*kb])
			}
		}
		p.narrow(kb, pa, kb, bp, sb, w.tile, nr, g.n, g.alpha, 0)
		sgemmMerge(w.tile, nr, g.c[full*g.ldc:], g.ldc, rows, g.n, beta)
	}
}

// sgemmKernelNarrowGeneric is the pure-Go narrow micro-kernel (see
// sgemmNarrowMicro), the reference for the assembly ones:
//
//	for i < 8, j < n: C[i*ldc+j] = alpha·Σ_p a[i*lda+p]·b[p*sb+j] + beta·C[i*ldc+j]
func sgemmKernelNarrowGeneric(k int, a []float32, lda int, b []float32, sb int, c []float32, ldc int, n int, alpha, beta float32) {
	var acc [8][16]float32
	for i := range acc {
		ai := a[i*lda : i*lda+k]
		s := &acc[i]
		for p, av := range ai {
			bp := b[p*sb : p*sb+n]
			for j, bv := range bp {
				s[j] += av * bv
			}
		}
	}
	for i := range acc {
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			if beta == 0 {
				ci[j] = alpha * acc[i][j]
			} else {
				ci[j] = alpha*acc[i][j] + beta*ci[j]
			}
		}
	}
}
