package optim

// JacobianObjective is implemented by classification objectives that
// can give the full Jacobian of the minibatch's logits with respect to
// the parameters, for exact Gauss–Newton (EGN). nn.Objective implements
// it by per-sample reverse-mode passes.
type JacobianObjective interface {
	Objective
	// LogitJacobian returns, at the parameters' current values, the
	// minibatch's logits z (b×C, row-major), its labels (b), the number of
	// classes C, and J: b·C rows of d elements, row i·C+c holding
	// ∂z_ic/∂θ over the concatenation of the flattened Params() in order
	// (d = their total size). The results are new slices.
	LogitJacobian() (z []float32, labels []int32, classes int, jac [][]float32)
}
