package nn

import (
	"slices"
	"strings"

	"github.com/gograd/gograd/tensor"
)

// LoadStateDict copies tensors into m's parameters and buffers by name,
// as load_state_dict(strict=True) does. Every key of m must be present
// with the same shape, and every key of tensors must belong to m;
// otherwise it returns a *StateDictError naming each missing, unexpected
// and mismatched key with both shapes, and m is unchanged. The tensors are
// copied, not kept. Use SplitPrefix to set aside entries of other owners
// (such as "optim." keys) first.
func LoadStateDict(m Module, tensors map[string]*tensor.Tensor) error {
	st := m.State()
	e := &StateDictError{}
	known := make(map[string]bool, len(st))
	for _, p := range st {
		known[p.Name] = true
		t, ok := tensors[p.Name]
		switch {
		case !ok || t == nil:
			e.Missing = append(e.Missing, p.Name)
		case !tensor.SameShape(t, p.Var.Value):
			e.Mismatched = append(e.Mismatched, ShapeMismatch{Key: p.Name,
				Got: slices.Clone(t.Shape()), Module: slices.Clone(p.Var.Value.Shape())})
		}
	}
	for k := range tensors {
		if !known[k] {
			e.Unexpected = append(e.Unexpected, k)
		}
	}
	if !e.empty() {
		e.sort()
		return e
	}
	for _, p := range st {
		p.Var.Value.CopyFrom(tensors[p.Name])
	}
	return nil
}

// SplitPrefix partitions tensors into the entries whose keys start with
// prefix and the rest. The keys are kept whole and the tensors shared.
// For a checkpoint holding a model and its optimizer state,
//
//	optimState, modelState := nn.SplitPrefix(tensors, "optim.")
func SplitPrefix(tensors map[string]*tensor.Tensor, prefix string) (matched, rest map[string]*tensor.Tensor) {
	matched = make(map[string]*tensor.Tensor)
	rest = make(map[string]*tensor.Tensor)
	for k, t := range tensors {
		if strings.HasPrefix(k, prefix) {
			matched[k] = t
		} else {
			rest[k] = t
		}
	}
	return matched, rest
}
