//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused EXAdam step; see fused_exadam_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = m, R9 = v; AX is the byte
// offset of the current vector, CX the byte length. The caller's MXCSR is
// saved in the frame, FTZ|DAZ (0x8040) set, and restored before RET. The
// AVX2 form has nine constants in registers and seven temporaries; 1 and
// 1/bc2 are broadcast from memory where they are used.

// exadamOne<>: 1.0.
DATA exadamOne<>+0(SB)/4, $0x3f800000
GLOBL exadamOne<>(SB), RODATA|NOPTR, $4

// EXA_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T6, constants as named; LOADONE(T) and LOADRBC2(T) put 1 and 1/bc2
// in T.
#define EXA_VEC(off, T0, T1, T2, T3, T4, T5, T6, DECAY, B1, OMB1, B2, OMB2, EPS, STEP, B1T, B2T, LOADONE, LOADRBC2) \
	VMOVUPS      off(SI)(AX*1), T0        /* g := g[i] */ \
	VMULPS       off(DI)(AX*1), DECAY, T1 /* p := p[i]*decay */ \
	VMULPS       T0, OMB1, T2             /* mm := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2    /* mm += b1*m[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)        /* m[i] = mm */ \
	VMULPS       T0, OMB2, T3             /* vv := omb2*g */ \
	VMULPS       T0, T3, T3               /* vv *= g */ \
	VFMADD231PS  off(R9)(AX*1), B2, T3    /* vv += b2*v[i] */ \
	VMOVUPS      T3, off(R9)(AX*1)        /* v[i] = vv */ \
	VADDPS       T2, T0, T0               /* s := g + mm */ \
	VADDPS       EPS, T3, T4              /* a := vv + eps */ \
	VMULPS       T2, T2, T2               /* m2 := mm*mm */ \
	VADDPS       EPS, T2, T5              /* b := m2 + eps */ \
	VMULPS       T5, T4, T6               /* ab := a*b */ \
	VMULPS       T3, T5, T5               /* r1 := vv*b */ \
	VMULPS       T2, T4, T4               /* r2 := m2*a */ \
	LOADONE(T2)                           /* one := 1 */ \
	VDIVPS       T6, T2, T6               /* r := 1/ab */ \
	VMULPS       T6, T5, T5               /* r1 *= r */ \
	VMULPS       T6, T4, T4               /* r2 *= r */ \
	VFMADD213PS  T2, B2T, T5              /* d1 := r1*b2t + 1 */ \
	VFMADD213PS  T2, B1T, T4              /* d2 := r2*b1t + 1 */ \
	VMULPS       T5, T0, T0               /* num := s*d1 */ \
	LOADRBC2(T2)                          /* c := rbc2 */ \
	VMULPS       T2, T3, T3               /* w := vv*rbc2 */ \
	VMULPS       T4, T3, T3               /* w *= d2 */ \
	VSQRTPS      T3, T3                   /* den := sqrt(w) */ \
	VADDPS       EPS, T3, T3              /* den += eps */ \
	VDIVPS       T3, T0, T0               /* q := num/den */ \
	VFNMADD231PS T0, STEP, T1             /* p -= step*q */ \
	VMOVUPS      T1, off(DI)(AX*1)        /* p[i] = p */

#define EXA_ONE_AVX2(T) VBROADCASTSS exadamOne<>+0(SB), T
#define EXA_RBC2_AVX2(T) VBROADCASTSS rbc2+120(FP), T
#define EXA_ONE_AVX512(T) VMOVAPS Z25, T
#define EXA_RBC2_AVX512(T) VMOVAPS Z26, T

#define EXA_AVX2(off) EXA_VEC(off, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, EXA_ONE_AVX2, EXA_RBC2_AVX2)
#define EXA_AVX512(off) EXA_VEC(off, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, EXA_ONE_AVX512, EXA_RBC2_AVX512)

// EXA_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define EXA_SETUP \
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

// func exadamAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, rbc2, b1t, b2t, eps float32)
TEXT ·exadamAVX2(SB), NOSPLIT, $8-136
	VBROADCASTSS decay+112(FP), Y7  // Y7 = decay
	VBROADCASTSS b1+96(FP), Y8      // Y8 = b1
	VBROADCASTSS omb1+100(FP), Y9   // Y9 = omb1
	VBROADCASTSS b2+104(FP), Y10    // Y10 = b2
	VBROADCASTSS omb2+108(FP), Y11  // Y11 = omb2
	VBROADCASTSS eps+132(FP), Y12   // Y12 = eps
	VBROADCASTSS step+116(FP), Y13  // Y13 = step
	VBROADCASTSS b1t+124(FP), Y14   // Y14 = b1t
	VBROADCASTSS b2t+128(FP), Y15   // Y15 = b2t
	EXA_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

exa2Block:                          // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  exa2Vec
	EXA_AVX2(0)
	EXA_AVX2(32)
	EXA_AVX2(64)
	EXA_AVX2(96)
	ADDQ $128, AX
	JMP  exa2Block

exa2Vec:                            // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  exa2Done
	EXA_AVX2(0)
	ADDQ $32, AX
	JMP  exa2Vec

exa2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func exadamAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, rbc2, b1t, b2t, eps float32)
TEXT ·exadamAVX512(SB), NOSPLIT, $8-136
	VBROADCASTSS decay+112(FP), Z16      // Z16 = decay
	VBROADCASTSS b1+96(FP), Z17          // Z17 = b1
	VBROADCASTSS omb1+100(FP), Z18       // Z18 = omb1
	VBROADCASTSS b2+104(FP), Z19         // Z19 = b2
	VBROADCASTSS omb2+108(FP), Z20       // Z20 = omb2
	VBROADCASTSS eps+132(FP), Z21        // Z21 = eps
	VBROADCASTSS step+116(FP), Z22       // Z22 = step
	VBROADCASTSS b1t+124(FP), Z23        // Z23 = b1t
	VBROADCASTSS b2t+128(FP), Z24        // Z24 = b2t
	VBROADCASTSS exadamOne<>+0(SB), Z25  // Z25 = 1
	VBROADCASTSS rbc2+120(FP), Z26       // Z26 = rbc2
	EXA_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

exa5Block:                          // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  exa5Vec
	EXA_AVX512(0)
	EXA_AVX512(64)
	EXA_AVX512(128)
	EXA_AVX512(192)
	ADDQ $256, AX
	JMP  exa5Block

exa5Vec:                            // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  exa5Tail
	EXA_AVX512(0)
	ADDQ $64, AX
	JMP  exa5Vec

exa5Tail:                           // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   exa5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1 // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z7 // m0 := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z8 // v0 := v[i]
	VMULPS       Z16, Z1, Z1        // p *= decay
	VMULPS       Z0, Z18, Z2        // mm := omb1*g
	VFMADD231PS  Z7, Z17, Z2        // mm += b1*m0
	VMOVUPS      Z2, K1, (R8)(AX*1) // m[i] = mm
	VMULPS       Z0, Z20, Z3        // vv := omb2*g
	VMULPS       Z0, Z3, Z3         // vv *= g
	VFMADD231PS  Z8, Z19, Z3        // vv += b2*v0
	VMOVUPS      Z3, K1, (R9)(AX*1) // v[i] = vv
	VADDPS       Z2, Z0, Z0         // s := g + mm
	VADDPS       Z21, Z3, Z4        // a := vv + eps
	VMULPS       Z2, Z2, Z2         // m2 := mm*mm
	VADDPS       Z21, Z2, Z5        // b := m2 + eps
	VMULPS       Z5, Z4, Z6         // ab := a*b
	VMULPS       Z3, Z5, Z5         // r1 := vv*b
	VMULPS       Z2, Z4, Z4         // r2 := m2*a
	VDIVPS       Z6, Z25, Z6        // r := 1/ab
	VMULPS       Z6, Z5, Z5         // r1 *= r
	VMULPS       Z6, Z4, Z4         // r2 *= r
	VFMADD213PS  Z25, Z24, Z5       // d1 := r1*b2t + 1
	VFMADD213PS  Z25, Z23, Z4       // d2 := r2*b1t + 1
	VMULPS       Z5, Z0, Z0         // num := s*d1
	VMULPS       Z26, Z3, Z3        // w := vv*rbc2
	VMULPS       Z4, Z3, Z3         // w *= d2
	VSQRTPS      Z3, Z3             // den := sqrt(w)
	VADDPS       Z21, Z3, Z3        // den += eps
	VDIVPS       Z3, Z0, Z0         // q := num/den
	VFNMADD231PS Z0, Z22, Z1        // p -= step*q
	VMOVUPS      Z1, K1, (DI)(AX*1) // p[i] = p

exa5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
