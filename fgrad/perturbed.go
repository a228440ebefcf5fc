package fgrad

import (
	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

// perturbed is a forward pass of an MLP that injects tangents at the
// pre-activations of its layers and carries them to the loss: the engine
// of fg-activity and fg-local. Layer l receives counts[l] tangents u (each
// [N, out_l]) right after its primal pre-activation z_l is computed; from
// there every tangent flows like the primal's perturbation,
//
//	ż_{l+1} = ḣ_l·W_{l+1}ᵀ,   ḣ_l = ż_l ⊙ 1[z_l > 0],
//
// all tangents of a layer stacked slot-major as one [S·N, width] matrix
// for sgemm. At the logits, the per-sample directional derivative of the
// mean loss along tangent s is
//
//	τ_s[n] = ⟨e_n, ż_L,s[n]⟩ = ⟨∂L/∂z_l[n], u_s[n]⟩,   e = (softmax(z_L) − onehot)/N,
//
// because sample n's logits depend on row n of z_l only. The primal keeps
// every layer's z and h for the weight updates; the tangents live only
// while their layer is at hand (two ping-pong buffers).
type perturbed struct {
	primal
	counts []int // tangents injected at each layer
	first  []int // slot of each layer's first tangent
	tan    [2][]float32
	tau    []float32 // τ_s[n] at tau[s·N + n]
	// inject fills the counts[l] tangents of layer l, [counts[l]·N,
	// out_l] slot-major, once z_l and h_l are computed.
	inject func(l int, dst []float32)
}

func newPerturbed(ls []dense, counts []int) *perturbed {
	p := &perturbed{primal: *newPrimal(ls), counts: counts, first: make([]int, len(ls))}
	s := 0
	for l, c := range counts {
		p.first[l] = s
		s += c
	}
	return p
}

// run does the forward pass and sets tau; it returns the loss.
func (p *perturbed) run(x []float32, labels []int32) float32 {
	n := p.n
	slots := 0
	var inT []float32
	for l := range p.ls {
		d := &p.ls[l]
		p.layer(x, l)
		total := slots + p.counts[l]
		outT := grow(p.tan[l%2], total*n*d.out)
		p.tan[l%2] = outT
		if slots > 0 {
			tensor.Sgemm(false, true, slots*n, d.out, d.in, 1, inT, d.in, d.w.Value.Data(), d.in, 0, outT, d.out)
		}
		if p.counts[l] > 0 {
			p.inject(l, outT[slots*n*d.out:total*n*d.out])
		}
		if d.relu {
			for s := range total {
				b := outT[s*n*d.out : (s+1)*n*d.out]
				asm.ReluBackwardTo(b, b, p.z[l])
			}
		}
		inT, slots = outT, total
	}
	loss := p.loss(labels)
	c := p.ls[len(p.ls)-1].out
	p.tau = grow(p.tau, slots*n)
	for s := range slots {
		rowDots(p.tau[s*n:(s+1)*n], p.e, inT[s*n*c:(s+1)*n*c], n, c)
	}
	return loss
}
