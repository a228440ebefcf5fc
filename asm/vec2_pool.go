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
// written. dst and idx must not overlap x or each other.
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

// MaxUnpool2x2 is the transpose of MaxPool2x2: it writes the h×w plane
// dst with g[i] at the element idx[i] − base of window i of the
// (h/2)×(w/2) grid of 2×2 stride-2 windows and zero everywhere else (the
// odd last row or column included). Each idx[i] must be one of the four
// elements of window i, as MaxPool2x2 writes them; an index outside its
// window drops its g[i]. It writes every element of dst once, so dst
// needs no clearing first. dst must not overlap g or idx.
//
// MaxUnpool2x2 panics if len(dst) != h·w, len(g) or len(idx) is not
// (h/2)·(w/2), h or w is negative, base is negative, or base + h·w exceeds
// math.MaxInt32.
func MaxUnpool2x2(dst, g []float32, idx []int32, h, w int, base int32) {
	if h < 0 || w < 0 || len(dst) != h*w {
		panic(fmt.Sprintf("asm: maxunpool2x2: plane %d×%d with %d elements", h, w, len(dst)))
	}
	oh, ow := h/2, w/2
	if len(idx) != oh*ow || len(g) != oh*ow {
		vecPanicLen("maxunpool2x2", len(g), len(idx), oh*ow)
	}
	if base < 0 || int64(base)+int64(h*w) > math.MaxInt32 {
		panic(fmt.Sprintf("asm: maxunpool2x2: base %d with %d elements overflows int32", base, h*w))
	}
	fusedRaceRead(g)
	fusedRaceRead(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(idx))), len(idx)))
	fusedRaceWrite(dst)
	if len(idx) > 0 {
		maxUnpool2x2(dst, g, idx, oh, ow, w, base)
	}
	// The elements in no window: the last column of odd w, the last row
	// of odd h.
	if w%2 == 1 {
		for r := 0; r < 2*oh; r++ {
			dst[r*w+w-1] = 0
		}
	}
	if h%2 == 1 {
		clear(dst[(h-1)*w:])
	}
}
