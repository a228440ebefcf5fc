package optim

import (
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// g34LSQ is f(w) = (1/b)·Σ_i ½(a_iᵀw − y_i)² over the rows a_i of a
// (b rows of len(w)), one parameter w; it splits into sub-batches.
type g34LSQ struct {
	w *autodiff.Var
	a [][]float64
	y []float64
}

func (q *g34LSQ) Params() []*autodiff.Var { return []*autodiff.Var{q.w} }
func (q *g34LSQ) BatchLen() int           { return len(q.a) }

func (q *g34LSQ) lossGrad(lo, hi int, grad bool) float32 {
	w := q.w.Value.Data()
	if grad {
		if q.w.Grad == nil {
			q.w.Grad = tensor.New(len(w))
		}
		q.w.Grad.Zero()
	}
	var f float64
	m := float64(hi - lo)
	for i := lo; i < hi; i++ {
		r := -q.y[i]
		for j, x := range q.a[i] {
			r += x * float64(w[j])
		}
		f += 0.5 * r * r / m
		if grad {
			for j, x := range q.a[i] {
				q.w.Grad.Data()[j] += float32(r * x / m)
			}
		}
	}
	return float32(f)
}

func (q *g34LSQ) Loss() float32                     { return q.lossGrad(0, len(q.a), false) }
func (q *g34LSQ) Gradient() float32                 { return q.lossGrad(0, len(q.a), true) }
func (q *g34LSQ) SubsetGradient(lo, hi int) float32 { return q.lossGrad(lo, hi, true) }

func (q *g34LSQ) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	out := tensor.New(len(q.w.Value.Data()))
	b := float64(len(q.a))
	for _, row := range q.a {
		var av float64
		for j, x := range row {
			av += x * float64(v[0].Data()[j])
		}
		for j, x := range row {
			out.Data()[j] += float32(av * x / b)
		}
	}
	return []*tensor.Tensor{out}
}

// g34Rosen is the Rosenbrock function (1−x)² + 100·(y−x²)² over two
// one-element parameters, as an Objective.
type g34Rosen struct{ x, y *autodiff.Var }

func (r *g34Rosen) Params() []*autodiff.Var { return []*autodiff.Var{r.x, r.y} }
func (r *g34Rosen) xy() (float64, float64) {
	return float64(r.x.Value.Data()[0]), float64(r.y.Value.Data()[0])
}
func (r *g34Rosen) Loss() float32 {
	x, y := r.xy()
	return float32((1-x)*(1-x) + 100*(y-x*x)*(y-x*x))
}
func (r *g34Rosen) Gradient() float32 {
	x, y := r.xy()
	for _, p := range r.Params() {
		if p.Grad == nil {
			p.Grad = tensor.New(1)
		}
	}
	r.x.Grad.Data()[0] = float32(-2*(1-x) - 400*x*(y-x*x))
	r.y.Grad.Data()[0] = float32(200 * (y - x*x))
	return r.Loss()
}
func (r *g34Rosen) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	x, y := r.xy()
	get := func(i int) float64 {
		if v[i] == nil {
			return 0
		}
		return float64(v[i].Data()[0])
	}
	vx, vy := get(0), get(1)
	hxx, hxy, hyy := 2-400*(y-x*x)+800*x*x, -400*x, 200.0
	return []*tensor.Tensor{tensor.FromSlice([]float32{float32(hxx*vx + hxy*vy)}, 1),
		tensor.FromSlice([]float32{float32(hxy*vx + hyy*vy)}, 1)}
}
