package nn_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// A model's state is named as in PyTorch; a training step fills the
// gradients; a checkpoint restores the state in another model.
func Example() {
	model := nn.MLP([]int{784, 256, 256, 10}, tensor.NewRNG(1))
	fmt.Println("parameters:", nn.NumParams(model))
	for _, p := range model.State() {
		fmt.Println(p.Name, p.Var.Value.Shape())
	}

	// One training step on a batch of 2.
	x := tensor.RandN(tensor.NewRNG(2), 1, 2, 784)
	labels := []int32{3, 7}
	t := autodiff.NewTape()
	loss := nn.CrossEntropyLoss(model.Forward(t.Input(x)), labels)
	t.Backward(loss)
	before := loss.Item() // read before t.Reset recycles the value
	fmt.Println("gradient shape of 0.weight:", model.Layers[0].(*nn.Linear).Weight.Grad.Shape())

	// Save, then load into a differently seeded model.
	dir, _ := os.MkdirTemp("", "nn-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "mlp.safetensors")
	if err := nn.SaveCheckpoint(path, nn.StateDict(model), map[string]string{"epoch": "1"}); err != nil {
		fmt.Println(err)
		return
	}
	tensors, meta, err := nn.LoadCheckpoint(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	other := nn.MLP([]int{784, 256, 256, 10}, tensor.NewRNG(99))
	if err := nn.LoadStateDict(other, tensors); err != nil {
		fmt.Println(err)
		return
	}
	t.Reset()
	same := nn.CrossEntropyLoss(other.Forward(t.Input(x)), labels).Item() == before
	fmt.Println("epoch", meta["epoch"], "same loss after load:", same)

	// Output:
	// parameters: 269322
	// 0.weight [256 784]
	// 0.bias [256]
	// 2.weight [256 256]
	// 2.bias [256]
	// 4.weight [10 256]
	// 4.bias [10]
	// gradient shape of 0.weight: [256 784]
	// epoch 1 same loss after load: true
}
