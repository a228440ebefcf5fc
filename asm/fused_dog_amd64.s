//go:build amd64 && gc && !purego

#include "textflag.h"

// DoG's kernels (DoGSums, DoGStep); see fused_dog_amd64.go for the Go
// each computes. Pointers: DI = p, R8 = p0 (sums) or R9 = avg (step),
// SI = g; AX is the byte offset, CX the byte length; R11 the mode
// (1 = dist, 2 = decay, 4 = average), tested once per block. The
// caller's MXCSR is saved in the frame, FTZ|DAZ (0x8040) set, and
// restored before RET.

// DOG_FTZ saves MXCSR at saved-4(SP) and sets FTZ|DAZ (clobbers DX).
#define DOG_FTZ \
	STMXCSR saved-4(SP)   \
	MOVL    saved-4(SP), DX \
	ORL     $0x8040, DX   \
	MOVL    DX, ftz-8(SP) \
	LDMXCSR ftz-8(SP)

// DT_SETUP loads the pointers and mode, sets FTZ|DAZ and CX = bytes.
#define DT_SETUP \
	MOVQ p_base+0(FP), DI   \
	MOVQ p_len+8(FP), CX    \
	MOVQ g_base+24(FP), SI  \
	MOVQ avg_base+48(FP), R9 \
	MOVQ mode+72(FP), R11   \
	DOG_FTZ                 \
	SHLQ $2, CX

// ---- DoGSums ----

// DS_ROWS512 turns the squares of 4 rows in Z0..Z3 into the lane sums
// fma(x1, x1, x0*x0) + fma(x3, x3, x2*x2) in Z0 and adds them, as float64,
// to the lanes LO (0..7) and HI (8..15); Z2, Z4, Z5 are clobbered.
#define DS_ROWS512(LO, HI) \
	VMULPS        Z0, Z0, Z0 \
	VFMADD231PS   Z1, Z1, Z0 \
	VMULPS        Z2, Z2, Z2 \
	VFMADD231PS   Z3, Z3, Z2 \
	VADDPS        Z2, Z0, Z0 \
	VCVTPS2PD     Y0, Z4     \
	VEXTRACTF64X4 $1, Z0, Y5 \
	VCVTPS2PD     Y5, Z5     \
	VADDPD        Z4, LO, LO \
	VADDPD        Z5, HI, HI

// func dogSumsAVX512(p, p0, g []float32, wd float32, mode int, l *[32]float64)
TEXT ·dogSumsAVX512(SB), NOSPLIT, $8-96
	MOVQ         p_base+0(FP), DI
	MOVQ         p0_base+24(FP), R8
	MOVQ         g_base+48(FP), SI
	MOVQ         g_len+56(FP), CX
	VBROADCASTSS wd+72(FP), Z16
	MOVQ         mode+80(FP), R11
	MOVQ         l+88(FP), R10
	DOG_FTZ
	SHLQ         $2, CX              // CX = bytes (whole 256-byte blocks)
	VMOVUPD      0(R10), Z8          // dist lanes 0..7
	VMOVUPD      64(R10), Z9         // dist lanes 8..15
	VMOVUPD      128(R10), Z10       // grad lanes 0..7
	VMOVUPD      192(R10), Z11       // grad lanes 8..15
	XORQ         AX, AX

ds5Block:
	CMPQ AX, CX
	JAE  ds5Done
	TESTQ $1, R11
	JZ   ds5Grad
	VMOVUPS 0(DI)(AX*1), Z0          // d_k = p − p0, rows k = 0..3
	VSUBPS  0(R8)(AX*1), Z0, Z0
	VMOVUPS 64(DI)(AX*1), Z1
	VSUBPS  64(R8)(AX*1), Z1, Z1
	VMOVUPS 128(DI)(AX*1), Z2
	VSUBPS  128(R8)(AX*1), Z2, Z2
	VMOVUPS 192(DI)(AX*1), Z3
	VSUBPS  192(R8)(AX*1), Z3, Z3
	DS_ROWS512(Z8, Z9)

ds5Grad:
	VMOVUPS 0(SI)(AX*1), Z0          // u_k = g
	VMOVUPS 64(SI)(AX*1), Z1
	VMOVUPS 128(SI)(AX*1), Z2
	VMOVUPS 192(SI)(AX*1), Z3
	TESTQ   $2, R11
	JZ      ds5Sq
	VFMADD231PS 0(DI)(AX*1), Z16, Z0 // u_k += wd*p
	VFMADD231PS 64(DI)(AX*1), Z16, Z1
	VFMADD231PS 128(DI)(AX*1), Z16, Z2
	VFMADD231PS 192(DI)(AX*1), Z16, Z3

ds5Sq:
	DS_ROWS512(Z10, Z11)
	ADDQ $256, AX
	JMP  ds5Block

ds5Done:
	VMOVUPD Z8, 0(R10)
	VMOVUPD Z9, 64(R10)
	VMOVUPD Z10, 128(R10)
	VMOVUPD Z11, 192(R10)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// DS_ROWS2 is DS_ROWS512 for 8-float rows in Y0..Y3, adding to the
// float64 lanes LO (4 of them) and HI (the next 4); Y2, Y4, Y5 are
// clobbered.
#define DS_ROWS2(LO, HI) \
	VMULPS       Y0, Y0, Y0 \
	VFMADD231PS  Y1, Y1, Y0 \
	VMULPS       Y2, Y2, Y2 \
	VFMADD231PS  Y3, Y3, Y2 \
	VADDPS       Y2, Y0, Y0 \
	VCVTPS2PD    X0, Y4     \
	VEXTRACTF128 $1, Y0, X5 \
	VCVTPS2PD    X5, Y5     \
	VADDPD       Y4, LO, LO \
	VADDPD       Y5, HI, HI

// DS_DIST2 loads d_k = p − p0 for the 8 lanes at byte offset r0 of the
// 4 rows at r0, r1, r2, r3.
#define DS_DIST2(r0, r1, r2, r3) \
	VMOVUPS r0(DI)(AX*1), Y0     \
	VSUBPS  r0(R8)(AX*1), Y0, Y0 \
	VMOVUPS r1(DI)(AX*1), Y1     \
	VSUBPS  r1(R8)(AX*1), Y1, Y1 \
	VMOVUPS r2(DI)(AX*1), Y2     \
	VSUBPS  r2(R8)(AX*1), Y2, Y2 \
	VMOVUPS r3(DI)(AX*1), Y3     \
	VSUBPS  r3(R8)(AX*1), Y3, Y3

// DS_G2 loads u_k = g of the 4 rows at r0, r1, r2, r3.
#define DS_G2(r0, r1, r2, r3) \
	VMOVUPS r0(SI)(AX*1), Y0 \
	VMOVUPS r1(SI)(AX*1), Y1 \
	VMOVUPS r2(SI)(AX*1), Y2 \
	VMOVUPS r3(SI)(AX*1), Y3

// DS_DECAY2 adds wd*p (Y7 = wd) to the u_k of the rows at r0..r3.
#define DS_DECAY2(r0, r1, r2, r3) \
	VFMADD231PS r0(DI)(AX*1), Y7, Y0 \
	VFMADD231PS r1(DI)(AX*1), Y7, Y1 \
	VFMADD231PS r2(DI)(AX*1), Y7, Y2 \
	VFMADD231PS r3(DI)(AX*1), Y7, Y3

// func dogSumsAVX2(p, p0, g []float32, wd float32, mode int, l *[32]float64)
TEXT ·dogSumsAVX2(SB), NOSPLIT, $8-96
	MOVQ         p_base+0(FP), DI
	MOVQ         p0_base+24(FP), R8
	MOVQ         g_base+48(FP), SI
	MOVQ         g_len+56(FP), CX
	VBROADCASTSS wd+72(FP), Y7
	MOVQ         mode+80(FP), R11
	MOVQ         l+88(FP), R10
	DOG_FTZ
	SHLQ         $2, CX              // CX = bytes (whole 256-byte blocks)
	VMOVUPD      0(R10), Y8          // dist lanes 0..3, 4..7, 8..11, 12..15
	VMOVUPD      32(R10), Y9
	VMOVUPD      64(R10), Y10
	VMOVUPD      96(R10), Y11
	VMOVUPD      128(R10), Y12       // grad lanes 0..3, ..., 12..15
	VMOVUPD      160(R10), Y13
	VMOVUPD      192(R10), Y14
	VMOVUPD      224(R10), Y15
	XORQ         AX, AX

ds2Block:
	CMPQ  AX, CX
	JAE   ds2Done
	TESTQ $1, R11
	JZ    ds2Grad
	DS_DIST2(0, 64, 128, 192)        // lanes 0..7
	DS_ROWS2(Y8, Y9)
	DS_DIST2(32, 96, 160, 224)       // lanes 8..15
	DS_ROWS2(Y10, Y11)

ds2Grad:
	TESTQ $2, R11
	JZ    ds2Plain
	DS_G2(0, 64, 128, 192)
	DS_DECAY2(0, 64, 128, 192)
	DS_ROWS2(Y12, Y13)
	DS_G2(32, 96, 160, 224)
	DS_DECAY2(32, 96, 160, 224)
	DS_ROWS2(Y14, Y15)
	JMP   ds2Next

ds2Plain:
	DS_G2(0, 64, 128, 192)
	DS_ROWS2(Y12, Y13)
	DS_G2(32, 96, 160, 224)
	DS_ROWS2(Y14, Y15)

ds2Next:
	ADDQ $256, AX
	JMP  ds2Block

ds2Done:
	VMOVUPD Y8, 0(R10)
	VMOVUPD Y9, 32(R10)
	VMOVUPD Y10, 64(R10)
	VMOVUPD Y11, 96(R10)
	VMOVUPD Y12, 128(R10)
	VMOVUPD Y13, 160(R10)
	VMOVUPD Y14, 192(R10)
	VMOVUPD Y15, 224(R10)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// ---- DoGStep ----

// DT_P updates p for one vector at byte offset off: U holds u (scaled
// by ETA then LR in place), P gets p − u, which is stored.
#define DT_P(off, U, P, ETA, LR) \
	VMULPS  ETA, U, U          \
	VMULPS  LR, U, U           \
	VMOVUPS off(DI)(AX*1), P   \
	VSUBPS  U, P, P            \
	VMOVUPS P, off(DI)(AX*1)

// DT_AVG updates avg at byte offset off from the new p in P:
// avg = omw*avg + w*p (T is clobbered).
#define DT_AVG(off, P, T, W, OMW) \
	VMULPS  off(R9)(AX*1), OMW, T \
	VMULPS  P, W, P               \
	VADDPS  P, T, T               \
	VMOVUPS T, off(R9)(AX*1)

// func dogStepAVX2(p, g, avg []float32, mode int, wd, eta, lr, w, omw float32)
TEXT ·dogStepAVX2(SB), NOSPLIT, $8-100
	VBROADCASTSS wd+80(FP), Y8
	VBROADCASTSS eta+84(FP), Y9
	VBROADCASTSS lr+88(FP), Y10
	VBROADCASTSS w+92(FP), Y11
	VBROADCASTSS omw+96(FP), Y12
	DT_SETUP
	MOVQ CX, AX                     // AX = bytes, from the end

dt2Vec:                             // 8 floats, down to a 128-byte boundary
	TESTQ   $127, AX
	JZ      dt2Block
	SUBQ    $32, AX
	VMOVUPS 0(SI)(AX*1), Y0
	TESTQ   $2, R11
	JZ      dt2VecU
	VFMADD231PS 0(DI)(AX*1), Y8, Y0

dt2VecU:
	DT_P(0, Y0, Y4, Y9, Y10)
	TESTQ $4, R11
	JZ    dt2Vec
	DT_AVG(0, Y4, Y0, Y11, Y12)
	JMP   dt2Vec

dt2Block:                           // 32 floats, down to the start
	TESTQ   AX, AX
	JZ      dt2Done
	SUBQ    $128, AX
	VMOVUPS 0(SI)(AX*1), Y0         // u = g
	VMOVUPS 32(SI)(AX*1), Y1
	VMOVUPS 64(SI)(AX*1), Y2
	VMOVUPS 96(SI)(AX*1), Y3
	TESTQ   $2, R11
	JZ      dt2BlockU
	VFMADD231PS 0(DI)(AX*1), Y8, Y0 // u += wd*p
	VFMADD231PS 32(DI)(AX*1), Y8, Y1
	VFMADD231PS 64(DI)(AX*1), Y8, Y2
	VFMADD231PS 96(DI)(AX*1), Y8, Y3

dt2BlockU:
	DT_P(0, Y0, Y4, Y9, Y10)
	DT_P(32, Y1, Y5, Y9, Y10)
	DT_P(64, Y2, Y6, Y9, Y10)
	DT_P(96, Y3, Y7, Y9, Y10)
	TESTQ $4, R11
	JZ    dt2Block
	DT_AVG(0, Y4, Y0, Y11, Y12)
	DT_AVG(32, Y5, Y1, Y11, Y12)
	DT_AVG(64, Y6, Y2, Y11, Y12)
	DT_AVG(96, Y7, Y3, Y11, Y12)
	JMP   dt2Block

dt2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func dogStepAVX512(p, g, avg []float32, mode int, wd, eta, lr, w, omw float32)
TEXT ·dogStepAVX512(SB), NOSPLIT, $8-100
	VBROADCASTSS wd+80(FP), Z16
	VBROADCASTSS eta+84(FP), Z17
	VBROADCASTSS lr+88(FP), Z18
	VBROADCASTSS w+92(FP), Z19
	VBROADCASTSS omw+96(FP), Z20
	DT_SETUP
	MOVQ CX, AX
	ANDQ $-64, AX                   // AX = bytes in whole vectors
	SUBQ AX, CX                     // CX = bytes of the partial last vector
	JZ   dt5Vec
	SHRQ $2, CX                     // CX = r, 1..15 floats
	MOVL $1, R10
	SHLL CX, R10
	DECL R10                        // R10 = 1<<r − 1
	KMOVW R10, K1
	JMP  dt5One                     // the partial vector at AX first

dt5Vec:                             // whole vectors down to a 256-byte boundary
	TESTQ   $255, AX
	JZ      dt5Block
	SUBQ    $64, AX
	KXNORW  K1, K1, K1              // all 16 lanes

dt5One:                             // 16 floats under K1
	VMOVUPS.Z (SI)(AX*1), K1, Z0    // u = g
	VMOVUPS.Z (DI)(AX*1), K1, Z4    // p
	TESTQ $2, R11
	JZ    dt5OneU
	VFMADD231PS Z4, Z16, Z0         // u += wd*p

dt5OneU:
	VMULPS Z17, Z0, Z0              // u *= eta
	VMULPS Z18, Z0, Z0              // u *= lr
	VSUBPS Z0, Z4, Z4               // p -= u
	VMOVUPS Z4, K1, (DI)(AX*1)
	TESTQ $4, R11
	JZ    dt5Vec
	VMOVUPS.Z (R9)(AX*1), K1, Z1    // avg
	VMULPS Z1, Z20, Z1              // omw*avg
	VMULPS Z4, Z19, Z4              // w*p
	VADDPS Z4, Z1, Z1
	VMOVUPS Z1, K1, (R9)(AX*1)
	JMP   dt5Vec

dt5Block:                           // 64 floats, down to the start
	TESTQ   AX, AX
	JZ      dt5Done
	SUBQ    $256, AX
	VMOVUPS 0(SI)(AX*1), Z0         // u = g
	VMOVUPS 64(SI)(AX*1), Z1
	VMOVUPS 128(SI)(AX*1), Z2
	VMOVUPS 192(SI)(AX*1), Z3
	TESTQ   $2, R11
	JZ      dt5BlockU
	VFMADD231PS 0(DI)(AX*1), Z16, Z0 // u += wd*p
	VFMADD231PS 64(DI)(AX*1), Z16, Z1
	VFMADD231PS 128(DI)(AX*1), Z16, Z2
	VFMADD231PS 192(DI)(AX*1), Z16, Z3

dt5BlockU:
	DT_P(0, Z0, Z4, Z17, Z18)
	DT_P(64, Z1, Z5, Z17, Z18)
	DT_P(128, Z2, Z6, Z17, Z18)
	DT_P(192, Z3, Z7, Z17, Z18)
	TESTQ $4, R11
	JZ    dt5Block
	DT_AVG(0, Z4, Z0, Z19, Z20)
	DT_AVG(64, Z5, Z1, Z19, Z20)
	DT_AVG(128, Z6, Z2, Z19, Z20)
	DT_AVG(192, Z7, Z3, Z19, Z20)
	JMP   dt5Block

dt5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET
