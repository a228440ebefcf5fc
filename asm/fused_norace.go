//go:build !race

package asm

// Without -race the race reports compile to nothing; see fused_race.go.

func fusedRaceRead(s []float32)  {}
func fusedRaceWrite(s []float32) {}
