//go:build !amd64 || !gc || purego

package asm

// Without assembly the Winograd tile transforms run their references.

func winoInput(v []float32, sv int, src []float32, w int, offs []int32) {
	winoInputGeneric(v, sv, src, w, offs)
}

func winoInputT(dst []float32, w int, offs []int32, v []float32, sv int) {
	winoInputTGeneric(dst, w, offs, v, sv)
}

func winoOutput(dst []float32, w int, offs []int32, m []float32, sm int, bias []float32, acc bool) {
	winoOutputGeneric(dst, w, offs, m, sm, bias, acc)
}

func winoGrad(m []float32, sm int, src []float32, w int, offs []int32) {
	winoGradGeneric(m, sm, src, w, offs)
}
