//go:build amd64 && gc && !purego

#include "textflag.h"

// The narrow micro-kernel: an 8×n tile of C, n ≤ 16, one row of C per ZMM
// register (Z8..Z15) with the columns past n masked off by K1. It reads
// op(A) in place, row i at a+i·lda, and broadcasts a[i*lda+p] from memory
// into the FMAs ({1to16}); B rows are masked loads, C rows masked loads
// and stores, so nothing past column n of B or C is touched.
//
// Registers:
//	SI = &a[p] (rows 0..3), AX = &a[4*lda+p] (rows 4..7),
//	R9 = lda·4 bytes, R12 = 3·lda·4 bytes,
//	DI = &b[p*sb], R11 = sb·4 bytes, DX = c (row pointer), R8 = ldc·4 bytes,
//	CX = k, BX = k/4, K1 = columns < n.

// NARROW_STEP does one p of the 8×n tile, with A at byte offset d from
// SI and AX, and moves b to p+1:
//	Z0 = b[p*sb : p*sb+n] (zero past n)
//	for i < 8: acc[i] += a[i*lda+p] · Z0
#define NARROW_STEP(d) \
	VMOVUPS.Z        (DI), K1, Z0;          \
	VFMADD231PS.BCST d(SI), Z0, Z8;         \
	VFMADD231PS.BCST d(SI)(R9*1), Z0, Z9;   \
	VFMADD231PS.BCST d(SI)(R9*2), Z0, Z10;  \
	VFMADD231PS.BCST d(SI)(R12*1), Z0, Z11; \
	VFMADD231PS.BCST d(AX), Z0, Z12;        \
	VFMADD231PS.BCST d(AX)(R9*1), Z0, Z13;  \
	VFMADD231PS.BCST d(AX)(R9*2), Z0, Z14;  \
	VFMADD231PS.BCST d(AX)(R12*1), Z0, Z15; \
	ADDQ             R11, DI

// NARROW_ROW_BETA stores one row: c[0:n] = r + beta(Z1)·c[0:n]; next row.
#define NARROW_ROW_BETA(r) \
	VMOVUPS.Z   (DX), K1, Z2; \
	VFMADD231PS Z2, Z1, r;    \
	VMOVUPS     r, K1, (DX);  \
	ADDQ        R8, DX

// NARROW_ROW_STORE stores one row without reading C: c[0:n] = r; next row.
#define NARROW_ROW_STORE(r) \
	VMOVUPS r, K1, (DX); \
	ADDQ    R8, DX

// func sgemmKernelNarrowAVX512(k int, a []float32, lda int, b []float32, sb int, c []float32, ldc int, n int, alpha, beta float32)
TEXT ·sgemmKernelNarrowAVX512(SB), NOSPLIT, $0-120
	// K1 = (1<<n) - 1 = 0xffff >> (16-n)
	MOVL  $0xffff, AX
	MOVQ  $16, CX
	SUBQ  n+104(FP), CX
	SHRL  CX, AX
	KMOVW AX, K1

	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ lda+32(FP), R9
	SHLQ $2, R9               // R9 = lda·4
	LEAQ (R9)(R9*2), R12      // R12 = 3·lda·4
	LEAQ (SI)(R9*4), AX       // AX = &a[4*lda]
	MOVQ b_base+40(FP), DI
	MOVQ sb+64(FP), R11
	SHLQ $2, R11
	MOVQ c_base+72(FP), DX
	MOVQ ldc+96(FP), R8
	SHLQ $2, R8

	// acc = 0
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

	// for ; k >= 4; k -= 4: four steps
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   narrow_tail

narrow_loop4:
	NARROW_STEP(0)
	NARROW_STEP(4)
	NARROW_STEP(8)
	NARROW_STEP(12)
	ADDQ $16, SI
	ADDQ $16, AX
	DECQ BX
	JNZ  narrow_loop4

narrow_tail:
	// for k%4 remaining p: one step
	ANDQ $3, CX
	JZ   narrow_done

narrow_loop1:
	NARROW_STEP(0)
	ADDQ $4, SI
	ADDQ $4, AX
	DECQ CX
	JNZ  narrow_loop1

narrow_done:
	// acc *= alpha
	VBROADCASTSS alpha+112(FP), Z0
	VMULPS       Z0, Z8, Z8
	VMULPS       Z0, Z9, Z9
	VMULPS       Z0, Z10, Z10
	VMULPS       Z0, Z11, Z11
	VMULPS       Z0, Z12, Z12
	VMULPS       Z0, Z13, Z13
	VMULPS       Z0, Z14, Z14
	VMULPS       Z0, Z15, Z15

	// if beta == ±0, store without reading C
	MOVL beta+116(FP), AX
	ANDL $0x7fffffff, AX
	JZ   narrow_store

	// C = acc + beta·C, row by row
	VBROADCASTSS beta+116(FP), Z1
	NARROW_ROW_BETA(Z8)
	NARROW_ROW_BETA(Z9)
	NARROW_ROW_BETA(Z10)
	NARROW_ROW_BETA(Z11)
	NARROW_ROW_BETA(Z12)
	NARROW_ROW_BETA(Z13)
	NARROW_ROW_BETA(Z14)
	NARROW_ROW_BETA(Z15)
	VZEROUPPER
	RET

narrow_store:
	// C = acc
	NARROW_ROW_STORE(Z8)
	NARROW_ROW_STORE(Z9)
	NARROW_ROW_STORE(Z10)
	NARROW_ROW_STORE(Z11)
	NARROW_ROW_STORE(Z12)
	NARROW_ROW_STORE(Z13)
	NARROW_ROW_STORE(Z14)
	NARROW_ROW_STORE(Z15)
	VZEROUPPER
	RET
