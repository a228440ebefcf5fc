//go:build !amd64 || !gc || purego

package asm

// lookaheadSync runs the generic reference where no assembly is built.
func lookaheadSync(p, slow []float32, a, b float32) { lookaheadSyncGeneric(p, slow, a, b) }
