package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// palette holds twelve colors that stay apart on white (matplotlib's
// tab10 plus black and a dark gold); lines past the twelfth repeat the
// colors with another dash pattern.
var palette = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	{188, 189, 34, 255}, {23, 190, 207, 255}, {0, 0, 0, 255}, {170, 120, 0, 255},
}

var dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(1.5), vg.Points(2)}, {vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}}

// lineStyle returns the i-th line's style: color i mod 12, dash pattern
// i/12.
func lineStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: palette[i%len(palette)], Width: vg.Points(1.6), Dashes: dashes[(i/len(palette))%len(dashes)]}
}

// yCap is the highest loss drawn: diverging curves leave the top of the
// plot instead of squeezing the others.
const yCap = 10

// logTicks labels 1, 2 and 5 times powers of ten and marks the other
// integers times powers of ten, for a log-scale axis.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := float64(m) * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// plotFamily draws the subset test loss against step of the results of
// one family (in the given order) on a log scale, with the legend to the
// right of the axes, and writes a PNG to path. It returns false, nil if
// no result of the family has a curve to draw.
func plotFamily(rs []result, family, subsetDesc, path string) (bool, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("W1 (MLP 784-256-256-10, MNIST), %s family", family)
	p.X.Label.Text = "step (batch 128)"
	p.Y.Label.Text = "test loss (" + subsetDesc + ", log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.TextStyle.Font.Size = vg.Points(10)
	lo, hi, maxStep := math.Inf(1), math.Inf(-1), 0
	n := 0
	for i := range rs {
		r := &rs[i]
		if r.Family != family {
			continue
		}
		var xys plotter.XYs
		for _, c := range r.Curve {
			if finite(c.Loss) && c.Loss > 0 {
				xys = append(xys, plotter.XY{X: float64(c.Step), Y: c.Loss})
				lo, hi = math.Min(lo, c.Loss), math.Max(hi, c.Loss)
				maxStep = max(maxStep, c.Step)
			}
		}
		if len(xys) < 2 {
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return false, fmt.Errorf("optimizers: plot %s: %w", r.Name, err)
		}
		l.LineStyle = lineStyle(n)
		n++
		p.Add(l)
		leg.Add(r.Name, l)
	}
	if n == 0 {
		return false, nil
	}
	p.X.Min, p.X.Max = 0, float64(maxStep)
	p.Y.Min, p.Y.Max = lo/1.1, math.Min(hi, yCap)*1.1
	if hi > yCap {
		p.Title.Text += fmt.Sprintf(" (curves above %g leave the top)", float64(yCap))
	}
	const w, h, legendW = 10 * vg.Inch, 6 * vg.Inch, 1.7 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))
	dc := draw.New(img)
	p.Draw(draw.Crop(dc, vg.Points(4), -legendW, vg.Points(4), -vg.Points(6)))
	leg.Draw(draw.Crop(dc, w-legendW+vg.Points(8), 0, 0, -vg.Points(30)))
	f, err := os.Create(path)
	if err != nil {
		return false, fmt.Errorf("optimizers: plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return false, fmt.Errorf("optimizers: plot %s: %w", path, err)
	}
	return true, f.Close()
}
