package optim

import "testing"

// firstOrderMethods are the first-order methods of METHODS.md group 1,
// by registry name: the ones whose step cost is held to at most 1.5×
// fused Adam's (BenchmarkStep).
var firstOrderMethods = []string{
	"sgd", "adam", "adamw", "adamax", "rmsprop", "adagrad", "amsgrad", "lion", "adabelief",
	"adafactor", "adabound", "amsbound", "cadamw", "clion", "ademamix", "mars", "grams",
	"fadam", "diffgrad", "exadam", "adamw-sn", "xgrad", "xgrad-sgdm", "sgdm-rs", "gravity",
}

// TestFirstOrderFused checks that every first-order method, built from
// the registry at its defaults, runs a fused step, and that SetFused(false)
// selects its chain.
func TestFirstOrderFused(t *testing.T) {
	if len(firstOrderMethods) != 25 {
		t.Fatalf("%d first-order methods listed, want the 25 of METHODS.md group 1", len(firstOrderMethods))
	}
	for _, name := range firstOrderMethods {
		o, err := New(name, newParams(1, 4, 6), -1, -1, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !o.Fused() {
			t.Errorf("%s: no fused step", name)
		}
		if o.SetFused(false) || o.Fused() {
			t.Errorf("%s: SetFused(false) left the fused step on", name)
		}
	}
}
