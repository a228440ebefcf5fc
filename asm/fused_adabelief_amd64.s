//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused AdaBelief step; see fused_adabelief_amd64.go for the Go each
// kernel computes. Pointers: DI = p, SI = g, R8 = m, R9 = s; AX is the byte
// offset of the current vector, CX the byte length. The caller's MXCSR is
// saved in the frame, FTZ|DAZ (0x8040) set, and restored before RET.

// BELIEF_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T4, constants as named.
#define BELIEF_VEC(off, T0, T1, T2, T3, T4, WD, DECAY, B1, OMB1, B2, OMB2, RBC2, EPS, STEP) \
	VMOVUPS      off(SI)(AX*1), T0     /* g := g[i] */ \
	VMOVUPS      off(DI)(AX*1), T1     /* p := p[i] */ \
	VFMADD231PS  T1, WD, T0            /* g += wd*p */ \
	VMULPS       DECAY, T1, T1         /* p *= decay */ \
	VMULPS       T0, OMB1, T2          /* mm := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2 /* mm += b1*m[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)     /* m[i] = mm */ \
	VSUBPS       T2, T0, T0            /* r := g - mm */ \
	VMULPS       T0, OMB2, T3          /* ss := omb2*r */ \
	VMULPS       T0, T3, T3            /* ss *= r */ \
	VFMADD231PS  off(R9)(AX*1), B2, T3 /* ss += b2*s[i] */ \
	VADDPS       EPS, T3, T3           /* ss += eps */ \
	VMOVUPS      T3, off(R9)(AX*1)     /* s[i] = ss */ \
	VSQRTPS      T3, T4                /* d := sqrt(ss) */ \
	VFMADD213PS  EPS, RBC2, T4         /* d = d*rbc2 + eps */ \
	VDIVPS       T4, T2, T4            /* q := mm/d */ \
	VFNMADD231PS T4, STEP, T1          /* p -= step*q */ \
	VMOVUPS      T1, off(DI)(AX*1)     /* p[i] = p */

#define BELIEF_AVX2(off) BELIEF_VEC(off, Y0, Y1, Y2, Y3, Y4, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define BELIEF_AVX512(off) BELIEF_VEC(off, Z0, Z1, Z2, Z3, Z4, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24)

// BELIEF_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define BELIEF_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m_base+48(FP), R8                 \
	MOVQ    s_base+72(FP), R9                 \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func adabeliefAVX2(p, g, m, s []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)
TEXT ·adabeliefAVX2(SB), NOSPLIT, $8-132
	VBROADCASTSS wd+112(FP), Y7     // Y7 = wd
	VBROADCASTSS decay+116(FP), Y8  // Y8 = decay
	VBROADCASTSS b1+96(FP), Y9      // Y9 = b1
	VBROADCASTSS omb1+100(FP), Y10  // Y10 = omb1
	VBROADCASTSS b2+104(FP), Y11    // Y11 = b2
	VBROADCASTSS omb2+108(FP), Y12  // Y12 = omb2
	VBROADCASTSS rbc2+124(FP), Y13  // Y13 = rbc2
	VBROADCASTSS eps+128(FP), Y14   // Y14 = eps
	VBROADCASTSS step+120(FP), Y15  // Y15 = step
	BELIEF_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

belief2Block:                       // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  belief2Vec
	BELIEF_AVX2(0)
	BELIEF_AVX2(32)
	BELIEF_AVX2(64)
	BELIEF_AVX2(96)
	ADDQ $128, AX
	JMP  belief2Block

belief2Vec:                         // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  belief2Done
	BELIEF_AVX2(0)
	ADDQ $32, AX
	JMP  belief2Vec

belief2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func adabeliefAVX512(p, g, m, s []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)
TEXT ·adabeliefAVX512(SB), NOSPLIT, $8-132
	VBROADCASTSS wd+112(FP), Z16    // Z16 = wd
	VBROADCASTSS decay+116(FP), Z17 // Z17 = decay
	VBROADCASTSS b1+96(FP), Z18     // Z18 = b1
	VBROADCASTSS omb1+100(FP), Z19  // Z19 = omb1
	VBROADCASTSS b2+104(FP), Z20    // Z20 = b2
	VBROADCASTSS omb2+108(FP), Z21  // Z21 = omb2
	VBROADCASTSS rbc2+124(FP), Z22  // Z22 = rbc2
	VBROADCASTSS eps+128(FP), Z23   // Z23 = eps
	VBROADCASTSS step+120(FP), Z24  // Z24 = step
	BELIEF_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

belief5Block:                       // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  belief5Vec
	BELIEF_AVX512(0)
	BELIEF_AVX512(64)
	BELIEF_AVX512(128)
	BELIEF_AVX512(192)
	ADDQ $256, AX
	JMP  belief5Block

belief5Vec:                         // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  belief5Tail
	BELIEF_AVX512(0)
	ADDQ $64, AX
	JMP  belief5Vec

belief5Tail:                        // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   belief5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1 // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z5 // m := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z6 // s := s[i]
	VFMADD231PS  Z1, Z16, Z0        // g += wd*p
	VMULPS       Z17, Z1, Z1        // p *= decay
	VMULPS       Z0, Z19, Z2        // mm := omb1*g
	VFMADD231PS  Z5, Z18, Z2        // mm += b1*m
	VMOVUPS      Z2, K1, (R8)(AX*1) // m[i] = mm
	VSUBPS       Z2, Z0, Z0         // r := g - mm
	VMULPS       Z0, Z21, Z3        // ss := omb2*r
	VMULPS       Z0, Z3, Z3         // ss *= r
	VFMADD231PS  Z6, Z20, Z3        // ss += b2*s
	VADDPS       Z23, Z3, Z3        // ss += eps
	VMOVUPS      Z3, K1, (R9)(AX*1) // s[i] = ss
	VSQRTPS      Z3, Z4             // d := sqrt(ss)
	VFMADD213PS  Z23, Z22, Z4       // d = d*rbc2 + eps
	VDIVPS       Z4, Z2, Z4         // q := mm/d
	VFNMADD231PS Z4, Z24, Z1        // p -= step*q
	VMOVUPS      Z1, K1, (DI)(AX*1) // p[i] = p

belief5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
