package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// eps32 is the float32 unit roundoff, 2⁻²⁴.
const eps32 = 1.0 / (1 << 24)

// quadratic returns f(x) = ½ xᵀAx for a parameter x [n, 1], with A [n, n]
// bound as data.
func quadratic(a *tensor.Tensor, x *Var) Func {
	return func(t *Tape) *Var {
		ax := MatMul(t.Input(a), x, false, false)
		return Scale(Sum(Mul(x, ax)), 0.5)
	}
}

// matVec64 returns M·v in float64 and Σⱼ |Mᵢⱼ vⱼ| per row (the scale of
// the rounding error of the float32 product).
func matVec64(m []float32, v []float32, n int) (mv, abs []float64) {
	mv, abs = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			p := float64(m[i*n+j]) * float64(v[j])
			mv[i] += p
			abs[i] += math.Abs(p)
		}
	}
	return mv, abs
}

// checkQuadratic checks HVP of ½ xᵀAx against the exact ½(A + Aᵀ)·v and
// its gradient against ½(A + Aᵀ)·x, to float32 accuracy: each element
// within 8n·2⁻²⁴ of Σⱼ |Sᵢⱼ vⱼ| (a few roundings per product term).
func checkQuadratic(t *testing.T, a *tensor.Tensor, n int, rng *rand.Rand) {
	t.Helper()
	ad := a.Data()
	sym := make([]float32, n*n) // ½(A + Aᵀ), exact in float32 up to one rounding
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			sym[i*n+j] = float32(0.5 * (float64(ad[i*n+j]) + float64(ad[j*n+i])))
		}
	}
	x := NewParam("x", tensor.RandN(rng, 1, n, 1))
	v := tensor.RandN(rng, 1, n, 1)
	grads, hv := HVP(quadratic(a, x), []*Var{x}, []*tensor.Tensor{v})
	for _, c := range []struct {
		what      string
		got, vec  []float32
		wantShape []int
	}{
		{"gradient", grads[0].Data(), x.Value.Data(), grads[0].Shape()},
		{"HVP", hv[0].Data(), v.Data(), hv[0].Shape()},
	} {
		want, scale := matVec64(sym, c.vec, n)
		for i, g := range c.got {
			if d := math.Abs(float64(g) - want[i]); d > 8*float64(n)*eps32*scale[i] {
				t.Errorf("%s[%d] = %.9g, want %.9g (error %.3g, bound %.3g)", c.what, i, g, want[i], d, 8*float64(n)*eps32*scale[i])
			}
		}
	}
	if x.Tangent != nil {
		t.Error("HVP left a tangent on x")
	}
}

// TestHVPQuadraticSymmetric: for symmetric A the Hessian of ½ xᵀAx is A,
// so HVP returns A·v and the gradient A·x.
func TestHVPQuadraticSymmetric(t *testing.T) {
	rng := tensor.NewRNG(10)
	for _, n := range []int{1, 6, 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b := tensor.RandN(rng, 1, n, n).Data()
			a := tensor.New(n, n)
			ad := a.Data()
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					ad[i*n+j] = b[i*n+j] + b[j*n+i]
				}
			}
			checkQuadratic(t, a, n, rng)
		})
	}
}

// TestHVPQuadraticNonSymmetric: for any A the Hessian of ½ xᵀAx is
// ½(A + Aᵀ).
func TestHVPQuadraticNonSymmetric(t *testing.T) {
	rng := tensor.NewRNG(11)
	for _, n := range []int{2, 7, 16} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			checkQuadratic(t, tensor.RandN(rng, 1, n, n), n, rng)
		})
	}
}

// axpy returns a new tensor x + s·d for each pair.
func axpy(xs, ds []*tensor.Tensor, s float32) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(xs))
	for i, x := range xs {
		y := x.Clone()
		yd, dd := y.Data(), ds[i].Data()
		for k := range yd {
			yd[k] += s * dd[k]
		}
		out[i] = y
	}
	return out
}

// gradAt returns the gradient of f with the params' values replaced by
// values (restored afterwards).
func gradAt(f Func, params []*Var, values []*tensor.Tensor) []*tensor.Tensor {
	old := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		old[i], p.Value = p.Value, values[i]
	}
	defer func() {
		for i, p := range params {
			p.Value = old[i]
		}
	}()
	_, g := Grad(f, params)
	return g
}

// checkHVPByDifferences compares HVP(f, params, v) with central
// differences of gradients, D(ε) = (∇f(θ + εv) − ∇f(θ − εv)) / 2ε,
// extrapolated (Richardson) to (4·D(ε/2) − D(ε))/3, whose truncation
// error is O(ε⁴): the difference may not exceed tol of the norm of H·v,
// per parameter tensor. It also checks that HVP's gradient is Grad's, bit
// for bit.
func checkHVPByDifferences(t *testing.T, f Func, params []*Var, v []*tensor.Tensor, eps float32, tol float64) {
	t.Helper()
	theta := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		theta[i] = p.Value
	}
	grads, hv := HVP(f, params, v)
	_, g0 := Grad(f, params)
	for i := range grads {
		if !bitsEqual(grads[i].Data(), g0[i].Data()) {
			t.Errorf("%s: HVP's gradient differs from Grad's", params[i].Name)
		}
	}
	diff := func(eps float32) []*tensor.Tensor {
		gp := gradAt(f, params, axpy(theta, v, eps))
		gm := gradAt(f, params, axpy(theta, v, -eps))
		for i := range gp {
			d, m := gp[i].Data(), gm[i].Data()
			for k := range d {
				d[k] = float32((float64(d[k]) - float64(m[k])) / (2 * float64(eps)))
			}
		}
		return gp
	}
	d1, d2 := diff(eps), diff(eps/2)
	var errSq, normSq float64
	for i := range hv {
		var e, n float64
		for k, h := range hv[i].Data() {
			fd := (4*float64(d2[i].Data()[k]) - float64(d1[i].Data()[k])) / 3
			e += (float64(h) - fd) * (float64(h) - fd)
			n += fd * fd
		}
		errSq += e
		normSq += n
		if math.Sqrt(e) > tol*math.Sqrt(n)+1e-6 {
			t.Errorf("%s: ‖Hv − finite differences‖ = %.3g, ‖finite differences‖ = %.3g", params[i].Name, math.Sqrt(e), math.Sqrt(n))
		}
	}
	if normSq == 0 {
		t.Fatal("H·v is zero: the check cannot fail")
	}
	t.Logf("‖Hv − finite differences‖ / ‖Hv‖ = %.3g", math.Sqrt(errSq/normSq))
}

// checkHVPSymmetric checks ⟨u, H v⟩ = ⟨v, H u⟩ to float32 accuracy.
func checkHVPSymmetric(t *testing.T, f Func, params []*Var, u, v []*tensor.Tensor) {
	t.Helper()
	_, hv := HVP(f, params, v)
	_, hu := HVP(f, params, u)
	var uhv, vhu, scale float64
	for i := range hv {
		uhv += dot64(u[i].Data(), hv[i].Data())
		vhu += dot64(v[i].Data(), hu[i].Data())
		scale += norm64(u[i].Data())*norm64(hv[i].Data()) + norm64(v[i].Data())*norm64(hu[i].Data())
	}
	if math.Abs(uhv-vhu) > 1e-5*scale {
		t.Errorf("⟨u, Hv⟩ = %.9g, ⟨v, Hu⟩ = %.9g", uhv, vhu)
	}
}

var hvpActs = []struct {
	name string
	f    func(*Var) *Var
}{{"tanh", Tanh}, {"gelu", GELU}, {"sigmoid", Sigmoid}}

// TestHVPMLP checks HVP on a 5-7-3 MLP with cross-entropy against finite
// differences of gradients, for smooth activations.
func TestHVPMLP(t *testing.T) {
	for i, act := range hvpActs {
		t.Run(act.name, func(t *testing.T) {
			rng := tensor.NewRNG(uint64(20 + i))
			m := newTestMLP(rng, act.f, 5, 7, 3)
			x, labels := testBatch(rng, 10, 5, 3)
			f := m.loss(x, labels)
			checkHVPByDifferences(t, f, m.params, randLike(rng, m.params), 1e-2, 1e-4)
			checkHVPSymmetric(t, f, m.params, randLike(rng, m.params), randLike(rng, m.params))
		})
	}
}

// TestHVPDeepMLP: a 4-6-6-5-3 MLP, where the Hessian couples every layer
// pair.
func TestHVPDeepMLP(t *testing.T) {
	rng := tensor.NewRNG(30)
	m := newTestMLP(rng, Tanh, 4, 6, 6, 5, 3)
	x, labels := testBatch(rng, 8, 4, 3)
	f := m.loss(x, labels)
	checkHVPByDifferences(t, f, m.params, randLike(rng, m.params), 1e-2, 1e-4)
	checkHVPSymmetric(t, f, m.params, randLike(rng, m.params), randLike(rng, m.params))
}

// TestHVPFullHessianSymmetric builds the whole Hessian of a 3-4-2 MLP
// column by column (one HVP per unit vector) and checks Hᵢⱼ = Hⱼᵢ.
func TestHVPFullHessianSymmetric(t *testing.T) {
	rng := tensor.NewRNG(31)
	m := newTestMLP(rng, GELU, 3, 4, 2)
	x, labels := testBatch(rng, 6, 3, 2)
	f := m.loss(x, labels)
	var total int
	for _, p := range m.params {
		total += p.Value.Size()
	}
	h := make([][]float32, total) // h[j] is column j: H·eⱼ
	unit := make([]*tensor.Tensor, len(m.params))
	for i, p := range m.params {
		unit[i] = tensor.New(p.Shape()...)
	}
	j := 0
	for i := range m.params {
		for k := range unit[i].Data() {
			unit[i].Data()[k] = 1
			_, hv := HVP(f, m.params, unit)
			unit[i].Data()[k] = 0
			for _, c := range hv {
				h[j] = append(h[j], c.Data()...)
			}
			j++
		}
	}
	var maxAbs float64
	for _, col := range h {
		for _, v := range col {
			maxAbs = max(maxAbs, math.Abs(float64(v)))
		}
	}
	if maxAbs == 0 {
		t.Fatal("the Hessian is zero")
	}
	for a := 0; a < total; a++ {
		for b := a + 1; b < total; b++ {
			if d := math.Abs(float64(h[a][b]) - float64(h[b][a])); d > 1e-5*maxAbs {
				t.Errorf("H[%d][%d] = %.8g, H[%d][%d] = %.8g", b, a, h[a][b], a, b, h[b][a])
			}
		}
	}
}

// testCNN is conv(3×3, pad 1) → tanh → pool → linear → cross-entropy on
// [N, 1, 6, 6] images.
type testCNN struct {
	params []*Var // conv w [3, 1, 3, 3], conv b [3], fc w [27, 4], fc b [4]
	pool   func(*Var) *Var
}

func newTestCNN(rng *rand.Rand, pool func(*Var) *Var) *testCNN {
	return &testCNN{pool: pool, params: []*Var{
		NewParam("conv.w", tensor.RandN(rng, 0.5, 3, 1, 3, 3)),
		NewParam("conv.b", tensor.RandN(rng, 0.1, 3)),
		NewParam("fc.w", tensor.RandN(rng, 0.3, 27, 4)),
		NewParam("fc.b", tensor.RandN(rng, 0.1, 4)),
	}}
}

func (m *testCNN) loss(x *tensor.Tensor, labels []int32) Func {
	return func(t *Tape) *Var {
		p := m.params
		h := Tanh(Conv2d(t.Input(x), p[0], p[1], 1, 1)) // [N, 3, 6, 6]
		h = Flatten(m.pool(h))                          // [N, 27]
		return CrossEntropy(Add(MatMul(h, p[2], false, false), p[3]), labels)
	}
}

// TestHVPCNN checks HVP through Conv2d and pooling against finite
// differences of gradients. Max pooling is piecewise linear: the step is
// small enough that no window's maximum changes along ±εv.
func TestHVPCNN(t *testing.T) {
	for i, c := range []struct {
		name string
		pool func(*Var) *Var
		eps  float32
		tol  float64 // float32 roundoff in the differences grows as 1/ε
	}{
		{"maxpool", func(x *Var) *Var { return MaxPool2d(x, 2, 2) }, 1e-3, 5e-4},
		{"avgpool", func(x *Var) *Var { return AvgPool2d(x, 2, 2) }, 1e-2, 1e-4},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := tensor.NewRNG(uint64(40 + i))
			m := newTestCNN(rng, c.pool)
			x := tensor.RandN(rng, 1, 3, 1, 6, 6)
			labels := []int32{0, 3, 1}
			f := m.loss(x, labels)
			checkHVPByDifferences(t, f, m.params, randLike(rng, m.params), c.eps, c.tol)
			checkHVPSymmetric(t, f, m.params, randLike(rng, m.params), randLike(rng, m.params))
		})
	}
}
