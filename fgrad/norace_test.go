//go:build !race

package fgrad

const raceEnabled = false
