//go:build race

package optim

// raceSplit reports a -race build, where sync.Pool drops items (asm.Parallel
// then allocates).
const raceSplit = true
