package asm

// SgemmGeneric is the plain pure-Go reference for Sgemm, with the same
// arguments, contract and panics: three loops in float32, no blocking, no
// assembly and no goroutines. It is compiled on every platform so that
// other packages' tests can compare against it.
func SgemmGeneric(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmCheck(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	sgemmGeneric(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmGeneric is SgemmGeneric without the argument checks:
//
//	for i < m, j < n: C[i][j] = alpha·Σ_p op(A)[i][p]·op(B)[p][j] + beta·C[i][j]
//
// reading C only when beta != 0 and A, B only when alpha != 0.
func sgemmGeneric(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	sgemmScale(m, n, beta, c, ldc)
	if k == 0 || alpha == 0 {
		return
	}
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for p := 0; p < k; p++ {
			var aip float32
			if transA {
				aip = a[p*lda+i]
			} else {
				aip = a[i*lda+p]
			}
			s := alpha * aip
			if transB {
				for j := range ci {
					ci[j] += s * b[j*ldb+p]
				}
				continue
			}
			bp := b[p*ldb : p*ldb+n]
			for j, v := range bp {
				ci[j] += s * v
			}
		}
	}
}

// sgemmGenericParams runs the BLIS loop nest with the pure-Go micro-kernel
// sgemmKernelGeneric; it is the Generic level of Sgemm.
var sgemmGenericParams = sgemmParams{mr: 4, nr: 4, kc: 256, mc: 128, nc: 1024, kernel: sgemmKernelGeneric, packT: sgemmPackT,
	packEdge: sgemmPackEdge}

// sgemmKernelGeneric is the pure-Go 4×4 micro-kernel (see sgemmMicro):
//
//	C[i*ldc+j] = alpha·Σ_p a[p*sa+i]·b[p*sb+j] + beta·C[i*ldc+j]
func sgemmKernelGeneric(k int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		ap, bp := a[p*sa:p*sa+4:p*sa+4], b[p*sb:p*sb+4:p*sb+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	sgemmStoreRow4(c[0*ldc:0*ldc+4], c00, c01, c02, c03, alpha, beta)
	sgemmStoreRow4(c[1*ldc:1*ldc+4], c10, c11, c12, c13, alpha, beta)
	sgemmStoreRow4(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	sgemmStoreRow4(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

// sgemmStoreRow4 sets c[j] = alpha·s_j + beta·c[j], not reading c if beta is 0.
func sgemmStoreRow4(c []float32, s0, s1, s2, s3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}

// sgemmPackT copies the rows×kb block of src (row stride ld) transposed
// into dst (row stride w):
//
//	for i < rows, p < kb: dst[p*w+i] = src[i*ld+p]
func sgemmPackT(dst, src []float32, ld, rows, kb, w int) {
	sgemmPackTTail(dst, src, ld, rows, kb, w, 0, kb)
}

// sgemmPackTTail does the part of sgemmPackT outside the block of rows
// < i0 and columns < p0 that a vector loop has copied: columns p0.. of
// rows < i0, then all columns of rows i0..
func sgemmPackTTail(dst, src []float32, ld, rows, kb, w, i0, p0 int) {
	for i := 0; i < rows; i++ {
		start := 0
		if i < i0 {
			start = p0
		}
		row := src[i*ld+start : i*ld+kb]
		for p, v := range row {
			dst[(start+p)*w+i] = v
		}
	}
}
