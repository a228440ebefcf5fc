//go:build amd64 && gc && !purego

#include "textflag.h"

// fusedTailMask: 16 all-ones dwords, then 16 zero dwords. The 8 dwords
// at 16−r (and 24−r) are the AVX2 VMASKMOVPS lane masks of the first (and
// second) 8 of r tail floats; the row kernels of Adafactor and AdamW-SN
// load them (their shared macros are in fused_amd64.h).
DATA ·fusedTailMask+0(SB)/8, $-1
DATA ·fusedTailMask+8(SB)/8, $-1
DATA ·fusedTailMask+16(SB)/8, $-1
DATA ·fusedTailMask+24(SB)/8, $-1
DATA ·fusedTailMask+32(SB)/8, $-1
DATA ·fusedTailMask+40(SB)/8, $-1
DATA ·fusedTailMask+48(SB)/8, $-1
DATA ·fusedTailMask+56(SB)/8, $-1
DATA ·fusedTailMask+64(SB)/8, $0
DATA ·fusedTailMask+72(SB)/8, $0
DATA ·fusedTailMask+80(SB)/8, $0
DATA ·fusedTailMask+88(SB)/8, $0
DATA ·fusedTailMask+96(SB)/8, $0
DATA ·fusedTailMask+104(SB)/8, $0
DATA ·fusedTailMask+112(SB)/8, $0
DATA ·fusedTailMask+120(SB)/8, $0
GLOBL ·fusedTailMask(SB), RODATA|NOPTR, $128
