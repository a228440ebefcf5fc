//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused cautious steps (C-AdamW, C-Lion) and their mask count; see
// fused_cautious_amd64.go for the Go each kernel computes. C-AdamW's first
// pass (cadamwMoment) stores the new m as it counts, so that its update
// pass neither recomputes nor stores m: the first pass is bound by
// memory, where the store costs nothing measurable, and the second by the
// divider and the multiply pipes, where two operations fewer per vector
// bring it to AdamStep's speed. Pointers:
// DI = p, SI = g, R8 = m, R9 = v; AX is the byte offset of the current
// vector, CX the byte length. The caller's MXCSR is saved in the frame,
// FTZ|DAZ (0x8040) set, and restored before RET. The mask of a lane is
// (x·2^127)·g > 0: with FTZ a subnormal x is already ±0, and a normal
// x·2^127 is at least 2 in magnitude, so the product with a normal g
// cannot underflow and its sign is sign(x)·sign(g).

// cautiousConst<>: 2^127, +1, -1.
DATA cautiousConst<>+0(SB)/4, $0x7f000000
DATA cautiousConst<>+4(SB)/4, $0x3f800000
DATA cautiousConst<>+8(SB)/4, $0xbf800000
GLOBL cautiousConst<>(SB), RODATA|NOPTR, $12

// CAUTIOUS_MXCSR saves MXCSR in the frame and sets FTZ|DAZ.
#define CAUTIOUS_MXCSR \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */

// COUNT_AVX2 counts the agreeing lanes of 8 floats at byte offset off+AX
// into Y11; Y12 = b1, Y13 = omb1, Y14 = 2^127, Y15 = 0.
#define COUNT_AVX2(off) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g := g[i] */ \
	VMULPS       Y0, Y13, Y1            /* x := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), Y12, Y1 /* x += b1*m[i] */ \
	VMULPS       Y14, Y1, Y1            /* x *= 2^127 */ \
	VMULPS       Y0, Y1, Y1             /* x *= g */ \
	VCMPPS       $0x0e, Y15, Y1, Y1     /* x = x > 0 ? -1 : 0 (int32) */ \
	VPSUBD       Y1, Y11, Y11           /* acc -= x */

// func cautiousCountAVX2(g, m []float32, b1, omb1 float32) int
TEXT ·cautiousCountAVX2(SB), NOSPLIT, $8-64
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ m_base+24(FP), R8
	VBROADCASTSS b1+48(FP), Y12              // Y12 = b1
	VBROADCASTSS omb1+52(FP), Y13            // Y13 = omb1
	VBROADCASTSS cautiousConst<>+0(SB), Y14  // Y14 = 2^127
	VXORPS       Y15, Y15, Y15               // Y15 = 0
	VPXOR        Y11, Y11, Y11               // Y11 = per-lane counts
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

count2Block:                        // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  count2Vec
	COUNT_AVX2(0)
	COUNT_AVX2(32)
	COUNT_AVX2(64)
	COUNT_AVX2(96)
	ADDQ $128, AX
	JMP  count2Block

count2Vec:                          // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  count2Done
	COUNT_AVX2(0)
	ADDQ $32, AX
	JMP  count2Vec

count2Done:                         // return the sum of Y11's lanes
	VEXTRACTI128 $1, Y11, X0
	VPADDD       X0, X11, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	MOVQ         AX, ret+56(FP)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// COUNT_AVX512 counts the agreeing lanes of 16 floats at byte offset
// off+AX into Z21; Z16 = b1, Z17 = omb1, Z18 = 2^127, Z19 = 0, Z20 = -1.
#define COUNT_AVX512(off) \
	VMOVUPS      off(SI)(AX*1), Z0      /* g := g[i] */ \
	VMULPS       Z0, Z17, Z1            /* x := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), Z16, Z1 /* x += b1*m[i] */ \
	VMULPS       Z18, Z1, Z1            /* x *= 2^127 */ \
	VMULPS       Z0, Z1, Z1             /* x *= g */ \
	VCMPPS       $0x0e, Z19, Z1, K2     /* K2 = x > 0 */ \
	VPSUBD       Z20, Z21, K2, Z21      /* acc += 1 in lanes K2 */

// func cautiousCountAVX512(g, m []float32, b1, omb1 float32) int
TEXT ·cautiousCountAVX512(SB), NOSPLIT, $8-64
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ m_base+24(FP), R8
	VBROADCASTSS b1+48(FP), Z16              // Z16 = b1
	VBROADCASTSS omb1+52(FP), Z17            // Z17 = omb1
	VBROADCASTSS cautiousConst<>+0(SB), Z18  // Z18 = 2^127
	VPXORD       Z19, Z19, Z19               // Z19 = 0
	VPTERNLOGD   $0xff, Z20, Z20, Z20        // Z20 = -1 (int32)
	VPXORD       Z21, Z21, Z21               // Z21 = per-lane counts
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

count5Block:                        // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  count5Vec
	COUNT_AVX512(0)
	COUNT_AVX512(64)
	COUNT_AVX512(128)
	COUNT_AVX512(192)
	ADDQ $256, AX
	JMP  count5Block

count5Vec:                          // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  count5Tail
	COUNT_AVX512(0)
	ADDQ $64, AX
	JMP  count5Vec

count5Tail:                         // the last len(g)%16 floats under mask K1
	SUBQ AX, CX
	JZ   count5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end: not counted)
	VMOVUPS.Z    (R8)(AX*1), K1, Z2 // m := m[i]
	VMULPS       Z0, Z17, Z1        // x := omb1*g
	VFMADD231PS  Z2, Z16, Z1        // x += b1*m
	VMULPS       Z18, Z1, Z1        // x *= 2^127
	VMULPS       Z0, Z1, Z1         // x *= g
	VCMPPS       $0x0e, Z19, Z1, K2 // K2 = x > 0
	VPSUBD       Z20, Z21, K2, Z21  // acc += 1 in lanes K2

count5Done:                         // return the sum of Z21's lanes
	VEXTRACTI64X4 $1, Z21, Y0
	VPADDD       Y0, Y21, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	MOVQ         AX, ret+56(FP)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// MOMENT_AVX2 is COUNT_AVX2 that also stores x as the new m[i]
// (CAdamWStep's first pass).
#define MOMENT_AVX2(off) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g := g[i] */ \
	VMULPS       Y0, Y13, Y1            /* x := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), Y12, Y1 /* x += b1*m[i] */ \
	VMOVUPS      Y1, off(R8)(AX*1)      /* m[i] = x */ \
	VMULPS       Y14, Y1, Y1            /* x *= 2^127 */ \
	VMULPS       Y0, Y1, Y1             /* x *= g */ \
	VCMPPS       $0x0e, Y15, Y1, Y1     /* x = x > 0 ? -1 : 0 (int32) */ \
	VPSUBD       Y1, Y11, Y11           /* acc -= x */

// func cadamwMomentAVX2(g, m []float32, b1, omb1 float32) int
TEXT ·cadamwMomentAVX2(SB), NOSPLIT, $8-64
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ m_base+24(FP), R8
	VBROADCASTSS b1+48(FP), Y12              // Y12 = b1
	VBROADCASTSS omb1+52(FP), Y13            // Y13 = omb1
	VBROADCASTSS cautiousConst<>+0(SB), Y14  // Y14 = 2^127
	VXORPS       Y15, Y15, Y15               // Y15 = 0
	VPXOR        Y11, Y11, Y11               // Y11 = per-lane counts
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

moment2Block:                       // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  moment2Vec
	MOMENT_AVX2(0)
	MOMENT_AVX2(32)
	MOMENT_AVX2(64)
	MOMENT_AVX2(96)
	ADDQ $128, AX
	JMP  moment2Block

moment2Vec:                         // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  moment2Done
	MOMENT_AVX2(0)
	ADDQ $32, AX
	JMP  moment2Vec

moment2Done:                        // return the sum of Y11's lanes
	VEXTRACTI128 $1, Y11, X0
	VPADDD       X0, X11, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	MOVQ         AX, ret+56(FP)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// MOMENT_AVX512 is COUNT_AVX512 that also stores x as the new m[i],
// counting into ACC (two accumulators alternate).
#define MOMENT_AVX512(off, ACC) \
	VMOVUPS      off(SI)(AX*1), Z0      /* g := g[i] */ \
	VMULPS       Z0, Z17, Z1            /* x := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), Z16, Z1 /* x += b1*m[i] */ \
	VMOVUPS      Z1, off(R8)(AX*1)      /* m[i] = x */ \
	VMULPS       Z18, Z1, Z1            /* x *= 2^127 */ \
	VMULPS       Z0, Z1, Z1             /* x *= g */ \
	VCMPPS       $0x0e, Z19, Z1, K2     /* K2 = x > 0 */ \
	VPSUBD       Z20, ACC, K2, ACC      /* acc += 1 in lanes K2 */

// func cadamwMomentAVX512(g, m []float32, b1, omb1 float32) int
TEXT ·cadamwMomentAVX512(SB), NOSPLIT, $8-64
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ m_base+24(FP), R8
	VBROADCASTSS b1+48(FP), Z16              // Z16 = b1
	VBROADCASTSS omb1+52(FP), Z17            // Z17 = omb1
	VBROADCASTSS cautiousConst<>+0(SB), Z18  // Z18 = 2^127
	VPXORD       Z19, Z19, Z19               // Z19 = 0
	VPTERNLOGD   $0xff, Z20, Z20, Z20        // Z20 = -1 (int32)
	VPXORD       Z21, Z21, Z21               // Z21, Z22 = per-lane counts
	VPXORD       Z22, Z22, Z22
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

moment5Block:                       // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  moment5Vec
	MOMENT_AVX512(0, Z21)
	MOMENT_AVX512(64, Z22)
	MOMENT_AVX512(128, Z21)
	MOMENT_AVX512(192, Z22)
	ADDQ $256, AX
	JMP  moment5Block

moment5Vec:                         // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  moment5Tail
	MOMENT_AVX512(0, Z21)
	ADDQ $64, AX
	JMP  moment5Vec

moment5Tail:                        // the last len(g)%16 floats under mask K1
	SUBQ AX, CX
	JZ   moment5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end: not counted)
	VMOVUPS.Z    (R8)(AX*1), K1, Z2 // m := m[i]
	VMULPS       Z0, Z17, Z1        // x := omb1*g
	VFMADD231PS  Z2, Z16, Z1        // x += b1*m
	VMOVUPS      Z1, K1, (R8)(AX*1) // m[i] = x
	VMULPS       Z18, Z1, Z1        // x *= 2^127
	VMULPS       Z0, Z1, Z1         // x *= g
	VCMPPS       $0x0e, Z19, Z1, K2 // K2 = x > 0
	VPSUBD       Z20, Z21, K2, Z21  // acc += 1 in lanes K2

moment5Done:                        // return the sum of Z21's and Z22's lanes
	VPADDD       Z22, Z21, Z21
	VEXTRACTI64X4 $1, Z21, Y0
	VPADDD       Y0, Y21, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	MOVQ         AX, ret+56(FP)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// CADAMW_AVX2 updates 8 floats at byte offset off+AX, m[i] already the
// new moment; Y8 = decay, Y9 = b2, Y10 = omb2, Y11 = rbc2, Y12 = eps,
// Y13 = steps, Y14 = 2^127, Y15 = 0. All loads precede the stores.
#define CADAMW_AVX2(off) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g := g[i] */ \
	VMOVUPS      off(R8)(AX*1), Y2      /* mm := m[i] */ \
	VMULPS       off(DI)(AX*1), Y8, Y1  /* p := p[i]*decay */ \
	VMULPS       Y0, Y10, Y3            /* vv := omb2*g */ \
	VMULPS       Y0, Y3, Y3             /* vv *= g */ \
	VFMADD231PS  off(R9)(AX*1), Y9, Y3  /* vv += b2*v[i] */ \
	VSQRTPS      Y3, Y4                 /* d := sqrt(vv) */ \
	VFMADD213PS  Y12, Y11, Y4           /* d = d*rbc2 + eps */ \
	VDIVPS       Y4, Y2, Y4             /* q := mm/d */ \
	VMULPS       Y14, Y2, Y5            /* a := mm*2^127 */ \
	VMULPS       Y0, Y5, Y5             /* a *= g */ \
	VCMPPS       $0x0e, Y15, Y5, Y5     /* mask := a > 0 */ \
	VANDPS       Y5, Y4, Y4             /* q = mask ? q : 0 */ \
	VFNMADD231PS Y4, Y13, Y1            /* p -= steps*q */ \
	VMOVUPS      Y3, off(R9)(AX*1)      /* v[i] = vv */ \
	VMOVUPS      Y1, off(DI)(AX*1)      /* p[i] = p */

// func cadamwAVX2(p, g, m, v []float32, b2, omb2, decay, steps, rbc2, eps float32)
TEXT ·cadamwAVX2(SB), NOSPLIT, $8-120
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	VBROADCASTSS decay+104(FP), Y8           // Y8 = decay
	VBROADCASTSS b2+96(FP), Y9               // Y9 = b2
	VBROADCASTSS omb2+100(FP), Y10           // Y10 = omb2
	VBROADCASTSS rbc2+112(FP), Y11           // Y11 = rbc2
	VBROADCASTSS eps+116(FP), Y12            // Y12 = eps
	VBROADCASTSS steps+108(FP), Y13          // Y13 = steps
	VBROADCASTSS cautiousConst<>+0(SB), Y14  // Y14 = 2^127
	VXORPS       Y15, Y15, Y15               // Y15 = 0
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

cadamw2Block:                       // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  cadamw2Vec
	CADAMW_AVX2(0)
	CADAMW_AVX2(32)
	CADAMW_AVX2(64)
	CADAMW_AVX2(96)
	ADDQ $128, AX
	JMP  cadamw2Block

cadamw2Vec:                         // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  cadamw2Done
	CADAMW_AVX2(0)
	ADDQ $32, AX
	JMP  cadamw2Vec

cadamw2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// CADAMW_AVX512 updates 16 floats held in registers, Z0 = g, Z2 = m (the
// new moment), Z1 = p, Z3 = v on entry; on exit Z1 = p, Z3 = v.
// Z16 = decay, Z19 = b2, Z20 = omb2, Z21 = rbc2, Z22 = eps, Z23 = steps,
// Z24 = 2^127, Z25 = 0. The step is applied in the lanes of K2 only.
#define CADAMW_AVX512 \
	VMULPS       Z16, Z1, Z1            /* p *= decay */ \
	VMULPS       Z0, Z20, Z4            /* vv := omb2*g */ \
	VMULPS       Z0, Z4, Z4             /* vv *= g */ \
	VFMADD132PS  Z19, Z4, Z3            /* v = v*b2 + vv */ \
	VSQRTPS      Z3, Z4                 /* d := sqrt(v) */ \
	VFMADD213PS  Z22, Z21, Z4           /* d = d*rbc2 + eps */ \
	VDIVPS       Z4, Z2, Z4             /* q := mm/d */ \
	VMULPS       Z24, Z2, Z5            /* a := mm*2^127 */ \
	VMULPS       Z0, Z5, Z5             /* a *= g */ \
	VCMPPS       $0x0e, Z25, Z5, K2     /* K2 = a > 0 */ \
	VFNMADD231PS Z4, Z23, K2, Z1        /* p -= steps*q in lanes K2 */

// CADAMW_AVX512_VEC updates the whole vector at byte offset off+AX; all
// loads precede the stores.
#define CADAMW_AVX512_VEC(off) \
	VMOVUPS off(SI)(AX*1), Z0           \
	VMOVUPS off(R8)(AX*1), Z2           \
	VMOVUPS off(DI)(AX*1), Z1           \
	VMOVUPS off(R9)(AX*1), Z3           \
	CADAMW_AVX512                       \
	VMOVUPS Z3, off(R9)(AX*1)           \
	VMOVUPS Z1, off(DI)(AX*1)

// func cadamwAVX512(p, g, m, v []float32, b2, omb2, decay, steps, rbc2, eps float32)
TEXT ·cadamwAVX512(SB), NOSPLIT, $8-120
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	VBROADCASTSS decay+104(FP), Z16          // Z16 = decay
	VBROADCASTSS b2+96(FP), Z19              // Z19 = b2
	VBROADCASTSS omb2+100(FP), Z20           // Z20 = omb2
	VBROADCASTSS rbc2+112(FP), Z21           // Z21 = rbc2
	VBROADCASTSS eps+116(FP), Z22            // Z22 = eps
	VBROADCASTSS steps+108(FP), Z23          // Z23 = steps
	VBROADCASTSS cautiousConst<>+0(SB), Z24  // Z24 = 2^127
	VPXORD       Z25, Z25, Z25               // Z25 = 0
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

cadamw5Block:                       // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  cadamw5Vec
	CADAMW_AVX512_VEC(0)
	CADAMW_AVX512_VEC(64)
	CADAMW_AVX512_VEC(128)
	CADAMW_AVX512_VEC(192)
	ADDQ $256, AX
	JMP  cadamw5Block

cadamw5Vec:                         // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  cadamw5Tail
	CADAMW_AVX512_VEC(0)
	ADDQ $64, AX
	JMP  cadamw5Vec

cadamw5Tail:                        // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   cadamw5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (R8)(AX*1), K1, Z2 // m := m[i]
	VMOVUPS.Z    (DI)(AX*1), K1, Z1 // p := p[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z3 // v := v[i]
	CADAMW_AVX512
	VMOVUPS      Z3, K1, (R9)(AX*1) // v[i] = vv
	VMOVUPS      Z1, K1, (DI)(AX*1) // p[i] = p

cadamw5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// CLION_AVX2 updates 8 floats at byte offset off+AX; Y6 = b1, Y7 = omb1,
// Y8 = b2, Y9 = omb2, Y10 = decay, Y11 = lr, Y12 = 2^127, Y13 = 1,
// Y14 = -1, Y15 = 0. As LION_VEC, with the sign masked.
#define CLION_AVX2(off) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g := g[i] */ \
	VMOVUPS      off(R8)(AX*1), Y1      /* m := m[i] */ \
	VMULPS       Y0, Y7, Y2             /* c := omb1*g */ \
	VFMADD231PS  Y1, Y6, Y2             /* c += b1*m */ \
	VMULPS       Y12, Y2, Y2            /* c *= 2^127 */ \
	VMULPS       Y0, Y2, Y5             /* a := c*g */ \
	VCMPPS       $0x0e, Y15, Y5, Y5     /* mask := a > 0 */ \
	VMINPS       Y2, Y13, Y2            /* c = min(1, c) */ \
	VMAXPS       Y2, Y14, Y2            /* s := max(-1, c) */ \
	VANDPS       Y5, Y2, Y2             /* s = mask ? s : 0 */ \
	VMULPS       off(DI)(AX*1), Y10, Y3 /* q := p[i]*decay */ \
	VFNMADD231PS Y2, Y11, Y3            /* q -= lr*s */ \
	VMOVUPS      Y3, off(DI)(AX*1)      /* p[i] = q */ \
	VMULPS       Y0, Y9, Y4             /* mm := omb2*g */ \
	VFMADD231PS  Y1, Y8, Y4             /* mm += b2*m */ \
	VMOVUPS      Y4, off(R8)(AX*1)      /* m[i] = mm */

// func clionAVX2(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)
TEXT ·clionAVX2(SB), NOSPLIT, $8-96
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	VBROADCASTSS b1+72(FP), Y6               // Y6 = b1
	VBROADCASTSS omb1+76(FP), Y7             // Y7 = omb1
	VBROADCASTSS b2+80(FP), Y8               // Y8 = b2
	VBROADCASTSS omb2+84(FP), Y9             // Y9 = omb2
	VBROADCASTSS decay+88(FP), Y10           // Y10 = decay
	VBROADCASTSS lr+92(FP), Y11              // Y11 = lr
	VBROADCASTSS cautiousConst<>+0(SB), Y12  // Y12 = 2^127
	VBROADCASTSS cautiousConst<>+4(SB), Y13  // Y13 = 1
	VBROADCASTSS cautiousConst<>+8(SB), Y14  // Y14 = -1
	VXORPS       Y15, Y15, Y15               // Y15 = 0
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

clion2Block:                        // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  clion2Vec
	CLION_AVX2(0)
	CLION_AVX2(32)
	CLION_AVX2(64)
	CLION_AVX2(96)
	ADDQ $128, AX
	JMP  clion2Block

clion2Vec:                          // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  clion2Done
	CLION_AVX2(0)
	ADDQ $32, AX
	JMP  clion2Vec

clion2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// CLION_AVX512 updates 16 floats at byte offset off+AX; Z16 = b1,
// Z17 = omb1, Z18 = b2, Z19 = omb2, Z20 = decay, Z21 = lr, Z22 = 2^127,
// Z23 = 1, Z24 = -1, Z25 = 0. The sign is applied in the lanes of K2 only.
#define CLION_AVX512(off) \
	VMOVUPS      off(SI)(AX*1), Z0      /* g := g[i] */ \
	VMOVUPS      off(R8)(AX*1), Z1      /* m := m[i] */ \
	VMULPS       Z0, Z17, Z2            /* c := omb1*g */ \
	VFMADD231PS  Z1, Z16, Z2            /* c += b1*m */ \
	VMULPS       Z22, Z2, Z2            /* c *= 2^127 */ \
	VMULPS       Z0, Z2, Z5             /* a := c*g */ \
	VCMPPS       $0x0e, Z25, Z5, K2     /* K2 = a > 0 */ \
	VMINPS       Z2, Z23, Z2            /* c = min(1, c) */ \
	VMAXPS       Z2, Z24, Z2            /* s := max(-1, c) */ \
	VMULPS       off(DI)(AX*1), Z20, Z3 /* q := p[i]*decay */ \
	VFNMADD231PS Z2, Z21, K2, Z3        /* q -= lr*s in lanes K2 */ \
	VMOVUPS      Z3, off(DI)(AX*1)      /* p[i] = q */ \
	VMULPS       Z0, Z19, Z4            /* mm := omb2*g */ \
	VFMADD231PS  Z1, Z18, Z4            /* mm += b2*m */ \
	VMOVUPS      Z4, off(R8)(AX*1)      /* m[i] = mm */

// func clionAVX512(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)
TEXT ·clionAVX512(SB), NOSPLIT, $8-96
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	VBROADCASTSS b1+72(FP), Z16              // Z16 = b1
	VBROADCASTSS omb1+76(FP), Z17            // Z17 = omb1
	VBROADCASTSS b2+80(FP), Z18              // Z18 = b2
	VBROADCASTSS omb2+84(FP), Z19            // Z19 = omb2
	VBROADCASTSS decay+88(FP), Z20           // Z20 = decay
	VBROADCASTSS lr+92(FP), Z21              // Z21 = lr
	VBROADCASTSS cautiousConst<>+0(SB), Z22  // Z22 = 2^127
	VBROADCASTSS cautiousConst<>+4(SB), Z23  // Z23 = 1
	VBROADCASTSS cautiousConst<>+8(SB), Z24  // Z24 = -1
	VPXORD       Z25, Z25, Z25               // Z25 = 0
	CAUTIOUS_MXCSR
	SHLQ $2, CX                     // CX = bytes
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

clion5Block:                        // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  clion5Vec
	CLION_AVX512(0)
	CLION_AVX512(64)
	CLION_AVX512(128)
	CLION_AVX512(192)
	ADDQ $256, AX
	JMP  clion5Block

clion5Vec:                          // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  clion5Tail
	CLION_AVX512(0)
	ADDQ $64, AX
	JMP  clion5Vec

clion5Tail:                         // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   clion5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (R8)(AX*1), K1, Z1 // m := m[i]
	VMOVUPS.Z    (DI)(AX*1), K1, Z6 // p := p[i]
	VMULPS       Z0, Z17, Z2        // c := omb1*g
	VFMADD231PS  Z1, Z16, Z2        // c += b1*m
	VMULPS       Z22, Z2, Z2        // c *= 2^127
	VMULPS       Z0, Z2, Z5         // a := c*g
	VCMPPS       $0x0e, Z25, Z5, K2 // K2 = a > 0
	VMINPS       Z2, Z23, Z2        // c = min(1, c)
	VMAXPS       Z2, Z24, Z2        // s := max(-1, c)
	VMULPS       Z6, Z20, Z3        // q := p*decay
	VFNMADD231PS Z2, Z21, K2, Z3    // q -= lr*s in lanes K2
	VMOVUPS      Z3, K1, (DI)(AX*1) // p[i] = q
	VMULPS       Z0, Z19, Z4        // mm := omb2*g
	VFMADD231PS  Z1, Z18, Z4        // mm += b2*m
	VMOVUPS      Z4, K1, (R8)(AX*1) // m[i] = mm

clion5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
