//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused RMSProp/AdaGrad step; see fused_rmsprop_amd64.go for the Go each
// kernel computes. Pointers: DI = p, SI = g, R8 = v; AX is the byte offset
// of the current vector, CX the byte length. The caller's MXCSR is saved
// in the frame, FTZ|DAZ (0x8040) set, and restored before RET.

// RMS_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T3, constants as named.
#define RMS_VEC(off, T0, T1, T2, T3, RHO, OMR, WD, LR, E1, E2) \
	VMOVUPS      off(SI)(AX*1), T0     /* d := g[i] */ \
	VMOVUPS      off(DI)(AX*1), T1     /* p := p[i] */ \
	VFMADD231PS  T1, WD, T0            /* d += wd*p */ \
	VMULPS       T0, OMR, T2           /* vv := omr*d */ \
	VMULPS       T0, T2, T2            /* vv *= d */ \
	VFMADD231PS  off(R8)(AX*1), RHO, T2 /* vv += rho*v[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)     /* v[i] = vv */ \
	VADDPS       E1, T2, T3            /* r := vv + e1 */ \
	VSQRTPS      T3, T3                /* r = sqrt(r) */ \
	VADDPS       E2, T3, T3            /* r += e2 */ \
	VDIVPS       T3, T0, T3            /* q := d/r */ \
	VFNMADD231PS T3, LR, T1            /* p -= lr*q */ \
	VMOVUPS      T1, off(DI)(AX*1)     /* p[i] = p */

#define RMS_AVX2(off) RMS_VEC(off, Y0, Y1, Y2, Y3, Y10, Y11, Y12, Y13, Y14, Y15)
#define RMS_AVX512(off) RMS_VEC(off, Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19, Z20, Z21)

// RMS_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define RMS_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    v_base+48(FP), R8                 \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func rmspropAVX2(p, g, v []float32, rho, omr, wd, lr, e1, e2 float32)
TEXT ·rmspropAVX2(SB), NOSPLIT, $8-96
	VBROADCASTSS rho+72(FP), Y10    // Y10 = rho
	VBROADCASTSS omr+76(FP), Y11    // Y11 = omr
	VBROADCASTSS wd+80(FP), Y12     // Y12 = wd
	VBROADCASTSS lr+84(FP), Y13     // Y13 = lr
	VBROADCASTSS e1+88(FP), Y14     // Y14 = e1
	VBROADCASTSS e2+92(FP), Y15     // Y15 = e2
	RMS_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

rms2Block:                          // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  rms2Vec
	RMS_AVX2(0)
	RMS_AVX2(32)
	RMS_AVX2(64)
	RMS_AVX2(96)
	ADDQ $128, AX
	JMP  rms2Block

rms2Vec:                            // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  rms2Done
	RMS_AVX2(0)
	ADDQ $32, AX
	JMP  rms2Vec

rms2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func rmspropAVX512(p, g, v []float32, rho, omr, wd, lr, e1, e2 float32)
TEXT ·rmspropAVX512(SB), NOSPLIT, $8-96
	VBROADCASTSS rho+72(FP), Z16    // Z16 = rho
	VBROADCASTSS omr+76(FP), Z17    // Z17 = omr
	VBROADCASTSS wd+80(FP), Z18     // Z18 = wd
	VBROADCASTSS lr+84(FP), Z19     // Z19 = lr
	VBROADCASTSS e1+88(FP), Z20     // Z20 = e1
	VBROADCASTSS e2+92(FP), Z21     // Z21 = e2
	RMS_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

rms5Block:                          // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  rms5Vec
	RMS_AVX512(0)
	RMS_AVX512(64)
	RMS_AVX512(128)
	RMS_AVX512(192)
	ADDQ $256, AX
	JMP  rms5Block

rms5Vec:                            // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  rms5Tail
	RMS_AVX512(0)
	ADDQ $64, AX
	JMP  rms5Vec

rms5Tail:                           // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   rms5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0 // d := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1 // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z4 // v := v[i]
	VFMADD231PS  Z1, Z18, Z0        // d += wd*p
	VMULPS       Z0, Z17, Z2        // vv := omr*d
	VMULPS       Z0, Z2, Z2         // vv *= d
	VFMADD231PS  Z4, Z16, Z2        // vv += rho*v
	VMOVUPS      Z2, K1, (R8)(AX*1) // v[i] = vv
	VADDPS       Z20, Z2, Z3        // r := vv + e1
	VSQRTPS      Z3, Z3             // r = sqrt(r)
	VADDPS       Z21, Z3, Z3        // r += e2
	VDIVPS       Z3, Z0, Z3         // q := d/r
	VFNMADD231PS Z3, Z19, Z1        // p -= lr*q
	VMOVUPS      Z1, K1, (DI)(AX*1) // p[i] = p

rms5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
