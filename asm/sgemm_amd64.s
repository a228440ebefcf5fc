//go:build amd64 && gc && !purego

#include "textflag.h"

// Register use shared by both micro-kernels:
//	SI = a (A panel at p), R10 = sa·4 bytes (next p in a),
//	DI = b (B panel at p), R11 = sb·4 bytes (next p in b),
//	DX = c (row pointer), R8 = ldc·4 bytes, CX = k, BX = k/4.
//
// The strides let the kernels read packed panels (sa = mr, sb = nr) as
// well as op(A) and op(B) in place when they already have that layout.

// KERNEL_ARGS loads the arguments shared by both kernels.
#define KERNEL_ARGS \
	MOVQ k+0(FP), CX;        \
	MOVQ a_base+8(FP), SI;   \
	MOVQ sa+32(FP), R10;     \
	SHLQ $2, R10;            \
	MOVQ b_base+40(FP), DI;  \
	MOVQ sb+64(FP), R11;     \
	SHLQ $2, R11;            \
	MOVQ c_base+72(FP), DX;  \
	MOVQ ldc+96(FP), R8;     \
	SHLQ $2, R8

// PREFETCH_ROW asks for one row of the C tile (bytes 0..off+63) in L1
// while the k loop runs, and moves AX to the next row.
#define PREFETCH_ROW(off) \
	PREFETCHT0 (AX);      \
	PREFETCHT0 off(AX);   \
	ADDQ       R8, AX

// ---------------------------------------------------------------------------
// AVX2 + FMA3: a 6×16 tile in Y4..Y15 (row i in Y(4+2i), Y(5+2i)).

// AVX2_STEP does one p of the 6×16 tile and moves a and b to p+1:
//	Y0, Y1 = b[p*sb : p*sb+16]
//	for i < 6: acc[i] += a[p*sa+i] · (Y0, Y1)
#define AVX2_STEP \
	VMOVUPS      (DI), Y0;     \
	VMOVUPS      32(DI), Y1;   \
	VBROADCASTSS (SI), Y2;     \
	VFMADD231PS  Y0, Y2, Y4;   \
	VFMADD231PS  Y1, Y2, Y5;   \
	VBROADCASTSS 4(SI), Y3;    \
	VFMADD231PS  Y0, Y3, Y6;   \
	VFMADD231PS  Y1, Y3, Y7;   \
	VBROADCASTSS 8(SI), Y2;    \
	VFMADD231PS  Y0, Y2, Y8;   \
	VFMADD231PS  Y1, Y2, Y9;   \
	VBROADCASTSS 12(SI), Y3;   \
	VFMADD231PS  Y0, Y3, Y10;  \
	VFMADD231PS  Y1, Y3, Y11;  \
	VBROADCASTSS 16(SI), Y2;   \
	VFMADD231PS  Y0, Y2, Y12;  \
	VFMADD231PS  Y1, Y2, Y13;  \
	VBROADCASTSS 20(SI), Y3;   \
	VFMADD231PS  Y0, Y3, Y14;  \
	VFMADD231PS  Y1, Y3, Y15;  \
	ADDQ         R10, SI;      \
	ADDQ         R11, DI

// AVX2_ROW_BETA stores one row: c[0:16] = (r0, r1) + beta(Y1)·c[0:16]; next row.
#define AVX2_ROW_BETA(r0, r1) \
	VFMADD231PS (DX), Y1, r0;   \
	VFMADD231PS 32(DX), Y1, r1; \
	VMOVUPS     r0, (DX);       \
	VMOVUPS     r1, 32(DX);     \
	ADDQ        R8, DX

// AVX2_ROW_STORE stores one row without reading C: c[0:16] = (r0, r1); next row.
#define AVX2_ROW_STORE(r0, r1) \
	VMOVUPS r0, (DX);   \
	VMOVUPS r1, 32(DX); \
	ADDQ    R8, DX

// func sgemmKernelAVX2(k int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32)
TEXT ·sgemmKernelAVX2(SB), NOSPLIT, $0-112
	KERNEL_ARGS

	// prefetch the 6 rows of 64 bytes of the C tile
	MOVQ DX, AX
	PREFETCH_ROW(63)
	PREFETCH_ROW(63)
	PREFETCH_ROW(63)
	PREFETCH_ROW(63)
	PREFETCH_ROW(63)
	PREFETCH_ROW(63)

	// acc = 0
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	// for ; k >= 4; k -= 4: four steps
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   avx2_tail

avx2_loop4:
	AVX2_STEP
	AVX2_STEP
	AVX2_STEP
	AVX2_STEP
	DECQ BX
	JNZ  avx2_loop4

avx2_tail:
	// for k%4 remaining p: one step
	ANDQ $3, CX
	JZ   avx2_done

avx2_loop1:
	AVX2_STEP
	DECQ CX
	JNZ  avx2_loop1

avx2_done:
	// acc *= alpha
	VBROADCASTSS alpha+104(FP), Y0
	VMULPS       Y0, Y4, Y4
	VMULPS       Y0, Y5, Y5
	VMULPS       Y0, Y6, Y6
	VMULPS       Y0, Y7, Y7
	VMULPS       Y0, Y8, Y8
	VMULPS       Y0, Y9, Y9
	VMULPS       Y0, Y10, Y10
	VMULPS       Y0, Y11, Y11
	VMULPS       Y0, Y12, Y12
	VMULPS       Y0, Y13, Y13
	VMULPS       Y0, Y14, Y14
	VMULPS       Y0, Y15, Y15

	// if beta == ±0, store without reading C
	MOVL beta+108(FP), AX
	ANDL $0x7fffffff, AX
	JZ   avx2_store

	// C = acc + beta·C, row by row
	VBROADCASTSS beta+108(FP), Y1
	AVX2_ROW_BETA(Y4, Y5)
	AVX2_ROW_BETA(Y6, Y7)
	AVX2_ROW_BETA(Y8, Y9)
	AVX2_ROW_BETA(Y10, Y11)
	AVX2_ROW_BETA(Y12, Y13)
	AVX2_ROW_BETA(Y14, Y15)
	VZEROUPPER
	RET

avx2_store:
	// C = acc
	AVX2_ROW_STORE(Y4, Y5)
	AVX2_ROW_STORE(Y6, Y7)
	AVX2_ROW_STORE(Y8, Y9)
	AVX2_ROW_STORE(Y10, Y11)
	AVX2_ROW_STORE(Y12, Y13)
	AVX2_ROW_STORE(Y14, Y15)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// AVX-512 F: a 12×32 tile in Z8..Z31 (row i in Z(8+2i), Z(9+2i)); the A
// values are broadcast from memory by the FMAs ({1to16}).

// AVX512_ROWSTEP adds a[p*sa+ao/4] · (Z0, Z1) to one row (r0, r1).
#define AVX512_ROWSTEP(ao, r0, r1) \
	VFMADD231PS.BCST ao(SI), Z0, r0; \
	VFMADD231PS.BCST ao(SI), Z1, r1

// AVX512_STEP does one p of the 12×32 tile and moves a and b to p+1:
//	Z0, Z1 = b[p*sb : p*sb+32]
//	for i < 12: acc[i] += a[p*sa+i] · (Z0, Z1)
#define AVX512_STEP \
	VMOVUPS (DI), Z0;               \
	VMOVUPS 64(DI), Z1;             \
	AVX512_ROWSTEP(0, Z8, Z9);      \
	AVX512_ROWSTEP(4, Z10, Z11);    \
	AVX512_ROWSTEP(8, Z12, Z13);    \
	AVX512_ROWSTEP(12, Z14, Z15);   \
	AVX512_ROWSTEP(16, Z16, Z17);   \
	AVX512_ROWSTEP(20, Z18, Z19);   \
	AVX512_ROWSTEP(24, Z20, Z21);   \
	AVX512_ROWSTEP(28, Z22, Z23);   \
	AVX512_ROWSTEP(32, Z24, Z25);   \
	AVX512_ROWSTEP(36, Z26, Z27);   \
	AVX512_ROWSTEP(40, Z28, Z29);   \
	AVX512_ROWSTEP(44, Z30, Z31);   \
	ADDQ    R10, SI;                \
	ADDQ    R11, DI

// AVX512_SCALE2 multiplies a row (r0, r1) by alpha in Z0.
#define AVX512_SCALE2(r0, r1) \
	VMULPS Z0, r0, r0; \
	VMULPS Z0, r1, r1

// AVX512_ROW_BETA stores one row: c[0:32] = (r0, r1) + beta(Z1)·c[0:32]; next row.
#define AVX512_ROW_BETA(r0, r1) \
	VFMADD231PS (DX), Z1, r0;   \
	VFMADD231PS 64(DX), Z1, r1; \
	VMOVUPS     r0, (DX);       \
	VMOVUPS     r1, 64(DX);     \
	ADDQ        R8, DX

// AVX512_ROW_STORE stores one row without reading C: c[0:32] = (r0, r1); next row.
#define AVX512_ROW_STORE(r0, r1) \
	VMOVUPS r0, (DX);   \
	VMOVUPS r1, 64(DX); \
	ADDQ    R8, DX

// AVX512_ZERO2 clears a row (r0, r1).
#define AVX512_ZERO2(r0, r1) \
	VPXORD r0, r0, r0; \
	VPXORD r1, r1, r1

// func sgemmKernelAVX512(k int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32)
TEXT ·sgemmKernelAVX512(SB), NOSPLIT, $0-112
	KERNEL_ARGS

	// prefetch the 12 rows of 128 bytes of the C tile
	MOVQ DX, AX
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)
	PREFETCH_ROW(127)

	// acc = 0
	AVX512_ZERO2(Z8, Z9)
	AVX512_ZERO2(Z10, Z11)
	AVX512_ZERO2(Z12, Z13)
	AVX512_ZERO2(Z14, Z15)
	AVX512_ZERO2(Z16, Z17)
	AVX512_ZERO2(Z18, Z19)
	AVX512_ZERO2(Z20, Z21)
	AVX512_ZERO2(Z22, Z23)
	AVX512_ZERO2(Z24, Z25)
	AVX512_ZERO2(Z26, Z27)
	AVX512_ZERO2(Z28, Z29)
	AVX512_ZERO2(Z30, Z31)

	// for ; k >= 4; k -= 4: four steps
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   avx512_tail

avx512_loop4:
	AVX512_STEP
	AVX512_STEP
	AVX512_STEP
	AVX512_STEP
	DECQ BX
	JNZ  avx512_loop4

avx512_tail:
	// for k%4 remaining p: one step
	ANDQ $3, CX
	JZ   avx512_done

avx512_loop1:
	AVX512_STEP
	DECQ CX
	JNZ  avx512_loop1

avx512_done:
	// acc *= alpha
	VBROADCASTSS alpha+104(FP), Z0
	AVX512_SCALE2(Z8, Z9)
	AVX512_SCALE2(Z10, Z11)
	AVX512_SCALE2(Z12, Z13)
	AVX512_SCALE2(Z14, Z15)
	AVX512_SCALE2(Z16, Z17)
	AVX512_SCALE2(Z18, Z19)
	AVX512_SCALE2(Z20, Z21)
	AVX512_SCALE2(Z22, Z23)
	AVX512_SCALE2(Z24, Z25)
	AVX512_SCALE2(Z26, Z27)
	AVX512_SCALE2(Z28, Z29)
	AVX512_SCALE2(Z30, Z31)

	// if beta == ±0, store without reading C
	MOVL beta+108(FP), AX
	ANDL $0x7fffffff, AX
	JZ   avx512_store

	// C = acc + beta·C, row by row
	VBROADCASTSS beta+108(FP), Z1
	AVX512_ROW_BETA(Z8, Z9)
	AVX512_ROW_BETA(Z10, Z11)
	AVX512_ROW_BETA(Z12, Z13)
	AVX512_ROW_BETA(Z14, Z15)
	AVX512_ROW_BETA(Z16, Z17)
	AVX512_ROW_BETA(Z18, Z19)
	AVX512_ROW_BETA(Z20, Z21)
	AVX512_ROW_BETA(Z22, Z23)
	AVX512_ROW_BETA(Z24, Z25)
	AVX512_ROW_BETA(Z26, Z27)
	AVX512_ROW_BETA(Z28, Z29)
	AVX512_ROW_BETA(Z30, Z31)
	VZEROUPPER
	RET

avx512_store:
	// C = acc
	AVX512_ROW_STORE(Z8, Z9)
	AVX512_ROW_STORE(Z10, Z11)
	AVX512_ROW_STORE(Z12, Z13)
	AVX512_ROW_STORE(Z14, Z15)
	AVX512_ROW_STORE(Z16, Z17)
	AVX512_ROW_STORE(Z18, Z19)
	AVX512_ROW_STORE(Z20, Z21)
	AVX512_ROW_STORE(Z22, Z23)
	AVX512_ROW_STORE(Z24, Z25)
	AVX512_ROW_STORE(Z26, Z27)
	AVX512_ROW_STORE(Z28, Z29)
	AVX512_ROW_STORE(Z30, Z31)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// Packing: transposing copies of 4×8 blocks with AVX.

// func sgemmPackTAVX2(dst, src []float32, ld, rows, kb, w int)
TEXT ·sgemmPackTAVX2(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ ld+48(FP), R8
	SHLQ $2, R8               // R8 = ld·4 bytes: next source row
	MOVQ rows+56(FP), CX
	SHRQ $2, CX               // CX = rows/4 row groups
	JZ   packt_done
	MOVQ kb+64(FP), R9
	SHRQ $3, R9               // R9 = kb/8 column blocks
	JZ   packt_done
	MOVQ w+72(FP), R10
	SHLQ $2, R10              // R10 = w·4 bytes: next destination p
	MOVQ R10, R11
	SHLQ $3, R11              // R11 = 8·w·4 bytes: next destination block

	// The column blocks are the outer loop, so that the 8 destination
	// rows p..p+7 fill up completely before the next block starts.
packt_cols:
	// AX, BX = &src[p], &src[3*ld+p]; DX = &dst[p*w]
	MOVQ SI, AX
	LEAQ (SI)(R8*2), BX
	ADDQ R8, BX
	MOVQ DI, DX
	MOVQ CX, R12

packt_block:
	// Y0..Y3 = src[(i+r)*ld+p : +8] for r < 4
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R8*1), Y1
	VMOVUPS (AX)(R8*2), Y2
	VMOVUPS (BX), Y3

	// transpose the 4×8 block: Yq holds columns p+q (low) and p+q+4 (high)
	VUNPCKLPS Y1, Y0, Y4 // r0p0 r1p0 r0p1 r1p1 | r0p4 r1p4 r0p5 r1p5
	VUNPCKHPS Y1, Y0, Y5 // r0p2 r1p2 r0p3 r1p3 | r0p6 r1p6 r0p7 r1p7
	VUNPCKLPS Y3, Y2, Y6
	VUNPCKHPS Y3, Y2, Y7
	VUNPCKLPD Y6, Y4, Y0 // r0p0 r1p0 r2p0 r3p0 | r0p4 r1p4 r2p4 r3p4
	VUNPCKHPD Y6, Y4, Y1 // column p+1 | p+5
	VUNPCKLPD Y7, Y5, Y2 // column p+2 | p+6
	VUNPCKHPD Y7, Y5, Y3 // column p+3 | p+7

	// dst[(p+q)*w+i : +4] = column p+q, q < 8
	MOVQ         DX, R13
	VMOVUPS      X0, (R13)
	ADDQ         R10, R13
	VMOVUPS      X1, (R13)
	ADDQ         R10, R13
	VMOVUPS      X2, (R13)
	ADDQ         R10, R13
	VMOVUPS      X3, (R13)
	ADDQ         R10, R13
	VEXTRACTF128 $1, Y0, (R13)
	ADDQ         R10, R13
	VEXTRACTF128 $1, Y1, (R13)
	ADDQ         R10, R13
	VEXTRACTF128 $1, Y2, (R13)
	ADDQ         R10, R13
	VEXTRACTF128 $1, Y3, (R13)

	// i += 4
	LEAQ (AX)(R8*4), AX
	LEAQ (BX)(R8*4), BX
	ADDQ $16, DX
	DECQ R12
	JNZ  packt_block

	// p += 8
	ADDQ $32, SI
	ADDQ R11, DI
	DECQ R9
	JNZ  packt_cols

packt_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// Packing: a zero-padded partial panel with AVX-512 masks.

// func sgemmPackEdgeAVX512(dst, src []float32, ld, cols, kb, w int)
TEXT ·sgemmPackEdgeAVX512(SB), NOSPLIT, $0-80
	// K1, K3 = lanes < cols of each half; K2, K4 = lanes < w
	MOVQ     cols+56(FP), CX
	MOVL     $1, AX
	SHLQ     CX, AX
	DECQ     AX               // AX = 1<<cols - 1
	KMOVD    AX, K1
	KSHIFTRD $16, K1, K3
	MOVQ     w+72(FP), CX
	MOVL     $1, AX
	SHLQ     CX, AX
	DECQ     AX               // AX = 1<<w - 1
	KMOVD    AX, K2
	KSHIFTRD $16, K2, K4

	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ ld+48(FP), R8
	SHLQ $2, R8               // R8 = ld·4 bytes: next source row
	MOVQ w+72(FP), R9
	SHLQ $2, R9               // R9 = w·4 bytes: next destination row
	MOVQ kb+64(FP), CX
	TESTQ CX, CX
	JZ   edge_done

edge_loop:
	// dst[p*w : p*w+w] = src[p*ld : p*ld+cols], zeros up to w
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K3, Z1
	VMOVUPS   Z0, K2, (DI)
	VMOVUPS   Z1, K4, 64(DI)
	ADDQ      R8, SI
	ADDQ      R9, DI
	DECQ      CX
	JNZ       edge_loop

edge_done:
	VZEROUPPER
	RET
