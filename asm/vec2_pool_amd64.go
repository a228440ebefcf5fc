//go:build amd64 && gc && !purego

package asm

// maxPool2x2 dispatches MaxPool2x2Index: AVX-512 has the kernel (its
// masked loads and compares fit windows rows of any width); the other
// levels run the reference.
func maxPool2x2(idx []int32, x []float32, oh, ow, w int, base int32) {
	if active == AVX512 {
		maxPool2x2AVX512(idx, x, oh, ow, w, base)
		return
	}
	maxPool2x2Generic(idx, x, oh, ow, w, base)
}

// maxPool2x2AVX512 is MaxPool2x2Index for oh, ow > 0 on x with at least
// 2·oh rows of w ≥ 2·ow floats; it requires AVX-512 F.
//
//go:noescape
func maxPool2x2AVX512(idx []int32, x []float32, oh, ow, w int, base int32)
