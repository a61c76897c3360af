package plot

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/occfer/occfer/train/metrics"
)

// fixtureCurves is a training history of the given length: loss falling and accuracy rising
// exponentially, train first, the test sets a little worse, deterministic.
func fixtureCurves(epochs int, sets ...string) CurvesFigure {
	loss := Panel{Title: "Loss", YLabel: "cross-entropy loss"}
	acc := Panel{Title: "Accuracy", YLabel: "accuracy (%)"}
	for si, name := range append([]string{"train"}, sets...) {
		var x, l, a []float64
		for e := 1; e <= epochs; e++ {
			r := math.Exp(-2.5 * float64(e) / float64(epochs))
			x = append(x, float64(e))
			l = append(l, 0.3+1.6*r+0.12*float64(si))
			a = append(a, 92-70*r-4*float64(si))
		}
		loss.Series = append(loss.Series, Series{Name: name, X: x, Y: l})
		acc.Series = append(acc.Series, Series{Name: name, X: x, Y: a})
	}
	return CurvesFigure{Panels: []Panel{loss, acc}}
}

// fixtureConfusion is a confusion matrix over the given classes with a strong diagonal, a
// little off-diagonal confusion, and (when empty >= 0) one class without test samples.
func fixtureConfusion(classes []string, empty int) *metrics.Confusion {
	c := metrics.NewConfusion(classes)
	for i := range classes {
		for j := range classes {
			c.M[i][j] = (i*7 + j*3) % 5
		}
		c.M[i][i] = 40 + 13*i
	}
	if empty >= 0 {
		for j := range classes {
			c.M[empty][j] = 0
		}
	}
	return c
}

var (
	rafClasses  = []string{"Surprise", "Fear", "Disgust", "Happiness", "Sadness", "Anger", "Neutral"}
	ferplusEigt = []string{"neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"}
)

func fixtureSweep() SweepFigure {
	xs := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}
	var fm, sg, efm, esg []float64
	for i := range xs {
		fm = append(fm, 80+3*math.Sin(float64(i)))
		sg = append(sg, 75+2*math.Cos(float64(i)))
		efm = append(efm, 0.5+0.2*float64(i%3))
		esg = append(esg, 0.8)
	}
	sg[6] = math.NaN() // a setting that did not run
	return SweepFigure{Title: "Accuracy vs λ", XLabel: "λ", YLabel: "test accuracy (%)",
		Series: []SweepSeries{{"FM_RAF-DB", xs, fm, efm}, {"SG_RAF-DB", xs, sg, esg}},
		Refs: []Reference{{Name: "paper, FM_RAF-DB", Y: 83.2, Series: "FM_RAF-DB"},
			{Name: "paper, SG_RAF-DB at λ 0.5", Y: 77.0, X: 0.5, AtX: true, Series: "SG_RAF-DB"}}}
}

// labelledTicks are the labelled ticks the axis's marker gives for the axis's range.
func labelledTicks(ax gplot.Axis) []gplot.Tick {
	var out []gplot.Tick
	for _, tk := range ax.Tick.Marker.Ticks(ax.Min, ax.Max) {
		if tk.Label != "" {
			out = append(out, tk)
		}
	}
	return out
}

func TestCurvesModel(t *testing.T) {
	for _, epochs := range []int{1, 2, 3, 200} {
		t.Run(strconv.Itoa(epochs)+"_epochs", func(t *testing.T) {
			m, err := buildCurves(fixtureCurves(epochs, "test", "FM_RAF-DB"))
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"train", "test", "FM_RAF-DB"}; !slices.Equal(m.names, want) {
				t.Fatalf("legend %v, want %v", m.names, want)
			}
			if len(m.plots) != 2 || m.plots[0].Title.Text != "Loss" || m.plots[1].Y.Label.Text != "accuracy (%)" || m.plots[0].X.Label.Text != "epoch" {
				t.Fatalf("panels: %d, titles/labels wrong", len(m.plots))
			}
			for _, p := range m.plots {
				ticks := labelledTicks(p.X)
				if len(ticks) == 0 || len(ticks) > 8 {
					t.Fatalf("%s: %d epoch labels", p.Title.Text, len(ticks))
				}
				for _, tk := range ticks {
					if tk.Value != math.Trunc(tk.Value) || tk.Value < 1 || tk.Value > float64(epochs) {
						t.Errorf("%s: epoch tick %v is not a whole epoch in 1..%d", p.Title.Text, tk.Value, epochs)
					}
				}
				// The last epoch is labelled whenever the step divides it (1, 2, 3, 200).
				if last := ticks[len(ticks)-1].Value; last != float64(epochs) {
					t.Errorf("%s: last epoch label %v, want %d", p.Title.Text, last, epochs)
				}
			}
		})
	}
}

func TestCurvesGapsAndErrors(t *testing.T) {
	st := styleFor(0)
	nan := math.NaN()
	ps, th, err := seriesPlotters([]float64{1, 2, 3, 4, 5, 6}, []float64{1, 2, nan, 4, 5, math.Inf(1)}, st, false)
	if err != nil {
		t.Fatal(err)
	}
	// 1-2 and 4-5 are lines; no markers (not marked, no lone point); the gap splits them.
	lines := 0
	for _, p := range ps {
		switch p := p.(type) {
		case *plotter.Line:
			lines++
			if len(p.XYs) != 2 {
				t.Errorf("line with %d points, want 2", len(p.XYs))
			}
		default:
			t.Errorf("unexpected %T", p)
		}
	}
	if lines != 2 || len(th) != 1 {
		t.Fatalf("%d lines, %d thumbnails; want 2 and 1", lines, len(th))
	}
	// A lone point between gaps gets a marker even unmarked.
	ps, _, err = seriesPlotters([]float64{1, 2, 3}, []float64{nan, 7, nan}, st, false)
	if err != nil || len(ps) != 1 {
		t.Fatalf("lone point: %d plotters, %v", len(ps), err)
	}
	if _, ok := ps[0].(*plotter.Scatter); !ok {
		t.Fatalf("lone point drawn as %T, want a marker", ps[0])
	}
	if _, err := Curves(CurvesFigure{}); err == nil {
		t.Error("figure without panels accepted")
	}
	if _, err := Curves(CurvesFigure{Panels: []Panel{{Series: []Series{{Name: "x", X: []float64{1}, Y: nil}}}}}); err == nil {
		t.Error("series with 1 x and 0 y accepted")
	}
}

func TestConfusionModel(t *testing.T) {
	for _, classes := range [][]string{rafClasses, ferplusEigt, {"a", "b"}} {
		t.Run(strconv.Itoa(len(classes))+"_classes", func(t *testing.T) {
			n := len(classes)
			c := fixtureConfusion(classes, 1)
			m, err := buildConfusion(ConfusionFigure{Set: "FM_RAF-DB", Note: "best epoch 3", Confusion: c})
			if err != nil {
				t.Fatal(err)
			}
			acc := fmt.Sprintf("%.2f%%", 100*c.Accuracy())
			if !strings.HasPrefix(m.title, "FM_RAF-DB: accuracy "+acc) || m.note != "best epoch 3" {
				t.Errorf("title %q / note %q lack the set and accuracy %s", m.title, m.note, acc)
			}
			// Class names on both axes, first class at the top (largest y).
			xt, yt := labelledTicks(m.heat.X), labelledTicks(m.heat.Y)
			if len(xt) != n || len(yt) != n {
				t.Fatalf("%d x and %d y tick labels for %d classes", len(xt), len(yt), n)
			}
			for i, name := range classes {
				if xt[i].Label != name || xt[i].Value != float64(i) {
					t.Errorf("x tick %d = %+v, want %s at %d", i, xt[i], name, i)
				}
				if yt[i].Label != name || yt[i].Value != float64(n-1-i) {
					t.Errorf("y tick %d = %+v, want %s at %d", i, yt[i], name, n-1-i)
				}
			}
			// One label per cell, top row first: count over row rate; "–" for the empty class.
			if len(m.cells.Labels) != n*n {
				t.Fatalf("%d cell labels, want %d", len(m.cells.Labels), n*n)
			}
			sup := c.Support()
			for k, txt := range m.cells.Labels {
				i, j := k/n, k%n
				want := strconv.Itoa(c.M[i][j]) + "\n–"
				if sup[i] > 0 {
					want = fmt.Sprintf("%d\n%.1f%%", c.M[i][j], 100*float64(c.M[i][j])/float64(sup[i]))
				}
				if txt != want {
					t.Errorf("cell (%s, %s) = %q, want %q", classes[i], classes[j], txt, want)
				}
				if xy := m.cells.XYs[k]; xy.X != float64(j) || xy.Y != float64(n-1-i) {
					t.Errorf("cell (%d,%d) label at %v", i, j, xy)
				}
			}
		})
	}
	// The row rate of a known cell: 12 of 14 true "b" predicted "b" is 85.7 %.
	c := metrics.NewConfusion([]string{"a", "b"})
	c.M[1][1], c.M[1][0], c.M[0][0] = 12, 2, 5
	m, err := buildConfusion(ConfusionFigure{Set: "s", Confusion: c})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.cells.Labels[3]; got != "12\n85.7%" {
		t.Errorf("cell (b, b) = %q, want %q", got, "12\n85.7%")
	}
	if !strings.Contains(m.title, "accuracy 89.47% (17 of 19)") {
		t.Errorf("title %q", m.title)
	}
}

func TestConfusionRejectsBadMatrices(t *testing.T) {
	cases := []struct {
		name string
		c    *metrics.Confusion
	}{
		{"nil", nil},
		{"no classes", &metrics.Confusion{}},
		{"missing row", &metrics.Confusion{Classes: []string{"a", "b"}, M: [][]int{{1, 2}}}},
		{"short row", &metrics.Confusion{Classes: []string{"a", "b"}, M: [][]int{{1, 2}, {3}}}},
		{"negative", &metrics.Confusion{Classes: []string{"a"}, M: [][]int{{-1}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Confusion(ConfusionFigure{Set: "test", Confusion: c.c}); err == nil || !strings.Contains(err.Error(), "test") {
				t.Fatalf("error %v, want one naming the set", err)
			}
		})
	}
}

func TestSweepModel(t *testing.T) {
	f := fixtureSweep()
	m, err := buildSweep(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"FM_RAF-DB", "SG_RAF-DB", "paper, FM_RAF-DB", "paper, SG_RAF-DB at λ 0.5"}
	if !slices.Equal(m.names, want) {
		t.Fatalf("legend %v, want %v", m.names, want)
	}
	ticks := labelledTicks(m.plot.X)
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	if want := []string{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"}; !slices.Equal(labels, want) {
		t.Fatalf("x ticks %v, want the swept values %v", labels, want)
	}
	if m.plot.Title.Text != f.Title || m.plot.X.Label.Text != "λ" || m.plot.Y.Label.Text != f.YLabel {
		t.Fatal("title or axis labels not set")
	}
	// The published line lies inside the y range.
	if !(m.plot.Y.Min <= 83.2 && 83.2 <= m.plot.Y.Max) {
		t.Fatalf("y range %v..%v misses the reference 83.2", m.plot.Y.Min, m.plot.Y.Max)
	}
	// Error bars: one per finite point with a positive error (SG did not run at λ 0.7).
	if len(m.bars) != 2 || len(m.bars[0].XYs) != 9 || len(m.bars[1].XYs) != 8 {
		t.Fatalf("error bars: %d series", len(m.bars))
	}
	// Several series are nudged apart around the true x, symmetrically.
	if d := m.bars[0].XYs[0].X - 0.1; !(d < 0 && math.Abs(d+(m.bars[1].XYs[0].X-0.1)) < 1e-12) {
		t.Errorf("nudges %v and %v around 0.1", m.bars[0].XYs[0].X, m.bars[1].XYs[0].X)
	}
	if m.bars[0].YErrors[1].High != 0.7 {
		t.Errorf("FM error at λ 0.2 is %v, want 0.7", m.bars[0].YErrors[1].High)
	}

	bad := []struct {
		name string
		f    SweepFigure
	}{
		{"no series", SweepFigure{}},
		{"length mismatch", SweepFigure{Series: []SweepSeries{{Name: "a", X: []float64{1, 2}, Y: []float64{1}}}}},
		{"error length", SweepFigure{Series: []SweepSeries{{Name: "a", X: []float64{1}, Y: []float64{1}, Err: []float64{1, 2}}}}},
		{"negative error", SweepFigure{Series: []SweepSeries{{Name: "a", X: []float64{1}, Y: []float64{1}, Err: []float64{-1}}}}},
		{"NaN x", SweepFigure{Series: []SweepSeries{{Name: "a", X: []float64{math.NaN()}, Y: []float64{1}}}}},
		{"NaN reference", SweepFigure{Series: []SweepSeries{{Name: "a", X: []float64{1}, Y: []float64{1}}}, Refs: []Reference{{Name: "r", Y: math.NaN()}}}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Sweep(c.f); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestMeanStd(t *testing.T) {
	cases := []struct {
		name      string
		vals      []float64
		mean, std float64
	}{
		{"three seeds", []float64{80, 82, 84}, 82, 2},
		{"one seed", []float64{71.5}, 71.5, 0},
		{"NaN skipped", []float64{1, math.NaN(), 3}, 2, math.Sqrt2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, s := MeanStd(c.vals)
			if math.Abs(m-c.mean) > 1e-12 || math.Abs(s-c.std) > 1e-12 {
				t.Fatalf("MeanStd(%v) = %v, %v; want %v, %v", c.vals, m, s, c.mean, c.std)
			}
		})
	}
	if m, s := MeanStd(nil); !math.IsNaN(m) || !math.IsNaN(s) {
		t.Fatalf("MeanStd(nil) = %v, %v; want NaN, NaN", m, s)
	}
}

// A resumed run redraws its figures: the same input must give the same PNG bytes.
func TestFiguresAreDeterministic(t *testing.T) {
	draws := map[string]func() (*image.RGBA, error){
		"curves": func() (*image.RGBA, error) { return Curves(fixtureCurves(5, "test")) },
		"confusion": func() (*image.RGBA, error) {
			return Confusion(ConfusionFigure{Set: "test", Confusion: fixtureConfusion(rafClasses, -1)})
		},
		"sweep": func() (*image.RGBA, error) { return Sweep(fixtureSweep()) },
	}
	for name, draw := range draws {
		t.Run(name, func(t *testing.T) {
			var out [2][]byte
			for i := range out {
				img, err := draw()
				if err != nil {
					t.Fatal(err)
				}
				if out[i], err = EncodePNG(img); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(out[0], out[1]) {
				t.Fatal("two renders of the same figure differ")
			}
		})
	}
}
