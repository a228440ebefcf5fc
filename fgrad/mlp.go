package fgrad

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// dense is one layer of the MLP view: z = h·Wᵀ + b, then ReLU if relu.
type dense struct {
	w, b    *autodiff.Var // [out, in], [out] or nil
	in, out int
	relu    bool
}

// mlpLayers returns the layer view of an MLP: an *nn.Sequential of
// Linear layers, each optionally followed by one ReLU, with optional
// Flatten layers before the first Linear.
func mlpLayers(op string, m nn.Module) ([]dense, error) {
	s, ok := m.(*nn.Sequential)
	if !ok {
		return nil, fmt.Errorf("fgrad: %s: model is a %T, want an *nn.Sequential of Linear and ReLU layers", op, m)
	}
	var ls []dense
	for i, l := range s.Layers {
		switch l := l.(type) {
		case *nn.Flatten:
			if len(ls) > 0 {
				return nil, fmt.Errorf("fgrad: %s: layer %d: Flatten after a Linear layer", op, i)
			}
		case *nn.Linear:
			if len(ls) > 0 && ls[len(ls)-1].out != l.In {
				return nil, fmt.Errorf("fgrad: %s: layer %d: Linear takes %d features, the layer before gives %d", op, i, l.In, ls[len(ls)-1].out)
			}
			ls = append(ls, dense{w: l.Weight, b: l.Bias, in: l.In, out: l.Out})
		case *nn.ReLU:
			if len(ls) == 0 || ls[len(ls)-1].relu {
				return nil, fmt.Errorf("fgrad: %s: layer %d: ReLU must follow a Linear layer", op, i)
			}
			ls[len(ls)-1].relu = true
		default:
			return nil, fmt.Errorf("fgrad: %s: layer %d is a %T; supported: Linear, ReLU (and Flatten first)", op, i, l)
		}
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("fgrad: %s: model has no Linear layer", op)
	}
	return ls, nil
}

// nparams returns the layer's number of parameter tensors (1 or 2).
func (l *dense) nparams() int {
	if l.b != nil {
		return 2
	}
	return 1
}

// grow returns buf resliced to n elements, reallocating when too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// linearTo sets z (n×out) = h (n×in)·Wᵀ + b.
func (l *dense) linearTo(z, h []float32, n int) {
	tensor.Sgemm(false, true, n, l.out, l.in, 1, h, l.in, l.w.Value.Data(), l.in, 0, z, l.out)
	if l.b != nil {
		addRows(z, l.b.Value.Data(), n)
	}
}

// addRows adds the row vector v to each of the n rows of m.
func addRows(m, v []float32, n int) {
	w := len(v)
	for r := range n {
		row := m[r*w : (r+1)*w]
		asm.AddTo(row, row, v)
	}
}

// gradsFrom sets the layer's gradients from the cotangent gz (n×out) of
// its pre-activation and its input h (n×in): W.Grad = gzᵀ·h and b.Grad =
// the column sums of gz.
func (l *dense) gradsFrom(gz, h []float32, n int) {
	tensor.Sgemm(true, false, l.out, l.in, n, 1, gz, l.out, h, l.in, 0, l.w.Grad.Data(), l.in)
	if l.b != nil {
		bg := l.b.Grad.Data()
		clear(bg)
		for r := range n {
			asm.Axpy(bg, 1, gz[r*l.out:(r+1)*l.out])
		}
	}
}

// softmaxCE computes the mean cross-entropy of the logits z (n×c)
// against labels, and e = (softmax(z) − onehot(labels))/n, the gradient of
// that loss with respect to z. e must not alias z.
func softmaxCE(e, z []float32, labels []int32, n, c int) float32 {
	var loss float64
	for r := range n {
		row, er := z[r*c:(r+1)*c], e[r*c:(r+1)*c]
		y := int(labels[r])
		if y < 0 || y >= c {
			panic(fmt.Sprintf("fgrad: cross-entropy: label %d of sample %d out of range [0, %d)", y, r, c))
		}
		m := row[0]
		for _, v := range row[1:] {
			m = max(m, v)
		}
		var s float64
		for j, v := range row {
			ev := math.Exp(float64(v - m))
			er[j] = float32(ev)
			s += ev
		}
		loss += math.Log(s) - float64(row[y]-m)
		inv := 1 / (s * float64(n))
		for j := range er {
			er[j] = float32(float64(er[j]) * inv)
		}
		er[y] -= float32(1 / float64(n))
	}
	return float32(loss / float64(n))
}

// rowDots sets out[r] = ⟨a_r, b_r⟩ for the n rows of width w of a and b.
func rowDots(out, a, b []float32, n, w int) {
	for r := range n {
		out[r] = asm.Dot(a[r*w:(r+1)*w], b[r*w:(r+1)*w])
	}
}

// layerParams lists the parameters of the view in model order.
func layerParams(ls []dense) []*autodiff.Var {
	var ps []*autodiff.Var
	for _, l := range ls {
		ps = append(ps, l.w)
		if l.b != nil {
			ps = append(ps, l.b)
		}
	}
	return ps
}

// primal is a forward pass of an MLP that keeps every layer's
// pre-activation z and output h (h aliases z without ReLU), the memory
// DFA, fg-activity and fg-local need for their weight updates.
type primal struct {
	ls     []dense
	params []*autodiff.Var
	z, h   [][]float32
	e      []float32 // (softmax − onehot)/N of the logits
	n      int
}

func newPrimal(ls []dense) *primal {
	return &primal{ls: ls, params: layerParams(ls), z: make([][]float32, len(ls)), h: make([][]float32, len(ls))}
}

// input returns the primal input of layer l.
func (p *primal) input(x []float32, l int) []float32 {
	if l == 0 {
		return x
	}
	return p.h[l-1]
}

// layer computes z and h of layer l from its input.
func (p *primal) layer(x []float32, l int) {
	d := &p.ls[l]
	p.z[l] = grow(p.z[l], p.n*d.out)
	d.linearTo(p.z[l], p.input(x, l), p.n)
	if d.relu {
		p.h[l] = grow(p.h[l], p.n*d.out)
		asm.ReluForwardTo(p.h[l], p.z[l])
	} else {
		p.h[l] = p.z[l]
	}
}

// loss computes e and the loss from the last layer's output.
func (p *primal) loss(labels []int32) float32 {
	last := len(p.ls) - 1
	c := p.ls[last].out
	p.e = grow(p.e, p.n*c)
	return softmaxCE(p.e, p.h[last], labels, p.n, c)
}

// begin checks the batch and sets n; it returns x's data.
func (p *primal) begin(op string, x *tensor.Tensor, labels []int32) []float32 {
	p.n = batchShape(op, x, labels, p.ls[0].in)
	ensureGrads(p.params)
	return x.Contiguous().Data()
}
