package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// The metadata keys of a training checkpoint. The flags listed in
// mustMatch must be the same when resuming, since they decide the model,
// the data order or the update rule.
const (
	metaFormat = "gograd.format"
	metaEpoch  = "gograd.epoch" // epochs completed
	optPrefix  = "optim."
)

var mustMatch = []string{"model", "hidden", "dataset", "batch", "seed", "limit", "opt"}

func (s *session) flagValues() map[string]string {
	c := s.c
	hidden := make([]string, len(c.hidden))
	for i, h := range c.hidden {
		hidden[i] = strconv.Itoa(h)
	}
	return map[string]string{
		"model":   c.model,
		"hidden":  strings.Join(hidden, ","),
		"dataset": c.dataset,
		"batch":   strconv.Itoa(c.batch),
		"seed":    strconv.FormatUint(c.seed, 10),
		"limit":   strconv.Itoa(c.limit),
		"opt":     c.opt,
	}
}

// save writes the model, the optimizer state and the training position
// after epochs completed epochs, atomically.
func (s *session) save(path string, epochs int) error {
	tensors := nn.StateDict(s.model)
	st, err := s.opt.State()
	if err != nil {
		return fmt.Errorf("-save %s: %w", path, err)
	}
	for k, v := range st {
		tensors[optPrefix+k] = v
	}
	meta := map[string]string{metaFormat: "1", metaEpoch: strconv.Itoa(epochs)}
	for k, v := range s.flagValues() {
		meta["flag."+k] = v
	}
	if err := nn.SaveCheckpoint(path, tensors, meta); err != nil {
		return fmt.Errorf("-save: %w", err)
	}
	return nil
}

// load restores a checkpoint and returns the number of epochs it had
// completed.
func (s *session) load(path string) (int, error) {
	tensors, meta, err := nn.LoadCheckpoint(path)
	if err != nil {
		return 0, fmt.Errorf("-resume: %w", err)
	}
	if meta[metaFormat] != "1" {
		return 0, fmt.Errorf("-resume %s: not a gograd training checkpoint (metadata %s = %q)", path, metaFormat, meta[metaFormat])
	}
	want := s.flagValues()
	for _, k := range mustMatch {
		if got := meta["flag."+k]; got != want[k] {
			return 0, &flagError{fmt.Errorf("-resume %s: checkpoint has -%s %q but the command line has %q", path, k, got, want[k])}
		}
	}
	epochs, err := strconv.Atoi(meta[metaEpoch])
	if err != nil || epochs < 0 {
		return 0, fmt.Errorf("-resume %s: bad epoch count %q", path, meta[metaEpoch])
	}
	optState, modelState := nn.SplitPrefix(tensors, optPrefix)
	trimmed := make(map[string]*tensor.Tensor, len(optState))
	for k, v := range optState {
		trimmed[strings.TrimPrefix(k, optPrefix)] = v
	}
	if err := nn.LoadStateDict(s.model, modelState); err != nil {
		return 0, fmt.Errorf("-resume %s: %w", path, err)
	}
	if err := s.opt.LoadState(trimmed); err != nil {
		return 0, fmt.Errorf("-resume %s: %w", path, err)
	}
	return epochs, nil
}
