// Macros and data shared by the fused row kernels of Adafactor and
// AdamW-SN (fused_adafactor_amd64.s, fused_subsetnorm_amd64.s; the mask
// table fusedTailMask is in fused_mask_amd64.s).

// FUSED_FTZ saves the caller's MXCSR at saved-4(SP) and sets FTZ|DAZ
// (0x8040) through ftz-8(SP); it clobbers DX. The kernel restores
// saved-4(SP) with LDMXCSR before it returns.
#define FUSED_FTZ \
	STMXCSR saved-4(SP)  \
	MOVL    saved-4(SP), DX \
	ORL     $0x8040, DX  \
	MOVL    DX, ftz-8(SP) \
	LDMXCSR ftz-8(SP)

// The sums of the 16 float64 lanes of a reduction, in the order of
// CombineLanes16 (lane k += lane k+8, k+4, k+2, then lane 0 += lane 1):

// LANES16_512 adds the lanes ZA (0..7) and ZB (8..15), leaving the sum in
// XA (the low lane of ZA, whose low halves are YA and XA); YT/XT is a
// temporary.
#define LANES16_512(ZA, ZB, YA, XA, YT, XT) \
	VADDPD ZB, ZA, ZA            \
	VEXTRACTF64X4 $1, ZA, YT     \
	VADDPD YT, YA, YA            \
	VEXTRACTF128 $1, YA, XT      \
	VADDPD XT, XA, XA            \
	VPERMILPD $1, XA, XT         \
	VADDSD XT, XA, XA

// LANES16_AVX2 adds the lanes A (0..3), B (4..7), C (8..11) and D
// (12..15), leaving the sum in XA (the low half of A); C, with its low
// half XC, is clobbered.
#define LANES16_AVX2(A, B, C, D, XA, XC) \
	VADDPD C, A, A               \
	VADDPD D, B, B               \
	VADDPD B, A, A               \
	VEXTRACTF128 $1, A, XC       \
	VADDPD XC, XA, XA            \
	VPERMILPD $1, XA, XC         \
	VADDSD XC, XA, XA
