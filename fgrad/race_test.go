//go:build race

package fgrad

// raceEnabled: the race detector allocates inside the kernels, so the
// zero-allocation checks are skipped.
const raceEnabled = true
