package autodiff

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/asm"

	"github.com/gograd/gograd/tensor"
)

// fn is a scalar function applied elementwise, with its first and second
// derivatives: enough for the gradient (first) and its JVP, which
// Hessian-vector products need (second).
type fn struct {
	name  string
	alpha float32 // pow's exponent, leaky relu's negative slope
}

// eval returns the order-th derivative of f at x (order 0 is f itself).
// y is f(x) when the caller has it (used by tanh and sigmoid), else NaN.
func (f fn) eval(order int, x float64) float64 {
	a := float64(f.alpha)
	switch f.name {
	case "exp":
		return math.Exp(x)
	case "log":
		switch order {
		case 0:
			return math.Log(x)
		case 1:
			return 1 / x
		case 2:
			return -1 / (x * x)
		}
	case "sqrt":
		switch order {
		case 0:
			return math.Sqrt(x)
		case 1:
			return 0.5 / math.Sqrt(x)
		case 2:
			return -0.25 / (x * math.Sqrt(x))
		}
	case "square":
		switch order {
		case 0:
			return x * x
		case 1:
			return 2 * x
		case 2:
			return 2
		}
	case "pow":
		switch order {
		case 0:
			return math.Pow(x, a)
		case 1:
			return a * math.Pow(x, a-1)
		case 2:
			return a * (a - 1) * math.Pow(x, a-2)
		}
	case "abs":
		switch order {
		case 0:
			return math.Abs(x)
		case 1:
			if x > 0 {
				return 1
			} else if x < 0 {
				return -1
			}
			return 0
		case 2:
			return 0
		}
	case "relu":
		switch order {
		case 0:
			return math.Max(x, 0)
		case 1:
			if x > 0 {
				return 1
			}
			return 0
		case 2:
			return 0
		}
	case "leakyrelu":
		switch order {
		case 0:
			if x > 0 {
				return x
			}
			return a * x
		case 1:
			if x > 0 {
				return 1
			}
			return a
		case 2:
			return 0
		}
	case "tanh":
		y := math.Tanh(x)
		switch order {
		case 0:
			return y
		case 1:
			return 1 - y*y
		case 2:
			return -2 * y * (1 - y*y)
		}
	case "sigmoid":
		s := sigmoid64(x)
		switch order {
		case 0:
			return s
		case 1:
			return s * (1 - s)
		case 2:
			return s * (1 - s) * (1 - 2*s)
		}
	case "gelu":
		// Exact GELU, x·Φ(x), as torch.nn.GELU() by default.
		cdf := 0.5 * (1 + math.Erf(x/math.Sqrt2))
		pdf := math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
		switch order {
		case 0:
			return x * cdf
		case 1:
			return cdf + x*pdf
		case 2:
			return pdf * (2 - x*x)
		}
	}
	panic(fmt.Sprintf("autodiff: %s: derivative of order %d is not available", f.name, order))
}

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// apply writes f^(order)(x) into dst; fast float32 loops for the hot
// functions, float64 evaluation otherwise.
func (f fn) apply(order int, dst, x []float32) {
	x = x[:len(dst)]
	switch {
	case f.name == "relu" && order == 0:
		if parts(len(dst), len(dst)) == 1 {
			asm.ReluForwardTo(dst, x) // no closure: nothing escapes
		} else {
			parallelRange(len(dst), func(lo, hi int) { asm.ReluForwardTo(dst[lo:hi], x[lo:hi]) })
		}
	case f.name == "relu" && order == 1:
		for i, v := range x {
			dst[i] = 0
			if v > 0 {
				dst[i] = 1
			}
		}
	case f.name == "relu" && order == 2:
		clear(dst)
	case f.name == "square" && order == 0:
		for i, v := range x {
			dst[i] = v * v
		}
	case f.name == "exp" && order == 0:
		for i, v := range x {
			dst[i] = float32(math.Exp(float64(v)))
		}
	default:
		for i, v := range x {
			dst[i] = float32(f.eval(order, float64(v)))
		}
	}
}

// unaryOp applies f elementwise.
type unaryOp struct{ f fn }

func init() {
	for _, n := range []string{"exp", "log", "sqrt", "square", "pow", "abs", "relu", "leakyrelu", "tanh", "sigmoid", "gelu"} {
		registerOp(n)
	}
}

func (o *unaryOp) Name() string { return o.f.name }

func (o *unaryOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	x := in[0].Value
	out := t.alloc(x.Shape()...)
	o.f.apply(0, out.Data(), x.Data())
	return out
}

// JVP: d f(x) = f'(x)·dx.
func (o *unaryOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	x, dx := in[0].Value, in[0].Tangent
	res := t.alloc(x.Shape()...)
	derivMulInto(o.f, 1, res.Data(), dx.Data(), x.Data())
	return res
}

// VJP: x̄ = f'(x)·ḡ, one derivMul op so that its JVP (which needs f”) is
// available for Hessian-vector products.
func (o *unaryOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = apply(&derivMulOp{f: o.f, order: 1}, g, in[0])
}

// derivMulInto computes dst = f^(order)(x)·g.
func derivMulInto(f fn, order int, dst, g, x []float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	switch {
	case f.name == "relu" && order == 1:
		if parts(len(dst), len(dst)) == 1 {
			asm.ReluBackwardTo(dst, g, x)
		} else {
			parallelRange(len(dst), func(lo, hi int) { asm.ReluBackwardTo(dst[lo:hi], g[lo:hi], x[lo:hi]) })
		}
	case (f.name == "relu" || f.name == "leakyrelu" || f.name == "abs") && order == 2:
		clear(dst)
	case f.name == "square" && order == 1:
		for i, v := range x {
			dst[i] = 2 * v * g[i]
		}
	default:
		for i, v := range x {
			dst[i] = float32(f.eval(order, float64(v)) * float64(g[i]))
		}
	}
}

// derivMulOp computes f^(order)(x)·g from inputs (g, x): the backward
// rule of a unary op, itself an op so that the backward pass can carry
// tangents.
type derivMulOp struct {
	f     fn
	order int
}

var derivMulName = registerOp("derivmul")

func (o *derivMulOp) Name() string { return derivMulName }

func (o *derivMulOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	g, x := in[0].Value, in[1].Value
	if !tensor.SameShape(g, x) {
		panic(&tensor.ShapeError{Op: derivMulName, Reason: "shapes differ", Shapes: [][]int{g.Shape(), x.Shape()}})
	}
	out := t.alloc(x.Shape()...)
	derivMulInto(o.f, o.order, out.Data(), g.Data(), x.Data())
	return out
}

// JVP: d(f⁽ᵏ⁾(x)·g) = f⁽ᵏ⁾(x)·dg + f⁽ᵏ⁺¹⁾(x)·g·dx.
func (o *derivMulOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	g, x := in[0], in[1]
	res := t.zeros(x.Shape()...)
	tmp := t.alloc(x.Shape()...)
	if g.Tangent != nil {
		derivMulInto(o.f, o.order, tmp.Data(), g.Tangent.Data(), x.Value.Data())
		addInPlace(res.Data(), tmp.Data())
	}
	if x.Tangent != nil {
		binaryTo(kindMul, tmp.Data(), g.Value.Data(), x.Tangent.Data(), x.Shape(), x.Shape(), x.Shape())
		derivMulInto(o.f, o.order+1, tmp.Data(), tmp.Data(), x.Value.Data())
		addInPlace(res.Data(), tmp.Data())
	}
	return res
}

// VJP: ḡ = f⁽ᵏ⁾(x)·c, x̄ = f⁽ᵏ⁺¹⁾(x)·g·c.
func (o *derivMulOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	g, x := in[0], in[1]
	if g.needsGrad() {
		grads[0] = apply(&derivMulOp{f: o.f, order: o.order}, c, x)
	}
	if x.needsGrad() {
		grads[1] = apply(&derivMulOp{f: o.f, order: o.order + 1}, Mul(g, c), x)
	}
}

func unary(name string, alpha float32, x *Var) *Var {
	return apply(&unaryOp{f: fn{name: name, alpha: alpha}}, x)
}

// Exp returns eˣ elementwise.
func Exp(x *Var) *Var { return unary("exp", 0, x) }

// Log returns the natural logarithm elementwise.
func Log(x *Var) *Var { return unary("log", 0, x) }

// Sqrt returns the square root elementwise.
func Sqrt(x *Var) *Var { return unary("sqrt", 0, x) }

// Square returns x² elementwise.
func Square(x *Var) *Var { return unary("square", 0, x) }

// Pow returns xᵖ elementwise for a constant exponent p.
func Pow(x *Var, p float32) *Var { return unary("pow", p, x) }

// Abs returns |x| elementwise; its derivative at 0 is 0.
func Abs(x *Var) *Var { return unary("abs", 0, x) }

// ReLU returns max(x, 0) elementwise; its derivative at 0 is 0, as in
// PyTorch.
func ReLU(x *Var) *Var { return unary("relu", 0, x) }

// LeakyReLU returns x for x > 0 and slope·x otherwise.
func LeakyReLU(x *Var, slope float32) *Var { return unary("leakyrelu", slope, x) }

// Tanh returns tanh(x) elementwise.
func Tanh(x *Var) *Var { return unary("tanh", 0, x) }

// Sigmoid returns 1/(1+e⁻ˣ) elementwise.
func Sigmoid(x *Var) *Var { return unary("sigmoid", 0, x) }

// GELU returns x·Φ(x) elementwise (the exact form, torch.nn.GELU's
// default).
func GELU(x *Var) *Var { return unary("gelu", 0, x) }

// scaleOp multiplies by a constant.
type scaleOp struct{ s float32 }

var scaleName = registerOp("scale")

func (o *scaleOp) Name() string { return scaleName }

func (o *scaleOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	x := in[0].Value
	out := t.alloc(x.Shape()...)
	scaleInto(out.Data(), x.Data(), o.s)
	return out
}

func (o *scaleOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	dx := in[0].Tangent
	res := t.alloc(dx.Shape()...)
	scaleInto(res.Data(), dx.Data(), o.s)
	return res
}

func (o *scaleOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = Scale(g, o.s)
}

func scaleInto(dst, x []float32, s float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = v * s
	}
}

// Scale returns s·x for a constant s.
func Scale(x *Var, s float32) *Var { return apply(&scaleOp{s: s}, x) }

// Neg returns -x.
func Neg(x *Var) *Var { return Scale(x, -1) }

// AddScalar returns x + s for a constant s.
func AddScalar(x *Var, s float32) *Var {
	return Add(x, constLike(x, s))
}

// constLike returns a scalar constant on x's tape.
func constLike(x *Var, s float32) *Var {
	t := x.tape
	v := t.newVar()
	v.Value = t.alloc()
	v.Value.Data()[0] = s
	v.Name = "const"
	return v
}

func exp64(x float32) float64 { return math.Exp(float64(x)) }
