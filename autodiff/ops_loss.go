package autodiff

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/tensor"
)

// crossEntropyOp is the mean softmax cross-entropy of logits [N, C]
// against integer labels, fused and numerically stable:
//
//	loss = (1/N) Σᵢ (logsumexp(zᵢ) − zᵢ[yᵢ])
type crossEntropyOp struct{ labels []int32 }

var crossEntropyName = registerOp("crossentropy")

func (o *crossEntropyOp) Name() string { return crossEntropyName }

func checkLabels(op string, z *tensor.Tensor, labels []int32) (n, c int) {
	s := z.Shape()
	if len(s) != 2 || s[0] != len(labels) {
		panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("logits must be [N, C] with N = %d labels", len(labels)), Shapes: [][]int{s}})
	}
	n, c = s[0], s[1]
	for i, y := range labels {
		if y < 0 || int(y) >= c {
			panic(fmt.Sprintf("autodiff: %s: label %d of sample %d is outside [0, %d)", op, y, i, c))
		}
	}
	return n, c
}

func (o *crossEntropyOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	z := in[0].Value
	n, c := checkLabels(crossEntropyName, z, o.labels)
	zd := z.Data()
	var total float64
	for i := 0; i < n; i++ {
		row := zd[i*c : (i+1)*c]
		total += logSumExp(row) - float64(row[o.labels[i]])
	}
	out := t.alloc()
	out.Data()[0] = float32(total / float64(max(n, 1)))
	return out
}

// logSumExp returns log Σ exp(row) computed stably in float64.
func logSumExp(row []float32) float64 {
	m := float32(math.Inf(-1))
	for _, v := range row {
		m = max(m, v)
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v - m))
	}
	return float64(m) + math.Log(s)
}

// JVP: dloss = (1/N) Σᵢ ⟨softmax(zᵢ) − onehot(yᵢ), dzᵢ⟩.
func (o *crossEntropyOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	z, dz := in[0].Value, in[0].Tangent
	n, c := z.Shape()[0], z.Shape()[1]
	p := t.alloc(n, c)
	ceGradInto(p.Data(), z.Data(), o.labels, c, 1/float32(max(n, 1)))
	var s float64
	for i, v := range p.Data() {
		s += float64(v) * float64(dz.Data()[i])
	}
	res := t.alloc()
	res.Data()[0] = float32(s)
	return res
}

// VJP: z̄ = ḡ·(softmax(z) − onehot(y))/N, as one ceGrad op.
func (o *crossEntropyOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = apply(&ceGradOp{labels: o.labels}, in[0], g)
}

// ceGradInto writes scale·(softmax(zᵢ) − onehot(yᵢ)) for each row i.
func ceGradInto(dst, z []float32, labels []int32, c int, scale float32) {
	for i, y := range labels {
		row, d := z[i*c:(i+1)*c], dst[i*c:(i+1)*c]
		softmaxRow(d, row)
		for j := range d {
			d[j] *= scale
		}
		d[y] -= scale
	}
}

// softmaxRow writes softmax(row) into dst, stably.
func softmaxRow(dst, row []float32) {
	m := float32(math.Inf(-1))
	for _, v := range row {
		m = max(m, v)
	}
	var s float32
	for j, v := range row {
		e := float32(math.Exp(float64(v - m)))
		dst[j] = e
		s += e
	}
	inv := 1 / s
	for j := range dst {
		dst[j] *= inv
	}
}

// ceGradOp is the backward rule of cross-entropy as an op of (z, g):
//
//	out = g·(softmax(z) − onehot(y))/N
type ceGradOp struct{ labels []int32 }

var ceGradName = registerOp("crossentropygrad")

func (o *ceGradOp) Name() string { return ceGradName }

func (o *ceGradOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	z, g := in[0].Value, in[1].Value
	n, c := checkLabels(ceGradName, z, o.labels)
	out := t.alloc(n, c)
	ceGradInto(out.Data(), z.Data(), o.labels, c, g.Item()/float32(max(n, 1)))
	return out
}

// JVP: d out = (g/N)·(p ⊙ (dz − ⟨p, dz⟩)) + dg·(p − onehot)/N per row.
func (o *ceGradOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	z, g := in[0], in[1]
	n, c := z.Value.Shape()[0], z.Value.Shape()[1]
	res := t.zeros(n, c)
	r := res.Data()
	inv := 1 / float32(max(n, 1))
	if z.Tangent != nil {
		p := t.alloc(c)
		pd := p.Data()
		zd, dz := z.Value.Data(), z.Tangent.Data()
		s := g.Value.Item() * inv
		for i := 0; i < n; i++ {
			softmaxRow(pd, zd[i*c:(i+1)*c])
			dzi := dz[i*c : (i+1)*c]
			var dot float32
			for j, v := range pd {
				dot += v * dzi[j]
			}
			for j, v := range pd {
				r[i*c+j] += s * v * (dzi[j] - dot)
			}
		}
	}
	if g.Tangent != nil {
		tmp := t.alloc(n, c)
		ceGradInto(tmp.Data(), z.Value.Data(), o.labels, c, g.Tangent.Item()*inv)
		addInPlace(r, tmp.Data())
	}
	return res
}

// VJP: z̄ = (g/N)·softmaxᵀ-product of c, ḡ = ⟨c, (p − onehot)/N⟩.
func (o *ceGradOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	z, g := in[0], in[1]
	if z.needsGrad() {
		p := Softmax(z)
		// The softmax Jacobian is symmetric: J c = p ⊙ (c − ⟨p, c⟩).
		jc := Mul(p, Sub(c, SumKeep(Mul(p, c), -1)))
		n := z.Shape()[0]
		grads[0] = Mul(jc, Scale(g, 1/float32(max(n, 1))))
	}
	if g.needsGrad() {
		unit := constLike(g, 1)
		grads[1] = Reshape(Sum(Mul(c, apply(&ceGradOp{labels: o.labels}, z, unit))), g.Shape()...)
	}
}

// CrossEntropy returns the mean softmax cross-entropy of logits [N, C]
// against labels (N values in [0, C)), fused and numerically stable, as
// torch.nn.functional.cross_entropy with reduction "mean". It panics if
// the shapes or labels do not fit. The labels slice is kept until the
// tape is reset and must not change before then.
func CrossEntropy(logits *Var, labels []int32) *Var {
	return apply(&crossEntropyOp{labels: labels}, logits)
}

// MSE returns the mean squared error mean((pred − target)²).
func MSE(pred, target *Var) *Var {
	return Mean(Square(Sub(pred, target)))
}
