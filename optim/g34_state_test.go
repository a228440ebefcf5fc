package optim

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// TestG34StateRoundTrip: k steps, State, LoadState into a fresh
// optimizer over copies, more steps: bit-identical to an uninterrupted
// run, for every method of this group (stepped with StepWith on a
// quadratic-plus-quartic objective).
func TestG34StateRoundTrip(t *testing.T) {
	const k, more = 6, 7
	h := []float32{0.5, 1, 2, 0.1, 3}
	cases := append(g34Cases(true), g34Case{"adadagrad", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdAdaGrad(ps, DefaultAdAdaGrad())
	}, 0}, g34Case{"dog-avg", func(ps []*autodiff.Var) (*Optimizer, error) { return NewDoG(ps, DefaultDoG()) }, 0})
	for _, tc := range cases {
		var obj func(p *autodiff.Var) Objective = func(p *autodiff.Var) Objective { return &g34Rosen3{quadObjective{p: p, h: h}} }
		if tc.name == "adadagrad" {
			obj = func(p *autodiff.Var) Objective {
				rows := make([][]float64, 6)
				for i := range rows {
					rows[i] = []float64{float64(i), 1, -1, 0.5 * float64(i), 2}
				}
				return &g34LSQ{w: p, a: rows, y: []float64{1, 0, 2, 1, 3, -1}}
			}
		}
		run := func(o *Optimizer, q Objective, from, to int) {
			for range to - from {
				q.Gradient()
				o.StepWith(q)
			}
		}
		ref := g34Param(1, -2, 0.5, 3, -1)
		oref, err := tc.mk([]*autodiff.Var{ref})
		if err != nil {
			t.Fatal(err)
		}
		qref := obj(ref)
		run(oref, qref, 0, k)
		snap := autodiff.NewParam("w", ref.Value.Clone())
		snap.Grad = tensor.New(5)
		st, err := oref.State()
		if err != nil {
			t.Fatal(err)
		}
		run(oref, qref, k, k+more)
		o, _ := tc.mk([]*autodiff.Var{snap})
		if err := o.LoadState(st); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		run(o, obj(snap), k, k+more)
		if !tensorEqual(ref.Value, snap.Value) {
			t.Errorf("%s: resumed run %v differs from %v", tc.name, snap.Value.Data(), ref.Value.Data())
		}
	}
}

func TestG34RejectsHyperparameters(t *testing.T) {
	ps := []*autodiff.Var{g34Param(1)}
	dog := func(f func(*DoGConfig)) error { c := DefaultDoG(); f(&c); _, err := NewDoG(ps, c); return err }
	for _, tc := range []struct {
		name, hyper string
		err         error
	}{
		{"dog c", "c", dog(func(c *DoGConfig) { c.C = 0 })},
		{"dog reps_rel", "reps_rel", dog(func(c *DoGConfig) { c.RepsRel = -1 })},
		{"dog eps", "eps", dog(func(c *DoGConfig) { c.Eps = 0 })},
		{"sps c", "c", func() error { _, err := NewSPS(ps, SPSConfig{C: 0, MaxLR: 1}); return err }()},
		{"sps max_lr", "max_lr", func() error { _, err := NewSPS(ps, SPSConfig{C: 1, MaxLR: -1}); return err }()},
		{"psps beta2", "beta2", func() error { c := DefaultPSPS(); c.Beta2 = 1; _, err := NewPSPS(ps, c); return err }()},
		{"psps init_samples", "init_samples", func() error { c := DefaultPSPS(); c.InitSamples = 0; _, err := NewPSPS(ps, c); return err }()},
		{"adagrad-norm b0", "b0", func() error { _, err := NewAdaGradNorm(ps, AdaGradNormConfig{LR: 1, B0: -1}); return err }()},
		{"smb eta", "eta", func() error { _, err := NewSMB(ps, SMBConfig{LR: 1, Eta: 1.5, C: 0.1}); return err }()},
		{"smb c", "c", func() error { _, err := NewSMB(ps, SMBConfig{LR: 1, Eta: 0.9, C: 1}); return err }()},
		{"adadagrad eta_test", "eta_test", func() error {
			c := DefaultAdAdaGrad()
			c.EtaTest = 0
			_, err := NewAdAdaGrad(ps, c)
			return err
		}()},
		{"ai-sarah fd_step", "fd_step", func() error { _, err := NewAISARAH(ps, AISARAHConfig{FDStep: 0}); return err }()},
		{"lookahead k", "k", func() error { b, _ := NewSGD(ps, DefaultSGD()); _, err := NewLookahead(b, 0, 0.5); return err }()},
		{"lookahead alpha", "alpha", func() error { b, _ := NewSGD(ps, DefaultSGD()); _, err := NewLookahead(b, 5, 2); return err }()},
	} {
		var he *HyperparameterError
		if !errors.As(tc.err, &he) || he.Name != tc.hyper || !errors.Is(tc.err, ErrInvalidHyperparameter) {
			t.Errorf("%s: err = %v, want a *HyperparameterError for %s", tc.name, tc.err, tc.hyper)
		}
	}
	// Registry: wrappers with a base chosen by argument, and bad values.
	for _, tc := range []struct {
		name string
		args map[string]string
		ok   bool
	}{
		{"sam", nil, true},
		{"sam", map[string]string{"base": "adam", "rho": "0.1"}, true},
		{"lookahead", map[string]string{"base": "sgd", "base_args": "momentum=0.9;nesterov=true", "lr": "0.1"}, true},
		{"weight-clip", map[string]string{"c": "0"}, false},
		{"gam", map[string]string{"rho": "-1"}, false},
		{"usam", map[string]string{"base": "nope"}, false},
		{"lookahead", map[string]string{"k": "2.5"}, false},
		{"dog", map[string]string{"c": "2"}, true},
		{"psps", map[string]string{"alpha": "0"}, false},
	} {
		o, err := New(tc.name, []*autodiff.Var{g34Param(1, 2)}, 0, -1, tc.args)
		if (err == nil) != tc.ok {
			t.Errorf("New(%s, %v): err = %v", tc.name, tc.args, err)
		}
		if err == nil && tc.args["base"] != "" && o.Name() != fmt.Sprintf("%s(%s)", tc.name, tc.args["base"]) {
			t.Errorf("New(%s, %v): name %q", tc.name, tc.args, o.Name())
		}
	}
}

// BenchmarkZooG34 times one Step of the first-order methods of this group
// on n = 1e6 parameters (one tensor), next to fused Adam in the same run;
// ns/param is the time per parameter element.
func BenchmarkZooG34(b *testing.B) {
	const n = 1000000
	cases := []g34Case{
		{"adam-fused", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }, 0},
		{"dog", func(ps []*autodiff.Var) (*Optimizer, error) { return NewDoG(ps, DefaultDoG()) }, 0},
		{"dog-noavg", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultDoG()
			c.Average = false
			return NewDoG(ps, c)
		}, 0},
		{"ldog", func(ps []*autodiff.Var) (*Optimizer, error) { return NewLDoG(ps, DefaultDoG()) }, 0},
		{"adagrad-norm", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaGradNorm(ps, DefaultAdaGradNorm()) }, 0},
		{"lookahead", func(ps []*autodiff.Var) (*Optimizer, error) { return New("lookahead", ps, 0, -1, nil) }, 0},
		{"weight-clip", func(ps []*autodiff.Var) (*Optimizer, error) { return New("weight-clip", ps, 0, -1, nil) }, 0},
	}
	for _, tc := range cases {
		b.Run(fmt.Sprintf("%s/%d", tc.name, n), func(b *testing.B) {
			ps := newParams(1, n)
			fillGrads(ps, 1, 1)
			o, err := tc.mk(ps)
			if err != nil {
				b.Fatal(err)
			}
			o.Step()
			b.SetBytes(int64(4 * n * (2 + len(o.Transform().StateNames()))))
			b.ResetTimer()
			for b.Loop() {
				o.Step()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
		})
	}
}
