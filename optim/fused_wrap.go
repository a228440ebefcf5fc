package optim

import (
	"reflect"

	"github.com/gograd/gograd/autodiff"
)

// Fused wrappers: a wrapper whose own work is an elementwise pass on the
// values and its own state before or after the base step (Lookahead's
// sync, weight clipping) runs, on the fused path, as the base optimizer's
// fused kernel followed by that pass, instead of the base's chain. The
// state is the wrapper chain's (the base's buffers, then the wrapper's),
// so checkpoints interchange and SetFused(false) runs the chain.
// Wrappers that need the objective (SAM, USAM, GAM, gradient
// regularization, flooding) keep the chain.

// wrapPass is a wrapper's elementwise work on a range of one parameter:
// p its values, own views of the wrapper's state buffers over the same
// range, step the parameter's step count (1 on its first update). It
// must give the same result on any split of the range.
type wrapPass func(p []float32, own [][]float32, step int)

// wrapperPasses returns the passes of t, a wrapper around the Transform
// base, and whether t is one that fuses: Lookahead(base, …) and
// Chain(base, WeightClip(c)). pre (possibly nil) runs before the base
// step and post after it.
func wrapperPasses(t, base Transform) (pre, post wrapPass, ok bool) {
	switch w := t.(type) {
	case *lookahead:
		if sameTransform(w.base, base) {
			return w.fusedPre, w.fusedPost, true
		}
	case *chain:
		if len(w.ts) == 2 && sameTransform(w.ts[0], base) {
			if c, ok := w.ts[1].(*weightClip); ok {
				return nil, c.fusedPost, true
			}
		}
	}
	return nil, nil, false
}

// sameTransform reports whether a and b are the same Transform (without
// comparing values of a non-comparable type, which would panic).
func sameTransform(a, b Transform) bool {
	ta := reflect.TypeOf(a)
	return ta != nil && ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// newWrapped returns the optimizer named name that updates params by t, a
// wrapper around base's Transform, with a fused path composed of base's
// and the wrapper's passes when t fuses (wrapperPasses) and base has an
// elementwise or whole-parameter fused kernel; otherwise (a base with a
// predict step such as XGrad, a base without a fused kernel, a wrapper
// that needs the objective) it runs the chain, as NewFromTransform.
func newWrapped(name string, params []*autodiff.Var, t Transform, lr, wd float32, base *Optimizer) (*Optimizer, error) {
	pre, post, ok := wrapperPasses(t, base.tr)
	nb := len(base.tr.StateNames())
	switch {
	case !ok || base.predict != nil:
		return NewFromTransform(name, params, t, lr, wd)
	case base.kernel != nil:
		return newFused(name, params, t, wrapKernel(base.kernel, nb, pre, post), lr, wd)
	case base.whole != nil:
		return newWholeFused(name, params, t, wrapWhole(base.whole, nb, pre, post), lr, wd)
	}
	return NewFromTransform(name, params, t, lr, wd)
}

// wrapKernel composes an elementwise base kernel, whose state is the
// first nb buffers, with the wrapper's passes on the rest; the result is
// elementwise. (Alternating the two in blocks of 8K–64K elements, so that
// the pass finds the values in cache, measured no faster at n = 1e6: the
// pass costs about 0.05 ns/param from L3, and the base's per-call setup
// grows with the number of blocks.)
func wrapKernel(base fusedStep, nb int, pre, post wrapPass) fusedStep {
	return func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		if pre != nil {
			pre(p, st[nb:], step)
		}
		base(p, g, st[:nb:nb], step, lr, wd)
		post(p, st[nb:], step)
	}
}

// wrapWhole composes a whole-parameter base kernel, whose state is the
// first nb buffers of a.St, with the wrapper's passes on the rest, over
// the whole parameter.
func wrapWhole(base wholeStep, nb int, pre, post wrapPass) wholeStep {
	return func(a *fusedArgs) {
		st := a.St
		if pre != nil {
			pre(a.P, st[nb:], a.Step)
		}
		a.St = st[:nb:nb]
		base(a)
		a.St = st
		post(a.P, st[nb:], a.Step)
	}
}
