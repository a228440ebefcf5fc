package fgrad

import (
	"fmt"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// Local is the forward gradient with local-loss guesses of Fournier,
// Rivaud, Belilovsky, Eickenberg and Oyallon, "Can Forward Gradient Match
// Backpropagation?" (2023; METHODS.md §5.2). Every hidden layer l has a
// small auxiliary head, a Linear(out_l, C) classifier on h_l trained on
// its own cross-entropy L_l. The gradient of that local loss with respect
// to the layer's pre-activation is the guess,
//
//	u[n] = ∂L_l/∂z_l[n] = ((softmax(a_l) − onehot)/N·A_l)[n] ⊙ 1[z_l[n] > 0],   a_l = h_l·A_lᵀ + c_l,
//
// which costs a local backprop through the head only. One forward pass
// carries every hidden layer's guess to the global loss (see perturbed),
// giving τ[n] = ⟨∂L/∂z_l[n], u[n]⟩, and the guess is rescaled onto the
// true gradient's projection, per sample:
//
//	ĝ_z[n] = τ[n]/‖u[n]‖²·u[n],   ĝ_W = ĝ_zᵀ·h_{l−1},   ĝ_b = Σ_n ĝ_z[n].
//
// If the guess is the true gradient, ĝ is exact (TestLocalExactGuess).
// The output layer's local loss is the global loss itself, so its guess
// is exact and it takes the true gradient e = (softmax − onehot)/N. The
// heads' Grads are their local-loss gradients (AuxParams). The guesses
// are recomputed from the kept activations for the update, not stored.
// It supports MLPs (see New).
type Local struct {
	pass   *perturbed
	heads  []*nn.Linear // per hidden layer
	aux    []*autodiff.Var
	labels []int32
	q, u   []float32
	gz     []float32
	// guess, when set (tests), replaces the heads' guess for layer l.
	guess func(l int, dst []float32)
}

// NewLocal returns the fg-local estimator for an MLP model, with heads
// initialized as nn.Linear is, from a generator seeded by cfg.Seed.
func NewLocal(model nn.Module, cfg Config) (*Local, error) {
	ls, err := mlpLayers("fg-local", model)
	if err != nil {
		return nil, err
	}
	rng := tensor.NewRNG(cfg.Seed ^ 0x6c6f63616c)
	c := ls[len(ls)-1].out
	lo := &Local{}
	counts := make([]int, len(ls))
	for l := range ls[:len(ls)-1] {
		counts[l] = 1
		h := nn.NewLinear(ls[l].out, c, rng)
		h.Weight.Name = fmt.Sprintf("aux.%d.weight", l)
		h.Bias.Name = fmt.Sprintf("aux.%d.bias", l)
		lo.heads = append(lo.heads, h)
		lo.aux = append(lo.aux, h.Weight, h.Bias)
	}
	lo.pass = newPerturbed(ls, counts)
	lo.pass.inject = func(l int, dst []float32) { lo.guessInto(l, dst, true) }
	return lo, nil
}

// Name returns "fg-local".
func (*Local) Name() string { return "fg-local" }

// AuxParams returns the heads' weights and biases, layer by layer.
func (lo *Local) AuxParams() []*autodiff.Var { return lo.aux }

// guessInto writes layer l's guess [N, out_l] into dst; with grads it
// also sets the head's Grads from its local loss.
func (lo *Local) guessInto(l int, dst []float32, grads bool) {
	if lo.guess != nil {
		lo.guess(l, dst)
		return
	}
	p := lo.pass
	n, d, h := p.n, &p.ls[l], lo.heads[l]
	c := h.Out
	lo.q = grow(lo.q, 2*n*c)
	a, eq := lo.q[:n*c], lo.q[n*c:]
	tensor.Sgemm(false, true, n, c, d.out, 1, p.h[l], d.out, h.Weight.Value.Data(), d.out, 0, a, c)
	addRows(a, h.Bias.Value.Data(), n)
	softmaxCE(eq, a, lo.labels, n, c)
	tensor.Sgemm(false, false, n, d.out, c, 1, eq, c, h.Weight.Value.Data(), d.out, 0, dst, d.out)
	if d.relu {
		asm.ReluBackwardTo(dst, dst, p.z[l])
	}
	if grads {
		hd := dense{w: h.Weight, b: h.Bias, in: d.out, out: c}
		hd.gradsFrom(eq, p.h[l], n)
	}
}

// Estimate sets the model's Grads to the local-guess estimate and the
// heads' Grads to their local-loss gradients, and returns the batch loss.
func (lo *Local) Estimate(x *tensor.Tensor, labels []int32) float32 {
	p := lo.pass
	xd := p.begin("fg-local", x, labels)
	ensureGrads(lo.aux)
	lo.labels = labels
	loss := p.run(xd, labels)
	n := p.n
	last := len(p.ls) - 1
	for l := range p.ls[:last] {
		d := &p.ls[l]
		lo.u = grow(lo.u, n*d.out)
		lo.gz = grow(lo.gz, n*d.out)
		lo.guessInto(l, lo.u, false)
		tau := p.tau[p.first[l]*n:]
		for r := range n {
			u, g := lo.u[r*d.out:(r+1)*d.out], lo.gz[r*d.out:(r+1)*d.out]
			uu := asm.Dot(u, u)
			if uu > 0 {
				asm.ScaleTo(g, tau[r]/uu, u)
			} else {
				clear(g)
			}
		}
		d.gradsFrom(lo.gz, p.input(xd, l), n)
	}
	p.ls[last].gradsFrom(p.e, p.input(xd, last), n)
	lo.labels = nil
	return loss
}
