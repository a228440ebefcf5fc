package autodiff

// Variance returns the biased variance of x over the given axes (all axes
// when none are given), mean((x − mean(x))²), dropping the reduced
// dimensions: the statistic BatchNorm and LayerNorm normalize with in
// training (torch.var(x, unbiased=False)). It is a composition of Mean,
// Sub and Square, so it is differentiable in every mode.
func Variance(x *Var, axes ...int) *Var {
	out, _ := reducedShape("variance", x.Shape(), axes, false)
	return Reshape(VarianceKeep(x, axes...), out...)
}

// VarianceKeep is Variance keeping the reduced dimensions with size 1.
func VarianceKeep(x *Var, axes ...int) *Var {
	return MeanKeep(Square(Sub(x, MeanKeep(x, axes...))), axes...)
}

// Normalize returns y = (x − mean)/sqrt(variance + eps) with mean and the
// biased variance taken over axes (all when empty), both keeping the
// reduced dimensions with size 1 so that they broadcast against x. With
// axes {0, 2, 3} on [N, C, H, W] it is the core of BatchNorm2d in
// training; with the last axes, of LayerNorm. All three results are
// differentiable (the gradient of y flows through the statistics); a
// caller keeping running statistics copies mean and variance's values
// before the tape is reset.
func Normalize(x *Var, axes []int, eps float32) (y, mean, variance *Var) {
	mean = MeanKeep(x, axes...)
	xc := Sub(x, mean)
	variance = MeanKeep(Square(xc), axes...)
	// Multiplying by the small rstd tensor is cheaper to differentiate
	// than dividing by the standard deviation.
	y = Mul(xc, Pow(AddScalar(variance, eps), -0.5))
	return y, mean, variance
}
