package optim

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestConstructorsRejectBadHyperparameters(t *testing.T) {
	ps := newParams(1, 3)
	adam := func(f func(*AdamConfig)) func() error {
		return func() error {
			c := DefaultAdam()
			f(&c)
			_, err := NewAdam(ps, c)
			return err
		}
	}
	nan := math.NaN()
	for _, tc := range []struct {
		f    func() error
		want string
	}{
		{adam(func(c *AdamConfig) { c.Beta1 = 1.5 }), "optim: adam: invalid beta1 1.5: must be in [0, 1)"},
		{adam(func(c *AdamConfig) { c.Beta1 = 1 }), "optim: adam: invalid beta1 1: must be in [0, 1)"},
		{adam(func(c *AdamConfig) { c.Beta2 = -0.1 }), "optim: adam: invalid beta2 -0.1: must be in [0, 1)"},
		{adam(func(c *AdamConfig) { c.Beta2 = nan }), "optim: adam: invalid beta2 NaN: must be in [0, 1)"},
		{adam(func(c *AdamConfig) { c.Eps = -1e-8 }), "optim: adam: invalid eps -1e-08: must be finite and >= 0"},
		{adam(func(c *AdamConfig) { c.LR = -1 }), "optim: adam: invalid lr -1: must be finite and >= 0"},
		{adam(func(c *AdamConfig) { c.WeightDecay = float32(math.Inf(1)) }), "optim: adam: invalid weight_decay +Inf: must be finite and >= 0"},
		{func() error { _, err := NewAdamW(ps, AdamConfig{LR: 1, Beta1: 0.9, Beta2: 2}); return err },
			"optim: adamw: invalid beta2 2: must be in [0, 1)"},
		{func() error { _, err := NewLion(ps, LionConfig{LR: 1, Beta1: 0.9, Beta2: 1}); return err },
			"optim: lion: invalid beta2 1: must be in [0, 1)"},
		{func() error { _, err := NewLion(ps, LionConfig{LR: -0.5, Beta1: 0.9, Beta2: 0.99}); return err },
			"optim: lion: invalid lr -0.5: must be finite and >= 0"},
		{func() error { _, err := NewSGD(ps, SGDConfig{LR: 1, Momentum: -0.9}); return err },
			"optim: sgd: invalid momentum -0.9: must be finite and >= 0"},
		{func() error { _, err := NewSGD(ps, SGDConfig{LR: 1, Momentum: 0.9, Dampening: 1.5}); return err },
			"optim: sgd: invalid dampening 1.5: must be in [0, 1]"},
		{func() error { _, err := NewSGD(ps, SGDConfig{LR: 1, Nesterov: true}); return err },
			"optim: sgd: invalid nesterov 1: nesterov momentum requires a momentum > 0 and zero dampening"},
		{func() error {
			_, err := NewSGD(ps, SGDConfig{LR: 1, Momentum: 0.9, Dampening: 0.1, Nesterov: true})
			return err
		}, "optim: sgd: invalid nesterov 1: nesterov momentum requires a momentum > 0 and zero dampening"},
	} {
		err := tc.f()
		if err == nil {
			t.Errorf("accepted; want %q", tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("error %q, want %q", err, tc.want)
		}
		var he *HyperparameterError
		if !errors.Is(err, ErrInvalidHyperparameter) || !errors.As(err, &he) {
			t.Errorf("%q is not a *HyperparameterError", err)
		}
	}
	// The defaults and the boundary values are accepted.
	for _, f := range []func() error{
		func() error { _, err := NewSGD(ps, DefaultSGD()); return err },
		func() error { _, err := NewSGD(ps, SGDConfig{Momentum: 0.9, Dampening: 1}); return err },
		func() error { _, err := NewAdam(ps, DefaultAdam()); return err },
		func() error { _, err := NewAdam(ps, AdamConfig{}); return err },
		func() error { _, err := NewAdamW(ps, DefaultAdamW()); return err },
		func() error { _, err := NewLion(ps, DefaultLion()); return err },
	} {
		if err := f(); err != nil {
			t.Error(err)
		}
	}
}

func TestRegistry(t *testing.T) {
	got := Names()
	if !slices.IsSorted(got) {
		t.Fatalf("Names() = %v, not sorted", got)
	}
	for _, name := range []string{"adam", "adamw", "lion", "sgd"} {
		if !slices.Contains(got, name) {
			t.Fatalf("Names() = %v, missing %q", got, name)
		}
	}
	d, err := Defaults("adamw")
	if err != nil || d["weight_decay"] != "0.01" || d["beta2"] != "0.999" || d["lr"] != "0.001" || d["fused"] != "true" {
		t.Fatalf("Defaults(adamw) = %v, %v", d, err)
	}
	ps := newParams(1, 3)
	args, err := ParseArgs(" momentum=0.9, nesterov=true ,fused=false")
	if err != nil {
		t.Fatal(err)
	}
	o, err := New("sgd", ps, 0.05, -1, args)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name() != "sgd" || o.LR() != 0.05 || o.Fused() || o.Groups()[0].WeightDecay != 0 {
		t.Fatalf("sgd from registry: %s lr %v fused %v groups %+v", o.Name(), o.LR(), o.Fused(), o.Groups())
	}
	o, err = New("adamw", ps, 0, -1, nil)
	if err != nil || !o.Fused() || o.LR() != 1e-3 || o.Groups()[0].WeightDecay != 0.01 {
		t.Fatalf("adamw defaults: %v", err)
	}
	o, err = New("lion", ps, 0, 0.5, map[string]string{"lr": "3e-4"})
	if err != nil || o.LR() != 3e-4 || o.Groups()[0].WeightDecay != 0.5 {
		t.Fatalf("lion with args: %v", err)
	}
	for _, tc := range []struct {
		name string
		args map[string]string
		want string
	}{
		{"nosuchopt", nil, `optim: unknown optimizer "nosuchopt" (known: ` + strings.Join(Names(), ", ") + `)`},
		{"adam", map[string]string{"momentum": "0.9"}, `optim: adam: unknown argument "momentum" (known: beta1, beta2, eps, fused, lr, weight_decay)`},
		{"adam", map[string]string{"beta1": "x"}, `optim: adam: argument beta1="x": not a number`},
		{"sgd", map[string]string{"nesterov": "maybe"}, `optim: sgd: argument nesterov="maybe": not a boolean`},
		{"adam", map[string]string{"beta1": "1.5"}, `optim: adam: invalid beta1 1.5: must be in [0, 1)`},
	} {
		_, err := New(tc.name, ps, 0, -1, tc.args)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%s, %v): err = %v, want %q", tc.name, tc.args, err, tc.want)
		}
	}
	for _, bad := range []string{"a", "=1", "a=1,a=2"} {
		if _, err := ParseArgs(bad); err == nil {
			t.Errorf("ParseArgs(%q) accepted", bad)
		}
	}
	if m, err := ParseArgs(""); err != nil || len(m) != 0 {
		t.Error("ParseArgs(\"\")")
	}
}
