package asm_test

import (
	"fmt"

	"github.com/gograd/gograd/asm"
)

// Minimizing f(p) = Σ p²/2 (gradient p) with Adam: on the first step
// every coordinate moves by about η against its gradient's sign. (The
// output agrees with a float64 transcription of torch's update.)
func ExampleAdamStep() {
	p := []float32{1, -2, 0.5}
	g := make([]float32, len(p))
	m := make([]float32, len(p)) // moments start at zero
	v := make([]float32, len(p))
	h := asm.AdamParams{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	for step := 1; step <= 3; step++ {
		copy(g, p) // ∇f(p) = p
		h.Step = step
		asm.AdamStep(p, g, m, v, h)
		fmt.Printf("step %d: p = %.4f\n", step, p)
	}
	// Output:
	// step 1: p = [0.9000 -1.9000 0.4000]
	// step 2: p = [0.8004 -1.8002 0.3012]
	// step 3: p = [0.7016 -1.7006 0.2049]
}

// Lion moves every coordinate by exactly η·sign(c), plus decoupled decay.
func ExampleLionStep() {
	p := []float32{1, -2, 0.5, 3}
	g := []float32{0.5, -0.25, 0, 1}
	m := []float32{0, 0, 0, -1} // c = 0.9·m + 0.1·g: +, −, 0, −
	asm.LionStep(p, g, m, asm.LionParams{LR: 0.01, Beta1: 0.9, Beta2: 0.99})
	fmt.Printf("p = %.4f\nm = %.4f\n", p, m)
	// Output:
	// p = [0.9900 -1.9900 0.5000 3.0100]
	// m = [0.0050 -0.0025 0.0000 -0.9800]
}

// The elementwise kernels write into a destination given first; it may be
// one of the inputs.
func ExampleAddTo() {
	x := []float32{1, 2, 3}
	y := []float32{10, 20, 30}
	asm.AddTo(x, x, y) // x += y
	asm.Axpy(y, -2, x) // y -= 2x
	fmt.Println(x, y, asm.Dot(x, x), asm.Sum(y))
	// Output:
	// [11 22 33] [-12 -24 -36] 1694 -72
}
