package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// epochMetrics is one line of the -metrics file.
type epochMetrics struct {
	Epoch         int     `json:"epoch"` // 1-based
	TrainLoss     float64 `json:"train_loss"`
	TestLoss      float64 `json:"test_loss"`
	TestAcc       float64 `json:"test_acc"`
	Seconds       float64 `json:"seconds"` // training time of the epoch, evaluation excluded
	MsPerStep     float64 `json:"ms_per_step"`
	SamplesPerSec float64 `json:"samples_per_sec"`
	Steps         int     `json:"steps"`
	PeakHeapMiB   float64 `json:"peak_heap_mib"`    // largest heap (live + unswept) seen after any step so far
	StepMiB       float64 `json:"step_mib"`         // heap one step of a fresh estimator needs (fgrad.StepMemory)
	Cosine        float64 `json:"cosine,omitempty"` // mean cosine to the true gradient over the epoch's measured steps
	Grad          string  `json:"grad"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
}

// metricsWriter appends JSON lines to a file.
type metricsWriter struct {
	f    *os.File
	path string
}

// openMetrics creates (or, when resuming, appends to) the metrics file.
func openMetrics(path string, appendTo bool) (*metricsWriter, error) {
	if path == "" {
		return nil, nil
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("-metrics: %w", err)
	}
	return &metricsWriter{f: f, path: path}, nil
}

func (w *metricsWriter) write(m epochMetrics) error {
	if w == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("-metrics %s: %w", w.path, err)
	}
	return nil
}

func (w *metricsWriter) close() error {
	if w == nil {
		return nil
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("-metrics %s: %w", w.path, err)
	}
	return nil
}

var _ io.Closer = (*os.File)(nil)
