// Package fgrad estimates gradients for training, with and without
// backpropagation, behind one interface: an Estimator fills the Grad of
// each of a model's parameters from a batch, and any optimizer (package
// optim) then takes the step. The estimators, for the mean softmax
// cross-entropy L of a classifier (METHODS.md §5):
//
//   - backprop (Backprop): the exact gradient from autodiff's tape, for
//     any nn.Module;
//   - fg (FG): the weight-perturbed forward gradient of Baydin et al.:
//     ĝ = (1/K) Σ_k (∇L·v_k)·v_k with Gaussian tangents v_k over all
//     parameters and ∇L·v_k from one forward pass with JVP; optionally
//     orthogonalized tangents;
//   - fg-activity (Activity): tangents on each layer's pre-activations
//     (Ren et al., 2023), ĝ_z[n] = (1/K) Σ_k ⟨∂L/∂z[n], u_k[n]⟩·u_k[n],
//     turned into weight updates ĝ_W = ĝ_zᵀ·h by the layer alone;
//   - fg-local (Local): local-loss guesses (Fournier et al., 2023): an
//     auxiliary head per hidden layer gives the direction u, the JVP of
//     the global loss along u its scale, ĝ_z[n] = τ[n]/‖u[n]‖²·u[n];
//   - dfa (DFA): direct feedback alignment, δ_l = (e·B_lᵀ) ⊙ f′(z_l)
//     with fixed random B_l.
//
// Each type's doc comment gives its equations. New builds one by name.
//
// # Models
//
// Backprop and FG take any nn.Module. The others, and FG's fast path,
// need an MLP: an *nn.Sequential of nn.Linear layers each optionally
// followed by nn.ReLU (nn.MLP), on which they run their own tape-free
// forward pass on sgemm: nothing is recorded, and only the buffers a
// layer needs stay alive (the primal activations for the layer-local
// updates of fg-activity, fg-local and DFA).
//
// # Tangents
//
// Tangents are not stored: FillNormal and AddNormal produce a seekable
// stream of quantized N(0, 1) values (exact mean 0 and variance 1) from a
// key naming (seed, step, layer, parameter, tangent), so that a tangent
// used in the forward pass is regenerated, not kept, when the update is
// written. A table lookup per value makes it about ten times faster than
// math/rand/v2's ziggurat (BenchmarkNormal).
//
// # Measurements
//
// Cosine and CosineMeter compare an estimate with the exact gradient on
// the same batch; StepMemory measures the heap one step needs.
// BenchmarkStep times each estimator's step on the W1 MLP
// (784-256-256-10) at batch 128, and TestStepMemory measures their memory
// at batch 512. cmd/train exposes all of it with -grad, -tangents,
// -cosine-every and -compare.
package fgrad
