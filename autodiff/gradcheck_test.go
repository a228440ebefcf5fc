package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// An opCase is one row of the op table: a function of some inputs that
// exercises the op named by op in its forward pass.
type opCase struct {
	name   string
	op     string                    // the registered op this case checks
	shapes [][]int                   // input shapes
	gen    []gen                     // input generators (default normal)
	f      func(in []*Var) *Var      // the function under test
	tol    float64                   // relative tolerance for finite differences (default 1e-2)
	noHVP  bool                      // skip the Hessian-vector check (state why in name)
	fixed  func(in []*tensor.Tensor) // optional: adjust generated inputs
}

// gen makes an input tensor.
type gen int

const (
	genNormal   gen = iota // N(0, 1)
	genPositive            // uniform [0.5, 2]
	genAwayZero            // N(0,1) with |x| >= 0.2 (kinked ops)
	genDistinct            // a shuffled grid of distinct values (max, pooling)
)

func makeInput(rng *rand.Rand, g gen, shape []int) *tensor.Tensor {
	x := tensor.New(shape...)
	d := x.Data()
	switch g {
	case genNormal:
		tensor.FillNormal(rng, d, 1)
	case genPositive:
		tensor.FillUniform(rng, d, 0.5, 2)
	case genAwayZero:
		tensor.FillNormal(rng, d, 1)
		for i, v := range d {
			if math.Abs(float64(v)) < 0.2 {
				d[i] = float32(math.Copysign(0.2+float64(i%5)*0.1, float64(v)))
			}
		}
	case genDistinct:
		for i := range d {
			d[i] = float32(i)*0.25 - float32(len(d))*0.125
		}
		rng.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
	}
	return x
}

// evalProjected returns ⟨u, f(x)⟩ in float64 on a fresh heap evaluation.
func evalProjected(c opCase, xs []*tensor.Tensor, u []float32) float64 {
	in := make([]*Var, len(xs))
	for i, x := range xs {
		in[i] = Const(x)
	}
	out := c.f(in).Value.Contiguous().Data()
	var s float64
	for i, v := range out {
		s += float64(u[i]) * float64(v)
	}
	return s
}

func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func norm64(a []float32) float64 { return math.Sqrt(dot64(a, a)) }

func closeRel(got, want, tol, scale float64) bool {
	return math.Abs(got-want) <= tol*(math.Abs(want)+scale)
}

// checkOp runs the check_grads battery on one case:
//  1. JVP against central finite differences along a random direction;
//  2. VJP (Backward on a tape) against central finite differences of
//     ⟨u, f⟩ for every input coordinate;
//  3. ⟨u, J v⟩ = ⟨Jᵀ u, v⟩ to float32 accuracy;
//  4. the Hessian-vector product of ⟨u, f⟩ against finite differences of
//     gradients.
func checkOp(t *testing.T, c opCase, seed uint64) {
	t.Helper()
	rng := tensor.NewRNG(seed)
	tol := c.tol
	if tol == 0 {
		tol = 1e-2
	}
	xs := make([]*tensor.Tensor, len(c.shapes))
	vs := make([]*tensor.Tensor, len(c.shapes))
	for i, s := range c.shapes {
		g := genNormal
		if i < len(c.gen) {
			g = c.gen[i]
		}
		xs[i] = makeInput(rng, g, s)
		vs[i] = tensor.RandN(rng, 1, s...)
	}
	if c.fixed != nil {
		c.fixed(xs)
	}

	// Forward on a recording tape with tangents: value and JVP at once.
	tp := NewTape()
	params := make([]*Var, len(xs))
	bound := make([]*Var, len(xs))
	for i, x := range xs {
		params[i] = NewParam(fmt.Sprint("x", i), x)
		params[i].Tangent = vs[i]
		bound[i] = tp.Bind(params[i])
	}
	out := c.f(bound)
	if out.Tangent == nil {
		t.Fatalf("%s: no tangent on the output", c.name)
	}
	outShape := append([]int(nil), out.Value.Shape()...) // out is recycled by Reset
	y := out.Value.Contiguous().Data()
	jv := out.Tangent.Contiguous().Data()
	u := make([]float32, len(y))
	tensor.FillNormal(rng, u, 1)

	// 1. JVP against finite differences of ⟨u, f⟩ along v (and of f itself).
	const eps = 1e-2
	plus, minus := shifted(xs, vs, eps), shifted(xs, vs, -eps)
	fd := (evalProjected(c, plus, u) - evalProjected(c, minus, u)) / (2 * eps)
	ujv := dot64(u, jv)
	if !closeRel(ujv, fd, tol, 1e-2*norm64(u)) {
		t.Errorf("%s: JVP ⟨u, Jv⟩ = %.6g, finite differences %.6g", c.name, ujv, fd)
	}

	// 2. VJP via Backward of ⟨u, f⟩.
	for _, p := range params {
		p.Tangent = nil
	}
	tp.Reset()
	for i := range params {
		bound[i] = tp.Bind(params[i])
	}
	uv := tp.Input(tensor.FromSlice(u, outShape...))
	loss := Sum(Mul(c.f(bound), uv))
	tp.Backward(loss)
	var jtuv float64
	for i, p := range params {
		if p.Grad == nil {
			t.Fatalf("%s: no gradient for input %d", c.name, i)
		}
		gd := p.Grad.Data()
		jtuv += dot64(gd, vs[i].Data())
		xd := xs[i].Data()
		for k := range xd {
			orig := xd[k]
			xd[k] = orig + eps
			fp := evalProjected(c, xs, u)
			xd[k] = orig - eps
			fm := evalProjected(c, xs, u)
			xd[k] = orig
			want := (fp - fm) / (2 * eps)
			if !closeRel(float64(gd[k]), want, tol, 1e-2*norm64(u)) {
				t.Errorf("%s: VJP input %d [%d] = %.6g, finite differences %.6g", c.name, i, k, gd[k], want)
				break
			}
		}
	}

	// 3. The inner-product identity, with no finite differences.
	if !closeRel(jtuv, ujv, 1e-4, 1e-4*norm64(u)) {
		t.Errorf("%s: ⟨Jᵀu, v⟩ = %.8g but ⟨u, Jv⟩ = %.8g", c.name, jtuv, ujv)
	}

	// 4. HVP of ⟨u, f⟩ against finite differences of its gradient.
	if c.noHVP {
		return
	}
	hvFn := func(xs []*tensor.Tensor) Func {
		return func(t *Tape) *Var {
			in := make([]*Var, len(xs))
			for i, p := range params {
				p.Value = xs[i]
				in[i] = t.Bind(p)
			}
			return Sum(Mul(c.f(in), t.Input(tensor.FromSlice(u, outShape...))))
		}
	}
	_, hv := HVP(hvFn(xs), params, vs)
	_, gp := Grad(hvFn(plus), params)
	_, gm := Grad(hvFn(minus), params)
	for i := range params {
		params[i].Value = xs[i]
	}
	for i := range hv {
		for k, h := range hv[i].Data() {
			want := (float64(gp[i].Data()[k]) - float64(gm[i].Data()[k])) / (2 * eps)
			if !closeRel(float64(h), want, 3*tol, 2e-2*norm64(u)) {
				t.Errorf("%s: HVP input %d [%d] = %.6g, finite differences of gradients %.6g", c.name, i, k, h, want)
				break
			}
		}
	}
}

func shifted(xs, vs []*tensor.Tensor, eps float32) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(xs))
	for i, x := range xs {
		s := x.Clone()
		d, v := s.Data(), vs[i].Data()
		for k := range d {
			d[k] += eps * v[k]
		}
		out[i] = s
	}
	return out
}
