//go:build amd64 && gc && !purego

package asm

func detectLevel() Level { return cpuLevel() }
