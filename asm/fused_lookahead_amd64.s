//go:build amd64 && gc && !purego

#include "textflag.h"

// Lookahead synchronisation; see fused_lookahead_amd64.go for the Go each
// kernel computes. DI = p, SI = slow; AX is the byte offset of the
// current vector, CX the byte length. No fused multiply-add and MXCSR is
// left alone, so the results match the Go reference bit for bit.

// LA_VEC synchronises one whole vector at byte offset off+AX.
#define LA_VEC(off, T0, T1, A, B) \
	VMULPS  off(SI)(AX*1), B, T0 /* t := b*slow[i] */ \
	VMULPS  off(DI)(AX*1), A, T1 /* u := a*p[i] */ \
	VADDPS  T1, T0, T0           /* f := t + u */ \
	VMOVUPS T0, off(SI)(AX*1)    /* slow[i] = f */ \
	VMOVUPS T0, off(DI)(AX*1)    /* p[i] = f */

// func lookaheadAVX2(p, slow []float32, a, b float32)
TEXT ·lookaheadAVX2(SB), NOSPLIT, $0-56
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         slow_base+24(FP), SI
	VBROADCASTSS a+48(FP), Y14  // Y14 = a
	VBROADCASTSS b+52(FP), Y15  // Y15 = b
	SHLQ         $2, CX         // CX = bytes
	MOVQ         CX, BX
	ANDQ         $-128, BX      // BX = bytes in whole 4-vector blocks
	XORQ         AX, AX

la2Block:                       // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  la2Vec
	LA_VEC(0, Y0, Y1, Y14, Y15)
	LA_VEC(32, Y2, Y3, Y14, Y15)
	LA_VEC(64, Y4, Y5, Y14, Y15)
	LA_VEC(96, Y6, Y7, Y14, Y15)
	ADDQ $128, AX
	JMP  la2Block

la2Vec:                         // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  la2Done
	LA_VEC(0, Y0, Y1, Y14, Y15)
	ADDQ $32, AX
	JMP  la2Vec

la2Done:
	VZEROUPPER
	RET

// func lookaheadAVX512(p, slow []float32, a, b float32)
TEXT ·lookaheadAVX512(SB), NOSPLIT, $0-56
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         slow_base+24(FP), SI
	VBROADCASTSS a+48(FP), Z16  // Z16 = a
	VBROADCASTSS b+52(FP), Z17  // Z17 = b
	SHLQ         $2, CX         // CX = bytes
	MOVQ         CX, BX
	ANDQ         $-256, BX      // BX = bytes in whole 4-vector blocks
	MOVQ         CX, DX
	ANDQ         $-64, DX       // DX = bytes in whole vectors
	XORQ         AX, AX

la5Block:                       // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  la5Vec
	LA_VEC(0, Z0, Z1, Z16, Z17)
	LA_VEC(64, Z2, Z3, Z16, Z17)
	LA_VEC(128, Z4, Z5, Z16, Z17)
	LA_VEC(192, Z6, Z7, Z16, Z17)
	ADDQ $256, AX
	JMP  la5Block

la5Vec:                         // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  la5Tail
	LA_VEC(0, Z0, Z1, Z16, Z17)
	ADDQ $64, AX
	JMP  la5Vec

la5Tail:                        // the last len(p)%16 floats under mask K1
	SUBQ    AX, CX
	JZ      la5Done
	SHRQ    $2, CX              // CX = r, 1..15 floats left
	MOVL    $1, BX
	SHLL    CX, BX
	DECL    BX                  // BX = 1<<r - 1
	KMOVW   BX, K1              // K1 = lanes 0..r-1
	VMOVUPS.Z (SI)(AX*1), K1, Z0 // s := slow[i] (0 beyond the end)
	VMOVUPS.Z (DI)(AX*1), K1, Z1 // q := p[i]
	VMULPS  Z0, Z17, Z0         // t := b*s
	VMULPS  Z1, Z16, Z1         // u := a*q
	VADDPS  Z1, Z0, Z0          // f := t + u
	VMOVUPS Z0, K1, (SI)(AX*1)  // slow[i] = f
	VMOVUPS Z0, K1, (DI)(AX*1)  // p[i] = f

la5Done:
	VZEROUPPER
	RET
