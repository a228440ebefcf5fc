//go:build amd64 && gc && !purego

#include "textflag.h"

// Clamp; see fused_clamp_amd64.go for the Go each kernel computes.
// DI = x; AX is the byte offset of the current vector, CX the byte
// length. MXCSR is left alone: VMAXPS and VMINPS return one of their
// operands exactly.

// CLAMP_VEC clamps one whole vector at byte offset off+AX. In Go operand
// order VMAXPS src2, src1, dst computes dst = src1 > src2 ? src1 : src2,
// so with src2 = x a NaN x is kept, as are zeros equal to a bound.
#define CLAMP_VEC(off, T, LO, HI) \
	VMAXPS  off(DI)(AX*1), LO, T /* t := lo > x ? lo : x */ \
	VMINPS  T, HI, T             /* t = hi < t ? hi : t */ \
	VMOVUPS T, off(DI)(AX*1)     /* x[i] = t */

// func clampAVX2(x []float32, lo, hi float32)
TEXT ·clampAVX2(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS lo+24(FP), Y14 // Y14 = lo
	VBROADCASTSS hi+28(FP), Y15 // Y15 = hi
	SHLQ         $2, CX         // CX = bytes
	MOVQ         CX, BX
	ANDQ         $-128, BX      // BX = bytes in whole 4-vector blocks
	XORQ         AX, AX

clamp2Block:                    // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  clamp2Vec
	CLAMP_VEC(0, Y0, Y14, Y15)
	CLAMP_VEC(32, Y1, Y14, Y15)
	CLAMP_VEC(64, Y2, Y14, Y15)
	CLAMP_VEC(96, Y3, Y14, Y15)
	ADDQ $128, AX
	JMP  clamp2Block

clamp2Vec:                      // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  clamp2Done
	CLAMP_VEC(0, Y0, Y14, Y15)
	ADDQ $32, AX
	JMP  clamp2Vec

clamp2Done:
	VZEROUPPER
	RET

// func clampAVX512(x []float32, lo, hi float32)
TEXT ·clampAVX512(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS lo+24(FP), Z16 // Z16 = lo
	VBROADCASTSS hi+28(FP), Z17 // Z17 = hi
	SHLQ         $2, CX         // CX = bytes
	MOVQ         CX, BX
	ANDQ         $-256, BX      // BX = bytes in whole 4-vector blocks
	MOVQ         CX, DX
	ANDQ         $-64, DX       // DX = bytes in whole vectors
	XORQ         AX, AX

clamp5Block:                    // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  clamp5Vec
	CLAMP_VEC(0, Z0, Z16, Z17)
	CLAMP_VEC(64, Z1, Z16, Z17)
	CLAMP_VEC(128, Z2, Z16, Z17)
	CLAMP_VEC(192, Z3, Z16, Z17)
	ADDQ $256, AX
	JMP  clamp5Block

clamp5Vec:                      // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  clamp5Tail
	CLAMP_VEC(0, Z0, Z16, Z17)
	ADDQ $64, AX
	JMP  clamp5Vec

clamp5Tail:                     // the last len(x)%16 floats under mask K1
	SUBQ    AX, CX
	JZ      clamp5Done
	SHRQ    $2, CX              // CX = r, 1..15 floats left
	MOVL    $1, BX
	SHLL    CX, BX
	DECL    BX                  // BX = 1<<r - 1
	KMOVW   BX, K1              // K1 = lanes 0..r-1
	VMOVUPS.Z (DI)(AX*1), K1, Z0 // t := x[i] (0 beyond the end)
	VMAXPS  Z0, Z16, Z0         // t = lo > t ? lo : t
	VMINPS  Z0, Z17, Z0         // t = hi < t ? hi : t
	VMOVUPS Z0, K1, (DI)(AX*1)  // x[i] = t

clamp5Done:
	VZEROUPPER
	RET
