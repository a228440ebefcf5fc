//go:build !amd64 || !gc || purego

package asm

// The XGrad kernels run their generic references where no assembly is
// built.

func xgradPredict(p, saved, m, v []float32, k *xgradPredictConsts) {
	xgradPredictGeneric(p, saved, m, v, k)
}

func xgradPredictDir(p, saved, d []float32, k float32) { xgradPredictDirGeneric(p, saved, d, k) }

func xgradStep(p, theta, g, m, v, dir []float32, k *xgradConsts) {
	xgradStepGeneric(p, theta, g, m, v, dir, k)
}

func xgradSGDStep(p, theta, g, b []float32, k *xgradSGDConsts) {
	xgradSGDStepGeneric(p, theta, g, b, k)
}
