// Package autodiff is gograd's automatic differentiation engine: a
// reverse-mode tape (a Wengert list) and a forward-mode JVP over one set of
// ops.
//
// # Values
//
// A *Var is a node of a computation. It holds a Value, an optional forward
// Tangent (nil means zero), and for parameters a Grad that Backward fills.
// Parameters (NewParam) and constants (Const) live outside any tape; the
// inputs of a step are bound to a tape with Tape.Input, and every op's
// result belongs to the tape of its inputs.
//
// # Ops
//
// Each op is one Go type with its three rules side by side, after
// tinygrad's Function and JAX's primitive registrations:
//
//   - Forward computes the output value from the input values and keeps
//     only the residuals the other rules need;
//   - JVP maps the input tangents to the output tangent (forward mode);
//   - VJP maps the output cotangent to a cotangent per input (reverse mode).
//
// VJP rules are themselves written with ops, so a cotangent carries a
// tangent when the forward values do: the JVP of the gradient, which gives
// Hessian-vector products by forward-over-reverse (Tape.HVP).
//
// # Memory
//
// A Tape owns an arena: op outputs and the Var structs come from buffers
// that Reset hands out again in the same order, so a training step on a
// fixed-shape model reuses the previous step's memory instead of
// allocating. Values produced on a tape are valid until its next Reset.
//
// # Threads
//
// Besides the matrix products (asm.Sgemm), the ops whose work grows with
// the batch and is independent across it (conv2d and its gradients image
// by image, max-pooling plane by plane, ReLU elementwise) split large
// inputs over asm.Threads() goroutines.
//
// # Errors
//
// Shape mistakes are programmer errors: ops panic with a
// *tensor.ShapeError whose message names the op and the shapes, e.g.
// "tensor: matmul: inner dimensions differ (shapes [2 3], [2 3])".
package autodiff
