package optim

import (
	"fmt"
	"testing"
)

// TestAdafactorWideRowsMatchChain runs the fused Adafactor step and the
// chain side by side for 20 steps on factored matrices whose rows are
// longer than the 1024-element chunks of the RMS sums (2×1024, 3×1040,
// 2×2500; default hyperparameters, so both RMS(U) and RMS(W) enter, and
// a fixed step with momentum and decay): θ must agree to a few ulps per
// step, as in TestFusedMatchesChain. (asm's TestAdafactorSumsWideRows
// checks the kernels' summation order itself.)
func TestAdafactorWideRowsMatchChain(t *testing.T) {
	shapes := [][2]int{{2, 1024}, {3, 1040}, {2, 2500}}
	cfgs := []AdafactorConfig{DefaultAdafactor(), DefaultAdafactor()}
	cfgs[1].LR, cfgs[1].RelativeStep, cfgs[1].Beta1, cfgs[1].WeightDecay, cfgs[1].ClipThreshold = 0.01, false, 0.9, 0.1, 0.5
	for ci, c := range cfgs {
		t.Run(fmt.Sprint("config", ci), func(t *testing.T) { adafactorWideRows(t, c, shapes) })
	}
}

// adafactorWideRows is TestAdafactorWideRowsMatchChain for one
// configuration.
func adafactorWideRows(t *testing.T, c AdafactorConfig, shapes [][2]int) {
	c.MinDimToFactor = 2
	sizes := make([]int, len(shapes))
	for i, sh := range shapes {
		sizes[i] = sh[0] * sh[1]
	}
	pf := newParams(11, sizes...)
	for i, sh := range shapes {
		pf[i].Value = pf[i].Value.Reshape(sh[0], sh[1])
	}
	pc := cloneParams(pf)
	of, err := NewAdafactor(pf, c)
	if err != nil {
		t.Fatal(err)
	}
	oc, _ := NewAdafactor(pc, c)
	if !of.Fused() || oc.SetFused(false) {
		t.Fatal("fused/chain selection")
	}
	lr := float64(c.LR)
	if c.RelativeStep {
		lr = 1e-2 // ρ_1
	}
	for s := 1; s <= 20; s++ {
		fillGrads(pf, 3, s)
		fillGrads(pc, 3, s)
		of.Step()
		oc.Step()
		checkFusedNear(t, s, pf, pc, lr)
	}
}
