//go:build !amd64 || !gc || purego

package asm

// Without assembly MaxPool2x2 runs its reference.

func maxPool2x2(dst []float32, idx []int32, x []float32, oh, ow, w int, base int32) {
	maxPool2x2Generic(dst, idx, x, oh, ow, w, base)
}

func maxUnpool2x2(dst, g []float32, idx []int32, oh, ow, w int, base int32) {
	maxUnpool2x2Generic(dst, g, idx, oh, ow, w, base)
}
