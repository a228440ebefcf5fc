package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows the steps of an epoch: a bar with loss and throughput on
// a terminal, a few plain lines otherwise.
type progress struct {
	bar     *progressbar.ProgressBar
	plain   io.Writer
	total   int
	every   int
	started time.Time
}

// newProgress starts the display of one epoch of total steps.
func newProgress(mode string, out io.Writer, epoch, epochs, total int) *progress {
	if mode == "auto" {
		mode = "plain"
		if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	p := &progress{total: total, started: time.Now()}
	switch mode {
	case "bar":
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(out),
			progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	case "plain":
		p.plain = out
		p.every = max(total/4, 1)
	}
	return p
}

// step reports that step (1-based) finished with the running mean loss.
func (p *progress) step(step int, loss float64, samples int) {
	rate := float64(samples) / time.Since(p.started).Seconds()
	switch {
	case p.bar != nil:
		p.bar.Describe(fmt.Sprintf("loss %.4f  %.0f samples/s", loss, rate))
		_ = p.bar.Set(step)
	case p.plain != nil && (step%p.every == 0 && step != p.total):
		fmt.Fprintf(p.plain, "  step %d/%d  loss %.4f  %.0f samples/s\n", step, p.total, loss, rate)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
