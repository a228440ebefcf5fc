package main

import (
	"slices"

	"github.com/gograd/gograd/optim"
)

// Families in table and plot order; familyOther takes names the map
// does not know.
const (
	familyFirstOrder = "first-order"
	familyCurvature  = "curvature"
	familyStepSize   = "step-size"
	familyWrappers   = "wrappers"
	familyOther      = "other"
)

var familyOrder = []string{familyFirstOrder, familyCurvature, familyStepSize, familyWrappers, familyOther}

// families maps registry names to the sections of METHODS.md: 1
// first-order and adaptive, 2 curvature and second-order, 3 step-size
// rules and parameter-free methods, 4 wrappers around a base optimizer.
var families = map[string]string{
	"adabelief":  familyFirstOrder,
	"adabound":   familyFirstOrder,
	"adafactor":  familyFirstOrder,
	"adagrad":    familyFirstOrder,
	"adam":       familyFirstOrder,
	"adamax":     familyFirstOrder,
	"adamw":      familyFirstOrder,
	"adamw-sn":   familyFirstOrder,
	"ademamix":   familyFirstOrder,
	"amsbound":   familyFirstOrder,
	"amsgrad":    familyFirstOrder,
	"cadamw":     familyFirstOrder,
	"clion":      familyFirstOrder,
	"diffgrad":   familyFirstOrder,
	"exadam":     familyFirstOrder,
	"fadam":      familyFirstOrder,
	"grams":      familyFirstOrder,
	"gravity":    familyFirstOrder,
	"lion":       familyFirstOrder,
	"mars":       familyFirstOrder,
	"rmsprop":    familyFirstOrder,
	"sgd":        familyFirstOrder,
	"sgdm-rs":    familyFirstOrder,
	"xgrad":      familyFirstOrder,
	"xgrad-sgdm": familyFirstOrder,

	"adahessian":  familyCurvature,
	"lazy-newton": familyCurvature,
	"fosi":        familyCurvature,
	"egn":         familyCurvature,
	"oasis":       familyCurvature,
	"psgd":        familyCurvature,
	"sania":       familyCurvature,
	"shampoo":     familyCurvature,
	"sophia-g":    familyCurvature,
	"sophia-h":    familyCurvature,

	"adadagrad":    familyStepSize,
	"adagrad-norm": familyStepSize,
	"ai-sarah":     familyStepSize,
	"dog":          familyStepSize,
	"ldog":         familyStepSize,
	"psps":         familyStepSize,
	"smb":          familyStepSize,
	"sps":          familyStepSize,

	"flooding":    familyWrappers,
	"gam":         familyWrappers,
	"gr-fd":       familyWrappers,
	"lookahead":   familyWrappers,
	"sam":         familyWrappers,
	"usam":        familyWrappers,
	"weight-clip": familyWrappers,
}

// familyOf returns the family of optimizer name, familyOther if the map
// does not list it.
func familyOf(name string) string {
	if f, ok := families[name]; ok {
		return f
	}
	return familyOther
}

// familyRank returns the position of family f in familyOrder.
func familyRank(f string) int {
	if i := slices.Index(familyOrder, f); i >= 0 {
		return i
	}
	return len(familyOrder)
}

// unmapped returns the registered optimizers the family map does not
// list, sorted.
func unmapped() []string {
	var out []string
	for _, n := range optim.Names() {
		if _, ok := families[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}
