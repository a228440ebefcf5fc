//go:build amd64 && gc && !purego

package asm

import "unsafe"

// maxPool2x2 dispatches MaxPool2x2: AVX-512 has the kernel (its masked
// loads and compares fit rows of windows of any width); the other levels
// run the reference. Without dst the kernel writes each vector of maxima
// over idx and then the indices on top, which keeps one kernel.
func maxPool2x2(dst []float32, idx []int32, x []float32, oh, ow, w int, base int32) {
	if active != AVX512 {
		maxPool2x2Generic(dst, idx, x, oh, ow, w, base)
		return
	}
	if dst == nil {
		dst = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(idx))), len(idx))
	}
	maxPool2x2AVX512(dst, idx, x, oh, ow, w, base)
}

// maxPool2x2AVX512 is MaxPool2x2 for oh, ow > 0 on x with at least 2·oh
// rows of w ≥ 2·ow floats, dst and idx of oh·ow elements (dst may be idx
// itself: the indices are stored second); it requires AVX-512 F.
//
//go:noescape
func maxPool2x2AVX512(dst []float32, idx []int32, x []float32, oh, ow, w int, base int32)

// maxUnpool2x2 dispatches MaxUnpool2x2 like maxPool2x2.
func maxUnpool2x2(dst, g []float32, idx []int32, oh, ow, w int, base int32) {
	if active != AVX512 {
		maxUnpool2x2Generic(dst, g, idx, oh, ow, w, base)
		return
	}
	maxUnpool2x2AVX512(dst, g, idx, oh, ow, w, base)
}

// maxUnpool2x2AVX512 is maxUnpool2x2Generic for oh, ow > 0; it requires
// AVX-512 F.
//
//go:noescape
func maxUnpool2x2AVX512(dst, g []float32, idx []int32, oh, ow, w int, base int32)
