package fgrad

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// FG is the weight-perturbed forward gradient of Baydin et al., "Gradients
// without Backpropagation" (METHODS.md §5.1). Each step draws K tangents
// v_k ~ N(0, I) over all P parameters, runs one forward pass carrying the
// K tangents, which gives the directional derivatives d_k = ∇L·v_k by
// forward-mode differentiation (JVP), and estimates
//
//	ĝ = (1/K) Σ_k d_k·v_k,   E[ĝ] = E[v vᵀ]·∇L = ∇L,
//
// an unbiased estimate whose cosine to ∇L is about √(K/P) for K ≪ P. With
// Config.Orthogonal the K tangents are orthogonalized (Gram–Schmidt) and
// rescaled to norm √P, which keeps ĝ unbiased and lowers its variance.
//
// On an MLP (see New) the pass is tape-free: layer by layer, the primal
// [N, width] and the K tangents [N, K, width] sit in one buffer, and
//
//	z = h·Wᵀ + b,   ż_k = ḣ_k·Wᵀ + h·V_kᵀ + v_b,k,   ḣ_k = ż_k ⊙ 1[z > 0],
//
// where the K tangents go through sgemm together: the products ḣ_k·Wᵀ as
// one [N·K, in] matrix, and h·V_kᵀ as one product with the stacked
// [K·out, in] tangents of the layer, so a step takes two sgemms per layer
// whatever K.
// The loss tangent is d_k = Σ (softmax(z_L) − onehot)/N ⊙ ż_L,k. The
// tangents are not stored: with K = 1, v is drawn straight into each
// parameter's Grad (memory the optimizer needs anyway) and scaled by d,
// and the batch is streamed through in chunks of 128 rows (forward mode
// keeps nothing between rows, so only one chunk's activations exist);
// with K > 1, the layer at hand's K tangents sit in one scratch buffer
// and are regenerated from their seed into the Grads once the d_k are
// known. Only two layers' activations are alive at a time.
//
// Other models run Tape.JVP once per tangent, with recording off: nothing
// is taped, but the K tangents are held as full parameter tensors.
type FG struct {
	k      int
	orth   bool
	seed   uint64
	step   uint64
	params []*autodiff.Var

	// MLP path.
	ls       []dense
	act      [2][]float32 // ping-pong slot-major activations
	e        []float32
	vw, vb   []float32   // K > 1: the layer at hand's tangents
	d        []float64   // directional derivatives
	stored   [][]float32 // Orthogonal: tangents [k][flattened params]
	paramOff []int       // Orthogonal: offset of each parameter in stored[k]

	// Generic path.
	model nn.Module
	tape  *autodiff.Tape
	tans  []*tensor.Tensor
}

// NewFG returns the forward-gradient estimator for model (any nn.Module;
// MLPs take the tape-free path).
func NewFG(model nn.Module, cfg Config) (*FG, error) {
	f := &FG{k: cfg.tangents(), orth: cfg.Orthogonal, seed: cfg.Seed, params: paramList(model), model: model}
	if ls, err := mlpLayers("fg", model); err == nil {
		f.ls = ls
	} else {
		f.tape = autodiff.NewTape()
	}
	if f.orth && f.k > 1 {
		off := 0
		for _, p := range f.params {
			f.paramOff = append(f.paramOff, off)
			off += p.Value.Size()
		}
		f.stored = make([][]float32, f.k)
		for i := range f.stored {
			f.stored[i] = make([]float32, off)
		}
	}
	f.d = make([]float64, f.k)
	table() // built now, not inside the first step
	return f, nil
}

// Name returns "fg".
func (*FG) Name() string { return "fg" }

// key names the tangent of parameter i, tangent k, at the current step.
func (f *FG) key(i, k int) uint64 { return streamKey(f.seed, f.step, i, 0, k) }

// Estimate sets every parameter's Grad to ĝ and returns the batch loss.
func (f *FG) Estimate(x *tensor.Tensor, labels []int32) float32 {
	f.step++
	ensureGrads(f.params)
	if f.stored != nil {
		f.drawOrthogonal()
	}
	var loss float32
	if f.ls != nil {
		loss = f.estimateMLP(x, labels)
	} else {
		loss = f.estimateGeneric(x, labels)
	}
	f.update()
	return loss
}

// tangentOf returns tangent k of parameter i when stored (Orthogonal).
func (f *FG) tangentOf(i, k int) []float32 {
	off := f.paramOff[i]
	return f.stored[k][off : off+f.params[i].Value.Size()]
}

// drawOrthogonal draws the K tangents into storage, orthogonalizes them
// by modified Gram–Schmidt over all parameters and rescales each to norm
// √P.
func (f *FG) drawOrthogonal() {
	for k, t := range f.stored {
		for i := range f.params {
			FillNormal(f.tangentOf(i, k), f.key(i, k))
		}
		for j := range k {
			u := f.stored[j]
			proj := dot64(t, u) / dot64(u, u)
			asm.Axpy(t, float32(-proj), u)
		}
	}
	p := float64(len(f.stored[0]))
	for _, t := range f.stored {
		asm.Scale(t, float32(math.Sqrt(p/dot64(t, t))))
	}
}

// dot64 is a dot product accumulated in float64 over float32 chunks.
func dot64(a, b []float32) float64 {
	var s float64
	for len(a) > 0 {
		n := min(len(a), 4096)
		s += float64(asm.Dot(a[:n], b[:n]))
		a, b = a[n:], b[n:]
	}
	return s
}

// update writes ĝ = (1/K) Σ d_k v_k into the Grads. With K = 1 and no
// storage the Grads already hold v.
func (f *FG) update() {
	switch {
	case f.stored != nil:
		for i, p := range f.params {
			g := p.Grad.Data()
			clear(g)
			for k := range f.k {
				asm.Axpy(g, float32(f.d[k]/float64(f.k)), f.tangentOf(i, k))
			}
		}
	case f.k == 1:
		for _, p := range f.params {
			asm.Scale(p.Grad.Data(), float32(f.d[0]))
		}
	default:
		for i, p := range f.params {
			g := p.Grad.Data()
			clear(g)
			for k := range f.k {
				AddNormal(g, float32(f.d[k]/float64(f.k)), f.key(i, k))
			}
		}
	}
}

// layerTangents returns the K tangents of layer l's weight and bias, as
// [K·out, in] and [K·out] slices (the bias part is nil without bias).
func (f *FG) layerTangents(l, pi int) (vw, vb []float32) {
	d := &f.ls[l]
	hasB := d.b != nil
	switch {
	case f.stored != nil:
		f.vw = grow(f.vw, f.k*d.out*d.in)
		for k := range f.k {
			copy(f.vw[k*d.out*d.in:], f.tangentOf(pi, k))
		}
		if hasB {
			f.vb = grow(f.vb, f.k*d.out)
			for k := range f.k {
				copy(f.vb[k*d.out:], f.tangentOf(pi+1, k))
			}
		}
	case f.k == 1:
		FillNormal(d.w.Grad.Data(), f.key(pi, 0))
		if hasB {
			FillNormal(d.b.Grad.Data(), f.key(pi+1, 0))
			return d.w.Grad.Data(), d.b.Grad.Data()
		}
		return d.w.Grad.Data(), nil
	default:
		f.vw = grow(f.vw, f.k*d.out*d.in)
		for k := range f.k {
			FillNormal(f.vw[k*d.out*d.in:(k+1)*d.out*d.in], f.key(pi, k))
		}
		if hasB {
			f.vb = grow(f.vb, f.k*d.out)
			for k := range f.k {
				FillNormal(f.vb[k*d.out:(k+1)*d.out], f.key(pi+1, k))
			}
		}
	}
	if !hasB {
		return f.vw, nil
	}
	return f.vw, f.vb
}

// fgChunk is the number of rows the MLP path pushes through the network
// at a time when the tangents are in the Grads (K = 1): forward mode
// keeps nothing between rows, so streaming the batch in chunks bounds the
// activation memory without changing the result beyond rounding.
const fgChunk = 128

// estimateMLP runs the tape-free forward pass with K tangents and sets
// f.d. With K = 1 the tangents are drawn into the Grads first and the
// batch goes through in chunks of fgChunk rows; otherwise each layer's K
// tangents are drawn when the layer is reached and the batch goes through
// at once.
func (f *FG) estimateMLP(x *tensor.Tensor, labels []int32) float32 {
	n := batchShape("fg", x, labels, f.ls[0].in)
	xd := x.Contiguous().Data()
	clear(f.d)
	if f.k > 1 || f.stored != nil {
		return f.forward(xd, labels, n, 1, true)
	}
	pi := 0
	for l := range f.ls {
		f.layerTangents(l, pi) // into the Grads
		pi += f.ls[l].nparams()
	}
	var loss float64
	in := f.ls[0].in
	for r := 0; r < n; r += fgChunk {
		c := min(fgChunk, n-r)
		w := float64(c) / float64(n)
		loss += w * float64(f.forward(xd[r*in:(r+c)*in], labels[r:r+c], c, w, false))
	}
	return float32(loss)
}

// forward runs rows x (n of them) through the network with the K
// tangents, adds weight·d_k to f.d (d_k of these rows' mean loss) and
// returns their mean loss. With draw it draws each layer's tangents;
// otherwise they are in the Grads already (K = 1).
//
// A layer's buffer holds the primal [n, out] and then the tangents
// sample-major, [n, K, out], so that each layer takes two sgemms whatever
// K: [h; Ḣ]·Wᵀ over the primal and all n·K tangent rows, and
// h·[V_1; …; V_K]ᵀ, whose [n, K·out] result is the tangents' layout.
func (f *FG) forward(x []float32, labels []int32, n int, weight float64, draw bool) float32 {
	k := f.k
	in := x
	pi := 0 // index of the layer's weight in f.params
	for l := range f.ls {
		d := &f.ls[l]
		var vw, vb []float32
		if draw {
			vw, vb = f.layerTangents(l, pi)
		} else {
			vw = d.w.Grad.Data()
			if d.b != nil {
				vb = d.b.Grad.Data()
			}
		}
		out := grow(f.act[l%2], (1+k)*n*d.out)
		f.act[l%2] = out
		prim, tan := out[:n*d.out], out[n*d.out:]
		beta := float32(0)
		if l == 0 {
			tensor.Sgemm(false, true, n, d.out, d.in, 1, in, d.in, d.w.Value.Data(), d.in, 0, prim, d.out)
		} else {
			// Primal and tangent rows are contiguous: one product gives
			// h·Wᵀ and every ḣ_k·Wᵀ.
			tensor.Sgemm(false, true, (1+k)*n, d.out, d.in, 1, in, d.in, d.w.Value.Data(), d.in, 0, out, d.out)
			beta = 1
		}
		if d.b != nil {
			addRows(prim, d.b.Value.Data(), n)
		}
		tensor.Sgemm(false, true, n, k*d.out, d.in, 1, in, d.in, vw, d.in, beta, tan, k*d.out)
		if vb != nil {
			addRows(tan, vb, n) // rows of K·out: v_b,k for each tangent
		}
		if d.relu {
			for r := range n {
				z := prim[r*d.out : (r+1)*d.out]
				for j := range k {
					t := tan[(r*k+j)*d.out : (r*k+j+1)*d.out]
					asm.ReluBackwardTo(t, t, z)
				}
			}
			asm.ReluForwardTo(prim, prim)
		}
		in = out
		pi += d.nparams()
	}
	c := f.ls[len(f.ls)-1].out
	f.e = grow(f.e, n*c)
	loss := softmaxCE(f.e, in[:n*c], labels, n, c)
	tan := in[n*c:]
	for r := range n {
		er := f.e[r*c : (r+1)*c]
		for j := range k {
			f.d[j] += weight * float64(asm.Dot(er, tan[(r*k+j)*c:(r*k+j+1)*c]))
		}
	}
	return loss
}

// estimateGeneric runs Tape.JVP once per tangent and sets f.d.
func (f *FG) estimateGeneric(x *tensor.Tensor, labels []int32) float32 {
	if f.tans == nil {
		f.tans = make([]*tensor.Tensor, len(f.params))
	}
	fn := func(t *autodiff.Tape) *autodiff.Var {
		return nn.CrossEntropyLoss(f.model.Forward(t.Input(x)), labels)
	}
	var loss float32
	for k := range f.k {
		for i, p := range f.params {
			switch {
			case f.stored != nil:
				f.tans[i] = tensor.FromSlice(f.tangentOf(i, k), p.Value.Shape()...)
			case f.k == 1:
				f.tans[i] = p.Grad
				FillNormal(p.Grad.Data(), f.key(i, 0))
			default:
				if f.tans[i] == nil {
					f.tans[i] = tensor.New(p.Value.Shape()...)
				}
				FillNormal(f.tans[i].Data(), f.key(i, k))
			}
		}
		v, dv := f.tape.JVP(fn, f.params, f.tans)
		loss = v.Item()
		f.d[k] = float64(dv.Item())
		f.tape.Reset()
	}
	return loss
}
