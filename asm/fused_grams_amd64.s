//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused Grams step; see fused_grams_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = m, R9 = v; AX is the byte
// offset of the current vector, CX the byte length. The caller's MXCSR is
// saved in the frame, FTZ|DAZ (0x8040) set, and restored before RET.

// gramsAbs<>: the mask that clears the sign bit.
DATA gramsAbs<>+0(SB)/4, $0x7fffffff
GLOBL gramsAbs<>(SB), RODATA|NOPTR, $4

// GRAMS_MOMENTS computes, for the vector at byte offset off+AX, T0 = g,
// T1 = p*decay, T2 = copysign(|m|, g) with m stored, T4 = √v + ε with v
// stored.
#define GRAMS_MOMENTS(off, T0, T1, T2, T3, T4, T5, DECAY, B1, OMB1, B2, OMB2, EPS, ABS) \
	VMOVUPS      off(SI)(AX*1), T0      /* g := g[i] */ \
	VMULPS       off(DI)(AX*1), DECAY, T1 /* p := p[i]*decay */ \
	VMULPS       T0, OMB1, T2           /* mm := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2  /* mm += b1*m[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)      /* m[i] = mm */ \
	VMULPS       T0, OMB2, T3           /* vv := omb2*g */ \
	VMULPS       T0, T3, T3             /* vv *= g */ \
	VFMADD231PS  off(R9)(AX*1), B2, T3  /* vv += b2*v[i] */ \
	VMOVUPS      T3, off(R9)(AX*1)      /* v[i] = vv */ \
	VSQRTPS      T3, T4                 /* d := sqrt(vv) */ \
	VADDPS       EPS, T4, T4            /* d += eps */ \
	VANDPS       ABS, T2, T2            /* u := |mm| */ \
	VANDNPS      T0, ABS, T5            /* sg := sign bit of g */ \
	VORPS        T5, T2, T2             /* u = copysign(u, g) */

// GRAMS_AVX2 updates 8 floats at byte offset off+AX; Y7 = decay, Y8 = b1,
// Y9 = omb1, Y10 = b2, Y11 = omb2, Y12 = eps, Y13 = step, Y14 = |·| mask,
// Y15 = 0.
#define GRAMS_AVX2(off) \
	GRAMS_MOMENTS(off, Y0, Y1, Y2, Y3, Y4, Y5, Y7, Y8, Y9, Y10, Y11, Y12, Y14) \
	VCMPPS       $0x04, Y15, Y0, Y6     /* nz := g != 0 */ \
	VANDPS       Y6, Y2, Y2             /* u = nz ? u : 0 */ \
	VDIVPS       Y4, Y2, Y2             /* q := u/d */ \
	VFNMADD231PS Y2, Y13, Y1            /* p -= step*q */ \
	VMOVUPS      Y1, off(DI)(AX*1)      /* p[i] = p */

// GRAMS_AVX512 updates 16 floats at byte offset off+AX; Z16 = decay,
// Z17 = b1, Z18 = omb1, Z19 = b2, Z20 = omb2, Z21 = eps, Z22 = step,
// Z23 = |·| mask, Z24 = 0.
#define GRAMS_AVX512(off) \
	GRAMS_MOMENTS(off, Z0, Z1, Z2, Z3, Z4, Z5, Z16, Z17, Z18, Z19, Z20, Z21, Z23) \
	VCMPPS       $0x04, Z24, Z0, K2     /* K2 = g != 0 */ \
	VDIVPS.Z     Z4, Z2, K2, Z2         /* q := K2 ? u/d : 0 */ \
	VFNMADD231PS Z2, Z22, Z1            /* p -= step*q */ \
	VMOVUPS      Z1, off(DI)(AX*1)      /* p[i] = p */

// GRAMS_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define GRAMS_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m_base+48(FP), R8                 \
	MOVQ    v_base+72(FP), R9                 \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func gramsAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, eps float32)
TEXT ·gramsAVX2(SB), NOSPLIT, $8-124
	VBROADCASTSS decay+112(FP), Y7      // Y7 = decay
	VBROADCASTSS b1+96(FP), Y8          // Y8 = b1
	VBROADCASTSS omb1+100(FP), Y9       // Y9 = omb1
	VBROADCASTSS b2+104(FP), Y10        // Y10 = b2
	VBROADCASTSS omb2+108(FP), Y11      // Y11 = omb2
	VBROADCASTSS eps+120(FP), Y12       // Y12 = eps
	VBROADCASTSS step+116(FP), Y13      // Y13 = step
	VBROADCASTSS gramsAbs<>+0(SB), Y14  // Y14 = |·| mask
	VXORPS       Y15, Y15, Y15          // Y15 = 0
	GRAMS_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

grams2Block:                        // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  grams2Vec
	GRAMS_AVX2(0)
	GRAMS_AVX2(32)
	GRAMS_AVX2(64)
	GRAMS_AVX2(96)
	ADDQ $128, AX
	JMP  grams2Block

grams2Vec:                          // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  grams2Done
	GRAMS_AVX2(0)
	ADDQ $32, AX
	JMP  grams2Vec

grams2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func gramsAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, eps float32)
TEXT ·gramsAVX512(SB), NOSPLIT, $8-124
	VBROADCASTSS decay+112(FP), Z16     // Z16 = decay
	VBROADCASTSS b1+96(FP), Z17         // Z17 = b1
	VBROADCASTSS omb1+100(FP), Z18      // Z18 = omb1
	VBROADCASTSS b2+104(FP), Z19        // Z19 = b2
	VBROADCASTSS omb2+108(FP), Z20      // Z20 = omb2
	VBROADCASTSS eps+120(FP), Z21       // Z21 = eps
	VBROADCASTSS step+116(FP), Z22      // Z22 = step
	VBROADCASTSS gramsAbs<>+0(SB), Z23  // Z23 = |·| mask
	VPXORD       Z24, Z24, Z24          // Z24 = 0
	GRAMS_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

grams5Block:                        // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  grams5Vec
	GRAMS_AVX512(0)
	GRAMS_AVX512(64)
	GRAMS_AVX512(128)
	GRAMS_AVX512(192)
	ADDQ $256, AX
	JMP  grams5Block

grams5Vec:                          // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  grams5Tail
	GRAMS_AVX512(0)
	ADDQ $64, AX
	JMP  grams5Vec

grams5Tail:                         // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   grams5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1 // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z6 // m := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z7 // v := v[i]
	VMULPS       Z16, Z1, Z1        // p *= decay
	VMULPS       Z0, Z18, Z2        // mm := omb1*g
	VFMADD231PS  Z6, Z17, Z2        // mm += b1*m
	VMOVUPS      Z2, K1, (R8)(AX*1) // m[i] = mm
	VMULPS       Z0, Z20, Z3        // vv := omb2*g
	VMULPS       Z0, Z3, Z3         // vv *= g
	VFMADD231PS  Z7, Z19, Z3        // vv += b2*v
	VMOVUPS      Z3, K1, (R9)(AX*1) // v[i] = vv
	VSQRTPS      Z3, Z4             // d := sqrt(vv)
	VADDPS       Z21, Z4, Z4        // d += eps
	VANDPS       Z23, Z2, Z2        // u := |mm|
	VANDNPS      Z0, Z23, Z5        // sg := sign bit of g
	VORPS        Z5, Z2, Z2         // u = copysign(u, g)
	VCMPPS       $0x04, Z24, Z0, K2 // K2 = g != 0
	VDIVPS.Z     Z4, Z2, K2, Z2     // q := K2 ? u/d : 0
	VFNMADD231PS Z2, Z22, Z1        // p -= step*q
	VMOVUPS      Z1, K1, (DI)(AX*1) // p[i] = p

grams5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
