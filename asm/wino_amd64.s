//go:build amd64 && gc && !purego

#include "textflag.h"

// Winograd F(4×4, 3×3) tile transforms with AVX-512, 16 tiles per step
// (see wino.go and the references in wino_generic.go). Lane l of every
// vector is tile t+l. The image is read and written two neighbouring
// elements at a time, with 64-bit gathers and scatters of 8 tiles each
// (on Zen 4 these cost about as much per element as the 32-bit ones,
// so pairs halve their cost), and VPERMT2PS between pairs and lanes.
// Register use:
//   Z31 = 4, Z30 = 5, Z29 = 8, Z28 = -5, Z27 = -4 (broadcast constants)
//   Z26 = offs[t..t+16), Y24 = offs[t+8..t+16) (gather/scatter indices)
//   Z25 = bias[t..t+16), Z20-Z23 = the permutations of winoConst
//   Z0-Z5 inputs of a 1-D transform, Z6-Z11 its outputs, Z12-Z15 temps
//   K2 = the step's lanes, K5 = K2 >> 8, K1 = copy of K2 or K5 for each
//   gather or scatter
//   AX = tiles left, CX = tiles in this step, BX = &offs[t]
//   DI = &domain[t] (V or M), R10 = matrix stride in bytes, R11 = domain
//   column pointer, R12 = 6·R10, R13 = 18·R10, R14 = 30·R10
//   SI = image, R8 = image row stride in bytes, R9 = image row pointer
// The frame holds the 36 (or 24) vectors between the two passes: element
// (r, s) of the intermediate 6×6 at (6r+s)·64(SP).

// winoConst: 0, 2, …, 30 then 1, 3, …, 31: the first and the second
// floats of 16 pairs in two vectors, for VPERMT2PS; then 0, 16, 1, 17,
// …, 7, 23 and 8, 24, …, 15, 31: the pairs of lanes 0..7 and 8..15 of
// two vectors.
DATA winoConst<>+0(SB)/4, $0
DATA winoConst<>+4(SB)/4, $2
DATA winoConst<>+8(SB)/4, $4
DATA winoConst<>+12(SB)/4, $6
DATA winoConst<>+16(SB)/4, $8
DATA winoConst<>+20(SB)/4, $10
DATA winoConst<>+24(SB)/4, $12
DATA winoConst<>+28(SB)/4, $14
DATA winoConst<>+32(SB)/4, $16
DATA winoConst<>+36(SB)/4, $18
DATA winoConst<>+40(SB)/4, $20
DATA winoConst<>+44(SB)/4, $22
DATA winoConst<>+48(SB)/4, $24
DATA winoConst<>+52(SB)/4, $26
DATA winoConst<>+56(SB)/4, $28
DATA winoConst<>+60(SB)/4, $30
DATA winoConst<>+64(SB)/4, $1
DATA winoConst<>+68(SB)/4, $3
DATA winoConst<>+72(SB)/4, $5
DATA winoConst<>+76(SB)/4, $7
DATA winoConst<>+80(SB)/4, $9
DATA winoConst<>+84(SB)/4, $11
DATA winoConst<>+88(SB)/4, $13
DATA winoConst<>+92(SB)/4, $15
DATA winoConst<>+96(SB)/4, $17
DATA winoConst<>+100(SB)/4, $19
DATA winoConst<>+104(SB)/4, $21
DATA winoConst<>+108(SB)/4, $23
DATA winoConst<>+112(SB)/4, $25
DATA winoConst<>+116(SB)/4, $27
DATA winoConst<>+120(SB)/4, $29
DATA winoConst<>+124(SB)/4, $31
DATA winoConst<>+128(SB)/4, $0
DATA winoConst<>+132(SB)/4, $16
DATA winoConst<>+136(SB)/4, $1
DATA winoConst<>+140(SB)/4, $17
DATA winoConst<>+144(SB)/4, $2
DATA winoConst<>+148(SB)/4, $18
DATA winoConst<>+152(SB)/4, $3
DATA winoConst<>+156(SB)/4, $19
DATA winoConst<>+160(SB)/4, $4
DATA winoConst<>+164(SB)/4, $20
DATA winoConst<>+168(SB)/4, $5
DATA winoConst<>+172(SB)/4, $21
DATA winoConst<>+176(SB)/4, $6
DATA winoConst<>+180(SB)/4, $22
DATA winoConst<>+184(SB)/4, $7
DATA winoConst<>+188(SB)/4, $23
DATA winoConst<>+192(SB)/4, $8
DATA winoConst<>+196(SB)/4, $24
DATA winoConst<>+200(SB)/4, $9
DATA winoConst<>+204(SB)/4, $25
DATA winoConst<>+208(SB)/4, $10
DATA winoConst<>+212(SB)/4, $26
DATA winoConst<>+216(SB)/4, $11
DATA winoConst<>+220(SB)/4, $27
DATA winoConst<>+224(SB)/4, $12
DATA winoConst<>+228(SB)/4, $28
DATA winoConst<>+232(SB)/4, $13
DATA winoConst<>+236(SB)/4, $29
DATA winoConst<>+240(SB)/4, $14
DATA winoConst<>+244(SB)/4, $30
DATA winoConst<>+248(SB)/4, $15
DATA winoConst<>+252(SB)/4, $31
GLOBL winoConst<>(SB), RODATA|NOPTR, $256

// WINO_CONST loads the constants and the strides.
#define WINO_CONST \
	MOVL         $0x40800000, R9    /* 4.0 */ \
	VPBROADCASTD R9, Z31                       \
	MOVL         $0x40a00000, R9    /* 5.0 */ \
	VPBROADCASTD R9, Z30                       \
	MOVL         $0x41000000, R9    /* 8.0 */ \
	VPBROADCASTD R9, Z29                       \
	MOVL         $0xc0a00000, R9    /* -5.0 */ \
	VPBROADCASTD R9, Z28                       \
	MOVL         $0xc0800000, R9    /* -4.0 */ \
	VPBROADCASTD R9, Z27                       \
	VMOVDQU32    winoConst<>+0(SB), Z23  /* first of pairs */ \
	VMOVDQU32    winoConst<>+64(SB), Z22 /* second of pairs */ \
	VMOVDQU32    winoConst<>+128(SB), Z21 /* pairs of lanes 0..7 */ \
	VMOVDQU32    winoConst<>+192(SB), Z20 /* pairs of lanes 8..15 */ \
	SHLQ         $2, R10            /* R10 = stride in bytes */ \
	SHLQ         $2, R8             /* R8 = row in bytes */ \
	LEAQ         (R10)(R10*2), R12                         \
	ADDQ         R12, R12           /* R12 = 6·stride */ \
	LEAQ         (R12)(R12*2), R13  /* R13 = 18·stride */ \
	LEAQ         (R12)(R12*4), R14  /* R14 = 30·stride */

// WINO_STEP: CX = min(AX, 16), K2 = lanes 0..CX-1, Z26 = offs[t..t+CX).
#define WINO_STEP \
	MOVQ      $16, CX                                  \
	CMPQ      AX, CX                                   \
	CMOVQLT   AX, CX           /* CX = min(left, 16) */ \
	MOVL      $1, R9                                   \
	SHLL      CX, R9                                   \
	DECL      R9                                       \
	KMOVW     R9, K2           /* K2 = lanes 0..CX-1 */ \
	VMOVDQU32.Z (BX), K2, Z26  /* Z26 = offs[t+l] */ \
	VEXTRACTI32X8 $1, Z26, Y24 /* Y24 = offs[t+8+l] */ \
	KSHIFTRW  $8, K2, K5       /* K5 = lanes 8..CX-1 */

// WINO_NEXT advances to the next step.
#define WINO_NEXT \
	SUBQ CX, AX                                        \
	ADDQ $64, BX              /* &offs[t+16] */        \
	ADDQ $64, DI              /* &domain[t+16] */

// GATHER2(off, A, B): A = image[offs[t+l] + row + off/4], B = the next
// element, l = 0..15: two 64-bit gathers of 8 pairs each, split by
// VPERMT2PS (half as many elements gathered as by GATHER twice).
#define GATHER2(off, A, B) \
	KMOVW      K2, K1                                  \
	VGATHERDPD off(R9)(Y26*4), K1, A   /* pairs of tiles 0..7 */ \
	KMOVW      K5, K1                                  \
	VGATHERDPD off(R9)(Y24*4), K1, B   /* pairs of tiles 8..15 */ \
	VMOVAPS    A, Z15                                  \
	VPERMT2PS  B, Z23, A       /* firsts */            \
	VPERMT2PS  B, Z22, Z15     /* seconds */           \
	VMOVAPS    Z15, B

// ADD_SCATTER2(A, B, off): image[offs[t+l] + row + off/4] += A[l] and
// the next element += B[l], l = 0..15, as 8 pairs at a time (64-bit
// gathers and scatters); overwrites A. The pairs of different tiles
// must not overlap (offsets at least 2 apart).
#define ADD_SCATTER2(A, B, off) \
	KMOVW       K2, K1                                 \
	VGATHERDPD  off(R9)(Y26*4), K1, Z12   /* pairs of tiles 0..7 */ \
	KMOVW       K5, K1                                 \
	VGATHERDPD  off(R9)(Y24*4), K1, Z13   /* pairs of tiles 8..15 */ \
	VMOVAPS     A, Z14                                 \
	VPERMT2PS   B, Z21, Z14    /* (A, B) of tiles 0..7 */ \
	VPERMT2PS   B, Z20, A      /* (A, B) of tiles 8..15 */ \
	VADDPS      Z14, Z12, Z12                          \
	VADDPS      A, Z13, Z13                            \
	KMOVW       K2, K1                                 \
	VSCATTERDPD Z12, K1, off(R9)(Y26*4)                \
	KMOVW       K5, K1                                 \
	VSCATTERDPD Z13, K1, off(R9)(Y24*4)

// SCATTER2(A, B, off): image[offs[t+l] + row + off/4] = A[l] and the
// next element = B[l], as 8 pairs at a time; overwrites A.
#define SCATTER2(A, B, off) \
	VMOVAPS     A, Z14                                 \
	VPERMT2PS   B, Z21, Z14    /* (A, B) of tiles 0..7 */ \
	VPERMT2PS   B, Z20, A      /* (A, B) of tiles 8..15 */ \
	KMOVW       K2, K1                                 \
	VSCATTERDPD Z14, K1, off(R9)(Y26*4)                \
	KMOVW       K5, K1                                 \
	VSCATTERDPD A, K1, off(R9)(Y24*4)

// LOAD_COL: Z0-Z5 = domain[(6i + j)·stride + t], i = 0..5 (R11 = &domain[j·stride + t]).
#define LOAD_COL \
	VMOVUPS.Z (R11), K2, Z0                            \
	VMOVUPS.Z (R11)(R12*1), K2, Z1                     \
	VMOVUPS.Z (R11)(R12*2), K2, Z2                     \
	VMOVUPS.Z (R11)(R13*1), K2, Z3                     \
	VMOVUPS.Z (R11)(R12*4), K2, Z4                     \
	VMOVUPS.Z (R11)(R14*1), K2, Z5

// STORE_COL(y0, …, y5): domain[(6i + j)·stride + t] = yi; next column.
#define STORE_COL(y0, y1, y2, y3, y4, y5) \
	VMOVUPS y0, K2, (R11)                              \
	VMOVUPS y1, K2, (R11)(R12*1)                       \
	VMOVUPS y2, K2, (R11)(R12*2)                       \
	VMOVUPS y3, K2, (R11)(R13*1)                       \
	VMOVUPS y4, K2, (R11)(R12*4)                       \
	VMOVUPS y5, K2, (R11)(R14*1)                       \
	ADDQ    R10, R11

// LOAD6(a, …, f): Z0-Z5 = the frame vectors at offsets a, …, f.
#define LOAD6(a, b, c, d, e, f) \
	VMOVUPS a(SP), Z0                                  \
	VMOVUPS b(SP), Z1                                  \
	VMOVUPS c(SP), Z2                                  \
	VMOVUPS d(SP), Z3                                  \
	VMOVUPS e(SP), Z4                                  \
	VMOVUPS f(SP), Z5

// STORE6(a, …, f): the frame vectors at offsets a, …, f = Z6-Z11.
#define STORE6(a, b, c, d, e, f) \
	VMOVUPS Z6, a(SP)                                  \
	VMOVUPS Z7, b(SP)                                  \
	VMOVUPS Z8, c(SP)                                  \
	VMOVUPS Z9, d(SP)                                  \
	VMOVUPS Z10, e(SP)                                 \
	VMOVUPS Z11, f(SP)

// WINO_B: Z6-Z11 = Bᵀ (Z0-Z5), as winoBGeneric.
#define WINO_B \
	VMULPS Z31, Z2, Z12        /* 4x2 */               \
	VSUBPS Z12, Z4, Z12        /* t1 = x4 - 4x2 */     \
	VMULPS Z31, Z1, Z13        /* b = 4x1 */           \
	VSUBPS Z13, Z3, Z14        /* t2 = x3 - b */       \
	VADDPS Z14, Z12, Z7        /* y1 = t1 + t2 */      \
	VSUBPS Z14, Z12, Z8        /* y2 = t1 - t2 */      \
	VSUBPS Z2, Z4, Z12         /* t3 = x4 - x2 */      \
	VSUBPS Z1, Z3, Z14         /* e = x3 - x1 */       \
	VADDPS Z14, Z14, Z14       /* t4 = e + e */        \
	VADDPS Z14, Z12, Z9        /* y3 = t3 + t4 */      \
	VSUBPS Z14, Z12, Z10       /* y4 = t3 - t4 */      \
	VMULPS Z31, Z0, Z12        /* 4x0 */               \
	VMULPS Z30, Z2, Z14        /* 5x2 */               \
	VSUBPS Z14, Z12, Z12       /* 4x0 - 5x2 */         \
	VADDPS Z4, Z12, Z6         /* y0 = … + x4 */       \
	VMULPS Z30, Z3, Z14        /* 5x3 */               \
	VSUBPS Z14, Z13, Z13       /* b - 5x3 */           \
	VADDPS Z5, Z13, Z11        /* y5 = … + x5 */

// WINO_BT: Z6-Z11 = B (Z0-Z5), as winoBTGeneric.
#define WINO_BT \
	VSUBPS Z2, Z1, Z12         /* d1 = x1 - x2 */      \
	VSUBPS Z4, Z3, Z13         /* d2 = x3 - x4 */      \
	VADDPS Z13, Z13, Z13       /* 2d2 */               \
	VMULPS Z31, Z12, Z14       /* 4d1 */               \
	VADDPS Z13, Z14, Z14       /* 4d1 + 2d2 */         \
	VMULPS Z31, Z5, Z7         /* 4x5 */               \
	VSUBPS Z14, Z7, Z7         /* y1 = 4x5 - (4d1 + 2d2) */ \
	VADDPS Z13, Z12, Z12       /* d1 + 2d2 */          \
	VMULPS Z30, Z5, Z14        /* 5x5 */               \
	VSUBPS Z14, Z12, Z9        /* y3 = (d1 + 2d2) - 5x5 */ \
	VADDPS Z2, Z1, Z12         /* s1 = x1 + x2 */      \
	VADDPS Z4, Z3, Z13         /* s2 = x3 + x4 */      \
	VMULPS Z28, Z0, Z14        /* -5x0 */              \
	VMULPS Z27, Z12, Z8        /* -4s1 */              \
	VADDPS Z8, Z14, Z8         /* -5x0 + -4s1 */       \
	VSUBPS Z13, Z8, Z8         /* y2 = … - s2 */       \
	VADDPS Z12, Z0, Z10        /* x0 + s1 */           \
	VADDPS Z13, Z10, Z10       /* y4 = … + s2 */       \
	VMULPS Z31, Z0, Z6         /* y0 = 4x0 */          \
	VMOVAPS Z5, Z11            /* y5 = x5 */

// WINO_A: Z6-Z9 = Aᵀ (Z0-Z5), as winoAGeneric.
#define WINO_A \
	VADDPS Z2, Z1, Z12         /* a = x1 + x2 */       \
	VSUBPS Z2, Z1, Z13         /* b = x1 - x2 */       \
	VADDPS Z4, Z3, Z14         /* c = x3 + x4 */       \
	VSUBPS Z4, Z3, Z15         /* d = x3 - x4 */       \
	VADDPS Z12, Z0, Z6         /* x0 + a */            \
	VADDPS Z14, Z6, Z6         /* y0 = … + c */        \
	VADDPS Z15, Z15, Z7        /* 2d */                \
	VADDPS Z7, Z13, Z7         /* y1 = b + 2d */       \
	VMULPS Z31, Z14, Z8        /* 4c */                \
	VADDPS Z8, Z12, Z8         /* y2 = a + 4c */       \
	VMULPS Z29, Z15, Z9        /* 8d */                \
	VADDPS Z9, Z13, Z9         /* b + 8d */            \
	VADDPS Z5, Z9, Z9          /* y3 = … + x5 */

// WINO_AT: Z6-Z11 = A (Z0-Z3), as winoATGeneric.
#define WINO_AT \
	VADDPS  Z2, Z0, Z12        /* a = x0 + x2 */       \
	VADDPS  Z3, Z1, Z13        /* b = x1 + x3 */       \
	VADDPS  Z13, Z12, Z7       /* y1 = a + b */        \
	VSUBPS  Z13, Z12, Z8       /* y2 = a - b */        \
	VMULPS  Z31, Z2, Z12       /* 4x2 */               \
	VADDPS  Z12, Z0, Z12       /* c = x0 + 4x2 */      \
	VADDPS  Z1, Z1, Z13        /* 2x1 */               \
	VMULPS  Z29, Z3, Z14       /* 8x3 */               \
	VADDPS  Z14, Z13, Z13      /* d = 2x1 + 8x3 */     \
	VADDPS  Z13, Z12, Z9       /* y3 = c + d */        \
	VSUBPS  Z13, Z12, Z10      /* y4 = c - d */        \
	VMOVAPS Z0, Z6             /* y0 = x0 */           \
	VMOVAPS Z3, Z11            /* y5 = x3 */

// ---- input: V = Bᵀ d B ----

// IN_ROW(a, …, f): row r of d B into the frame; next image row.
#define IN_ROW(a, b, c, d, e, f) \
	GATHER2(0, Z0, Z1)                                 \
	GATHER2(8, Z2, Z3)                                 \
	GATHER2(16, Z4, Z5)                                \
	WINO_B                                             \
	STORE6(a, b, c, d, e, f)                           \
	ADDQ R8, R9

// IN_COL(a, …, f): column j of Bᵀ (d B) into V.
#define IN_COL(a, b, c, d, e, f) \
	LOAD6(a, b, c, d, e, f)                            \
	WINO_B                                             \
	STORE_COL(Z6, Z7, Z8, Z9, Z10, Z11)

// func winoInputAVX512(v []float32, sv int, src []float32, w int, offs []int32)
TEXT ·winoInputAVX512(SB), 0, $2304-88
	MOVQ v_base+0(FP), DI
	MOVQ sv+24(FP), R10
	MOVQ src_base+32(FP), SI
	MOVQ w+56(FP), R8
	MOVQ offs_base+64(FP), BX
	MOVQ offs_len+72(FP), AX
	WINO_CONST
winoInStep:
	TESTQ AX, AX
	JZ    winoInDone
	WINO_STEP
	MOVQ  SI, R9               // R9 = row 0 of the patches
	IN_ROW(0, 64, 128, 192, 256, 320)
	IN_ROW(384, 448, 512, 576, 640, 704)
	IN_ROW(768, 832, 896, 960, 1024, 1088)
	IN_ROW(1152, 1216, 1280, 1344, 1408, 1472)
	IN_ROW(1536, 1600, 1664, 1728, 1792, 1856)
	IN_ROW(1920, 1984, 2048, 2112, 2176, 2240)
	MOVQ  DI, R11              // R11 = &V[0][t]
	IN_COL(0, 384, 768, 1152, 1536, 1920)
	IN_COL(64, 448, 832, 1216, 1600, 1984)
	IN_COL(128, 512, 896, 1280, 1664, 2048)
	IN_COL(192, 576, 960, 1344, 1728, 2112)
	IN_COL(256, 640, 1024, 1408, 1792, 2176)
	IN_COL(320, 704, 1088, 1472, 1856, 2240)
	WINO_NEXT
	JMP   winoInStep
winoInDone:
	VZEROUPPER
	RET

// ---- input transpose: patch += B V̄ Bᵀ ----

// INT_COL(a, …, f): column j of B V̄ into the frame.
#define INT_COL(a, b, c, d, e, f) \
	LOAD_COL                                           \
	WINO_BT                                            \
	STORE6(a, b, c, d, e, f)                           \
	ADDQ R10, R11

// INT_ROW(a, …, f): row r of (B V̄) Bᵀ added into the patches; next row.
#define INT_ROW(a, b, c, d, e, f) \
	LOAD6(a, b, c, d, e, f)                            \
	WINO_BT                                            \
	ADD_SCATTER2(Z6, Z7, 0)                            \
	ADD_SCATTER2(Z8, Z9, 8)                            \
	ADD_SCATTER2(Z10, Z11, 16)                         \
	ADDQ R8, R9

// func winoInputTAVX512(dst []float32, w int, offs []int32, v []float32, sv int)
TEXT ·winoInputTAVX512(SB), 0, $2304-88
	MOVQ dst_base+0(FP), SI
	MOVQ w+24(FP), R8
	MOVQ offs_base+32(FP), BX
	MOVQ offs_len+40(FP), AX
	MOVQ v_base+56(FP), DI
	MOVQ sv+80(FP), R10
	WINO_CONST
winoInTStep:
	TESTQ AX, AX
	JZ    winoInTDone
	WINO_STEP
	MOVQ  DI, R11              // R11 = &V̄[0][t]
	INT_COL(0, 384, 768, 1152, 1536, 1920)
	INT_COL(64, 448, 832, 1216, 1600, 1984)
	INT_COL(128, 512, 896, 1280, 1664, 2048)
	INT_COL(192, 576, 960, 1344, 1728, 2112)
	INT_COL(256, 640, 1024, 1408, 1792, 2176)
	INT_COL(320, 704, 1088, 1472, 1856, 2240)
	MOVQ  SI, R9               // R9 = row 0 of the patches
	INT_ROW(0, 64, 128, 192, 256, 320)
	INT_ROW(384, 448, 512, 576, 640, 704)
	INT_ROW(768, 832, 896, 960, 1024, 1088)
	INT_ROW(1152, 1216, 1280, 1344, 1408, 1472)
	INT_ROW(1536, 1600, 1664, 1728, 1792, 1856)
	INT_ROW(1920, 1984, 2048, 2112, 2176, 2240)
	WINO_NEXT
	JMP   winoInTStep
winoInTDone:
	VZEROUPPER
	RET

// ---- output: tile = Aᵀ M A (+ bias) (+ tile) ----

// OUT_COL(a, b, c, d): column j of Aᵀ M into the frame (rows 0..3).
#define OUT_COL(a, b, c, d) \
	LOAD_COL                                           \
	WINO_A                                             \
	VMOVUPS Z6, a(SP)                                  \
	VMOVUPS Z7, b(SP)                                  \
	VMOVUPS Z8, c(SP)                                  \
	VMOVUPS Z9, d(SP)                                  \
	ADDQ    R10, R11

// OUT_ROW(a, …, f): row r of (Aᵀ M) A plus the bias (Z25; -0 without
// bias, which adds nothing) into Z6-Z9.
#define OUT_ROW(a, b, c, d, e, f) \
	LOAD6(a, b, c, d, e, f)                            \
	WINO_A                                             \
	VADDPS  Z25, Z6, Z6        /* y + bias */          \
	VADDPS  Z25, Z7, Z7                                \
	VADDPS  Z25, Z8, Z8                                \
	VADDPS  Z25, Z9, Z9

// OUT_SET(a, …, f): row r of the tiles = OUT_ROW; next image row.
#define OUT_SET(a, b, c, d, e, f) \
	OUT_ROW(a, b, c, d, e, f)                          \
	SCATTER2(Z6, Z7, 0)                                \
	SCATTER2(Z8, Z9, 8)                                \
	ADDQ    R8, R9

// OUT_ACC(a, …, f): row r of the tiles += OUT_ROW, element by element
// (a later element may be an earlier one of an overlapping tile); next
// image row.
#define OUT_ACC(a, b, c, d, e, f) \
	OUT_ROW(a, b, c, d, e, f)                          \
	ADD_SCATTER2(Z6, Z7, 0)                            \
	ADD_SCATTER2(Z8, Z9, 8)                            \
	ADDQ    R8, R9

// func winoOutputAVX512(dst []float32, w int, offs []int32, m []float32, sm int, bias []float32, acc bool)
TEXT ·winoOutputAVX512(SB), 0, $2304-113
	MOVQ dst_base+0(FP), SI
	MOVQ w+24(FP), R8
	MOVQ offs_base+32(FP), BX
	MOVQ offs_len+40(FP), AX
	MOVQ m_base+56(FP), DI
	MOVQ sm+80(FP), R10
	MOVQ bias_base+88(FP), DX  // DX = &bias[t], nil without bias
	WINO_CONST
	MOVL $0x80000000, R9
	VPBROADCASTD R9, Z25       // Z25 = -0: no bias
	MOVBLZX acc+112(FP), R9
	KMOVW R9, K3               // K3 = acc
winoOutStep:
	TESTQ AX, AX
	JZ    winoOutDone
	WINO_STEP
	TESTQ DX, DX
	JZ    winoOutNoBias
	VMOVUPS (DX), K2, Z25      // Z25 = bias[t+l]
	ADDQ  $64, DX
winoOutNoBias:
	MOVQ  DI, R11              // R11 = &M[0][t]
	OUT_COL(0, 384, 768, 1152)
	OUT_COL(64, 448, 832, 1216)
	OUT_COL(128, 512, 896, 1280)
	OUT_COL(192, 576, 960, 1344)
	OUT_COL(256, 640, 1024, 1408)
	OUT_COL(320, 704, 1088, 1472)
	MOVQ  SI, R9               // R9 = row 0 of the tiles
	KORTESTW K3, K3
	JNZ   winoOutAcc
	OUT_SET(0, 64, 128, 192, 256, 320)
	OUT_SET(384, 448, 512, 576, 640, 704)
	OUT_SET(768, 832, 896, 960, 1024, 1088)
	OUT_SET(1152, 1216, 1280, 1344, 1408, 1472)
	JMP   winoOutNext
winoOutAcc:
	OUT_ACC(0, 64, 128, 192, 256, 320)
	OUT_ACC(384, 448, 512, 576, 640, 704)
	OUT_ACC(768, 832, 896, 960, 1024, 1088)
	OUT_ACC(1152, 1216, 1280, 1344, 1408, 1472)
winoOutNext:
	WINO_NEXT
	JMP   winoOutStep
winoOutDone:
	VZEROUPPER
	RET

// ---- gradient: M̄ = A ȳ Aᵀ ----

// GRAD_ROW(a, …, f): row r of ȳ Aᵀ into the frame; next image row.
#define GRAD_ROW(a, b, c, d, e, f) \
	GATHER2(0, Z0, Z1)                                 \
	GATHER2(8, Z2, Z3)                                 \
	WINO_AT                                            \
	STORE6(a, b, c, d, e, f)                           \
	ADDQ R8, R9

// GRAD_COL(a, b, c, d): column j of A (ȳ Aᵀ) into M̄.
#define GRAD_COL(a, b, c, d) \
	VMOVUPS a(SP), Z0                                  \
	VMOVUPS b(SP), Z1                                  \
	VMOVUPS c(SP), Z2                                  \
	VMOVUPS d(SP), Z3                                  \
	WINO_AT                                            \
	STORE_COL(Z6, Z7, Z8, Z9, Z10, Z11)

// func winoGradAVX512(m []float32, sm int, src []float32, w int, offs []int32)
TEXT ·winoGradAVX512(SB), 0, $2304-88
	MOVQ m_base+0(FP), DI
	MOVQ sm+24(FP), R10
	MOVQ src_base+32(FP), SI
	MOVQ w+56(FP), R8
	MOVQ offs_base+64(FP), BX
	MOVQ offs_len+72(FP), AX
	WINO_CONST
winoGradStep:
	TESTQ AX, AX
	JZ    winoGradDone
	WINO_STEP
	MOVQ  SI, R9               // R9 = row 0 of the tiles
	GRAD_ROW(0, 64, 128, 192, 256, 320)
	GRAD_ROW(384, 448, 512, 576, 640, 704)
	GRAD_ROW(768, 832, 896, 960, 1024, 1088)
	GRAD_ROW(1152, 1216, 1280, 1344, 1408, 1472)
	MOVQ  DI, R11              // R11 = &M̄[0][t]
	GRAD_COL(0, 384, 768, 1152)
	GRAD_COL(64, 448, 832, 1216)
	GRAD_COL(128, 512, 896, 1280)
	GRAD_COL(192, 576, 960, 1344)
	GRAD_COL(256, 640, 1024, 1408)
	GRAD_COL(320, 704, 1088, 1472)
	WINO_NEXT
	JMP   winoGradStep
winoGradDone:
	VZEROUPPER
	RET
