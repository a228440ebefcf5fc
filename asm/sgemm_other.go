//go:build !amd64 || !gc || purego

package asm

// sgemmParamsFor returns the Generic level's micro-kernel and blocks: no
// assembly is built here.
func sgemmParamsFor(Level) *sgemmParams { return &sgemmGenericParams }
