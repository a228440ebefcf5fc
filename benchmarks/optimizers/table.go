package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// sortResults orders rs by family (familyOrder), then by name.
func sortResults(rs []result) {
	slices.SortStableFunc(rs, func(a, b result) int {
		if c := cmp.Compare(familyRank(a.Family), familyRank(b.Family)); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// tableHeader is the header row and alignment row of formatTable.
const tableHeader = "| family | method | epochs | test acc | test loss | s/epoch | ms/step | state/param | objective | status |\n" +
	"|---|---|---:|---:|---:|---:|---:|---:|---|---|\n"

// formatTable returns rs as a markdown table, one row per result in the
// given order.
func formatTable(rs []result) string {
	var b strings.Builder
	b.WriteString(tableHeader)
	for i := range rs {
		r := &rs[i]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Family, r.Name, epochsCell(r), accCell(r), lossCell(r), timeCell(r.Steps, r.secPerEpoch(), "%.1f"),
			timeCell(r.Steps, r.msPerStep(), "%.2f"), stateCell(r), objectiveCell(r), cell(r.Status))
	}
	return b.String()
}

// failed reports whether r's optimizer could not be built.
func failed(r *result) bool { return strings.HasPrefix(r.Status, "error") }

// cell makes s safe inside a table cell: no pipes, no line breaks.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

// epochsCell is the number of epochs trained: "3", or "0.04/3" for a
// run that stopped early.
func epochsCell(r *result) string {
	if failed(r) {
		return "–"
	}
	if r.Steps == r.Epochs*r.StepsPerEpoch {
		return fmt.Sprint(r.Epochs)
	}
	return fmt.Sprintf("%.2f/%d", float64(r.Steps)/float64(max(r.StepsPerEpoch, 1)), r.Epochs)
}

func accCell(r *result) string {
	if !r.Tested {
		return "–"
	}
	return fmt.Sprintf("%.2f%%", 100*r.TestAcc)
}

func lossCell(r *result) string {
	if !r.Tested {
		return "–"
	}
	if math.IsNaN(r.TestLoss) || math.IsInf(r.TestLoss, 0) {
		return fmt.Sprint(r.TestLoss)
	}
	return fmt.Sprintf("%.4f", r.TestLoss)
}

func timeCell(steps int, v float64, format string) string {
	if steps == 0 {
		return "–"
	}
	return fmt.Sprintf(format, v)
}

func stateCell(r *result) string {
	if r.StateFloats < 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", perParam(r.StateFloats, r.Params))
}

// objectiveCell is "no", or "yes" with the objective calls per step:
// grad (forward+backward), hvp (Hessian-vector product), loss (forward)
// sampled (gradient against sampled labels), sub-batch grad (in
// whole-batch equivalents), jacobian (logit Jacobians) and full grad
// (passes over the whole training set), e.g. "yes: grad 2, hvp 0.1".
func objectiveCell(r *result) string {
	if failed(r) {
		return "–"
	}
	if !r.NeedsObj {
		return "no"
	}
	var parts []string
	for _, p := range []struct {
		name string
		n    float64
	}{{"grad", float64(r.Passes.Grad)}, {"hvp", float64(r.Passes.HVP)}, {"loss", float64(r.Passes.Loss)},
		{"sampled", float64(r.Passes.Sampled)}, {"sub-batch grad", r.Passes.SubBatch}, {"jacobian", float64(r.Passes.Jacobian)},
		{"full grad", float64(r.Passes.Full)}} {
		if p.n > 0 && r.Steps > 0 {
			parts = append(parts, fmt.Sprintf("%s %.3g", p.name, p.n/float64(r.Steps)))
		}
	}
	if len(parts) == 0 {
		return "yes"
	}
	return "yes: " + strings.Join(parts, ", ")
}
