//go:build amd64 && gc && !purego

#include "textflag.h"

// MaxPool2x2 with AVX-512: 16 windows of one row of windows per
// vector. The two image rows of a row of windows are loaded 32 floats
// each (masked on the last, partial vector) and split by VPERMT2PS into
// the left (even) and right (odd) elements of the windows: a, b on top,
// c, d below. A tournament picks the winner: b beats a when !(b <= a) and
// a is a number (VCMPPS NLE_UQ under an ORD_Q mask), which is the
// reference's order on keys: strictly greater wins, NaN beats numbers,
// the first of equal values (−0 = +0, NaN = NaN) stays.

// pool2Const: 0, 2, …, 30 (the even elements of two vectors for
// VPERMT2PS, and 2·lane), then 1, 3, …, 31 (the odd elements).
DATA pool2Const<>+0(SB)/4, $0
DATA pool2Const<>+4(SB)/4, $2
DATA pool2Const<>+8(SB)/4, $4
DATA pool2Const<>+12(SB)/4, $6
DATA pool2Const<>+16(SB)/4, $8
DATA pool2Const<>+20(SB)/4, $10
DATA pool2Const<>+24(SB)/4, $12
DATA pool2Const<>+28(SB)/4, $14
DATA pool2Const<>+32(SB)/4, $16
DATA pool2Const<>+36(SB)/4, $18
DATA pool2Const<>+40(SB)/4, $20
DATA pool2Const<>+44(SB)/4, $22
DATA pool2Const<>+48(SB)/4, $24
DATA pool2Const<>+52(SB)/4, $26
DATA pool2Const<>+56(SB)/4, $28
DATA pool2Const<>+60(SB)/4, $30
DATA pool2Const<>+64(SB)/4, $1
DATA pool2Const<>+68(SB)/4, $3
DATA pool2Const<>+72(SB)/4, $5
DATA pool2Const<>+76(SB)/4, $7
DATA pool2Const<>+80(SB)/4, $9
DATA pool2Const<>+84(SB)/4, $11
DATA pool2Const<>+88(SB)/4, $13
DATA pool2Const<>+92(SB)/4, $15
DATA pool2Const<>+96(SB)/4, $17
DATA pool2Const<>+100(SB)/4, $19
DATA pool2Const<>+104(SB)/4, $21
DATA pool2Const<>+108(SB)/4, $23
DATA pool2Const<>+112(SB)/4, $25
DATA pool2Const<>+116(SB)/4, $27
DATA pool2Const<>+120(SB)/4, $29
DATA pool2Const<>+124(SB)/4, $31
GLOBL pool2Const<>(SB), RODATA|NOPTR, $128

// POOL2: Z0, Z1 = top row (32 floats), Z2, Z3 = bottom row, DX = index
// of the first window's top-left element -> Z4 = the 16 maxima, Z8 = their
// indices. Z30 = evens, Z31 = odds, Z29 = 1, Z28 = w, Z27 = w+1.
#define POOL2 \
	VMOVAPS   Z0, Z4                                           \
	VPERMT2PS Z1, Z30, Z4         /* a := top left */          \
	VPERMT2PS Z1, Z31, Z0         /* b := top right */         \
	VMOVAPS   Z2, Z5                                           \
	VPERMT2PS Z3, Z30, Z5         /* c := bottom left */       \
	VPERMT2PS Z3, Z31, Z2         /* d := bottom right */      \
	VCMPPS    $0x07, Z4, Z4, K4   /* a is a number */          \
	VCMPPS    $0x16, Z4, Z0, K4, K5 /* b wins: !(b <= a) */    \
	VMOVAPS   Z0, K5, Z4          /* a := top winner */        \
	VPXORD    Z6, Z6, Z6                                       \
	VMOVDQA32 Z29, K5, Z6         /* top offset: 0 or 1 */     \
	VCMPPS    $0x07, Z5, Z5, K4   /* c is a number */          \
	VCMPPS    $0x16, Z5, Z2, K4, K6 /* d wins */               \
	VMOVAPS   Z2, K6, Z5          /* c := bottom winner */     \
	VMOVDQA32 Z28, Z7                                          \
	VMOVDQA32 Z27, K6, Z7         /* bottom offset: w or w+1 */ \
	VCMPPS    $0x07, Z4, Z4, K4   /* a is a number */          \
	VCMPPS    $0x16, Z4, Z5, K4, K7 /* bottom wins */          \
	VMOVDQA32 Z7, K7, Z6          /* offset in the window */   \
	VMOVAPS   Z5, K7, Z4          /* the maximum */            \
	VPBROADCASTD DX, Z8                                        \
	VPADDD    Z30, Z8, Z8         /* top-left of each window */ \
	VPADDD    Z6, Z8, Z8

// func maxPool2x2AVX512(dst []float32, idx []int32, x []float32, oh, ow, w int, base int32)
TEXT ·maxPool2x2AVX512(SB), NOSPLIT, $0-100
	MOVQ idx_base+24(FP), DI
	MOVQ x_base+48(FP), SI
	MOVQ oh+72(FP), R9
	MOVQ ow+80(FP), CX
	MOVQ w+88(FP), R8
	MOVL base+96(FP), R12
	VMOVDQU32 pool2Const<>+0(SB), Z30
	VMOVDQU32 pool2Const<>+64(SB), Z31
	MOVL $1, AX
	VPBROADCASTD AX, Z29
	VPBROADCASTD R8, Z28
	VPADDD Z29, Z28, Z27
	MOVQ CX, R10
	SHRQ $4, R10                  // R10 = full vectors per row
	MOVQ CX, R11
	ANDQ $15, R11                 // R11 = windows in the last vector
	MOVQ CX, R13                  // keep ow
	MOVQ R11, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K3                  // K3 = the last vector's windows
	SHLQ $1, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX                       // 2·rem floats of each image row
	KMOVW AX, K1                  // K1 = first 16 of them
	SHRQ $16, AX
	KMOVW AX, K2                  // K2 = the rest
	MOVQ R13, CX                  // CX = ow
	MOVQ dst_base+0(FP), AX
	SUBQ DI, AX                   // AX = dst - idx in bytes

pool2Row:
	MOVQ SI, R13                  // R13 = top row of this vector
	MOVQ DI, R14                  // R14 = its output
	MOVL R12, DX                  // DX = index of its first element
	MOVQ R10, BX
pool2Vec:
	TESTQ BX, BX
	JZ    pool2Tail
	VMOVUPS (R13), Z0
	VMOVUPS 64(R13), Z1
	VMOVUPS (R13)(R8*4), Z2
	VMOVUPS 64(R13)(R8*4), Z3
	POOL2
	VMOVUPS   Z4, (R14)(AX*1)
	VMOVDQU32 Z8, (R14)
	ADDQ $128, R13
	ADDQ $64, R14
	ADDL $32, DX
	DECQ BX
	JMP  pool2Vec
pool2Tail:
	TESTQ R11, R11
	JZ    pool2Next
	VMOVUPS.Z (R13), K1, Z0
	VMOVUPS.Z 64(R13), K2, Z1
	VMOVUPS.Z (R13)(R8*4), K1, Z2
	VMOVUPS.Z 64(R13)(R8*4), K2, Z3
	POOL2
	VMOVUPS   Z4, K3, (R14)(AX*1)
	VMOVDQU32 Z8, K3, (R14)
pool2Next:
	LEAQ (SI)(R8*8), SI           // two image rows down
	LEAQ (R12)(R8*2), R12
	LEAQ (DI)(CX*4), DI           // one row of windows down
	DECQ R9
	JNZ  pool2Row
	VZEROUPPER
	RET

// MaxUnpool2x2 with AVX-512: 16 windows per vector. The offset of each
// index in its window (idx − top-left) picks, by VPCMPEQD against 0, 1, w
// and w+1, which of the four zeroed vectors a, b (top row), c, d (bottom
// row) gets g; VPERMT2PS interleaves a with b and c with d into the two
// image rows, 32 floats each.

// unpool2Const: 0, 16, 1, 17, …, 15, 31 (interleave two vectors).
DATA unpool2Const<>+0(SB)/4, $0
DATA unpool2Const<>+4(SB)/4, $16
DATA unpool2Const<>+8(SB)/4, $1
DATA unpool2Const<>+12(SB)/4, $17
DATA unpool2Const<>+16(SB)/4, $2
DATA unpool2Const<>+20(SB)/4, $18
DATA unpool2Const<>+24(SB)/4, $3
DATA unpool2Const<>+28(SB)/4, $19
DATA unpool2Const<>+32(SB)/4, $4
DATA unpool2Const<>+36(SB)/4, $20
DATA unpool2Const<>+40(SB)/4, $5
DATA unpool2Const<>+44(SB)/4, $21
DATA unpool2Const<>+48(SB)/4, $6
DATA unpool2Const<>+52(SB)/4, $22
DATA unpool2Const<>+56(SB)/4, $7
DATA unpool2Const<>+60(SB)/4, $23
DATA unpool2Const<>+64(SB)/4, $8
DATA unpool2Const<>+68(SB)/4, $24
DATA unpool2Const<>+72(SB)/4, $9
DATA unpool2Const<>+76(SB)/4, $25
DATA unpool2Const<>+80(SB)/4, $10
DATA unpool2Const<>+84(SB)/4, $26
DATA unpool2Const<>+88(SB)/4, $11
DATA unpool2Const<>+92(SB)/4, $27
DATA unpool2Const<>+96(SB)/4, $12
DATA unpool2Const<>+100(SB)/4, $28
DATA unpool2Const<>+104(SB)/4, $13
DATA unpool2Const<>+108(SB)/4, $29
DATA unpool2Const<>+112(SB)/4, $14
DATA unpool2Const<>+116(SB)/4, $30
DATA unpool2Const<>+120(SB)/4, $15
DATA unpool2Const<>+124(SB)/4, $31
GLOBL unpool2Const<>(SB), RODATA|NOPTR, $128

// UNPOOL2: Z0 = g, Z1 = idx, DX = index of the first window's top-left
// element -> Z4, Z5 = top row (32 floats), Z6, Z7 = bottom row. Z30 =
// 2·lane, Z28 = w, Z27 = w+1, Z26 = 1, Z24, Z25 = interleave indices.
#define UNPOOL2 \
	VPBROADCASTD DX, Z8                                       \
	VPADDD    Z30, Z8, Z8         /* top-left of each window */ \
	VPSUBD    Z8, Z1, Z1          /* offset in the window */  \
	VPTESTNMD Z1, Z1, K4          /* offset 0 */              \
	VPCMPEQD  Z26, Z1, K5         /* offset 1 */              \
	VPCMPEQD  Z28, Z1, K6         /* offset w */              \
	VPCMPEQD  Z27, Z1, K7         /* offset w+1 */            \
	VMOVAPS.Z Z0, K4, Z4          /* a */                     \
	VMOVAPS.Z Z0, K5, Z9          /* b */                     \
	VMOVAPS.Z Z0, K6, Z6          /* c */                     \
	VMOVAPS.Z Z0, K7, Z10         /* d */                     \
	VMOVAPS   Z4, Z5                                          \
	VPERMT2PS Z9, Z24, Z4         /* a0 b0 … a7 b7 */         \
	VPERMT2PS Z9, Z25, Z5         /* a8 b8 … a15 b15 */       \
	VMOVAPS   Z6, Z7                                          \
	VPERMT2PS Z10, Z24, Z6                                    \
	VPERMT2PS Z10, Z25, Z7

// func maxUnpool2x2AVX512(dst, g []float32, idx []int32, oh, ow, w int, base int32)
TEXT ·maxUnpool2x2AVX512(SB), NOSPLIT, $0-100
	MOVQ dst_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ idx_base+48(FP), BX
	MOVQ oh+72(FP), R9
	MOVQ ow+80(FP), CX
	MOVQ w+88(FP), R8
	MOVL base+96(FP), R12
	VMOVDQU32 pool2Const<>+0(SB), Z30
	VMOVDQU32 unpool2Const<>+0(SB), Z24
	VMOVDQU32 unpool2Const<>+64(SB), Z25
	MOVL $1, AX
	VPBROADCASTD AX, Z26
	VPBROADCASTD R8, Z28
	VPADDD Z26, Z28, Z27
	MOVQ CX, R10
	SHRQ $4, R10                  // R10 = full vectors per row
	MOVQ CX, R11
	ANDQ $15, R11                 // R11 = windows in the last vector
	MOVQ CX, R13                  // keep ow
	MOVQ R11, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K3                  // K3 = the last vector's windows
	SHLQ $1, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX                       // 2·rem floats of each image row
	KMOVW AX, K1                  // K1 = first 16 of them
	SHRQ $16, AX
	KMOVW AX, K2                  // K2 = the rest
	MOVQ R13, CX                  // CX = ow
	SUBQ SI, BX                   // BX = idx - g in bytes

unpool2Row:
	MOVQ DI, R13                  // R13 = top row of this vector
	MOVQ SI, R14                  // R14 = its g (and idx at R14+BX)
	MOVL R12, DX                  // DX = index of its first element
	MOVQ R10, AX
unpool2Vec:
	TESTQ AX, AX
	JZ    unpool2Tail
	VMOVUPS   (R14), Z0
	VMOVDQU32 (R14)(BX*1), Z1
	UNPOOL2
	VMOVUPS Z4, (R13)
	VMOVUPS Z5, 64(R13)
	VMOVUPS Z6, (R13)(R8*4)
	VMOVUPS Z7, 64(R13)(R8*4)
	ADDQ $128, R13
	ADDQ $64, R14
	ADDL $32, DX
	DECQ AX
	JMP  unpool2Vec
unpool2Tail:
	TESTQ R11, R11
	JZ    unpool2Next
	VMOVUPS.Z   (R14), K3, Z0
	VMOVDQU32.Z (R14)(BX*1), K3, Z1
	UNPOOL2
	VMOVUPS Z4, K1, (R13)
	VMOVUPS Z5, K2, 64(R13)
	VMOVUPS Z6, K1, (R13)(R8*4)
	VMOVUPS Z7, K2, 64(R13)(R8*4)
unpool2Next:
	LEAQ (DI)(R8*8), DI           // two image rows down
	LEAQ (R12)(R8*2), R12
	LEAQ (SI)(CX*4), SI           // one row of windows down
	DECQ R9
	JNZ  unpool2Row
	VZEROUPPER
	RET
