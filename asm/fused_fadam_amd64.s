//go:build amd64 && gc && !purego

#include "textflag.h"

// FAdam's three passes; see fused_fadam_amd64.go for the Go each kernel
// computes. AX is the byte offset of the current vector, CX the byte
// length. Every kernel saves the caller's MXCSR in its frame, sets
// FTZ|DAZ (0x8040) and restores it before RET. No float32 operation is
// fused, so that every level rounds as the reference; the float64 sums
// use VFMADD231PD on exact squares, which rounds once like the
// reference's add.

// FA_MXCSR saves MXCSR and sets FTZ|DAZ.
#define FA_MXCSR \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)

// FS_AVX2 adds one 16-float block at off: lanes 0-3 in Y8, 4-7 in Y9,
// 8-11 in Y10, 12-15 in Y11.
#define FS_AVX2(o0, o1, o2, o3) \
	VCVTPS2PD   o0(SI)(AX*1), Y0 \
	VCVTPS2PD   o1(SI)(AX*1), Y1 \
	VCVTPS2PD   o2(SI)(AX*1), Y2 \
	VCVTPS2PD   o3(SI)(AX*1), Y3 \
	VFMADD231PD Y0, Y0, Y8       \
	VFMADD231PD Y1, Y1, Y9       \
	VFMADD231PD Y2, Y2, Y10      \
	VFMADD231PD Y3, Y3, Y11

// FS_AVX512 adds one 16-float vector at off: lanes 0-7 in Z20, 8-15 in
// Z21.
#define FS_AVX512(o0, o1) \
	VCVTPS2PD   o0(SI)(AX*1), Z0 \
	VCVTPS2PD   o1(SI)(AX*1), Z1 \
	VFMADD231PD Z0, Z0, Z20      \
	VFMADD231PD Z1, Z1, Z21

// FP_AVX2 does 8 floats at off, adding the squares of g·r to lanes AG0
// (first 4) and AG1, of p·r to AW0 and AW1. Y3 = b2, Y4 = omb2,
// Y5 = epsh, Y6 = 1.
#define FP_AVX2(off, AG0, AG1, AW0, AW1) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g */ \
	VMULPS       off(R9)(AX*1), Y3, Y1  /* b2*f */ \
	VMULPS       Y0, Y4, Y2             /* omb2*g */ \
	VMULPS       Y0, Y2, Y2             /* (omb2*g)*g */ \
	VADDPS       Y2, Y1, Y1             /* f' */ \
	VMOVUPS      Y1, off(R9)(AX*1)      /* f[i] = f' */ \
	VSQRTPS      Y1, Y1                 \
	VADDPS       Y5, Y1, Y1             /* d = sqrt(f')+epsh */ \
	VXORPS       Y2, Y2, Y2             \
	VCMPPS       $4, Y2, Y1, Y2         /* d != 0 */ \
	VDIVPS       Y1, Y6, Y1             /* 1/d */ \
	VANDPS       Y2, Y1, Y1             /* r, 0 where d = 0 */ \
	VMOVUPS      Y1, off(R10)(AX*1)     /* r[i] = r */ \
	VMULPS       Y1, Y0, Y0             /* gh = g*r */ \
	VMULPS       off(DI)(AX*1), Y1, Y1  /* w = p*r */ \
	VCVTPS2PD    X0, Y2                 \
	VFMADD231PD  Y2, Y2, AG0            \
	VEXTRACTF128 $1, Y0, X0             \
	VCVTPS2PD    X0, Y0                 \
	VFMADD231PD  Y0, Y0, AG1            \
	VCVTPS2PD    X1, Y2                 \
	VFMADD231PD  Y2, Y2, AW0            \
	VEXTRACTF128 $1, Y1, X1             \
	VCVTPS2PD    X1, Y1                 \
	VFMADD231PD  Y1, Y1, AW1

// FP_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define FP_SETUP \
	MOVQ g_base+0(FP), SI  \
	MOVQ g_len+8(FP), CX   \
	MOVQ p_base+24(FP), DI \
	MOVQ f_base+48(FP), R9 \
	MOVQ r_base+72(FP), R10 \
	MOVQ acc+96(FP), R8    \
	FA_MXCSR               \
	SHLQ $2, CX

// FP_SUMS adds the squares of Z0 (g·r) to Z20 (lanes 0-7) and Z21, of
// Z1 (p·r) to Z22 and Z23; Z0..Z2 are clobbered.
#define FP_SUMS \
	VCVTPS2PD     Y0, Z2       \
	VEXTRACTF64X4 $1, Z0, Y0   \
	VCVTPS2PD     Y0, Z0       \
	VFMADD231PD   Z2, Z2, Z20  \
	VFMADD231PD   Z0, Z0, Z21  \
	VCVTPS2PD     Y1, Z2       \
	VEXTRACTF64X4 $1, Z1, Y1   \
	VCVTPS2PD     Y1, Z1       \
	VFMADD231PD   Z2, Z2, Z22  \
	VFMADD231PD   Z1, Z1, Z23

// FP_AVX512 does 16 floats at off. Z16 = b2, Z17 = omb2, Z18 = epsh,
// Z19 = 1, Z25 = 0.
#define FP_AVX512(off) \
	VMOVUPS  off(SI)(AX*1), Z0      /* g */ \
	VMULPS   off(R9)(AX*1), Z16, Z1 /* b2*f */ \
	VMULPS   Z0, Z17, Z2            /* omb2*g */ \
	VMULPS   Z0, Z2, Z2             /* (omb2*g)*g */ \
	VADDPS   Z2, Z1, Z1             /* f' */ \
	VMOVUPS  Z1, off(R9)(AX*1)      /* f[i] = f' */ \
	VSQRTPS  Z1, Z1                 \
	VADDPS   Z18, Z1, Z1            /* d = sqrt(f')+epsh */ \
	VCMPPS   $4, Z25, Z1, K2        /* K2 = d != 0 */ \
	VDIVPS.Z Z1, Z19, K2, Z1        /* r = 1/d, 0 where d = 0 */ \
	VMOVUPS  Z1, off(R10)(AX*1)     /* r[i] = r */ \
	VMULPS   Z1, Z0, Z0             /* gh = g*r */ \
	VMULPS   off(DI)(AX*1), Z1, Z1  /* w = p*r */ \
	FP_SUMS

// FU_VEC updates one whole vector at off; temporaries T0..T3, constants
// as named.
#define FU_VEC(off, T0, T1, T2, T3, SG, OMB1, B1, SW, WD, LR) \
	VMOVUPS off(R9)(AX*1), T1     /* r */ \
	VMULPS  off(SI)(AX*1), T1, T0 /* gh = g*r */ \
	VMULPS  SG, T0, T0            /* gh*sg */ \
	VMULPS  T0, OMB1, T0          /* omb1*(gh*sg) */ \
	VMULPS  off(R8)(AX*1), B1, T2 /* b1*m */ \
	VADDPS  T0, T2, T2            /* m' */ \
	VMOVUPS T2, off(R8)(AX*1)     /* m[i] = m' */ \
	VMOVUPS off(DI)(AX*1), T3     /* p */ \
	VMULPS  T3, T1, T1            /* w = p*r */ \
	VMULPS  SW, T1, T1            /* w*sw */ \
	VMULPS  T1, WD, T1            /* wd*(w*sw) */ \
	VADDPS  T1, T2, T1            /* m' + wd*w */ \
	VMULPS  T1, LR, T1            /* u = lr*(m'+wd*w) */ \
	VSUBPS  T1, T3, T3            /* p - u */ \
	VMOVUPS T3, off(DI)(AX*1)     /* p[i] */

#define FU_AVX2(off) FU_VEC(off, Y0, Y1, Y2, Y3, Y10, Y11, Y12, Y13, Y14, Y15)

#define FU_AVX512(off) FU_VEC(off, Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19, Z20, Z21)

// FU_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define FU_SETUP \
	MOVQ p_base+0(FP), DI  \
	MOVQ p_len+8(FP), CX   \
	MOVQ g_base+24(FP), SI \
	MOVQ m_base+48(FP), R8 \
	MOVQ r_base+72(FP), R9 \
	FA_MXCSR               \
	SHLQ $2, CX

// ---------------------------------------------------------------------
// Pass 1: acc[i%16] += float64(g[i])². SI = g, R8 = acc.

// func fadamSumAVX2(g []float32, acc *[16]float64)
TEXT ·fadamSumAVX2(SB), NOSPLIT, $8-32
	MOVQ    g_base+0(FP), SI
	MOVQ    g_len+8(FP), CX
	MOVQ    acc+24(FP), R8
	FA_MXCSR
	SHLQ    $2, CX                  // CX = bytes, a multiple of 64
	VMOVUPD (R8), Y8
	VMOVUPD 32(R8), Y9
	VMOVUPD 64(R8), Y10
	VMOVUPD 96(R8), Y11
	MOVQ    CX, BX
	ANDQ    $-128, BX               // BX = bytes in whole 2-block steps
	XORQ    AX, AX

fs2Pair:                            // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  fs2Block
	FS_AVX2(0, 16, 32, 48)
	FS_AVX2(64, 80, 96, 112)
	ADDQ $128, AX
	JMP  fs2Pair

fs2Block:                           // at most one 16-float block left
	CMPQ AX, CX
	JAE  fs2Done
	FS_AVX2(0, 16, 32, 48)

fs2Done:
	VMOVUPD Y8, (R8)
	VMOVUPD Y9, 32(R8)
	VMOVUPD Y10, 64(R8)
	VMOVUPD Y11, 96(R8)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamSumAVX512(g []float32, acc *[16]float64)
TEXT ·fadamSumAVX512(SB), NOSPLIT, $8-32
	MOVQ    g_base+0(FP), SI
	MOVQ    g_len+8(FP), CX
	MOVQ    acc+24(FP), R8
	FA_MXCSR
	SHLQ    $2, CX                  // CX = bytes
	VMOVUPD (R8), Z20
	VMOVUPD 64(R8), Z21
	MOVQ    CX, BX
	ANDQ    $-256, BX               // BX = bytes in whole 4-vector blocks
	MOVQ    CX, DX
	ANDQ    $-64, DX                // DX = bytes in whole vectors
	XORQ    AX, AX

fs5Block:                           // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  fs5Vec
	FS_AVX512(0, 32)
	FS_AVX512(64, 96)
	FS_AVX512(128, 160)
	FS_AVX512(192, 224)
	ADDQ $256, AX
	JMP  fs5Block

fs5Vec:                             // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  fs5Tail
	FS_AVX512(0, 32)
	ADDQ $64, AX
	JMP  fs5Vec

fs5Tail:                            // the last len(g)%16 floats under mask K1
	SUBQ  AX, CX
	JZ    fs5Done
	SHRQ  $2, CX                    // CX = 1..15 floats left
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1                    // K1 = lanes 0..CX-1
	VMOVUPS.Z (SI)(AX*1), K1, Z2    // 0 beyond the end
	VCVTPS2PD Y2, Z0
	VEXTRACTF64X4 $1, Z2, Y1
	VCVTPS2PD Y1, Z1
	VFMADD231PD Z0, Z0, Z20
	VFMADD231PD Z1, Z1, Z21

fs5Done:
	VMOVUPD Z20, (R8)
	VMOVUPD Z21, 64(R8)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// ---------------------------------------------------------------------
// Pass 2. SI = g, DI = p, R9 = f, R10 = r, R8 = acc.

// func fadamPrecondAVX2(g, p, f, r []float32, acc *[32]float64, b2, omb2, epsh float32)
TEXT ·fadamPrecondAVX2(SB), NOSPLIT, $8-116
	VBROADCASTSS b2+104(FP), Y3
	VBROADCASTSS omb2+108(FP), Y4
	VBROADCASTSS epsh+112(FP), Y5
	MOVL         $0x3f800000, R11
	MOVQ         R11, X6
	VBROADCASTSS X6, Y6             // Y6 = 1
	FP_SETUP
	VMOVUPD (R8), Y8                // Σĝ² lanes 0-3, 4-7, 8-11, 12-15
	VMOVUPD 32(R8), Y9
	VMOVUPD 64(R8), Y10
	VMOVUPD 96(R8), Y11
	VMOVUPD 128(R8), Y12            // Σŵ² lanes
	VMOVUPD 160(R8), Y13
	VMOVUPD 192(R8), Y14
	VMOVUPD 224(R8), Y15
	XORQ    AX, AX

fp2Block:                           // for ; AX < CX; AX += 64: 16 floats
	CMPQ AX, CX
	JAE  fp2Done
	FP_AVX2(0, Y8, Y9, Y12, Y13)
	FP_AVX2(32, Y10, Y11, Y14, Y15)
	ADDQ $64, AX
	JMP  fp2Block

fp2Done:
	VMOVUPD Y8, (R8)
	VMOVUPD Y9, 32(R8)
	VMOVUPD Y10, 64(R8)
	VMOVUPD Y11, 96(R8)
	VMOVUPD Y12, 128(R8)
	VMOVUPD Y13, 160(R8)
	VMOVUPD Y14, 192(R8)
	VMOVUPD Y15, 224(R8)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamPrecondAVX512(g, p, f, r []float32, acc *[32]float64, b2, omb2, epsh float32)
TEXT ·fadamPrecondAVX512(SB), NOSPLIT, $8-116
	VBROADCASTSS b2+104(FP), Z16
	VBROADCASTSS omb2+108(FP), Z17
	VBROADCASTSS epsh+112(FP), Z18
	MOVL         $0x3f800000, R11
	MOVQ         R11, X0
	VBROADCASTSS X0, Z19            // Z19 = 1
	VPXORD       Z25, Z25, Z25      // Z25 = 0
	FP_SETUP
	VMOVUPD (R8), Z20               // Σĝ² lanes 0-7, 8-15
	VMOVUPD 64(R8), Z21
	VMOVUPD 128(R8), Z22            // Σŵ² lanes 0-7, 8-15
	VMOVUPD 192(R8), Z23
	MOVQ    CX, BX
	ANDQ    $-128, BX               // BX = bytes in whole 2-vector blocks
	MOVQ    CX, DX
	ANDQ    $-64, DX                // DX = bytes in whole vectors
	XORQ    AX, AX

fp5Block:                           // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  fp5Vec
	FP_AVX512(0)
	FP_AVX512(64)
	ADDQ $128, AX
	JMP  fp5Block

fp5Vec:                             // at most one whole vector left
	CMPQ AX, DX
	JAE  fp5Tail
	FP_AVX512(0)
	ADDQ $64, AX

fp5Tail:                            // the last len(g)%16 floats under mask K1
	SUBQ     AX, CX
	JZ       fp5Done
	SHRQ     $2, CX                 // CX = 1..15 floats left
	MOVL     $1, BX
	SHLL     CX, BX
	DECL     BX
	KMOVW    BX, K1                 // K1 = lanes 0..CX-1
	VMOVUPS.Z (SI)(AX*1), K1, Z0    // g (0 beyond the end)
	VMOVUPS.Z (R9)(AX*1), K1, Z1    // f
	VMOVUPS.Z (DI)(AX*1), K1, Z3    // p
	VMULPS   Z1, Z16, Z1            // b2*f
	VMULPS   Z0, Z17, Z2            // omb2*g
	VMULPS   Z0, Z2, Z2             // (omb2*g)*g
	VADDPS   Z2, Z1, Z1             // f'
	VMOVUPS  Z1, K1, (R9)(AX*1)     // f[i] = f'
	VSQRTPS  Z1, Z1
	VADDPS   Z18, Z1, Z1            // d
	VCMPPS   $4, Z25, Z1, K1, K2    // K2 = K1 && d != 0
	VDIVPS.Z Z1, Z19, K2, Z1        // r
	VMOVUPS  Z1, K1, (R10)(AX*1)    // r[i] = r
	VMULPS   Z1, Z0, Z0             // gh (0 beyond the end)
	VMULPS   Z3, Z1, Z1             // w (0 beyond the end)
	FP_SUMS

fp5Done:
	VMOVUPD Z20, (R8)
	VMOVUPD Z21, 64(R8)
	VMOVUPD Z22, 128(R8)
	VMOVUPD Z23, 192(R8)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// ---------------------------------------------------------------------
// Pass 3. DI = p, SI = g, R8 = m, R9 = r.

// func fadamUpdateAVX2(p, g, m, r []float32, sg, omb1, b1, sw, wd, lr float32)
TEXT ·fadamUpdateAVX2(SB), NOSPLIT, $8-120
	VBROADCASTSS sg+96(FP), Y10
	VBROADCASTSS omb1+100(FP), Y11
	VBROADCASTSS b1+104(FP), Y12
	VBROADCASTSS sw+108(FP), Y13
	VBROADCASTSS wd+112(FP), Y14
	VBROADCASTSS lr+116(FP), Y15
	FU_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

fu2Block:                           // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  fu2Vec
	FU_AVX2(0)
	FU_AVX2(32)
	FU_AVX2(64)
	FU_AVX2(96)
	ADDQ $128, AX
	JMP  fu2Block

fu2Vec:                             // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  fu2Done
	FU_AVX2(0)
	ADDQ $32, AX
	JMP  fu2Vec

fu2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamUpdateAVX512(p, g, m, r []float32, sg, omb1, b1, sw, wd, lr float32)
TEXT ·fadamUpdateAVX512(SB), NOSPLIT, $8-120
	VBROADCASTSS sg+96(FP), Z16
	VBROADCASTSS omb1+100(FP), Z17
	VBROADCASTSS b1+104(FP), Z18
	VBROADCASTSS sw+108(FP), Z19
	VBROADCASTSS wd+112(FP), Z20
	VBROADCASTSS lr+116(FP), Z21
	FU_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

fu5Block:                           // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  fu5Vec
	FU_AVX512(0)
	FU_AVX512(64)
	FU_AVX512(128)
	FU_AVX512(192)
	ADDQ $256, AX
	JMP  fu5Block

fu5Vec:                             // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  fu5Tail
	FU_AVX512(0)
	ADDQ $64, AX
	JMP  fu5Vec

fu5Tail:                            // the last len(p)%16 floats under mask K1
	SUBQ  AX, CX
	JZ    fu5Done
	SHRQ  $2, CX                    // CX = 1..15 floats left
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1                    // K1 = lanes 0..CX-1
	VMOVUPS.Z (R9)(AX*1), K1, Z1    // r
	VMOVUPS.Z (SI)(AX*1), K1, Z4    // g
	VMOVUPS.Z (R8)(AX*1), K1, Z5    // m
	VMOVUPS.Z (DI)(AX*1), K1, Z3    // p
	VMULPS  Z4, Z1, Z0              // gh = g*r
	VMULPS  Z16, Z0, Z0             // gh*sg
	VMULPS  Z0, Z17, Z0             // omb1*(gh*sg)
	VMULPS  Z5, Z18, Z2             // b1*m
	VADDPS  Z0, Z2, Z2              // m'
	VMOVUPS Z2, K1, (R8)(AX*1)      // m[i] = m'
	VMULPS  Z3, Z1, Z1              // w = p*r
	VMULPS  Z19, Z1, Z1             // w*sw
	VMULPS  Z1, Z20, Z1             // wd*(w*sw)
	VADDPS  Z1, Z2, Z1              // m' + wd*w
	VMULPS  Z1, Z21, Z1             // u
	VSUBPS  Z1, Z3, Z3              // p - u
	VMOVUPS Z3, K1, (DI)(AX*1)      // p[i]

fu5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
