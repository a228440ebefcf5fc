//go:build !amd64 || !gc || purego

package asm

// Without assembly MaxPool2x2Index runs its reference.

func maxPool2x2(idx []int32, x []float32, oh, ow, w int, base int32) {
	maxPool2x2Generic(idx, x, oh, ow, w, base)
}
