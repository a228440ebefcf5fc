package optim

import (
	"errors"
	"fmt"
)

// ErrInvalidHyperparameter is matched (errors.Is) by every
// *HyperparameterError a constructor returns.
var ErrInvalidHyperparameter = errors.New("optim: invalid hyperparameter")

// ErrState is wrapped by the errors of State and LoadState.
var ErrState = errors.New("optim: state")

// HyperparameterError reports a hyperparameter a constructor rejects, in
// the form "optim: adam: invalid beta1 1.5: must be in [0, 1)".
type HyperparameterError struct {
	Optimizer string  // "adam", "sgd", ...
	Name      string  // the hyperparameter, as the registry spells it
	Value     float64 // the rejected value
	Want      string  // the rule it breaks, e.g. "must be in [0, 1)"
}

func (e *HyperparameterError) Error() string {
	return fmt.Sprintf("optim: %s: invalid %s %v: %s", e.Optimizer, e.Name, e.Value, e.Want)
}

// Is makes errors.Is(err, ErrInvalidHyperparameter) true.
func (e *HyperparameterError) Is(target error) bool { return target == ErrInvalidHyperparameter }

// checkRange returns a *HyperparameterError unless lo ≤ x (x > lo if
// openLo) and x ≤ hi (x < hi if openHi). NaN is always rejected.
func checkRange(opt, name string, x, lo, hi float64, openLo, openHi bool) error {
	ok := x >= lo && x <= hi
	if openLo && x == lo || openHi && x == hi {
		ok = false
	}
	if ok {
		return nil
	}
	l, r := "[", "]"
	if openLo {
		l = "("
	}
	if openHi {
		r = ")"
	}
	return &HyperparameterError{Optimizer: opt, Name: name, Value: x,
		Want: fmt.Sprintf("must be in %s%v, %v%s", l, fmtBound(lo), fmtBound(hi), r)}
}

// checkNonNeg returns a *HyperparameterError unless x ≥ 0 (and not NaN or
// +Inf).
func checkNonNeg(opt, name string, x float64) error {
	if x >= 0 && x < inf {
		return nil
	}
	return &HyperparameterError{Optimizer: opt, Name: name, Value: x, Want: "must be finite and >= 0"}
}

func fmtBound(x float64) string {
	switch x {
	case inf:
		return "inf"
	case -inf:
		return "-inf"
	}
	return fmt.Sprint(x)
}

// stateMismatch panics with the message of a Transform whose slot carries
// state that Init did not make (wrong count or length): a chain or
// optimizer wiring error.
func stateMismatch(transform string, s *Slot, format string, args ...any) {
	panic(fmt.Sprintf("optim: %s: parameter %q: state mismatch: %s", transform, s.Name, fmt.Sprintf(format, args...)))
}
