// Command train trains a model on MNIST or Fashion-MNIST and reports its
// test accuracy.
//
// With no flags it trains the reference workload W1, the MLP 784-256-256-10
// with Adam (lr 1e-3, batch 128), for 3 epochs on real MNIST, which it finds
// in the Go module cache or fetches through the module proxy:
//
//	go run ./cmd/train
//	go run ./cmd/train -model cnn -epochs 1
//	go run ./cmd/train -dataset fashion -opt adamw -wd 0.01 -metrics m.jsonl -save ck.safetensors
//	go run ./cmd/train -opt list
//
// Bad flags or data print one line on standard error and exit with status 2
// (flags) or 1 (anything else).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program, with its output streams, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "train: %v\n", err)
		return 2
	}
	if c.opt == "list" {
		if err := listOptimizers(stdout); err != nil {
			fmt.Fprintf(stderr, "train: %v\n", err)
			return 1
		}
		return 0
	}
	if err := train(c, stdout); err != nil {
		var fe *flagError
		fmt.Fprintf(stderr, "train: %s\n", oneLine(err.Error()))
		if errors.As(err, &fe) {
			return 2
		}
		return 1
	}
	return 0
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' })
	for i, f := range fields {
		fields[i] = strings.TrimSpace(f)
	}
	return strings.Join(fields, "; ")
}

// flagError is a configuration error found after parsing (an optimizer
// argument, a checkpoint that does not match the flags).
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }
