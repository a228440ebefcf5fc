package optim

import (
	"fmt"
	"strconv"
)

// curvU64 parses an unsigned integer argument (a seed), keeping the
// first error.
func (a *argParser) curvU64(key string) uint64 {
	x, err := strconv.ParseUint(a.vals[key], 10, 64)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("optim: %s: argument %s=%q: not an unsigned integer", a.opt, key, a.vals[key])
	}
	return x
}

// curvInt parses an integer argument (a period, a count), keeping the
// first error.
func (a *argParser) curvInt(key string) int {
	x, err := strconv.Atoi(a.vals[key])
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("optim: %s: argument %s=%q: not an integer", a.opt, key, a.vals[key])
	}
	return x
}
