//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused MARS-AdamW step, two passes; see fused_mars_amd64.go for the Go
// each kernel computes. Reduction pass: SI = g, R8 = last. Update pass:
// DI = p, SI = g, R8 = m, R9 = v, R10 = last. AX is the byte offset of the
// current vector, CX the byte length. The MXCSR of the caller is saved in
// the frame, FTZ|DAZ (0x8040) set, and the saved value restored before
// RET.
//
// The AVX-512 update pass runs from the end of the arrays to the start,
// opposite to the reduction pass: at n = 1e6 the five arrays (20 MB) do
// not stay in this machine's shared L3 when another core streams too, and
// the first vectors the update reads of g and last are then those the
// reduction read last, still cached (measured, one thread, n = 1e6, with
// a 16 MB stream on the other core: median step 0.61 → 0.57 ns/param).
//
// The AVX-512 reduction converts c to float64 eight floats at a time
// (VCVTPS2PD from a Y register, no lane extraction) into eight
// accumulators; the conversions bound it (n = 16384, in L2: 0.092 →
// 0.082 ns/param). It has no software prefetch: at n = 1e6 the hardware
// prefetcher alone streams its two arrays faster (0.083 ns/param, 0.11
// with a 2 KB PREFETCHT0). The AVX-512 update prefetches its five arrays
// MARS_PFD bytes ahead (down), once per cache line (n = 1e6, one thread,
// interleaved with fused Adam: update 0.365 → 0.326 ns/param at the
// minimum; 3 KB beat 2 KB, and 4.5 KB, past a page, was much slower).

// MARS_SUM_AVX2 adds the squares of the 8 c values at byte offset off+AX
// to the float64 accumulators A0 (low 4 lanes) and A1 (high 4 lanes).
// KC is the broadcast kc; temporaries Y0..Y3.
#define MARS_SUM_AVX2(off, A0, A1, KC) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g := g[i]               */ \
	VSUBPS       off(R8)(AX*1), Y0, Y1  /* d := g - last[i]        */ \
	VFMADD213PS  Y0, KC, Y1             /* c := kc*d + g           */ \
	VCVTPS2PD    X1, Y2                 /* low 4 c in float64      */ \
	VEXTRACTF128 $1, Y1, X3             \
	VCVTPS2PD    X3, Y3                 /* high 4 c in float64     */ \
	VFMADD231PD  Y2, Y2, A0             /* A0 += c*c               */ \
	VFMADD231PD  Y3, Y3, A1             /* A1 += c*c               */

// func marsSumAVX2(g, last []float32, kc float32) float64
TEXT ·marsSumAVX2(SB), NOSPLIT, $8-64
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ last_base+24(FP), R8
	VBROADCASTSS kc+48(FP), Y15     // Y15 = kc
	STMXCSR saved-4(SP)             // saved := MXCSR
	MOVL    saved-4(SP), DX
	ORL     $0x8040, DX             // FTZ | DAZ
	MOVL    DX, ftz-8(SP)
	LDMXCSR ftz-8(SP)               // MXCSR = saved | FTZ | DAZ
	VXORPD Y4, Y4, Y4               // four float64 accumulators
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	SHLQ $2, CX                     // CX = len(g) in bytes
	MOVQ CX, BX
	ANDQ $-64, BX                   // BX = bytes in whole 2-vector blocks
	XORQ AX, AX                     // AX = 0

marsSum2Block:                      // for ; AX < BX; AX += 64: 16 floats
	CMPQ AX, BX
	JAE  marsSum2Vec
	MARS_SUM_AVX2(0, Y4, Y5, Y15)
	MARS_SUM_AVX2(32, Y6, Y7, Y15)
	ADDQ $64, AX
	JMP  marsSum2Block

marsSum2Vec:                        // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  marsSum2Done
	MARS_SUM_AVX2(0, Y4, Y5, Y15)
	ADDQ $32, AX
	JMP  marsSum2Vec

marsSum2Done:
	VADDPD Y6, Y4, Y4
	VADDPD Y7, Y5, Y5
	VADDPD Y5, Y4, Y4               // Y4 = lane sums
	VEXTRACTF128 $1, Y4, X5
	VADDPD X5, X4, X4
	VPERMILPD $1, X4, X5
	VADDSD X5, X4, X4               // X4 = Σ c²
	MOVSD X4, ret+56(FP)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// MARS_SUM_AVX512 adds the squares of the 16 c values in Z1 (g in Z0,
// last in Z1 on entry) to the float64 accumulators A0 and A1.
#define MARS_SUM_AVX512(A0, A1) \
	VSUBPS         Z1, Z0, Z1           /* d := g - last           */ \
	VFMADD213PS    Z0, Z15, Z1          /* c := kc*d + g           */ \
	VCVTPS2PD      Y1, Z2               /* low 8 c in float64      */ \
	VEXTRACTF64X4  $1, Z1, Y3           \
	VCVTPS2PD      Y3, Z3               /* high 8 c in float64     */ \
	VFMADD231PD    Z2, Z2, A0           /* A0 += c*c               */ \
	VFMADD231PD    Z3, Z3, A1           /* A1 += c*c               */

// MARS_SUM_Y adds the squares of the 8 c values at byte offset off+AX
// to the float64 accumulator A (8 lanes); KC (Y15) is the low half of
// the broadcast kc. Temporaries Y0, Y1, Z2.
#define MARS_SUM_Y(off, A) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g := g[i]               */ \
	VSUBPS       off(R8)(AX*1), Y0, Y1  /* d := g - last[i]        */ \
	VFMADD213PS  Y0, Y15, Y1            /* c := kc*d + g           */ \
	VCVTPS2PD    Y1, Z2                 /* c in float64            */ \
	VFMADD231PD  Z2, Z2, A              /* A += c*c                */

// func marsSumAVX512(g, last []float32, kc float32) float64
TEXT ·marsSumAVX512(SB), NOSPLIT, $8-64
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ last_base+24(FP), R8
	VBROADCASTSS kc+48(FP), Z15     // Z15 = kc
	STMXCSR saved-4(SP)             // saved := MXCSR
	MOVL    saved-4(SP), DX
	ORL     $0x8040, DX             // FTZ | DAZ
	MOVL    DX, ftz-8(SP)
	LDMXCSR ftz-8(SP)               // MXCSR = saved | FTZ | DAZ
	VXORPD Z4, Z4, Z4               // eight float64 accumulators
	VXORPD Z5, Z5, Z5
	VXORPD Z6, Z6, Z6
	VXORPD Z7, Z7, Z7
	VXORPD Z8, Z8, Z8
	VXORPD Z9, Z9, Z9
	VXORPD Z10, Z10, Z10
	VXORPD Z11, Z11, Z11
	SHLQ $2, CX                     // CX = len(g) in bytes
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 64-float blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX                     // AX = 0

marsSum5Block:                      // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  marsSum5Vec
	MARS_SUM_Y(0, Z4)
	MARS_SUM_Y(32, Z5)
	MARS_SUM_Y(64, Z6)
	MARS_SUM_Y(96, Z7)
	MARS_SUM_Y(128, Z8)
	MARS_SUM_Y(160, Z9)
	MARS_SUM_Y(192, Z10)
	MARS_SUM_Y(224, Z11)
	ADDQ $256, AX
	JMP  marsSum5Block

marsSum5Vec:                        // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  marsSum5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMOVUPS (R8)(AX*1), Z1
	MARS_SUM_AVX512(Z4, Z5)
	ADDQ $64, AX
	JMP  marsSum5Vec

marsSum5Tail:                       // the last len(g)%16 floats under mask K1
	SUBQ AX, CX
	JZ   marsSum5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z (SI)(AX*1), K1, Z0    // g (0 beyond the end, so c = 0)
	VMOVUPS.Z (R8)(AX*1), K1, Z1    // last
	MARS_SUM_AVX512(Z4, Z5)

marsSum5Done:
	VADDPD Z8, Z4, Z4
	VADDPD Z9, Z5, Z5
	VADDPD Z10, Z6, Z6
	VADDPD Z11, Z7, Z7
	VADDPD Z6, Z4, Z4
	VADDPD Z7, Z5, Z5
	VADDPD Z5, Z4, Z4               // Z4 = lane sums
	VEXTRACTF64X4 $1, Z4, Y5
	VADDPD Y5, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPD X5, X4, X4
	VPERMILPD $1, X4, X5
	VADDSD X5, X4, X4               // X4 = Σ c²
	MOVSD X4, ret+56(FP)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// MARS_AVX2 updates the 8 elements at byte offset off+AX. Temporaries
// Y0..Y5; constants Y6 = kc, Y7 = scale, Y8 = decay, Y9 = b1, Y10 = omb1,
// Y11 = b2, Y12 = omb2, Y13 = rbc2, Y14 = eps, Y15 = step.
#define MARS_AVX2(off) \
	VMOVUPS      off(SI)(AX*1), Y0      /* g := g[i]               */ \
	VSUBPS       off(R10)(AX*1), Y0, Y1 /* d := g - last[i]        */ \
	VMOVUPS      Y0, off(R10)(AX*1)     /* last[i] = g             */ \
	VFMADD213PS  Y0, Y6, Y1             /* c := kc*d + g           */ \
	VMULPS       Y7, Y1, Y1             /* c *= scale              */ \
	VMOVUPS      off(DI)(AX*1), Y5      /* p := p[i]               */ \
	VMULPS       Y8, Y5, Y5             /* p *= decay              */ \
	VMULPS       Y1, Y10, Y2            /* mm := omb1*c            */ \
	VFMADD231PS  off(R8)(AX*1), Y9, Y2  /* mm += b1*m[i]           */ \
	VMULPS       Y1, Y12, Y3            /* vv := omb2*c            */ \
	VMULPS       Y1, Y3, Y3             /* vv *= c                 */ \
	VFMADD231PS  off(R9)(AX*1), Y11, Y3 /* vv += b2*v[i]           */ \
	VMOVUPS      Y2, off(R8)(AX*1)      /* m[i] = mm               */ \
	VMOVUPS      Y3, off(R9)(AX*1)      /* v[i] = vv               */ \
	VSQRTPS      Y3, Y4                 /* d := sqrt(vv)           */ \
	VFMADD213PS  Y14, Y13, Y4           /* d = d*rbc2 + eps        */ \
	VDIVPS       Y4, Y2, Y4             /* q := mm/d               */ \
	VFNMADD231PS Y4, Y15, Y5            /* p -= step*q             */ \
	VMOVUPS      Y5, off(DI)(AX*1)      /* p[i] = p                */

// func marsAVX2(p, g, m, v, last []float32, kc, scale, b1, omb1, b2, omb2, decay, step, rbc2, eps float32)
TEXT ·marsAVX2(SB), NOSPLIT, $8-160
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ last_base+96(FP), R10
	VBROADCASTSS kc+120(FP), Y6     // Y6 = kc
	VBROADCASTSS scale+124(FP), Y7  // Y7 = scale
	VBROADCASTSS b1+128(FP), Y9     // Y9 = b1
	VBROADCASTSS omb1+132(FP), Y10  // Y10 = omb1
	VBROADCASTSS b2+136(FP), Y11    // Y11 = b2
	VBROADCASTSS omb2+140(FP), Y12  // Y12 = omb2
	VBROADCASTSS decay+144(FP), Y8  // Y8 = decay
	VBROADCASTSS step+148(FP), Y15  // Y15 = step
	VBROADCASTSS rbc2+152(FP), Y13  // Y13 = rbc2
	VBROADCASTSS eps+156(FP), Y14   // Y14 = eps
	STMXCSR saved-4(SP)             // saved := MXCSR
	MOVL    saved-4(SP), DX
	ORL     $0x8040, DX             // FTZ | DAZ
	MOVL    DX, ftz-8(SP)
	LDMXCSR ftz-8(SP)               // MXCSR = saved | FTZ | DAZ
	SHLQ $2, CX                     // CX = len(p) in bytes
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX                     // AX = 0

mars2Block:                         // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  mars2Vec
	MARS_AVX2(0)
	MARS_AVX2(32)
	MARS_AVX2(64)
	MARS_AVX2(96)
	ADDQ $128, AX
	JMP  mars2Block

mars2Vec:                           // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  mars2Done
	MARS_AVX2(0)
	ADDQ $32, AX
	JMP  mars2Vec

mars2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// MARS_AVX512 updates 16 elements held in registers: Z0 = g, Z1 = last,
// Z5 = p, Z6 = m, Z7 = v on entry; on exit Z0 = new last, Z2 = m, Z3 = v,
// Z5 = p. Temporaries Z1..Z4; constants Z16 = kc, Z17 = scale,
// Z18 = decay, Z19 = b1, Z20 = omb1, Z21 = b2, Z22 = omb2, Z23 = rbc2,
// Z24 = eps, Z25 = step.
#define MARS_AVX512 \
	VSUBPS       Z1, Z0, Z1             /* d := g - last           */ \
	VFMADD213PS  Z0, Z16, Z1            /* c := kc*d + g           */ \
	VMULPS       Z17, Z1, Z1            /* c *= scale              */ \
	VMULPS       Z18, Z5, Z5            /* p *= decay              */ \
	VMULPS       Z1, Z20, Z2            /* mm := omb1*c            */ \
	VFMADD231PS  Z6, Z19, Z2            /* mm += b1*m              */ \
	VMULPS       Z1, Z22, Z3            /* vv := omb2*c            */ \
	VMULPS       Z1, Z3, Z3             /* vv *= c                 */ \
	VFMADD231PS  Z7, Z21, Z3            /* vv += b2*v              */ \
	VSQRTPS      Z3, Z4                 /* d := sqrt(vv)           */ \
	VFMADD213PS  Z24, Z23, Z4           /* d = d*rbc2 + eps        */ \
	VDIVPS       Z4, Z2, Z4             /* q := mm/d               */ \
	VFNMADD231PS Z4, Z25, Z5            /* p -= step*q             */

// MARS_PF prefetches the line MARS_PFD bytes below off+AX in each of
// the update's five arrays (the update runs down; a prefetch before an
// array's start does not fault).
#define MARS_PFD 3072

#define MARS_PF(off) \
	PREFETCHT0 (off-MARS_PFD)(SI)(AX*1)  \
	PREFETCHT0 (off-MARS_PFD)(R10)(AX*1) \
	PREFETCHT0 (off-MARS_PFD)(DI)(AX*1)  \
	PREFETCHT0 (off-MARS_PFD)(R8)(AX*1)  \
	PREFETCHT0 (off-MARS_PFD)(R9)(AX*1)

// MARS_AVX512_VEC updates the whole vector at byte offset off+AX.
#define MARS_AVX512_VEC(off) \
	VMOVUPS off(SI)(AX*1), Z0           \
	VMOVUPS off(R10)(AX*1), Z1          \
	VMOVUPS off(DI)(AX*1), Z5           \
	VMOVUPS off(R8)(AX*1), Z6           \
	VMOVUPS off(R9)(AX*1), Z7           \
	MARS_AVX512                         \
	VMOVUPS Z0, off(R10)(AX*1)          \
	VMOVUPS Z2, off(R8)(AX*1)           \
	VMOVUPS Z3, off(R9)(AX*1)           \
	VMOVUPS Z5, off(DI)(AX*1)

// func marsAVX512(p, g, m, v, last []float32, kc, scale, b1, omb1, b2, omb2, decay, step, rbc2, eps float32)
TEXT ·marsAVX512(SB), NOSPLIT, $8-160
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ last_base+96(FP), R10
	VBROADCASTSS kc+120(FP), Z16    // Z16 = kc
	VBROADCASTSS scale+124(FP), Z17 // Z17 = scale
	VBROADCASTSS b1+128(FP), Z19    // Z19 = b1
	VBROADCASTSS omb1+132(FP), Z20  // Z20 = omb1
	VBROADCASTSS b2+136(FP), Z21    // Z21 = b2
	VBROADCASTSS omb2+140(FP), Z22  // Z22 = omb2
	VBROADCASTSS decay+144(FP), Z18 // Z18 = decay
	VBROADCASTSS step+148(FP), Z25  // Z25 = step
	VBROADCASTSS rbc2+152(FP), Z23  // Z23 = rbc2
	VBROADCASTSS eps+156(FP), Z24   // Z24 = eps
	STMXCSR saved-4(SP)             // saved := MXCSR
	MOVL    saved-4(SP), DX
	ORL     $0x8040, DX             // FTZ | DAZ
	MOVL    DX, ftz-8(SP)
	LDMXCSR ftz-8(SP)               // MXCSR = saved | FTZ | DAZ
	SHLQ $2, CX                     // CX = len(p) in bytes
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	SUBQ DX, CX                     // CX = bytes in the partial vector
	JZ   mars5Whole

	// The last len(p)%16 floats under mask K1, at DX.
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z (SI)(DX*1), K1, Z0    // g (0 beyond the end)
	VMOVUPS.Z (R10)(DX*1), K1, Z1   // last
	VMOVUPS.Z (DI)(DX*1), K1, Z5    // p
	VMOVUPS.Z (R8)(DX*1), K1, Z6    // m
	VMOVUPS.Z (R9)(DX*1), K1, Z7    // v
	MARS_AVX512
	VMOVUPS Z0, K1, (R10)(DX*1)     // last[i] = g
	VMOVUPS Z2, K1, (R8)(DX*1)      // m[i] = mm
	VMOVUPS Z3, K1, (R9)(DX*1)      // v[i] = vv
	VMOVUPS Z5, K1, (DI)(DX*1)      // p[i] = p

mars5Whole:
	MOVQ DX, AX                     // AX = end of the whole vectors

mars5Vec:                           // while AX%256 != 0: one vector down
	TESTQ $192, AX
	JZ    mars5Block
	SUBQ  $64, AX
	MARS_AVX512_VEC(0)
	JMP   mars5Vec

mars5Block:                         // for AX -= 256; AX >= 0: 64 floats down
	SUBQ $256, AX
	JCS  mars5Done
	MARS_PF(192)
	MARS_AVX512_VEC(192)
	MARS_PF(128)
	MARS_AVX512_VEC(128)
	MARS_PF(64)
	MARS_AVX512_VEC(64)
	MARS_PF(0)
	MARS_AVX512_VEC(0)
	JMP  mars5Block

mars5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
