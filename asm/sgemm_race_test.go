//go:build race

package asm

// raceEnabledSgemm reports a -race build, where sync.Pool drops items.
const raceEnabledSgemm = true
