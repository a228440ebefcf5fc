//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused AdaBound and AMSBound steps; see fused_adabound_amd64.go for the
// Go each kernel computes. Pointers: DI = p, SI = g, R8 = m, R9 = v,
// R10 = vmax (AMSBound only); AX is the byte offset of the current vector,
// CX the byte length. The caller's MXCSR is saved in the frame, FTZ|DAZ
// (0x8040) set, and restored before RET.
//
// At n = 1e6 the streams come from L3; as in fused_amsgrad_amd64.s, every
// load of a vector is issued before its first store (the slices are page
// aligned, so a load after a store to another slice at the same offset
// waits on 4K aliasing), and each whole 4-vector block prefetches every
// stream BOUND_PFD bytes ahead, once per cache line.

// BOUND_PFD is the prefetch distance in bytes (not a multiple of 4096).
#define BOUND_PFD 3072

// BOUND_PF4 prefetches the cache line BOUND_PFD+off bytes past AX in p, g,
// m and v; BOUND_PF5 in vmax too.
#define BOUND_PF4(off) \
	PREFETCHT0 (BOUND_PFD+off)(SI)(AX*1) \
	PREFETCHT0 (BOUND_PFD+off)(DI)(AX*1) \
	PREFETCHT0 (BOUND_PFD+off)(R8)(AX*1) \
	PREFETCHT0 (BOUND_PFD+off)(R9)(AX*1)

#define BOUND_PF5(off) \
	BOUND_PF4(off)                        \
	PREFETCHT0 (BOUND_PFD+off)(R10)(AX*1)

// BOUND_MV loads g[i] and p[i] (into T0 and T1) and updates m[i] (T2)
// and v[i] (T3) of one whole vector at byte offset off+AX; the loads of m
// and v precede both stores.
#define BOUND_MV(off, T0, T1, T2, T3, WD, B1, OMB1, B2, OMB2) \
	VMOVUPS      off(SI)(AX*1), T0      /* d := g[i] */ \
	VMOVUPS      off(DI)(AX*1), T1      /* p := p[i] */ \
	VFMADD231PS  T1, WD, T0             /* d += wd*p */ \
	VMULPS       T0, OMB1, T2           /* mm := omb1*d */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2  /* mm += b1*m[i] */ \
	VMULPS       T0, OMB2, T3           /* vv := omb2*d */ \
	VMULPS       T0, T3, T3             /* vv *= d */ \
	VFMADD231PS  off(R9)(AX*1), B2, T3  /* vv += b2*v[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)      /* m[i] = mm */ \
	VMOVUPS      T3, off(R9)(AX*1)      /* v[i] = vv */

// BOUND_P finishes the vector: the clipped rate x from W (v or vmax) and
// p[i] -= x*mm; T4, T5 are temporaries.
#define BOUND_P(off, W, T1, T2, T4, T5, EPS, STEP, LO, HI) \
	VSQRTPS      W, T4                  /* r := sqrt(w) */ \
	VADDPS       EPS, T4, T4            /* r += eps */ \
	VDIVPS       T4, STEP, T5           /* x := step/r */ \
	VMAXPS       T5, LO, T5             /* x = lo > x ? lo : x (NaN: x) */ \
	VMINPS       T5, HI, T5             /* x = hi < x ? hi : x (NaN: x) */ \
	VFNMADD231PS T2, T5, T1             /* p -= x*mm */ \
	VMOVUPS      T1, off(DI)(AX*1)      /* p[i] = p */

// ADA_VEC is one whole AdaBound vector (the rate from v itself).
#define ADA_VEC(off, T0, T1, T2, T3, T4, T5, WD, B1, OMB1, B2, OMB2, EPS, STEP, LO, HI) \
	BOUND_MV(off, T0, T1, T2, T3, WD, B1, OMB1, B2, OMB2) \
	BOUND_P(off, T3, T1, T2, T4, T5, EPS, STEP, LO, HI)

// AMSB_VEC is one whole AMSBound vector; vmax[i] is loaded first.
#define AMSB_VEC(off, T0, T1, T2, T3, T4, T5, WD, B1, OMB1, B2, OMB2, EPS, STEP, LO, HI) \
	VMOVUPS      off(R10)(AX*1), T4     /* w := vmax[i] */ \
	BOUND_MV(off, T0, T1, T2, T3, WD, B1, OMB1, B2, OMB2) \
	VMAXPS       T3, T4, T4             /* w = w > vv ? w : vv */ \
	VMOVUPS      T4, off(R10)(AX*1)     /* vmax[i] = w */ \
	BOUND_P(off, T4, T1, T2, T4, T5, EPS, STEP, LO, HI)

#define ADA_AVX2(off) ADA_VEC(off, Y0, Y1, Y2, Y3, Y4, Y5, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define ADA_AVX512(off) ADA_VEC(off, Z0, Z1, Z2, Z3, Z4, Z5, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24)
#define AMSB_AVX2(off) AMSB_VEC(off, Y0, Y1, Y2, Y3, Y4, Y5, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define AMSB_AVX512(off) AMSB_VEC(off, Z0, Z1, Z2, Z3, Z4, Z5, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24)

// BOUND_MXCSR sets FTZ|DAZ and CX = byte length.
#define BOUND_MXCSR \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func adaboundAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)
TEXT ·adaboundAVX2(SB), NOSPLIT, $8-132
	VBROADCASTSS wd+112(FP), Y7     // Y7 = wd
	VBROADCASTSS b1+96(FP), Y8      // Y8 = b1
	VBROADCASTSS omb1+100(FP), Y9   // Y9 = omb1
	VBROADCASTSS b2+104(FP), Y10    // Y10 = b2
	VBROADCASTSS omb2+108(FP), Y11  // Y11 = omb2
	VBROADCASTSS eps+120(FP), Y12   // Y12 = eps
	VBROADCASTSS step+116(FP), Y13  // Y13 = step
	VBROADCASTSS lo+124(FP), Y14    // Y14 = lo
	VBROADCASTSS hi+128(FP), Y15    // Y15 = hi
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	BOUND_MXCSR
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

ada2Block:                          // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  ada2Vec
	BOUND_PF4(0)
	ADA_AVX2(0)
	ADA_AVX2(32)
	BOUND_PF4(64)
	ADA_AVX2(64)
	ADA_AVX2(96)
	ADDQ $128, AX
	JMP  ada2Block

ada2Vec:                            // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  ada2Done
	ADA_AVX2(0)
	ADDQ $32, AX
	JMP  ada2Vec

ada2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func adaboundAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)
TEXT ·adaboundAVX512(SB), NOSPLIT, $8-132
	VBROADCASTSS wd+112(FP), Z16    // Z16 = wd
	VBROADCASTSS b1+96(FP), Z17     // Z17 = b1
	VBROADCASTSS omb1+100(FP), Z18  // Z18 = omb1
	VBROADCASTSS b2+104(FP), Z19    // Z19 = b2
	VBROADCASTSS omb2+108(FP), Z20  // Z20 = omb2
	VBROADCASTSS eps+120(FP), Z21   // Z21 = eps
	VBROADCASTSS step+116(FP), Z22  // Z22 = step
	VBROADCASTSS lo+124(FP), Z23    // Z23 = lo
	VBROADCASTSS hi+128(FP), Z24    // Z24 = hi
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	BOUND_MXCSR
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

ada5Block:                          // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  ada5Vec
	BOUND_PF4(0)
	ADA_AVX512(0)
	BOUND_PF4(64)
	ADA_AVX512(64)
	BOUND_PF4(128)
	ADA_AVX512(128)
	BOUND_PF4(192)
	ADA_AVX512(192)
	ADDQ $256, AX
	JMP  ada5Block

ada5Vec:                            // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  ada5Tail
	ADA_AVX512(0)
	ADDQ $64, AX
	JMP  ada5Vec

ada5Tail:                           // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   ada5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0  // d := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1  // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z6  // m := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z7  // v := v[i]
	VFMADD231PS  Z1, Z16, Z0         // d += wd*p
	VMULPS       Z0, Z18, Z2         // mm := omb1*d
	VFMADD231PS  Z6, Z17, Z2         // mm += b1*m
	VMOVUPS      Z2, K1, (R8)(AX*1)  // m[i] = mm
	VMULPS       Z0, Z20, Z3         // vv := omb2*d
	VMULPS       Z0, Z3, Z3          // vv *= d
	VFMADD231PS  Z7, Z19, Z3         // vv += b2*v
	VMOVUPS      Z3, K1, (R9)(AX*1)  // v[i] = vv
	VSQRTPS      Z3, Z4              // r := sqrt(vv)
	VADDPS       Z21, Z4, Z4         // r += eps
	VDIVPS       Z4, Z22, Z5         // x := step/r
	VMAXPS       Z5, Z23, Z5         // x = lo > x ? lo : x
	VMINPS       Z5, Z24, Z5         // x = hi < x ? hi : x
	VFNMADD231PS Z2, Z5, Z1          // p -= x*mm
	VMOVUPS      Z1, K1, (DI)(AX*1)  // p[i] = p

ada5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func amsboundAVX2(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)
TEXT ·amsboundAVX2(SB), NOSPLIT, $8-156
	VBROADCASTSS wd+136(FP), Y7     // Y7 = wd
	VBROADCASTSS b1+120(FP), Y8     // Y8 = b1
	VBROADCASTSS omb1+124(FP), Y9   // Y9 = omb1
	VBROADCASTSS b2+128(FP), Y10    // Y10 = b2
	VBROADCASTSS omb2+132(FP), Y11  // Y11 = omb2
	VBROADCASTSS eps+144(FP), Y12   // Y12 = eps
	VBROADCASTSS step+140(FP), Y13  // Y13 = step
	VBROADCASTSS lo+148(FP), Y14    // Y14 = lo
	VBROADCASTSS hi+152(FP), Y15    // Y15 = hi
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ vmax_base+96(FP), R10
	BOUND_MXCSR
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

amsb2Block:                         // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  amsb2Vec
	BOUND_PF5(0)
	AMSB_AVX2(0)
	AMSB_AVX2(32)
	BOUND_PF5(64)
	AMSB_AVX2(64)
	AMSB_AVX2(96)
	ADDQ $128, AX
	JMP  amsb2Block

amsb2Vec:                           // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  amsb2Done
	AMSB_AVX2(0)
	ADDQ $32, AX
	JMP  amsb2Vec

amsb2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func amsboundAVX512(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)
TEXT ·amsboundAVX512(SB), NOSPLIT, $8-156
	VBROADCASTSS wd+136(FP), Z16    // Z16 = wd
	VBROADCASTSS b1+120(FP), Z17    // Z17 = b1
	VBROADCASTSS omb1+124(FP), Z18  // Z18 = omb1
	VBROADCASTSS b2+128(FP), Z19    // Z19 = b2
	VBROADCASTSS omb2+132(FP), Z20  // Z20 = omb2
	VBROADCASTSS eps+144(FP), Z21   // Z21 = eps
	VBROADCASTSS step+140(FP), Z22  // Z22 = step
	VBROADCASTSS lo+148(FP), Z23    // Z23 = lo
	VBROADCASTSS hi+152(FP), Z24    // Z24 = hi
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ vmax_base+96(FP), R10
	BOUND_MXCSR
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

amsb5Block:                         // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  amsb5Vec
	BOUND_PF5(0)
	AMSB_AVX512(0)
	BOUND_PF5(64)
	AMSB_AVX512(64)
	BOUND_PF5(128)
	AMSB_AVX512(128)
	BOUND_PF5(192)
	AMSB_AVX512(192)
	ADDQ $256, AX
	JMP  amsb5Block

amsb5Vec:                           // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  amsb5Tail
	AMSB_AVX512(0)
	ADDQ $64, AX
	JMP  amsb5Vec

amsb5Tail:                          // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   amsb5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0  // d := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1  // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z6  // m := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z7  // v := v[i]
	VMOVUPS.Z    (R10)(AX*1), K1, Z4 // w := vmax[i]
	VFMADD231PS  Z1, Z16, Z0         // d += wd*p
	VMULPS       Z0, Z18, Z2         // mm := omb1*d
	VFMADD231PS  Z6, Z17, Z2         // mm += b1*m
	VMOVUPS      Z2, K1, (R8)(AX*1)  // m[i] = mm
	VMULPS       Z0, Z20, Z3         // vv := omb2*d
	VMULPS       Z0, Z3, Z3          // vv *= d
	VFMADD231PS  Z7, Z19, Z3         // vv += b2*v
	VMOVUPS      Z3, K1, (R9)(AX*1)  // v[i] = vv
	VMAXPS       Z3, Z4, Z4          // w = w > vv ? w : vv
	VMOVUPS      Z4, K1, (R10)(AX*1) // vmax[i] = w
	VSQRTPS      Z4, Z4              // r := sqrt(w)
	VADDPS       Z21, Z4, Z4         // r += eps
	VDIVPS       Z4, Z22, Z5         // x := step/r
	VMAXPS       Z5, Z23, Z5         // x = lo > x ? lo : x
	VMINPS       Z5, Z24, Z5         // x = hi < x ? hi : x
	VFNMADD231PS Z2, Z5, Z1          // p -= x*mm
	VMOVUPS      Z1, K1, (DI)(AX*1)  // p[i] = p

amsb5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
