package fgrad

import (
	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// Activity is the activity-perturbed forward gradient of Ren, Kornblith,
// Liao and Hinton, "Scaling Forward Gradient With Local Losses" (2023):
// the tangents perturb the pre-activations z_l = h_{l−1}·W_lᵀ + b_l of
// each layer instead of the weights. For layer l and each of K tangents
// u_k ~ N(0, I) of shape [N, out_l], one forward pass carries u_k from
// z_l to the loss (see perturbed) and gives, per sample n,
// τ_k[n] = ⟨∂L/∂z_l[n], u_k[n]⟩; then
//
//	ĝ_z[n] = (1/K) Σ_k τ_k[n]·u_k[n]      (unbiased for ∂L/∂z_l[n])
//	ĝ_W = ĝ_zᵀ·h_{l−1},   ĝ_b = Σ_n ĝ_z[n]
//
// which is layer l's own backprop step with ∂L/∂z_l replaced by its
// forward estimate. The guessing space per sample is out_l (256) instead
// of the layer's weights (200,960), which is where the variance drops.
// Where a ReLU follows, the update uses u_k ⊙ 1[z_l > 0]: the true
// ∂L/∂z_l is zero at inactive units, so this keeps ĝ unbiased and drops
// the pure noise the tangent would put there (about half the units).
// Each layer's tangent enters at its own slot, so the estimates of
// different layers do not mix; all layers' tangents share the pass. The
// u_k are regenerated from their seed for the update, not stored. It
// supports MLPs (see New).
type Activity struct {
	pass      *perturbed
	k         int
	seed      uint64
	step      uint64
	u, gz     []float32
	lastLabel []int32
}

// NewActivity returns the fg-activity estimator for an MLP model.
func NewActivity(model nn.Module, cfg Config) (*Activity, error) {
	ls, err := mlpLayers("fg-activity", model)
	if err != nil {
		return nil, err
	}
	a := &Activity{k: cfg.tangents(), seed: cfg.Seed}
	counts := make([]int, len(ls))
	for i := range counts {
		counts[i] = a.k
	}
	a.pass = newPerturbed(ls, counts)
	a.pass.inject = a.inject
	table()
	return a, nil
}

// Name returns "fg-activity".
func (*Activity) Name() string { return "fg-activity" }

func (a *Activity) key(l, k int) uint64 { return streamKey(a.seed, a.step, l, 1, k) }

func (a *Activity) inject(l int, dst []float32) {
	m := a.pass.n * a.pass.ls[l].out
	for k := range a.k {
		FillNormal(dst[k*m:(k+1)*m], a.key(l, k))
	}
}

// Estimate sets every parameter's Grad to the activity-perturbed
// estimate and returns the batch loss.
func (a *Activity) Estimate(x *tensor.Tensor, labels []int32) float32 {
	a.step++
	p := a.pass
	xd := p.begin("fg-activity", x, labels)
	loss := p.run(xd, labels)
	n := p.n
	for l := range p.ls {
		d := &p.ls[l]
		a.gz = grow(a.gz, n*d.out)
		a.u = grow(a.u, n*d.out)
		clear(a.gz)
		for k := range a.k {
			FillNormal(a.u, a.key(l, k))
			if d.relu {
				asm.ReluBackwardTo(a.u, a.u, p.z[l]) // see the type's doc
			}
			tau := p.tau[(p.first[l]+k)*n:]
			for r := range n {
				asm.Axpy(a.gz[r*d.out:(r+1)*d.out], tau[r]/float32(a.k), a.u[r*d.out:(r+1)*d.out])
			}
		}
		d.gradsFrom(a.gz, p.input(xd, l), n)
	}
	return loss
}
