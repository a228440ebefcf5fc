package main

import (
	"strings"
	"testing"
)

// TestAISARAHGetsFullGradients: an optimizer that asks for the full
// gradient (AI-SARAH's outer loop) gets it from the objective, and the
// epoch line is followed by the count of full passes.
func TestAISARAHGetsFullGradients(t *testing.T) {
	dir := synthData(t, 96, 20)
	out := runOK(t, "-data", dir, "-hidden", "8", "-epochs", "1", "-batch", "32", "-opt", "ai-sarah", "-progress", "none", "-threads", "1")
	if !strings.Contains(out, "full-gradient passes over the training set") || !strings.Contains(out, "done:") {
		t.Errorf("output has no full-gradient count:\n%s", out)
	}
	out = runOK(t, "-data", dir, "-hidden", "8", "-epochs", "1", "-batch", "32", "-progress", "none", "-threads", "1")
	if strings.Contains(out, "full-gradient") {
		t.Errorf("adam reports full-gradient passes:\n%s", out)
	}
}
