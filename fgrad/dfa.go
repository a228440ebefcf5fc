package fgrad

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// DFA is direct feedback alignment (Nøkland, 2016; METHODS.md §5.3): the
// output error is sent to every hidden layer through a fixed random
// matrix instead of the transposed weights of the layers above,
//
//	e = (softmax(z_L) − onehot)/N,   δ_L = e,   δ_l = (e·B_lᵀ) ⊙ 1[z_l > 0],
//	ĝ_W,l = δ_lᵀ·h_{l−1},   ĝ_b,l = Σ_n δ_l[n],
//
// with B_l of shape [out_l, C] drawn once from N(0, 1/out_l). The output
// layer's update is its true gradient; the hidden layers' updates are
// not gradients, but the forward weights come to align with B, so the
// angle between ĝ and ∇L falls below 90° ("alignment"; TestDFAAlignment).
// It needs one forward pass and no backward chain. It supports MLPs (see
// New).
type DFA struct {
	p  *primal
	b  [][]float32 // feedback matrices of the hidden layers
	gz []float32
}

// NewDFA returns the DFA estimator for an MLP model, with feedback
// matrices drawn from a generator seeded by cfg.Seed.
func NewDFA(model nn.Module, cfg Config) (*DFA, error) {
	ls, err := mlpLayers("dfa", model)
	if err != nil {
		return nil, err
	}
	rng := tensor.NewRNG(cfg.Seed ^ 0x646661)
	c := ls[len(ls)-1].out
	d := &DFA{p: newPrimal(ls)}
	for _, l := range ls[:len(ls)-1] {
		b := make([]float32, l.out*c)
		tensor.FillNormal(rng, b, float32(1/math.Sqrt(float64(l.out))))
		d.b = append(d.b, b)
	}
	return d, nil
}

// Name returns "dfa".
func (*DFA) Name() string { return "dfa" }

// Estimate sets every parameter's Grad to its DFA update direction and
// returns the batch loss.
func (d *DFA) Estimate(x *tensor.Tensor, labels []int32) float32 {
	p := d.p
	xd := p.begin("dfa", x, labels)
	for l := range p.ls {
		p.layer(xd, l)
	}
	loss := p.loss(labels)
	n, last := p.n, len(p.ls)-1
	c := p.ls[last].out
	p.ls[last].gradsFrom(p.e, p.input(xd, last), n)
	for l := range p.ls[:last] {
		ly := &p.ls[l]
		d.gz = grow(d.gz, n*ly.out)
		tensor.Sgemm(false, true, n, ly.out, c, 1, p.e, c, d.b[l], c, 0, d.gz, ly.out)
		if ly.relu {
			asm.ReluBackwardTo(d.gz, d.gz, p.z[l])
		}
		ly.gradsFrom(d.gz, p.input(xd, l), n)
	}
	return loss
}
