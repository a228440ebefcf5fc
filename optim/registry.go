package optim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gograd/gograd/autodiff"
)

// entry is a registered optimizer: its arguments with default values, and
// a builder that reads them.
type entry struct {
	defaults map[string]string
	build    func(params []*autodiff.Var, a *argParser) (*Optimizer, error)
}

var registry = map[string]entry{}

// register adds an optimizer to the registry; it panics on a repeated
// name (a programming error at init).
func register(name string, defaults map[string]string, build func([]*autodiff.Var, *argParser) (*Optimizer, error)) {
	if _, ok := registry[name]; ok {
		panic("optim: register: duplicate optimizer " + name)
	}
	defaults["fused"] = "true"
	registry[name] = entry{defaults: defaults, build: build}
}

func f32(x float32) string { return strconv.FormatFloat(float64(x), 'g', -1, 32) }
func f64(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func init() {
	s := DefaultSGD()
	register("sgd", map[string]string{"lr": f32(s.LR), "momentum": f64(s.Momentum),
		"dampening": f64(s.Dampening), "weight_decay": f32(s.WeightDecay), "nesterov": strconv.FormatBool(s.Nesterov)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := SGDConfig{LR: a.f32("lr"), Momentum: a.f64("momentum"), Dampening: a.f64("dampening"),
				WeightDecay: a.f32("weight_decay"), Nesterov: a.bool("nesterov")}
			if a.err != nil {
				return nil, a.err
			}
			return NewSGD(ps, c)
		})
	adamArgs := func(c AdamConfig) map[string]string {
		return map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
			"eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay)}
	}
	adam := func(ctor func([]*autodiff.Var, AdamConfig) (*Optimizer, error)) func([]*autodiff.Var, *argParser) (*Optimizer, error) {
		return func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdamConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return ctor(ps, c)
		}
	}
	register("adam", adamArgs(DefaultAdam()), adam(NewAdam))
	register("adamw", adamArgs(DefaultAdamW()), adam(NewAdamW))
	l := DefaultLion()
	register("lion", map[string]string{"lr": f32(l.LR), "beta1": f64(l.Beta1), "beta2": f64(l.Beta2),
		"weight_decay": f32(l.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := LionConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewLion(ps, c)
		})
}

// Names returns the registered optimizer names, sorted: "adam", "adamw",
// "lion", "sgd".
func Names() []string { return slices.Sorted(maps.Keys(registry)) }

// Defaults returns the arguments optimizer name accepts with their
// default values (a new map), e.g. for adam {"lr": "0.001", "beta1":
// "0.9", "beta2": "0.999", "eps": "1e-08", "weight_decay": "0",
// "fused": "true"}. "fused=false" runs the Transform chain instead of the
// fused kernel.
func Defaults(name string) (map[string]string, error) {
	e, ok := registry[name]
	if !ok {
		return nil, unknownOptimizer(name)
	}
	return maps.Clone(e.defaults), nil
}

// New returns the registered optimizer name over params, for command
// lines such as cmd/train's -opt NAME -opt-args k=v,…: lr > 0 overrides
// the default learning rate and wd ≥ 0 the default weight decay (pass 0
// and -1 to keep both), and args (see Defaults and ParseArgs) override
// any argument, lr and weight_decay included. New returns an error for an
// unknown name, an unknown argument, a value that does not parse, or a
// rejected hyperparameter (a *HyperparameterError).
func New(name string, params []*autodiff.Var, lr, wd float32, args map[string]string) (*Optimizer, error) {
	e, ok := registry[name]
	if !ok {
		return nil, unknownOptimizer(name)
	}
	vals := maps.Clone(e.defaults)
	if lr > 0 {
		vals["lr"] = f32(lr)
	}
	if wd >= 0 {
		vals["weight_decay"] = f32(wd)
	}
	for k, v := range args {
		if _, ok := vals[k]; !ok {
			return nil, fmt.Errorf("optim: %s: unknown argument %q (known: %s)", name, k,
				strings.Join(slices.Sorted(maps.Keys(e.defaults)), ", "))
		}
		vals[k] = v
	}
	a := &argParser{opt: name, vals: vals}
	fused := a.bool("fused")
	if a.err != nil {
		return nil, a.err
	}
	o, err := e.build(params, a)
	if err != nil {
		return nil, err
	}
	o.SetFused(fused)
	return o, nil
}

// ParseArgs parses "k=v,k=v,…" (spaces around items ignored; empty
// string: no arguments) into a map. It returns an error for an item
// without "=", an empty key, or a repeated key.
func ParseArgs(s string) (map[string]string, error) {
	m := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for item := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, fmt.Errorf("optim: parseargs: %q is not key=value", item)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("optim: parseargs: repeated key %q", k)
		}
		m[k] = v
	}
	return m, nil
}

func unknownOptimizer(name string) error {
	return fmt.Errorf("optim: unknown optimizer %q (known: %s)", name, strings.Join(Names(), ", "))
}

// argParser parses registry values, keeping the first error.
type argParser struct {
	opt  string
	vals map[string]string
	err  error
}

func (a *argParser) parse(key string, bits int) float64 {
	x, err := strconv.ParseFloat(a.vals[key], bits)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("optim: %s: argument %s=%q: not a number", a.opt, key, a.vals[key])
	}
	return x
}

func (a *argParser) f32(key string) float32 { return float32(a.parse(key, 32)) }
func (a *argParser) f64(key string) float64 { return a.parse(key, 64) }

func (a *argParser) bool(key string) bool {
	b, err := strconv.ParseBool(a.vals[key])
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("optim: %s: argument %s=%q: not a boolean", a.opt, key, a.vals[key])
	}
	return b
}
