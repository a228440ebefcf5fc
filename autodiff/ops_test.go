package autodiff

import (
	"slices"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// opCases is the op table: every registered op must be the op of at least
// one case (TestEveryOpIsChecked). Files that add ops append their cases
// in an init function.
var opCases = []opCase{
	{name: "identity", op: "identity", shapes: [][]int{{3, 2}}, f: func(in []*Var) *Var { return in[0] }},
	{name: "add same", op: "add", shapes: [][]int{{2, 3}, {2, 3}}, f: func(in []*Var) *Var { return Add(in[0], in[1]) }},
	{name: "add row broadcast", op: "add", shapes: [][]int{{4, 3}, {3}}, f: func(in []*Var) *Var { return Add(in[0], in[1]) }},
	{name: "add both broadcast", op: "add", shapes: [][]int{{4, 1}, {1, 3}}, f: func(in []*Var) *Var { return Add(in[0], in[1]) }},
	{name: "add batch 1", op: "add", shapes: [][]int{{1, 3}, {3}}, f: func(in []*Var) *Var { return Add(in[0], in[1]) }},
	{name: "sub broadcast", op: "sub", shapes: [][]int{{2, 3, 2}, {3, 1}}, f: func(in []*Var) *Var { return Sub(in[0], in[1]) }},
	{name: "sub scalar", op: "sub", shapes: [][]int{{}, {2, 2}}, f: func(in []*Var) *Var { return Sub(in[0], in[1]) }},
	{name: "mul same", op: "mul", shapes: [][]int{{3, 2}, {3, 2}}, f: func(in []*Var) *Var { return Mul(in[0], in[1]) }},
	{name: "mul broadcast", op: "mul", shapes: [][]int{{2, 1, 3}, {4, 1}}, f: func(in []*Var) *Var { return Mul(in[0], in[1]) }},
	{name: "mul self (fan-out)", op: "mul", shapes: [][]int{{5}}, f: func(in []*Var) *Var { return Mul(in[0], in[0]) }},
	{name: "div", op: "div", shapes: [][]int{{2, 3}, {2, 3}}, gen: []gen{genNormal, genPositive}, f: func(in []*Var) *Var { return Div(in[0], in[1]) }},
	{name: "div broadcast", op: "div", shapes: [][]int{{3}, {2, 1}}, gen: []gen{genNormal, genPositive}, f: func(in []*Var) *Var { return Div(in[0], in[1]) }},
	{name: "sumto", op: "sumto", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var { return SumTo(in[0], []int{1, 4}) }},
	{name: "sumto inner", op: "sumto", shapes: [][]int{{2, 3, 4}}, f: func(in []*Var) *Var { return SumTo(in[0], []int{3, 1}) }},
	{name: "broadcastto", op: "broadcastto", shapes: [][]int{{3, 1}}, f: func(in []*Var) *Var { return BroadcastTo(in[0], []int{2, 3, 4}) }},
	{name: "scale", op: "scale", shapes: [][]int{{4}}, f: func(in []*Var) *Var { return Scale(in[0], -2.5) }},
	{name: "neg", op: "scale", shapes: [][]int{{2, 2}}, f: func(in []*Var) *Var { return Neg(in[0]) }},
	{name: "exp", op: "exp", shapes: [][]int{{2, 3}}, f: func(in []*Var) *Var { return Exp(in[0]) }},
	{name: "log", op: "log", shapes: [][]int{{5}}, gen: []gen{genPositive}, f: func(in []*Var) *Var { return Log(in[0]) }},
	{name: "sqrt", op: "sqrt", shapes: [][]int{{5}}, gen: []gen{genPositive}, f: func(in []*Var) *Var { return Sqrt(in[0]) }},
	{name: "square", op: "square", shapes: [][]int{{2, 3}}, f: func(in []*Var) *Var { return Square(in[0]) }},
	{name: "pow", op: "pow", shapes: [][]int{{4}}, gen: []gen{genPositive}, f: func(in []*Var) *Var { return Pow(in[0], 2.5) }},
	{name: "abs", op: "abs", shapes: [][]int{{6}}, gen: []gen{genAwayZero}, f: func(in []*Var) *Var { return Abs(in[0]) }},
	{name: "relu", op: "relu", shapes: [][]int{{3, 4}}, gen: []gen{genAwayZero}, f: func(in []*Var) *Var { return ReLU(in[0]) }},
	{name: "relu batch 1", op: "relu", shapes: [][]int{{1, 5}}, gen: []gen{genAwayZero}, f: func(in []*Var) *Var { return ReLU(in[0]) }},
	{name: "leakyrelu", op: "leakyrelu", shapes: [][]int{{6}}, gen: []gen{genAwayZero}, f: func(in []*Var) *Var { return LeakyReLU(in[0], 0.1) }},
	{name: "tanh", op: "tanh", shapes: [][]int{{2, 3}}, f: func(in []*Var) *Var { return Tanh(in[0]) }},
	{name: "sigmoid", op: "sigmoid", shapes: [][]int{{2, 3}}, f: func(in []*Var) *Var { return Sigmoid(in[0]) }},
	{name: "gelu", op: "gelu", shapes: [][]int{{2, 3}}, f: func(in []*Var) *Var { return GELU(in[0]) }},
	{name: "derivmul order 1 (its HVP needs a third derivative)", op: "derivmul", noHVP: true, shapes: [][]int{{5}, {5}}, f: func(in []*Var) *Var {
		return apply(&derivMulOp{f: fn{name: "tanh"}, order: 1}, in[0], in[1])
	}},
	{name: "matmul", op: "matmul", shapes: [][]int{{2, 3}, {3, 4}}, f: func(in []*Var) *Var { return MatMul(in[0], in[1], false, false) }},
	{name: "matmul transA", op: "matmul", shapes: [][]int{{3, 2}, {3, 4}}, f: func(in []*Var) *Var { return MatMul(in[0], in[1], true, false) }},
	{name: "matmul transB", op: "matmul", shapes: [][]int{{2, 3}, {4, 3}}, f: func(in []*Var) *Var { return MatMul(in[0], in[1], false, true) }},
	{name: "matmul transAB", op: "matmul", shapes: [][]int{{3, 2}, {4, 3}}, f: func(in []*Var) *Var { return MatMul(in[0], in[1], true, true) }},
	{name: "matmul batch 1", op: "matmul", shapes: [][]int{{1, 3}, {3, 2}}, f: func(in []*Var) *Var { return MatMul(in[0], in[1], false, false) }},
	{name: "sum all", op: "sumto", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var { return Sum(in[0]) }},
	{name: "sum axis", op: "sumto", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var { return Sum(in[0], 1) }},
	{name: "mean axis keep", op: "sumto", shapes: [][]int{{2, 3, 4}}, f: func(in []*Var) *Var { return MeanKeep(in[0], 0, 2) }},
	{name: "reshape", op: "reshape", shapes: [][]int{{2, 6}}, f: func(in []*Var) *Var { return Reshape(in[0], 3, -1) }},
	{name: "flatten", op: "reshape", shapes: [][]int{{2, 2, 3}}, f: func(in []*Var) *Var { return Flatten(in[0]) }},
	{name: "transpose 2d", op: "transpose", shapes: [][]int{{2, 3}}, f: func(in []*Var) *Var { return Transpose(in[0]) }},
	{name: "transpose 3d", op: "transpose", shapes: [][]int{{2, 3, 4}}, f: func(in []*Var) *Var { return Transpose(in[0], 1, 2, 0) }},
	{name: "softmax", op: "softmax", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var { return Softmax(in[0]) }},
	{name: "logsumexp", op: "logsumexp", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var { return LogSumExp(in[0]) }},
	{name: "logsoftmax", op: "logsumexp", shapes: [][]int{{2, 5}}, f: func(in []*Var) *Var { return LogSoftmax(in[0]) }},
	{name: "crossentropy", op: "crossentropy", shapes: [][]int{{4, 3}}, f: func(in []*Var) *Var {
		return CrossEntropy(in[0], []int32{0, 2, 1, 2})
	}},
	{name: "crossentropy batch 1", op: "crossentropy", shapes: [][]int{{1, 5}}, f: func(in []*Var) *Var {
		return CrossEntropy(in[0], []int32{3})
	}},
	{name: "crossentropygrad", op: "crossentropygrad", shapes: [][]int{{3, 4}, {}}, f: func(in []*Var) *Var {
		return apply(&ceGradOp{labels: []int32{1, 0, 3}}, in[0], in[1])
	}},
	{name: "mse", op: "square", shapes: [][]int{{4, 2}, {4, 2}}, f: func(in []*Var) *Var { return MSE(in[0], in[1]) }},
}

func TestOps(t *testing.T) {
	for i, c := range opCases {
		t.Run(c.name, func(t *testing.T) { checkOp(t, c, uint64(100+i)) })
	}
}

// TestEveryOpIsChecked fails for a registered op that no case exercises
// as its op, or a case whose op does not run in its forward pass.
func TestEveryOpIsChecked(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range opCases {
		ran := map[string]bool{}
		opHook = func(name string) { ran[name] = true }
		in := make([]*Var, len(c.shapes))
		rng := tensor.NewRNG(1)
		for i, s := range c.shapes {
			g := genNormal
			if i < len(c.gen) {
				g = c.gen[i]
			}
			in[i] = Const(makeInput(rng, g, s))
		}
		c.f(in)
		opHook = nil
		if !ran[c.op] && !(c.op == "identity") {
			t.Errorf("case %q: op %q did not run (ran %v)", c.name, c.op, ran)
		}
		covered[c.op] = true
	}
	for _, name := range OpNames() {
		if !covered[name] {
			t.Errorf("op %q has no case in the op table", name)
		}
	}
	if !slices.IsSorted(OpNames()) {
		t.Error("OpNames is not sorted")
	}
}
