package nn

import (
	"fmt"
	"math/bits"
)

// Option configures a layer at construction. Each constructor documents
// the options it accepts and panics when given another.
type Option func(*config)

type config struct {
	bias     bool
	stride   int
	padding  int
	eps      float32
	momentum float32
	set      optionSet // the options given
}

type optionSet uint

const (
	optBias optionSet = 1 << iota
	optStride
	optPadding
	optEps
	optMomentum
)

var optionNames = map[optionSet]string{
	optBias:     "WithoutBias",
	optStride:   "WithStride",
	optPadding:  "WithPadding",
	optEps:      "WithEps",
	optMomentum: "WithMomentum",
}

// WithoutBias leaves out the additive bias of Linear or Conv2d (PyTorch's
// bias=False).
func WithoutBias() Option { return func(c *config) { c.bias = false; c.set |= optBias } }

// WithStride sets the stride of Conv2d (default 1).
func WithStride(s int) Option { return func(c *config) { c.stride = s; c.set |= optStride } }

// WithPadding sets the zero padding of Conv2d on each side (default 0).
func WithPadding(p int) Option { return func(c *config) { c.padding = p; c.set |= optPadding } }

// WithEps sets the ε added to the variance by BatchNorm and LayerNorm
// (default 1e-5).
func WithEps(eps float32) Option { return func(c *config) { c.eps = eps; c.set |= optEps } }

// WithMomentum sets the momentum of BatchNorm's running statistics
// (default 0.1): running = (1 − momentum)·running + momentum·batch.
func WithMomentum(m float32) Option { return func(c *config) { c.momentum = m; c.set |= optMomentum } }

// newConfig applies opts over the defaults and panics if an option
// outside allowed was given.
func newConfig(layer string, allowed optionSet, opts []Option) config {
	c := config{bias: true, stride: 1, eps: 1e-5, momentum: 0.1}
	for _, o := range opts {
		o(&c)
	}
	if extra := c.set &^ allowed; extra != 0 {
		o := optionSet(1) << bits.TrailingZeros(uint(extra))
		panic(fmt.Sprintf("nn: %s: option %s does not apply", layer, optionNames[o]))
	}
	return c
}
