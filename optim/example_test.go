package optim_test

import (
	"fmt"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/optim"
	"github.com/gograd/gograd/tensor"
)

// An optimizer loop on the parabola f(x) = (x − 3)², whose minimum is at
// x = 3: compute the gradient on a tape, step, repeat.
func Example() {
	x := autodiff.NewParam("x", tensor.Scalar(0))
	opt, err := optim.NewSGD([]*autodiff.Var{x}, optim.SGDConfig{LR: 0.1, Momentum: 0.5})
	if err != nil {
		panic(err)
	}
	tp := autodiff.NewTape()
	for step := range 40 {
		tp.Reset()
		loss := autodiff.Square(autodiff.AddScalar(tp.Bind(x), -3))
		opt.ZeroGrad()
		tp.Backward(loss)
		opt.Step()
		if step%10 == 0 {
			fmt.Printf("step %2d: loss %.4f, x %.4f\n", step, loss.Item(), x.Item())
		}
	}
	fmt.Printf("x = %.4f\n", x.Item())
	// Output:
	// step  0: loss 9.0000, x 0.6000
	// step 10: loss 0.0095, x 3.0516
	// step 20: loss 0.0000, x 3.0004
	// step 30: loss 0.0000, x 2.9999
	// x = 3.0000
}

// Building an optimizer from its registry name and command-line style
// arguments, and adding a parameter group without weight decay.
func ExampleNew() {
	w := autodiff.NewParam("w", tensor.Full(1, 4))
	b := autodiff.NewParam("b", tensor.Full(1, 4))
	args, _ := optim.ParseArgs("beta2=0.99,eps=1e-6")
	opt, err := optim.New("adamw", []*autodiff.Var{w}, 1e-3, 0.1, args)
	if err != nil {
		panic(err)
	}
	if err := opt.AddParamGroup([]*autodiff.Var{b}, optim.WithWeightDecay(0)); err != nil {
		panic(err)
	}
	for _, g := range opt.Groups() {
		fmt.Printf("%s: lr %g, weight decay %g\n", g.Params[0].Name, g.LR, g.WeightDecay)
	}
	d, _ := optim.Defaults("adamw")
	fmt.Println(d)
	_, err = optim.New("adam", []*autodiff.Var{w}, 1e-3, 0, map[string]string{"beta1": "1.5"})
	fmt.Println(err)
	// Output:
	// w: lr 0.001, weight decay 0.1
	// b: lr 0.001, weight decay 0
	// map[beta1:0.9 beta2:0.999 eps:1e-08 fused:true lr:0.001 weight_decay:0.01]
	// optim: adam: invalid beta1 1.5: must be in [0, 1)
}
