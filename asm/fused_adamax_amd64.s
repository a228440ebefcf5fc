//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused AdaMax step; see fused_adamax_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = m, R9 = u; AX is the byte
// offset of the current vector, CX the byte length. The caller's MXCSR is
// saved in the frame, FTZ|DAZ (0x8040) set, and restored before RET.

// adamaxAbs<>: the mask that clears the sign bit.
DATA adamaxAbs<>+0(SB)/4, $0x7fffffff
GLOBL adamaxAbs<>(SB), RODATA|NOPTR, $4

// AMAX_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T4, constants as named.
#define AMAX_VEC(off, T0, T1, T2, T3, T4, WD, DECAY, B1, OMB1, B2, EPS, STEP, ABS) \
	VMOVUPS      off(SI)(AX*1), T0     /* g := g[i] */ \
	VMOVUPS      off(DI)(AX*1), T1     /* p := p[i] */ \
	VFMADD231PS  T1, WD, T0            /* g += wd*p */ \
	VMULPS       DECAY, T1, T1         /* p *= decay */ \
	VMULPS       T0, OMB1, T2          /* mm := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2 /* mm += b1*m[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)     /* m[i] = mm */ \
	VANDPS       ABS, T0, T0           /* a := |g| */ \
	VADDPS       EPS, T0, T0           /* a += eps */ \
	VMULPS       off(R9)(AX*1), B2, T3 /* w := b2*u[i] */ \
	VMAXPS       T0, T3, T3            /* w = w > a ? w : a */ \
	VMOVUPS      T3, off(R9)(AX*1)     /* u[i] = w */ \
	VDIVPS       T3, T2, T4            /* q := mm/w */ \
	VFNMADD231PS T4, STEP, T1          /* p -= step*q */ \
	VMOVUPS      T1, off(DI)(AX*1)     /* p[i] = p */

#define AMAX_AVX2(off) AMAX_VEC(off, Y0, Y1, Y2, Y3, Y4, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define AMAX_AVX512(off) AMAX_VEC(off, Z0, Z1, Z2, Z3, Z4, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

// AMAX_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define AMAX_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m_base+48(FP), R8                 \
	MOVQ    u_base+72(FP), R9                 \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func adamaxAVX2(p, g, m, u []float32, b1, omb1, b2, wd, decay, step, eps float32)
TEXT ·adamaxAVX2(SB), NOSPLIT, $8-124
	VBROADCASTSS wd+108(FP), Y8          // Y8 = wd
	VBROADCASTSS decay+112(FP), Y9       // Y9 = decay
	VBROADCASTSS b1+96(FP), Y10          // Y10 = b1
	VBROADCASTSS omb1+100(FP), Y11       // Y11 = omb1
	VBROADCASTSS b2+104(FP), Y12         // Y12 = b2
	VBROADCASTSS eps+120(FP), Y13        // Y13 = eps
	VBROADCASTSS step+116(FP), Y14       // Y14 = step
	VBROADCASTSS adamaxAbs<>+0(SB), Y15  // Y15 = sign-clearing mask
	AMAX_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

amax2Block:                         // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  amax2Vec
	AMAX_AVX2(0)
	AMAX_AVX2(32)
	AMAX_AVX2(64)
	AMAX_AVX2(96)
	ADDQ $128, AX
	JMP  amax2Block

amax2Vec:                           // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  amax2Done
	AMAX_AVX2(0)
	ADDQ $32, AX
	JMP  amax2Vec

amax2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func adamaxAVX512(p, g, m, u []float32, b1, omb1, b2, wd, decay, step, eps float32)
TEXT ·adamaxAVX512(SB), NOSPLIT, $8-124
	VBROADCASTSS wd+108(FP), Z16         // Z16 = wd
	VBROADCASTSS decay+112(FP), Z17      // Z17 = decay
	VBROADCASTSS b1+96(FP), Z18          // Z18 = b1
	VBROADCASTSS omb1+100(FP), Z19       // Z19 = omb1
	VBROADCASTSS b2+104(FP), Z20         // Z20 = b2
	VBROADCASTSS eps+120(FP), Z21        // Z21 = eps
	VBROADCASTSS step+116(FP), Z22       // Z22 = step
	VBROADCASTSS adamaxAbs<>+0(SB), Z23  // Z23 = sign-clearing mask
	AMAX_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

amax5Block:                         // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  amax5Vec
	AMAX_AVX512(0)
	AMAX_AVX512(64)
	AMAX_AVX512(128)
	AMAX_AVX512(192)
	ADDQ $256, AX
	JMP  amax5Block

amax5Vec:                           // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  amax5Tail
	AMAX_AVX512(0)
	ADDQ $64, AX
	JMP  amax5Vec

amax5Tail:                          // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   amax5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1 // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z5 // m := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z6 // u := u[i]
	VFMADD231PS  Z1, Z16, Z0        // g += wd*p
	VMULPS       Z17, Z1, Z1        // p *= decay
	VMULPS       Z0, Z19, Z2        // mm := omb1*g
	VFMADD231PS  Z5, Z18, Z2        // mm += b1*m
	VMOVUPS      Z2, K1, (R8)(AX*1) // m[i] = mm
	VANDPS       Z23, Z0, Z0        // a := |g|
	VADDPS       Z21, Z0, Z0        // a += eps
	VMULPS       Z6, Z20, Z3        // w := b2*u
	VMAXPS       Z0, Z3, Z3         // w = w > a ? w : a
	VMOVUPS      Z3, K1, (R9)(AX*1) // u[i] = w
	VDIVPS       Z3, Z2, Z4         // q := mm/w
	VFNMADD231PS Z4, Z22, Z1        // p -= step*q
	VMOVUPS      Z1, K1, (DI)(AX*1) // p[i] = p

amax5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
