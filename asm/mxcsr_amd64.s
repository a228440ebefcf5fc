//go:build amd64 && gc && !purego

#include "textflag.h"

// func getMXCSR() uint32
TEXT ·getMXCSR(SB), NOSPLIT, $0-4
	STMXCSR ret+0(FP)                    // return MXCSR
	RET
