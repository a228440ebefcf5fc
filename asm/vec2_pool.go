package asm

import (
	"fmt"
	"math"
	"unsafe"
)

// MaxPool2x2 finds the largest element of every 2×2 window, taken with
// stride 2, of the h×w row-major plane x: the windows form the (h/2)×(w/2)
// row-major grid of idx and dst (an odd last row or column of x belongs
// to no window). For the window whose top-left element is x[r·w+c], idx
// gets the flat index of its maximum, base + r·w + c plus 0, 1, w or
// w+1, and dst the maximum itself (the bits of that element of x). Within
// a window the first maximum in row-major order wins, −0 equals +0, and
// NaN beats every number (the first NaN wins), as in
// torch.nn.functional.max_pool2d. dst may be nil: then only idx is
// written.
//
// MaxPool2x2 panics if len(x) != h·w, len(idx) != (h/2)·(w/2), dst is not
// nil and len(dst) != len(idx), h or w is negative, base is negative, or
// base + h·w exceeds math.MaxInt32.
func MaxPool2x2(dst []float32, idx []int32, x []float32, h, w int, base int32) {
	if h < 0 || w < 0 || len(x) != h*w {
		panic(fmt.Sprintf("asm: maxpool2x2: plane %d×%d with %d elements", h, w, len(x)))
	}
	oh, ow := h/2, w/2
	if len(idx) != oh*ow || dst != nil && len(dst) != oh*ow {
		vecPanicLen("maxpool2x2", len(dst), len(idx), oh*ow)
	}
	if base < 0 || int64(base)+int64(h*w) > math.MaxInt32 {
		panic(fmt.Sprintf("asm: maxpool2x2: base %d with %d elements overflows int32", base, h*w))
	}
	if len(idx) == 0 {
		return
	}
	fusedRaceRead(x)
	fusedRaceWrite(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(idx))), len(idx)))
	if dst != nil {
		fusedRaceWrite(dst)
	}
	maxPool2x2(dst, idx, x, oh, ow, w, base)
}
