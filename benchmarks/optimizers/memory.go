package main

import "github.com/gograd/gograd/optim"

// stateFloats returns the number of floats in o's state (Optimizer.State),
// leaving out scalar entries (one element: step counts, learning rates,
// a per-parameter scalar), so that dividing by the number of model
// parameters gives the optimizer's memory per parameter, e.g. 2 for Adam
// (exp_avg, exp_avg_sq). Parameters not yet updated have no state: call
// it after at least one step.
func stateFloats(o *optim.Optimizer) (int64, error) {
	m, err := o.State()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, t := range m {
		if s := t.Size(); s > 1 {
			n += int64(s)
		}
	}
	return n, nil
}

// perParam returns floats/params, 0 for no parameters.
func perParam(floats int64, params int) float64 {
	if params <= 0 {
		return 0
	}
	return float64(floats) / float64(params)
}
