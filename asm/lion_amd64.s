//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused Lion step; see lion_amd64.go for the Go each kernel computes.
// Pointers: DI = p, SI = g, R8 = m; AX is the byte offset of the current
// vector, CX the byte length. The caller's MXCSR is saved in the frame,
// FTZ|DAZ (0x8040) set, and the saved value restored before RET.

// lionConst<>: 2^127, +1, -1 for the clamped sign.
DATA lionConst<>+0(SB)/4, $0x7f000000
DATA lionConst<>+4(SB)/4, $0x3f800000
DATA lionConst<>+8(SB)/4, $0xbf800000
GLOBL lionConst<>(SB), RODATA|NOPTR, $12

// LION_VEC updates one whole vector at byte offset off+AX. Temporaries
// T0..T4; constants B1, OMB1, B2, OMB2, DECAY, LR, BIG (2^127), ONE, NEG
// (-1) are registers.
#define LION_VEC(off, T0, T1, T2, T3, T4, B1, OMB1, B2, OMB2, DECAY, LR, BIG, ONE, NEG) \
	VMOVUPS      off(SI)(AX*1), T0         /* g := g[i]              */ \
	VMOVUPS      off(R8)(AX*1), T1         /* m := m[i]              */ \
	VMULPS       T0, OMB1, T2              /* c := omb1*g            */ \
	VFMADD231PS  T1, B1, T2                /* c += b1*m              */ \
	VMULPS       BIG, T2, T2               /* c *= 2^127             */ \
	VMINPS       T2, ONE, T2               /* c = min(1, c)          */ \
	VMAXPS       T2, NEG, T2               /* s := max(-1, c)        */ \
	VMULPS       off(DI)(AX*1), DECAY, T3  /* q := p[i]*decay        */ \
	VFNMADD231PS T2, LR, T3                /* q -= lr*s              */ \
	VMOVUPS      T3, off(DI)(AX*1)         /* p[i] = q               */ \
	VMULPS       T0, OMB2, T4              /* mm := omb2*g           */ \
	VFMADD231PS  T1, B2, T4                /* mm += b2*m             */ \
	VMOVUPS      T4, off(R8)(AX*1)         /* m[i] = mm              */

#define LION_AVX2(off) LION_VEC(off, Y0, Y1, Y2, Y3, Y4, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define LION_AVX512(off) LION_VEC(off, Z0, Z1, Z2, Z3, Z4, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24)

// func lionAVX2(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)
TEXT ·lionAVX2(SB), NOSPLIT, $8-96
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	VBROADCASTSS b1+72(FP), Y7           // Y7 = b1
	VBROADCASTSS omb1+76(FP), Y8         // Y8 = omb1
	VBROADCASTSS b2+80(FP), Y9           // Y9 = b2
	VBROADCASTSS omb2+84(FP), Y10        // Y10 = omb2
	VBROADCASTSS decay+88(FP), Y11       // Y11 = decay
	VBROADCASTSS lr+92(FP), Y12          // Y12 = lr
	VBROADCASTSS lionConst<>+0(SB), Y13  // Y13 = 2^127
	VBROADCASTSS lionConst<>+4(SB), Y14  // Y14 = 1
	VBROADCASTSS lionConst<>+8(SB), Y15  // Y15 = -1
	STMXCSR saved-4(SP)                  // saved := MXCSR
	MOVL    saved-4(SP), DX
	ORL     $0x8040, DX                  // FTZ | DAZ
	MOVL    DX, ftz-8(SP)
	LDMXCSR ftz-8(SP)                    // MXCSR = saved | FTZ | DAZ
	SHLQ $2, CX                          // CX = len(p) in bytes
	MOVQ CX, BX
	ANDQ $-128, BX                       // BX = bytes in whole 4-vector blocks
	XORQ AX, AX                          // AX = 0

lion2Block:                              // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  lion2Vec
	LION_AVX2(0)
	LION_AVX2(32)
	LION_AVX2(64)
	LION_AVX2(96)
	ADDQ $128, AX
	JMP  lion2Block

lion2Vec:                                // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  lion2Done
	LION_AVX2(0)
	ADDQ $32, AX
	JMP  lion2Vec

lion2Done:
	LDMXCSR saved-4(SP)                  // MXCSR = saved
	VZEROUPPER
	RET

// func lionAVX512(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)
TEXT ·lionAVX512(SB), NOSPLIT, $8-96
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	VBROADCASTSS b1+72(FP), Z16          // Z16 = b1
	VBROADCASTSS omb1+76(FP), Z17        // Z17 = omb1
	VBROADCASTSS b2+80(FP), Z18          // Z18 = b2
	VBROADCASTSS omb2+84(FP), Z19        // Z19 = omb2
	VBROADCASTSS decay+88(FP), Z20       // Z20 = decay
	VBROADCASTSS lr+92(FP), Z21          // Z21 = lr
	VBROADCASTSS lionConst<>+0(SB), Z22  // Z22 = 2^127
	VBROADCASTSS lionConst<>+4(SB), Z23  // Z23 = 1
	VBROADCASTSS lionConst<>+8(SB), Z24  // Z24 = -1
	STMXCSR saved-4(SP)                  // saved := MXCSR
	MOVL    saved-4(SP), DX
	ORL     $0x8040, DX                  // FTZ | DAZ
	MOVL    DX, ftz-8(SP)
	LDMXCSR ftz-8(SP)                    // MXCSR = saved | FTZ | DAZ
	SHLQ $2, CX                          // CX = len(p) in bytes
	MOVQ CX, BX
	ANDQ $-256, BX                       // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                        // DX = bytes in whole vectors
	XORQ AX, AX                          // AX = 0

lion5Block:                              // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  lion5Vec
	LION_AVX512(0)
	LION_AVX512(64)
	LION_AVX512(128)
	LION_AVX512(192)
	ADDQ $256, AX
	JMP  lion5Block

lion5Vec:                                // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  lion5Tail
	LION_AVX512(0)
	ADDQ $64, AX
	JMP  lion5Vec

lion5Tail:                               // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   lion5Done
	SHRQ $2, CX                          // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                              // BX = 1<<r - 1
	KMOVW BX, K1                         // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0      // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (R8)(AX*1), K1, Z1      // m := m[i]
	VMOVUPS.Z    (DI)(AX*1), K1, Z5      // p := p[i]
	VMULPS       Z0, Z17, Z2             // c := omb1*g
	VFMADD231PS  Z1, Z16, Z2             // c += b1*m
	VMULPS       Z22, Z2, Z2             // c *= 2^127
	VMINPS       Z2, Z23, Z2             // c = min(1, c)
	VMAXPS       Z2, Z24, Z2             // s := max(-1, c)
	VMULPS       Z5, Z20, Z3             // q := p*decay
	VFNMADD231PS Z2, Z21, Z3             // q -= lr*s
	VMOVUPS      Z3, K1, (DI)(AX*1)      // p[i] = q
	VMULPS       Z0, Z19, Z4             // mm := omb2*g
	VFMADD231PS  Z1, Z18, Z4             // mm += b2*m
	VMOVUPS      Z4, K1, (R8)(AX*1)      // m[i] = mm

lion5Done:
	LDMXCSR saved-4(SP)                  // MXCSR = saved
	VZEROUPPER
	RET
