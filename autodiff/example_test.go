package autodiff_test

import (
	"fmt"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// The derivative of f(x) = x² + 3x at x = 2 is 2·2 + 3 = 7.
func ExampleGrad() {
	x := autodiff.NewParam("x", tensor.Scalar(2))
	f := func(t *autodiff.Tape) *autodiff.Var {
		xb := t.Bind(x) // x is the only input: bind it to the tape
		return autodiff.Add(autodiff.Square(xb), autodiff.Scale(xb, 3))
	}
	y, grads := autodiff.Grad(f, []*autodiff.Var{x})
	fmt.Printf("f(2) = %.4f\n", y)
	fmt.Printf("f'(2) = %.4f\n", grads[0].Item())
	// Output:
	// f(2) = 10.0000
	// f'(2) = 7.0000
}

// The directional derivative of f(x) = Σ xᵢ² at x = (1, 2, 3) along
// v = (1, 0, -1) is ⟨2x, v⟩ = 2 − 6 = −4, computed in one forward pass.
func ExampleJVP() {
	x := autodiff.NewParam("x", tensor.FromSlice([]float32{1, 2, 3}, 3))
	v := tensor.FromSlice([]float32{1, 0, -1}, 3)
	f := func(t *autodiff.Tape) *autodiff.Var {
		return autodiff.Sum(autodiff.Square(t.Bind(x)))
	}
	y, dy := autodiff.JVP(f, []*autodiff.Var{x}, []*tensor.Tensor{v})
	fmt.Printf("f(x) = %.4f\n", y.Item())
	fmt.Printf("∂f/∂v = %.4f\n", dy.Item())
	// Output:
	// f(x) = 14.0000
	// ∂f/∂v = -4.0000
}

// For f(x) = ½ xᵀAx with A symmetric, the gradient is A·x and the Hessian
// is A, so the Hessian-vector product along v is A·v.
func ExampleHVP() {
	a := tensor.FromSlice([]float32{
		2, 1,
		1, 3,
	}, 2, 2)
	x := autodiff.NewParam("x", tensor.FromSlice([]float32{1, 2}, 2, 1))
	v := tensor.FromSlice([]float32{1, -1}, 2, 1)
	f := func(t *autodiff.Tape) *autodiff.Var {
		ax := autodiff.MatMul(t.Input(a), x, false, false)
		return autodiff.Scale(autodiff.Sum(autodiff.Mul(x, ax)), 0.5)
	}
	grads, hv := autodiff.HVP(f, []*autodiff.Var{x}, []*tensor.Tensor{v})
	g, h := grads[0].Data(), hv[0].Data()
	fmt.Printf("A·x = (%.4f, %.4f)\n", g[0], g[1])
	fmt.Printf("A·v = (%.4f, %.4f)\n", h[0], h[1])
	// Output:
	// A·x = (4.0000, 7.0000)
	// A·v = (1.0000, -2.0000)
}

// A training loop on one tape: bind the batch with Input, run the model,
// Backward, update the parameters, and Reset so that the next step reuses
// the tape's memory. The model y = w·x + b learns y = 2x + 1; on these
// inputs gradient descent shrinks w − 2 by 0.9 and b − 1 by 0.8 per step,
// so the loss is 2·0.81ᵏ + 0.64ᵏ after k steps.
func ExampleTape_Backward() {
	w := autodiff.NewParam("w", tensor.New(1))
	b := autodiff.NewParam("b", tensor.New(1))
	xs := tensor.FromSlice([]float32{-1, -0.5, 0, 0.5, 1}, 5, 1)
	ys := tensor.FromSlice([]float32{-1, 0, 1, 2, 3}, 5, 1)
	const lr = 0.1

	tp := autodiff.NewTape()
	for step := 0; step <= 200; step++ {
		pred := autodiff.Add(autodiff.Mul(tp.Input(xs), w), b)
		loss := autodiff.MSE(pred, tp.Input(ys))
		tp.Backward(loss)
		if step == 0 || step == 5 || step == 10 || step == 20 {
			fmt.Printf("step %3d: loss %.4f\n", step, loss.Item()) // loss is valid until Reset
		}
		for _, p := range []*autodiff.Var{w, b} {
			d, g := p.Value.Data(), p.Grad.Data()
			for i := range d {
				d[i] -= lr * g[i]
			}
			p.ZeroGrad()
		}
		tp.Reset()
	}
	fmt.Printf("w = %.4f, b = %.4f\n", w.Value.Item(), b.Value.Item())
	// Output:
	// step   0: loss 3.0000
	// step   5: loss 0.8047
	// step  10: loss 0.2547
	// step  20: loss 0.0297
	// w = 2.0000, b = 1.0000
}
