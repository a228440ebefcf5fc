//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused SGD-with-momentum step; see fused_sgd_amd64.go for the Go each
// kernel computes. Pointers: DI = p, SI = g, R8 = buf; AX is the byte
// offset of the current vector, CX the byte length. The caller's MXCSR is
// saved in the frame, FTZ|DAZ (0x8040) set, and restored before RET.

// SGD_AVX2 updates 8 floats at byte offset off+AX; constants Y8 = wd,
// Y9 = mub, Y10 = damp, Y11 = mun, Y12 = lr, Y13 = Nesterov mask.
#define SGD_AVX2(off) \
	VMOVUPS      off(SI)(AX*1), Y0         /* d := g[i]              */ \
	VMOVUPS      off(DI)(AX*1), Y1         /* p := p[i]              */ \
	VFMADD231PS  Y1, Y8, Y0                /* d += wd*p              */ \
	VMULPS       Y0, Y10, Y2               /* b := damp*d            */ \
	VFMADD231PS  off(R8)(AX*1), Y9, Y2     /* b += mub*buf[i]        */ \
	VMOVUPS      Y2, off(R8)(AX*1)         /* buf[i] = b             */ \
	VFMADD231PS  Y2, Y11, Y0               /* n := d + mun*b         */ \
	VBLENDVPS    Y13, Y0, Y2, Y3           /* u := nest ? n : b      */ \
	VFNMADD231PS Y3, Y12, Y1               /* p -= lr*u              */ \
	VMOVUPS      Y1, off(DI)(AX*1)         /* p[i] = p               */

// SGD_AVX512 updates 16 floats at byte offset off+AX; constants Z16 = wd,
// Z17 = mub, Z18 = damp, Z19 = mun, Z20 = lr, K2 = Nesterov mask.
#define SGD_AVX512(off) \
	VMOVUPS      off(SI)(AX*1), Z0         /* d := g[i]              */ \
	VMOVUPS      off(DI)(AX*1), Z1         /* p := p[i]              */ \
	VFMADD231PS  Z1, Z16, Z0               /* d += wd*p              */ \
	VMULPS       Z0, Z18, Z2               /* b := damp*d            */ \
	VFMADD231PS  off(R8)(AX*1), Z17, Z2    /* b += mub*buf[i]        */ \
	VMOVUPS      Z2, off(R8)(AX*1)         /* buf[i] = b             */ \
	VFMADD231PS  Z2, Z19, Z0               /* n := d + mun*b         */ \
	VBLENDMPS    Z0, Z2, K2, Z3            /* u := nest ? n : b      */ \
	VFNMADD231PS Z3, Z20, Z1               /* p -= lr*u              */ \
	VMOVUPS      Z1, off(DI)(AX*1)         /* p[i] = p               */

// func sgdAVX2(p, g, buf []float32, wd, mub, damp, mun, lr float32, nest uint32)
TEXT ·sgdAVX2(SB), NOSPLIT, $8-96
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ buf_base+48(FP), R8
	VBROADCASTSS wd+72(FP), Y8           // Y8 = wd
	VBROADCASTSS mub+76(FP), Y9          // Y9 = mub
	VBROADCASTSS damp+80(FP), Y10        // Y10 = damp
	VBROADCASTSS mun+84(FP), Y11         // Y11 = mun
	VBROADCASTSS lr+88(FP), Y12          // Y12 = lr
	VBROADCASTSS nest+92(FP), Y13        // Y13 = nest mask
	STMXCSR saved-4(SP)                  // saved := MXCSR
	MOVL    saved-4(SP), DX
	ORL     $0x8040, DX                  // FTZ | DAZ
	MOVL    DX, ftz-8(SP)
	LDMXCSR ftz-8(SP)                    // MXCSR = saved | FTZ | DAZ
	SHLQ $2, CX                          // CX = len(p) in bytes
	MOVQ CX, BX
	ANDQ $-128, BX                       // BX = bytes in whole 4-vector blocks
	XORQ AX, AX                          // AX = 0

sgd2Block:                               // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  sgd2Vec
	SGD_AVX2(0)
	SGD_AVX2(32)
	SGD_AVX2(64)
	SGD_AVX2(96)
	ADDQ $128, AX
	JMP  sgd2Block

sgd2Vec:                                 // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  sgd2Done
	SGD_AVX2(0)
	ADDQ $32, AX
	JMP  sgd2Vec

sgd2Done:
	LDMXCSR saved-4(SP)                  // MXCSR = saved
	VZEROUPPER
	RET

// func sgdAVX512(p, g, buf []float32, wd, mub, damp, mun, lr float32, nest uint32)
TEXT ·sgdAVX512(SB), NOSPLIT, $8-96
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ buf_base+48(FP), R8
	VBROADCASTSS wd+72(FP), Z16          // Z16 = wd
	VBROADCASTSS mub+76(FP), Z17         // Z17 = mub
	VBROADCASTSS damp+80(FP), Z18        // Z18 = damp
	VBROADCASTSS mun+84(FP), Z19         // Z19 = mun
	VBROADCASTSS lr+88(FP), Z20          // Z20 = lr
	MOVL nest+92(FP), DX
	KMOVW DX, K2                         // K2 = nest mask
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

sgd5Block:                               // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  sgd5Vec
	SGD_AVX512(0)
	SGD_AVX512(64)
	SGD_AVX512(128)
	SGD_AVX512(192)
	ADDQ $256, AX
	JMP  sgd5Block

sgd5Vec:                                 // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  sgd5Tail
	SGD_AVX512(0)
	ADDQ $64, AX
	JMP  sgd5Vec

sgd5Tail:                                // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   sgd5Done
	SHRQ $2, CX                          // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                              // BX = 1<<r - 1
	KMOVW BX, K1                         // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0      // d := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1      // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z4      // b0 := buf[i]
	VFMADD231PS  Z1, Z16, Z0             // d += wd*p
	VMULPS       Z0, Z18, Z2             // b := damp*d
	VFMADD231PS  Z4, Z17, Z2             // b += mub*b0
	VMOVUPS      Z2, K1, (R8)(AX*1)      // buf[i] = b
	VFMADD231PS  Z2, Z19, Z0             // n := d + mun*b
	VBLENDMPS    Z0, Z2, K2, Z3          // u := nest ? n : b
	VFNMADD231PS Z3, Z20, Z1             // p -= lr*u
	VMOVUPS      Z1, K1, (DI)(AX*1)      // p[i] = p

sgd5Done:
	LDMXCSR saved-4(SP)                  // MXCSR = saved
	VZEROUPPER
	RET
