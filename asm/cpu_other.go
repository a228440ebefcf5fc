//go:build !amd64 || !gc || purego

package asm

// detectLevel is Generic where no assembly is built.
func detectLevel() Level {
	_ = cpuLevel
	return Generic
}
