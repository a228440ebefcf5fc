//go:build amd64 && gc && !purego

package asm

// Dispatch of the Winograd tile transforms: AVX-512 has the kernels (they
// gather and scatter the tiles by their offsets, which AVX2 cannot
// scatter); the other levels run the references.

func winoInput(v []float32, sv int, src []float32, w int, offs []int32) {
	if active != AVX512 {
		winoInputGeneric(v, sv, src, w, offs)
		return
	}
	winoInputAVX512(v, sv, src, w, offs)
}

func winoInputT(dst []float32, w int, offs []int32, v []float32, sv int) {
	if active != AVX512 {
		winoInputTGeneric(dst, w, offs, v, sv)
		return
	}
	winoInputTAVX512(dst, w, offs, v, sv)
}

func winoOutput(dst []float32, w int, offs []int32, m []float32, sm int, bias []float32, acc bool) {
	if active != AVX512 {
		winoOutputGeneric(dst, w, offs, m, sm, bias, acc)
		return
	}
	winoOutputAVX512(dst, w, offs, m, sm, bias, acc)
}

func winoGrad(m []float32, sm int, src []float32, w int, offs []int32) {
	if active != AVX512 {
		winoGradGeneric(m, sm, src, w, offs)
		return
	}
	winoGradAVX512(m, sm, src, w, offs)
}

// The kernels require AVX-512 F and arguments that WinogradInput,
// WinogradInputT, WinogradOutput and WinogradGrad have validated (any
// number of tiles, including 0).

// winoInputAVX512 is winoInputGeneric.
//
//go:noescape
func winoInputAVX512(v []float32, sv int, src []float32, w int, offs []int32)

// winoInputTAVX512 is winoInputTGeneric.
//
//go:noescape
func winoInputTAVX512(dst []float32, w int, offs []int32, v []float32, sv int)

// winoOutputAVX512 is winoOutputGeneric.
//
//go:noescape
func winoOutputAVX512(dst []float32, w int, offs []int32, m []float32, sm int, bias []float32, acc bool)

// winoGradAVX512 is winoGradGeneric.
//
//go:noescape
func winoGradAVX512(m []float32, sm int, src []float32, w int, offs []int32)
