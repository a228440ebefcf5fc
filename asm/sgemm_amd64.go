//go:build amd64 && gc && !purego

package asm

// sgemmKernelAVX2 is the AVX2 level's 6×16 micro-kernel (see sgemmMicro):
//
//	for i < 6, j < 16:
//		s := Σ_p a[p*sa+i]·b[p*sb+j]  // fused multiply-adds, p in order
//		if beta == 0 {
//			c[i*ldc+j] = alpha·s
//		} else {
//			c[i*ldc+j] = alpha·s + beta·c[i*ldc+j]
//		}
//
// It requires AVX, AVX2 and FMA3 and k ≥ 1; a, b and c are not checked.
//
//go:noescape
func sgemmKernelAVX2(k int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32)

// sgemmKernelAVX512 is the AVX512 level's 12×32 micro-kernel (see
// sgemmMicro):
//
//	for i < 12, j < 32:
//		s := Σ_p a[p*sa+i]·b[p*sb+j]  // fused multiply-adds, p in order
//		if beta == 0 {
//			c[i*ldc+j] = alpha·s
//		} else {
//			c[i*ldc+j] = alpha·s + beta·c[i*ldc+j]
//		}
//
// It requires AVX-512 F and k ≥ 1; a, b and c are not checked.
//
//go:noescape
func sgemmKernelAVX512(k int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32)

// sgemmKernelNarrowAVX512 is the AVX512 level's narrow micro-kernel (see
// sgemmNarrowMicro): an 8×n tile of C for n ≤ 16, reading op(A) = A in
// place (row i at a[i*lda:]), b with row stride sb and writing C with
// masked stores:
//
//	for i < 8, j < n:
//		s := Σ_p a[i*lda+p]·b[p*sb+j]  // fused multiply-adds, p in order
//		if beta == 0 {
//			c[i*ldc+j] = alpha·s
//		} else {
//			c[i*ldc+j] = alpha·s + beta·c[i*ldc+j]
//		}
//
// Columns n.. of b and c are neither read nor written. It requires AVX-512
// F, k ≥ 1 and 1 ≤ n ≤ 16; a, b and c are not checked.
//
//go:noescape
func sgemmKernelNarrowAVX512(k int, a []float32, lda int, b []float32, sb int, c []float32, ldc int, n int, alpha, beta float32)

// sgemmPackTAVX2 copies a 4·⌊rows/4⌋ × 8·⌊kb/8⌋ block of src (row stride
// ld) transposed into dst (row stride w), in 4×8 blocks:
//
//	for i < rows&^3, p < kb&^7: dst[p*w+i] = src[i*ld+p]
//
// It requires AVX; the slices are not checked. sgemmPackT does the rest.
//
//go:noescape
func sgemmPackTAVX2(dst, src []float32, ld, rows, kb, w int)

// sgemmPackEdgeAVX512 is sgemmPackEdge with masked loads and stores:
//
//	for p < kb, j < w: dst[p*w+j] = src[p*ld+j] if j < cols, else 0
//
// It requires AVX-512 F and BW and 0 ≤ cols ≤ w ≤ 32; src past column cols
// and dst past column w are not touched; the slices are not checked.
//
//go:noescape
func sgemmPackEdgeAVX512(dst, src []float32, ld, cols, kb, w int)

// sgemmPackTAsm is sgemmPackT with its 4×8 blocks in assembly.
func sgemmPackTAsm(dst, src []float32, ld, rows, kb, w int) {
	if rows >= 4 && kb >= 8 {
		sgemmPackTAVX2(dst, src, ld, rows, kb, w)
	}
	sgemmPackTTail(dst, src, ld, rows, kb, w, rows&^3, kb&^7)
}

// The levels' tiles and cache blocks: a kc×nr B panel stays in L1 while
// the micro-kernel walks the mc×kc A block in L2; the kc×nc B block sits
// in L3. On Zen 4 either kernel alone runs at about 116 GFLOP/s (peak 32
// flops a cycle), and kc from 256 to 512 with mc from 96 to 192 changed the
// whole product by less than the noise (±3 %); 12×32 wastes little on the
// MLP's 128-row batches (11 tiles for 128 rows, where 14×32 needs 10 for 140).
var (
	sgemmAVX2Params = sgemmParams{mr: 6, nr: 16, kc: 256, mc: 144, nc: 4080, kernel: sgemmKernelAVX2, packT: sgemmPackTAsm,
		packEdge: sgemmPackEdge}
	sgemmAVX512Params = sgemmParams{mr: 12, nr: 32, kc: 256, mc: 192, nc: 4096, kernel: sgemmKernelAVX512, packT: sgemmPackTAsm,
		packEdge: sgemmPackEdgeAVX512, narrow: sgemmKernelNarrowAVX512, narrowMR: 8, narrowNR: 16}
)

// sgemmParamsFor returns the micro-kernel and blocks of level l.
func sgemmParamsFor(l Level) *sgemmParams {
	switch l {
	case AVX512:
		return &sgemmAVX512Params
	case AVX2:
		return &sgemmAVX2Params
	}
	return &sgemmGenericParams
}
